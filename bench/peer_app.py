"""The peer as a web service: FastAPI + SQLite FTS5, ``GET /v1/search?q=&locale=``.

What a developer would write in an afternoon: the FTS5 table is built at start-up from
``PEER_CONTENT_DIR`` (default ``content``) into an in-memory database, one connection, an
``async`` endpoint (queries take well under a millisecond on the shipped content).

    PEER_CONTENT_DIR=content uvicorn bench.peer_app:app --port 8100
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI, Query

from bench.common import read_content
from bench.peer_fts5 import build, search

app = FastAPI(title="FTS5 peer")
_conn = build(read_content(Path(os.environ.get("PEER_CONTENT_DIR", "content"))))


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/v1/search")
async def v1_search(
    q: str = Query(..., min_length=1, max_length=256),
    locale: str = Query("en", max_length=35),
    limit: int = Query(10, ge=1, le=50),
) -> dict[str, object]:
    results = search(_conn, q, limit)
    return {"query": q, "locale": locale, "total": len(results), "results": results}
