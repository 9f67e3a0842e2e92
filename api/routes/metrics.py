"""GET /metrics (Prometheus text format)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from ..deps import ServicesDep
from ..metrics import CONTENT_TYPE
from ..security import require_metrics_token

router = APIRouter(include_in_schema=False)


@router.get("/metrics", dependencies=[Depends(require_metrics_token)])
async def metrics(services: ServicesDep) -> Response:
    """Request counts and latencies per route, index generation, documents, search log, cache."""
    services.sync_metrics()
    body = services.metrics.exposition()
    return Response(body, media_type=CONTENT_TYPE, headers={"Cache-Control": "no-store"})
