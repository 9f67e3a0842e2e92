"""GET /healthz (the process answers) and /readyz (index loaded, storage reachable)."""

from __future__ import annotations

import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from ..deps import ServicesDep
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
async def readyz(services: ServicesDep) -> JSONResponse:
    """Ready when the index is loaded and the storage (if configured) answers. Each check says
    ``ok``, ``unavailable`` or ``failing``; why goes to the server's log, never to the response."""
    checks: dict[str, CheckOutcome] = {}
    generation = None
    # No generation that opens and verifies (yet): the worker keeps looking, and says why in its log.
    generation = services.knowledge.status().generation
    checks["index"] = "ok" if generation is not None else "unavailable"
    checks["storage"] = await run_in_threadpool(services.storage.check)
    ready = all(v == "ok" for v in checks.values())
    body = Health(status="ready" if ready else "not_ready", generation=generation, checks=checks)
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503, headers={"Cache-Control": "no-store"})
