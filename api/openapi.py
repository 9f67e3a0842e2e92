"""The OpenAPI document as the contract: every error status a route returns is declared with the
error model (:class:`ErrorResponse`), never FastAPI's ``HTTPValidationError``.

Routes declare what can go wrong by error code, ``responses=error_responses(ErrorCode.X, ...)``;
each code's status is its own (:data:`api.errors.STATUS`), and the response's description lists
the codes a client may meet under that status. A test compares the statuses the API really
answers with these declarations.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .errors import ErrorCode


class ContentProblemItem(BaseModel):
    path: str = Field(description="The content file, relative to the content folder.")
    line: int | None = Field(description="Its line, when the problem has one.")
    message: str


class ErrorDetail(BaseModel):
    model_config = ConfigDict(extra="allow")  # an error may carry more keys; clients rely on `code`

    code: ErrorCode = Field(description="What went wrong, for programs (the README's table).")
    message: str = Field(description="What went wrong, for people (English).")
    field: str | None = Field(None, description="The parameter or body field at fault, when one is.")
    problems: list[ContentProblemItem] | None = Field(
        None, description="`invalid_content` only: every problem found in the content."
    )


class ErrorResponse(BaseModel):
    """Every error the API answers: ``{"error": {"code", "message", "field"?}}``."""

    error: ErrorDetail


# Headers some errors always carry (RFC 9110 and the rate limit's draft).
_ERROR_HEADERS: dict[int, dict[str, dict[str, Any]]] = {
    401: {"WWW-Authenticate": {"description": "`Bearer`", "schema": {"type": "string"}}},
    429: {"Retry-After": {"description": "Seconds to wait before trying again.", "schema": {"type": "string"}}},
}
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: `If-None-Match` named the current `ETag` (no body)."}
}


def error_responses(*codes: ErrorCode) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of a route that may answer ``codes``: one entry per status, with the error
    model, the codes it carries and the headers it always has."""
    by_status: dict[int, list[ErrorCode]] = {}
    for code in codes:
        by_status.setdefault(code.status, []).append(code)
    responses: dict[int | str, dict[str, Any]] = {}
    for status, carried in sorted(by_status.items()):
        entry: dict[str, Any] = {
            "model": ErrorResponse,
            "description": "Error: " + ", ".join(f"`{code.value}`" for code in carried),
        }
        if status in _ERROR_HEADERS:
            entry["headers"] = _ERROR_HEADERS[status]
        responses[status] = entry
    return responses


# What most routes share: a rate-limited route reading the served index, with query parameters.
READS = (ErrorCode.INVALID_PARAMETER, ErrorCode.RATE_LIMITED, ErrorCode.INDEX_UNAVAILABLE)
# What a JSON body adds: unreadable (400), too large (413), not JSON (415), not the model (422).
JSON_BODY = (
    ErrorCode.BAD_REQUEST,
    ErrorCode.PAYLOAD_TOO_LARGE,
    ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    ErrorCode.INVALID_BODY,
)
ADMIN = (ErrorCode.UNAUTHORIZED, ErrorCode.FORBIDDEN, ErrorCode.ADMIN_DISABLED, ErrorCode.RATE_LIMITED)
