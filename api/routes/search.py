"""GET /v1/search."""

from __future__ import annotations

import time
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from kb.models import SearchResponse

from ..deps import KB, MAX_Q_CHARS, AcceptLanguage, LocaleParam, SessionHeader, json_response
from ..observe import record_search

router = APIRouter(tags=["search"])


@router.get("/v1/search", response_model=SearchResponse, summary="Search articles as the customer types")
async def search(
    request: Request,
    kb: KB,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=MAX_Q_CHARS,
            description="What the customer typed, in any supported language; never interpreted as query syntax.",
            examples=["remboursement"],
        ),
    ],
    locale: LocaleParam = None,
    limit: Annotated[int, Query(ge=1, le=50, description="Results per page.")] = 10,
    offset: Annotated[int, Query(ge=0, le=1000, description="Results to skip.")] = 0,
    intent: Annotated[Literal["refund", "auto_renew", "contact"] | None, Query(description="Only this intent.")] = None,
    accept_language: AcceptLanguage = None,
    session: SessionHeader = None,
) -> Response:
    """One result per article, in the negotiated locale, with highlighted snippets and spelling suggestions."""
    started = time.perf_counter()
    result = kb.search(q, locale, limit=limit, offset=offset, intent=intent, accept_language=accept_language)
    record_search(
        request,
        "search",
        result.query,
        result.locale,
        None,
        result.total,
        result.results[0].article_id if result.results else None,
        None,
        next((r.locale for r in result.results[:1] if r.fallback_used), None),
        started,
        session,
    )
    return json_response(request, result)
