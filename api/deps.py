"""Dependencies shared by the routes: the services, the knowledge base, storage, common parameters.

Routes take what they need as ``Annotated`` aliases (``kb: KB``, ``storage: Store``); the
services themselves come from the lifespan state (see :mod:`api.services`).
"""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Header, Query, Request
from starlette.concurrency import run_in_threadpool

from kb.config import Settings
from kb.locales import LOCALE_MAX_CHARS, LOCALE_PARAMETER_PATTERN
from kb.storage import Storage
from kb.view import KnowledgeView

from .errors import APIError, ErrorCode
from .services import Services

# Every dependency here is ``async def``: FastAPI runs plain functions in its thread pool, a hop
# per request for what is an attribute read.


async def get_services(request: Request) -> Services:
    """The services the lifespan opened for this app."""
    return cast(Services, request.state.services)


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_settings(services: ServicesDep) -> Settings:
    return services.settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_kb(services: ServicesDep) -> KnowledgeView:
    """The served generation, one view for the whole request (FastAPI resolves a dependency once
    per request); 503 ``index_unavailable`` while no generation opens and verifies."""
    return services.knowledge.current()


KB = Annotated[KnowledgeView, Depends(get_kb)]


async def get_storage(services: ServicesDep) -> Storage:
    """The feedback and search-log storage, or 503 ``storage_unavailable``."""
    state = services.storage
    if state.schema_ready:  # the usual case: a flag, no threadpool hop
        return state.require()
    return await run_in_threadpool(state.require)  # it may look at the schema again: blocking I/O


Store = Annotated[Storage, Depends(get_storage)]
# A `locale` a client sends: a tag of Babel's grammar (kb.locales.LOCALE_TAG), empty for none.
LOCALE_PATTERN = LOCALE_PARAMETER_PATTERN
LOCALE_DESCRIPTION = (
    "BCP 47 or POSIX tag (`fr`, `fr-CA`, `en-GB`, `fr_CA.UTF-8`), negotiated to a supported locale; "
    "a language Babel knows that is not served falls back to the default (`fallback_used`). A tag of "
    "this shape naming no locale Babel knows (`xx`, `fr-XY`) is 422 `invalid_parameter` (a rule the "
    "pattern cannot express)."
)
LocaleParam = Annotated[
    str | None,
    Query(max_length=LOCALE_MAX_CHARS, pattern=LOCALE_PATTERN, description=LOCALE_DESCRIPTION, examples=["fr"]),
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


async def json_only(request: Request) -> None:
    """415 for a body that is not JSON, rather than a puzzling validation error."""
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise APIError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "send the body as application/json")


JsonBody = Depends(json_only)
