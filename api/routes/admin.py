"""GET /v1/admin/report and POST /v1/admin/reindex (``Authorization: Bearer <KB_ADMIN_TOKEN>``)."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from kb import Settings, build_index, load_content, parse_since, report_locale
from kb.errors import IndexWriteError
from kb.report import build_report

from ..deps import ServicesDep, Store
from ..errors import APIError, ErrorCode
from ..security import require_admin

log = logging.getLogger("api.admin")
router = APIRouter(prefix="/v1/admin", tags=["admin"], dependencies=[Depends(require_admin)])
NO_STORE = {"Cache-Control": "no-store"}
AUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No bearer token"},
    403: {"description": "Wrong token"},
    404: {"description": "Admin routes are off (KB_ADMIN_TOKEN unset)"},
}


@router.get("/report", summary="Content-gap report", responses=AUTH_ERRORS)
async def report(
    services: ServicesDep,
    storage: Store,
    since: Annotated[str | None, Query(max_length=40, description="7d, 12h, 2w or an ISO date/time.")] = None,
    locale: Annotated[str | None, Query(max_length=64, description="Only this locale.")] = None,
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
    responses={**AUTH_ERRORS, 409: {"description": "Another reindex is running"}, 422: {"description": "Bad content"}},
)
async def reindex(services: ServicesDep) -> JSONResponse:
    """Build a new generation from the content and switch to it; this worker serves it at once, others within
    `KB_INDEX_CHECK_SECONDS`. 409 while another reindex runs, 422 with the problems when the content is invalid."""
    summary = await run_in_threadpool(_reindex, services.settings)
    await run_in_threadpool(services.knowledge.refresh, True)
    return JSONResponse(summary, headers=NO_STORE)
