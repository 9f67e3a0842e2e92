"""GET and POST /v1/answer."""

from __future__ import annotations

import re
import time
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from kb.models import ARTICLE_ID_MAX_CHARS, ARTICLE_ID_PATTERN, MAX_QUERY_CHARS, AnswerResponse, ArticleId
from kb.view import KnowledgeView

from ..deps import (
    KB,
    LOCALE_DESCRIPTION,
    LOCALE_MAX_CHARS,
    LOCALE_PATTERN,
    AcceptLanguage,
    JsonBody,
    LocaleParam,
    ServicesDep,
    SessionHeader,
)
from ..errors import APIError, ErrorCode
from ..openapi import JSON_BODY, NOT_MODIFIED, READS, error_responses
from ..rendered import Rendered, render_answer
from ..responses import rendered_response
from ..services import Services

router = APIRouter(tags=["answer"])
# A question is a `q` with something besides spaces, or an `article_id` (a follow-up choice).
QUESTION_PATTERN = r"\S"
Q_OR_ARTICLE_ID = "Give `q` (not only spaces) or `article_id`, or both; neither is 422 `invalid_parameter` on `q`."
ANSWER_ERRORS = (*READS, ErrorCode.ARTICLE_NOT_FOUND)


class AnswerRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"q": "je veux être remboursé", "locale": "fr"},
                {"article_id": "refund-app-store", "locale": "en"},
            ],
            "description": Q_OR_ARTICLE_ID,
            "anyOf": [
                {"required": ["q"], "properties": {"q": {"type": "string", "pattern": QUESTION_PATTERN}}},
                {"required": ["article_id"], "properties": {"article_id": {"type": "string"}}},
            ],
        },
    )

    q: str = Field("", max_length=MAX_QUERY_CHARS, description="The customer's question.")
    locale: str | None = Field(
        None, max_length=LOCALE_MAX_CHARS, pattern=LOCALE_PATTERN, description=LOCALE_DESCRIPTION
    )
    article_id: ArticleId | None = Field(None, description="Answer with this article (a follow-up choice).")


def _answer(
    services: Services, kb: KnowledgeView, body: AnswerRequest, accept_language: str | None, session: str | None
) -> Rendered:
    if body.article_id is None and not re.search(QUESTION_PATTERN, body.q):
        raise APIError(ErrorCode.INVALID_PARAMETER, "q: give a question or an article_id", "q")
    started = time.perf_counter()
    rendered = render_answer(kb, body.q, body.locale, body.article_id, accept_language)
    rendered.log(services, started, session)
    return rendered


@router.get(
    "/v1/answer",
    response_model=AnswerResponse,
    summary="Answer a question with steps and contact channels",
    description="The one answer the knowledge base holds, a follow-up question, or no answer with contact "
    "channels. " + Q_OR_ARTICLE_ID + " (OpenAPI cannot say that one of two parameters is required.)",
    responses={**NOT_MODIFIED, **error_responses(*ANSWER_ERRORS)},
)
async def answer_get(
    request: Request,
    services: ServicesDep,
    kb: KB,
    q: Annotated[
        str,
        Query(
            max_length=MAX_QUERY_CHARS,
            description="The customer's question; required unless `article_id` is given.",
            examples=["how do I get my money back"],
        ),
    ] = "",
    locale: LocaleParam = None,
    article_id: Annotated[
        str | None,
        Query(
            max_length=ARTICLE_ID_MAX_CHARS,
            pattern=ARTICLE_ID_PATTERN,
            description="Answer with this article (a follow-up choice); required unless `q` is given.",
        ),
    ] = None,
    accept_language: AcceptLanguage = None,
    session: SessionHeader = None,
) -> Response:
    rendered = _answer(services, kb, AnswerRequest(q=q, locale=locale, article_id=article_id), accept_language, session)
    return rendered_response(request, rendered.body, rendered.etag)


@router.post(
    "/v1/answer",
    response_model=AnswerResponse,
    summary="Answer a question (JSON body)",
    dependencies=[JsonBody],
    responses=error_responses(*ANSWER_ERRORS, *JSON_BODY),
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
