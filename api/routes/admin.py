"""GET /v1/admin/report and POST /v1/admin/reindex (``Authorization: Bearer <KB_ADMIN_TOKEN>``)."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from kb import DURATION_PATTERN, Settings, build_index, load_content, parse_since, report_locale
from kb.errors import IndexWriteError
from kb.report import build_report

from ..deps import LOCALE_DESCRIPTION, LOCALE_MAX_CHARS, LOCALE_PATTERN, ServicesDep, Store
from ..errors import APIError, ErrorCode
from ..openapi import ADMIN, error_responses
from ..security import require_admin

log = logging.getLogger("api.admin")
router = APIRouter(prefix="/v1/admin", tags=["admin"], dependencies=[Depends(require_admin)])
NO_STORE = {"Cache-Control": "no-store"}
SINCE_DESCRIPTION = (
    "Where the period starts: a duration back from now (`90m`, `12h`, `7d`, `2w`; up to six digits of "
    "seconds, minutes or hours, five of days or weeks), an ISO date (`2025-03-01`, midnight UTC) or date and "
    "time (`2025-03-01T08:00`, UTC unless it names an offset). Empty or absent: since the beginning."
)
# What `since` accepts, as JSON Schema says it (formats, where a pattern would admit 2025-02-30).
SINCE_MAX_CHARS = 40
SINCE_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "string", "pattern": DURATION_PATTERN},
        {"type": "string", "format": "date"},
        {"type": "string", "format": "date-time", "maxLength": SINCE_MAX_CHARS},
        {"type": "string", "maxLength": 0},
    ]
}


@router.get(
    "/report",
    summary="Content-gap report",
    responses=error_responses(*ADMIN, ErrorCode.INVALID_PARAMETER, ErrorCode.STORAGE_UNAVAILABLE),
)
async def report(
    services: ServicesDep,
    storage: Store,
    since: Annotated[
        str | None, Query(max_length=SINCE_MAX_CHARS, description=SINCE_DESCRIPTION, json_schema_extra=SINCE_SCHEMA)
    ] = None,
    locale: Annotated[
        str | None,
        Query(
            max_length=LOCALE_MAX_CHARS, pattern=LOCALE_PATTERN, description="Only this locale. " + LOCALE_DESCRIPTION
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="Entries per section and locale.")] = 20,
) -> JSONResponse:
    """What customers searched for and did not find: the same JSON as `kb report --format json`."""
    try:
        start = parse_since(since)
    except ValueError as exc:
        raise APIError(ErrorCode.INVALID_PARAMETER, f"since: {exc}", "since") from None
    served = services.knowledge.status().generation is not None
    chosen = report_locale(locale, services.knowledge.locales if served else ())
    result = await run_in_threadpool(build_report, storage, start, chosen, limit)
    return JSONResponse(result.to_dict(), headers=NO_STORE)


def _reindex(settings: Settings) -> dict[str, object]:
    try:
        return build_index(load_content(settings.content_dir), settings.index_dir).to_dict()
    except IndexWriteError as exc:  # the answer names no path; the log does
        log.error("reindex failed, the previous index still serves: %s", exc)
        raise


@router.post(
    "/reindex",
    summary="Rebuild the index from the content",
    responses=error_responses(
        *ADMIN,
        ErrorCode.REINDEX_IN_PROGRESS,
        ErrorCode.INVALID_CONTENT,
        ErrorCode.INDEX_BUILD_FAILED,
        ErrorCode.INSUFFICIENT_STORAGE,
    ),
)
async def reindex(services: ServicesDep) -> JSONResponse:
    """Build a new generation from the content and switch to it; this worker serves it at once, others within
    `KB_INDEX_CHECK_SECONDS`. 409 while another reindex runs, 422 with the problems when the content is invalid,
    500 when the build fails and 507 when the disk is full (the previous index still serves)."""
    summary = await run_in_threadpool(_reindex, services.settings)
    await run_in_threadpool(services.knowledge.refresh, True)
    return JSONResponse(summary, headers=NO_STORE)
