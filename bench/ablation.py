"""Where the HTTP time goes: the same engine behind fewer and fewer layers of the API.

Variants (one uvicorn worker each, ``uvicorn --factory bench.ablation:make_app`` with
``BENCH_VARIANT``), all on the same index, loaded by ``wrk`` with the same trace:

- ``full``: ``api.app:app`` as shipped;
- ``no-log``: the same with the search log switched off (services without a search-log writer);
- ``no-middleware``: the same app without its middleware (request id, metrics, headers, access
  line, CORS, rate limit, and the hot GETs it renders and caches itself): every request goes
  through FastAPI's routing and parameters; search log on;
- ``bare``: a minimal FastAPI route calling ``KnowledgeBase.search`` and returning
  ``model_dump_json()`` (what the FTS5 peer app does with SQLite).

    python -m bench.ablation --index bench/results/work/index-shipped \
        --trace bench/results/trace-http.json --json bench/results/ablation.json
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import tempfile
from pathlib import Path

from bench.common import ROOT, log, write_json
from bench.http_load import memory, run_wrk, server, settle, upgraded_sqlite
from bench.trace import request_paths

VARIANTS = ("full", "no-log", "no-middleware", "bare")


def make_app():  # type: ignore[no-untyped-def]
    variant = os.environ.get("BENCH_VARIANT", "full")
    if variant == "bare":
        return _bare()
    from api.app import create_app

    app = create_app()
    if variant == "no-middleware":
        app.user_middleware = []
    if variant != "no-log":
        return app

    async def without_log(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] == "http":  # the same services with no search-log writer
            state = scope["state"]
            state["services"] = dataclasses.replace(state["services"], search_log=None)
        await app(scope, receive, send)

    return without_log


def _bare():  # type: ignore[no-untyped-def]
    from fastapi import FastAPI, Query, Response

    from kb.config import Settings
    from kb.service import KnowledgeBase

    settings = Settings()
    kb = KnowledgeBase(settings.index_dir, cache_size=settings.query_cache_size)
    app = FastAPI()

    @app.get("/readyz")
    async def ready() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/v1/search")
    async def search(q: str = Query(..., max_length=500), locale: str | None = None) -> Response:
        return Response(kb.search(q, locale).model_dump_json(), media_type="application/json")

    return app


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--trace", type=Path, required=True)
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=VARIANTS)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    entries = json.loads(args.trace.read_text())["entries"]
    out: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="kb-abl-") as tmp:
        paths = Path(tmp) / "paths.txt"
        paths.write_text("\n".join(request_paths(entries)) + "\n")
        for cache in (0, 4096):
            for variant in args.variants:
                env = {"BENCH_VARIANT": variant, "KB_INDEX_DIR": str(args.index),
                       "KB_RATE_LIMIT_PER_MINUTE": "0", "KB_ACCESS_LOG": "false",
                       "KB_QUERY_CACHE_SIZE": str(cache),
                       "KB_DATABASE_URL": upgraded_sqlite(Path(tmp) / f"{variant}-{cache}.sqlite3")}
                label = f"{variant}, cache {'on' if cache else 'off'}"
                with server("bench.ablation:make_app", 1, env, Path(tmp) / "server.log",
                            "/readyz", extra_args=("--factory",)) as (port, pid):
                    w = run_wrk(port, paths, args.seconds, args.connections)
                    w["rss"] = memory(pid)["rss_sum_mib"]
                    settle(pid)
                out[label] = w
                log(f"{label}: {w['rps']} req/s, p50 {w['latency_ms']['p50']} ms, "
                    f"p99 {w['latency_ms']['p99']} ms, errors {w['errors']}, "
                    f"non-2xx {w['non_2xx']}")
    write_json(args.json, {"variants": out, "root": str(ROOT)})


if __name__ == "__main__":
    main()
