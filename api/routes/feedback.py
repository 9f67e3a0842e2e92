"""POST /v1/feedback."""

from __future__ import annotations

import re
from typing import Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from kb.errors import ArticleNotFoundError

from ..deps import KB, MAX_Q_CHARS, SessionHeader, Store
from ..errors import APIError, ErrorCode
from .answer import ARTICLE_ID_PATTERN

router = APIRouter(tags=["feedback"])
COMMENT_MAX_CHARS = 1000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"article_id": "auto-renewal", "locale": "fr", "helpful": False, "comment": "étape 3 ?"}]
        },
    )

    article_id: str = Field(max_length=80, pattern=ARTICLE_ID_PATTERN, description="The article the vote is about.")
    locale: str = Field(min_length=1, max_length=64, description="Locale the article was read in (negotiated).")
    helpful: StrictBool = Field(description="Did the article help?")
    query: str | None = Field(None, max_length=MAX_Q_CHARS, description="What the customer had asked.")
    comment: str | None = Field(None, max_length=COMMENT_MAX_CHARS, description="A short free-text comment.")

    @field_validator("query", "comment")
    @classmethod
    def _no_control_characters(cls, value: str | None) -> str | None:
        if value is not None and _CONTROL.search(value):
            raise ValueError("control characters are not allowed")
        return value


async def json_only(request: Request) -> None:
    """415 for a body that is not JSON, rather than a puzzling validation error."""
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise APIError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "send the feedback as application/json")


class FeedbackRecorded(BaseModel):
    status: Literal["recorded"] = "recorded"


@router.post(
    "/v1/feedback",
    status_code=201,
    response_model=FeedbackRecorded,
    summary="Record whether an article helped",
    dependencies=[Depends(json_only)],
    responses={
        404: {"description": "No article with that id"},
        415: {"description": "The body is not JSON"},
        503: {"description": "Storage unavailable"},
    },
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
