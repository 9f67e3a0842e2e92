"""POST /v1/feedback."""

from __future__ import annotations

import re
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator
from pydantic.json_schema import JsonDict
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from kb.errors import ArticleNotFoundError
from kb.models import MAX_QUERY_CHARS, ArticleId

from ..deps import KB, LOCALE_DESCRIPTION, LOCALE_MAX_CHARS, LOCALE_PATTERN, JsonBody, SessionHeader, Store
from ..errors import APIError, ErrorCode
from ..openapi import JSON_BODY, READS, error_responses

router = APIRouter(tags=["feedback"])
COMMENT_MAX_CHARS = 1000
# C0 controls but tab and newline, DEL, C1 controls, bidirectional embeddings, overrides and
# isolates (they reorder what a reader of the report sees), lone surrogates (JSON's \ud800 escapes;
# no JSON-schema pattern can name them: they are not characters).
_CONTROLS = r"\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
FORBIDDEN_TEXT = re.compile(f"[{_CONTROLS}\ud800-\udfff]")
PRINTABLE: JsonDict = {"pattern": f"^[^{_CONTROLS}]*$"}  # what the OpenAPI document says of query and comment


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"article_id": "auto-renewal", "locale": "fr", "helpful": False, "comment": "étape 3 ?"}]
        },
    )

    article_id: ArticleId = Field(description="The article the vote is about.")
    locale: str = Field(
        min_length=1,
        max_length=LOCALE_MAX_CHARS,
        pattern=LOCALE_PATTERN,
        description="Locale the article was read in (negotiated). " + LOCALE_DESCRIPTION,
    )
    helpful: StrictBool = Field(description="Did the article help?")
    query: str | None = Field(
        None, max_length=MAX_QUERY_CHARS, description="What the customer had asked.", json_schema_extra=PRINTABLE
    )
    comment: str | None = Field(
        None,
        max_length=COMMENT_MAX_CHARS,
        description="A short free-text comment (no control or bidirectional-override characters; newlines kept).",
        json_schema_extra=PRINTABLE,
    )

    @field_validator("query", "comment")
    @classmethod
    def _printable(cls, value: str | None) -> str | None:
        if value is not None and FORBIDDEN_TEXT.search(value):
            raise ValueError("control and bidirectional-override characters are not allowed")
        return value


class FeedbackRecorded(BaseModel):
    status: Literal["recorded"] = "recorded"


@router.post(
    "/v1/feedback",
    status_code=201,
    response_model=FeedbackRecorded,
    summary="Record whether an article helped",
    dependencies=[JsonBody],
    responses=error_responses(
        *JSON_BODY,
        *READS,
        ErrorCode.ARTICLE_NOT_FOUND,
        ErrorCode.STORAGE_UNAVAILABLE,
    ),
)
async def post_feedback(kb: KB, storage: Store, body: FeedbackRequest, session: SessionHeader = None) -> JSONResponse:
    """Store one "was this helpful?" vote (with the widget's ``X-KB-Session``, when sent); the query
    and comment are scrubbed of personal data first."""
    chosen = kb.resolve_locale(body.locale)
    if not kb.locales_of(body.article_id):
        raise ArticleNotFoundError(body.article_id)
    try:
        await run_in_threadpool(
            storage.add_feedback,
            body.article_id,
            chosen.locale,
            body.helpful,
            query=body.query,
            comment=body.comment,
            session_id=session,
        )
    except SQLAlchemyError:
        raise APIError(ErrorCode.STORAGE_UNAVAILABLE, "the feedback could not be stored; try again later") from None
    return JSONResponse(FeedbackRecorded().model_dump(), status_code=201, headers={"Cache-Control": "no-store"})
