"""GET and POST /v1/answer."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from kb.models import ARTICLE_ID_MAX_CHARS, ARTICLE_ID_PATTERN, MAX_QUERY_CHARS, AnswerResponse, ArticleId
from kb.view import KnowledgeView

from ..deps import KB, AcceptLanguage, JsonBody, LocaleParam, ServicesDep, SessionHeader
from ..errors import APIError, ErrorCode
from ..rendered import Rendered, render_answer
from ..responses import rendered_response
from ..services import Services

router = APIRouter(tags=["answer"])


class AnswerRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"q": "je veux être remboursé", "locale": "fr"},
                {"article_id": "refund-app-store", "locale": "en"},
            ]
        },
    )

    q: str = Field("", max_length=MAX_QUERY_CHARS, description="The customer's question.")
    locale: str | None = Field(None, max_length=64)
    article_id: ArticleId | None = Field(None, description="Answer with this article (a follow-up choice).")


def _answer(
    services: Services, kb: KnowledgeView, body: AnswerRequest, accept_language: str | None, session: str | None
) -> Rendered:
    if not body.q.strip() and body.article_id is None:
        raise APIError(ErrorCode.INVALID_PARAMETER, "q: give a question or an article_id", "q")
    started = time.perf_counter()
    rendered = render_answer(kb, body.q, body.locale, body.article_id, accept_language)
    rendered.log(services, started, session)
    return rendered


@router.get("/v1/answer", response_model=AnswerResponse, summary="Answer a question with steps and contact channels")
async def answer_get(
    request: Request,
    services: ServicesDep,
    kb: KB,
    q: Annotated[str, Query(max_length=MAX_QUERY_CHARS, examples=["how do I get my money back"])] = "",
    locale: LocaleParam = None,
    article_id: Annotated[str | None, Query(max_length=ARTICLE_ID_MAX_CHARS, pattern=ARTICLE_ID_PATTERN)] = None,
    accept_language: AcceptLanguage = None,
    session: SessionHeader = None,
) -> Response:
    """The one answer the knowledge base holds, a follow-up question, or no answer with contact channels."""
    rendered = _answer(services, kb, AnswerRequest(q=q, locale=locale, article_id=article_id), accept_language, session)
    return rendered_response(request, rendered.body, rendered.etag)


@router.post(
    "/v1/answer", response_model=AnswerResponse, summary="Answer a question (JSON body)", dependencies=[JsonBody]
)
async def answer_post(
    request: Request,
    services: ServicesDep,
    kb: KB,
    body: AnswerRequest,
    accept_language: AcceptLanguage = None,
    session: SessionHeader = None,
) -> Response:
    """Same as GET, with the question in a JSON body."""
    rendered = _answer(services, kb, body, accept_language, session)
    return rendered_response(request, rendered.body, rendered.etag, cacheable=False)
