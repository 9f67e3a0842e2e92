"""GET /healthz (the process answers) and /readyz (index loaded, storage reachable)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from kb.errors import KBError

from ..schemas import CheckOutcome, Health

log = logging.getLogger("api.health")
router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, summary="Liveness")
async def healthz() -> Health:
    """The process is up."""
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=Health,
    summary="Readiness",
    responses={503: {"model": Health, "description": "Not ready"}},
)
async def readyz(request: Request) -> JSONResponse:
    """Ready when the index is loaded and the storage (if configured) answers. Each check says
    ``ok``, ``unavailable`` or ``failing``; why goes to the server's log, never to the response."""
    checks: dict[str, CheckOutcome] = {}
    generation = None
    kb = getattr(request.app.state, "kb", None)
    if kb is None:
        checks["index"] = "unavailable"
    else:
        try:
            generation = kb.generation.name
            checks["index"] = "ok"
        except KBError as exc:
            log.warning("index check: failing (%s)", exc)
            checks["index"] = "failing"
    storage_state = getattr(request.app.state, "storage_state", None)
    if storage_state is not None:
        checks["storage"] = await run_in_threadpool(storage_state.check)
    ready = all(v == "ok" for v in checks.values())
    body = Health(status="ready" if ready else "not_ready", generation=generation, checks=checks)
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503, headers={"Cache-Control": "no-store"})
