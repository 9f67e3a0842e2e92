"""Dependencies shared by the routes: the knowledge base, common parameters, cached JSON."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import Depends, Header, Query, Request, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from kb.config import Settings
from kb.errors import IndexNotFoundError
from kb.service import KnowledgeBase
from kb.storage import Storage

from .security import require_admin

MAX_Q_CHARS = 500
CACHE_SECONDS = 60


def knowledge_base(request: Request) -> KnowledgeBase:
    """The app's knowledge base; opened on first use if the index was built after start-up."""
    kb = request.app.state.kb
    if kb is None:
        from .app import open_knowledge_base

        kb = request.app.state.kb = open_knowledge_base(request.app.state.settings)
        if kb is None:
            raise IndexNotFoundError("no index yet: run `kb reindex`")
    return kb


async def get_kb(request: Request) -> KnowledgeBase:
    """``knowledge_base`` as an async dependency: no threadpool hop on every request."""
    return knowledge_base(request)


KB = Annotated[KnowledgeBase, Depends(get_kb)]


def get_settings(request: Request) -> Settings:
    """The settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_storage(request: Request) -> Storage:
    """The feedback and search-log storage, or 503 ``storage_unavailable``."""
    state = request.app.state.storage_state
    if state.schema_ready:  # the usual case: a flag, no threadpool hop
        return state.require()
    return await run_in_threadpool(state.require)  # it may retry creating the tables: blocking I/O


Store = Annotated[Storage, Depends(get_storage)]
Admin = Depends(require_admin)
LocaleParam = Annotated[
    str | None,
    Query(
        max_length=64,
        description="BCP 47 or POSIX tag (fr, fr-CA, en_GB); negotiated to a supported locale.",
        examples=["fr"],
    ),
]
AcceptLanguage = Annotated[str | None, Header(alias="Accept-Language", include_in_schema=False)]
SessionHeader = Annotated[
    str | None,
    Header(
        alias="X-KB-Session",
        max_length=64,
        include_in_schema=False,
        description="Random per-visit id sent by the widget; groups the keystrokes of one search.",
    ),
]


def json_response(request: Request, model: BaseModel, *, cacheable: bool = True) -> Response:
    """Serialize ``model``; cacheable GETs get an ETag, Cache-Control and ``Vary: Accept-Language``,
    and a matching ``If-None-Match`` gets 304."""
    body = model.model_dump_json().encode()
    headers = {"Vary": "Accept-Language"}
    if cacheable and request.method == "GET":
        etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
        headers["ETag"] = etag
        headers["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
        if etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
    else:
        headers["Cache-Control"] = "no-store"
    return Response(body, media_type="application/json", headers=headers)
