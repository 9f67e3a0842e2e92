"""GET /v1/search."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from kb.models import MAX_QUERY_CHARS, Intent, SearchResponse

from ..deps import KB, AcceptLanguage, LocaleParam, ServicesDep, SessionHeader
from ..openapi import NOT_MODIFIED, READS, error_responses
from ..rendered import render_search
from ..responses import rendered_response

router = APIRouter(tags=["search"])


@router.get(
    "/v1/search",
    response_model=SearchResponse,
    summary="Search articles as the customer types",
    responses={**NOT_MODIFIED, **error_responses(*READS)},
)
async def search(
    request: Request,
    services: ServicesDep,
    kb: KB,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=MAX_QUERY_CHARS,
            description="What the customer typed, in any supported language; never interpreted as query syntax.",
            examples=["remboursement"],
        ),
    ],
    locale: LocaleParam = None,
    limit: Annotated[int, Query(ge=1, le=50, description="Results per page.")] = 10,
    offset: Annotated[int, Query(ge=0, le=1000, description="Results to skip.")] = 0,
    intent: Annotated[Intent | None, Query(description="Only this intent.")] = None,
    accept_language: AcceptLanguage = None,
    session: SessionHeader = None,
) -> Response:
    """One result per article, in the negotiated locale, with highlighted snippets and spelling suggestions."""
    started = time.perf_counter()
    rendered = render_search(kb, q, locale, limit=limit, offset=offset, intent=intent, accept_language=accept_language)
    rendered.log(services, started, session)
    return rendered_response(request, rendered.body, rendered.etag)
