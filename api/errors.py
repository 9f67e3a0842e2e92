"""One error shape for every failure: ``{"error": {"code", "message", "field"?}}``.

:class:`ErrorCode` is every ``code`` the API returns; :data:`STATUS` gives each its one HTTP
status (the README's table lists both, and a test compares them). Errors reach a client three
ways, all through :func:`error_response` or :func:`error_body`:

- the app raises :class:`APIError` with a code;
- the library raises a :class:`kb.errors.KBError`, answered as :data:`KB_ERRORS` says;
- the framework raises ``RequestValidationError`` (422) or an ``HTTPException`` (unknown route,
  wrong method), answered with :data:`HTTP_ERRORS`.

An error may carry more keys next to ``code`` and ``message`` (``field``, ``problems``); clients
rely on ``code``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from enum import StrEnum
from typing import Any, NamedTuple

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from kb.errors import (
    ArticleNotFoundError,
    ContentError,
    CorruptGenerationError,
    IndexBuildError,
    IndexBusyError,
    IndexNotFoundError,
    IndexWriteError,
    InsufficientStorageError,
    KBError,
    LocaleError,
)

from .methods import allowed_methods
from .metrics import route_template

log = logging.getLogger("api")


class ErrorCode(StrEnum):
    """The ``error.code`` values of the API (a contract: add, never rename)."""

    INVALID_PARAMETER = "invalid_parameter"
    INVALID_BODY = "invalid_body"
    INVALID_CONTENT = "invalid_content"
    BAD_REQUEST = "bad_request"
    NOT_FOUND = "not_found"
    ARTICLE_NOT_FOUND = "article_not_found"
    ADMIN_DISABLED = "admin_disabled"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    REINDEX_IN_PROGRESS = "reindex_in_progress"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    RATE_LIMITED = "rate_limited"
    INDEX_BUILD_FAILED = "index_build_failed"
    INSUFFICIENT_STORAGE = "insufficient_storage"
    INDEX_UNAVAILABLE = "index_unavailable"
    STORAGE_UNAVAILABLE = "storage_unavailable"
    INTERNAL_ERROR = "internal_error"

    @property
    def status(self) -> int:
        return STATUS[self]


STATUS: dict[ErrorCode, int] = {
    ErrorCode.INVALID_PARAMETER: 422,
    ErrorCode.INVALID_BODY: 422,
    ErrorCode.INVALID_CONTENT: 422,
    ErrorCode.BAD_REQUEST: 400,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.ARTICLE_NOT_FOUND: 404,
    ErrorCode.ADMIN_DISABLED: 404,
    ErrorCode.METHOD_NOT_ALLOWED: 405,
    ErrorCode.UNAUTHORIZED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.REINDEX_IN_PROGRESS: 409,
    ErrorCode.PAYLOAD_TOO_LARGE: 413,
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: 415,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.INDEX_BUILD_FAILED: 500,
    ErrorCode.INSUFFICIENT_STORAGE: 507,
    ErrorCode.INDEX_UNAVAILABLE: 503,
    ErrorCode.STORAGE_UNAVAILABLE: 503,
    ErrorCode.INTERNAL_ERROR: 500,
}


LOCALE_FIELD = "locale"


class KBErrorAnswer(NamedTuple):
    """How the API answers one kind of library error."""

    code: ErrorCode
    field: str | None = None
    message: Callable[[Any], str] = str


def _content_message(exc: ContentError) -> str:
    return f"{len(exc.problems)} problem(s) in the content; the index was not changed"


_INDEX_UNAVAILABLE = KBErrorAnswer(ErrorCode.INDEX_UNAVAILABLE, None, lambda _: "the search index is not available yet")


def _write_message(exc: IndexWriteError) -> str:
    return f"{exc.reason} while writing the new index; the previous index still serves"


# Library errors → code (and so status), field and message; looked up along the exception's MRO,
# the way httpx maps httpcore's exceptions to its own.
KB_ERRORS: dict[type[KBError], KBErrorAnswer] = {
    LocaleError: KBErrorAnswer(ErrorCode.INVALID_PARAMETER, LOCALE_FIELD, lambda exc: f"locale: {exc}"),
    ArticleNotFoundError: KBErrorAnswer(ErrorCode.ARTICLE_NOT_FOUND, "article_id"),
    IndexNotFoundError: _INDEX_UNAVAILABLE,
    # The knowledge base serves another generation instead; should one escape, the same answer.
    CorruptGenerationError: _INDEX_UNAVAILABLE,
    IndexBusyError: KBErrorAnswer(ErrorCode.REINDEX_IN_PROGRESS),
    ContentError: KBErrorAnswer(ErrorCode.INVALID_CONTENT, None, _content_message),
    IndexBuildError: KBErrorAnswer(
        ErrorCode.INDEX_BUILD_FAILED, None, lambda exc: f"{exc}; the previous index still serves"
    ),
    # The reason only: the path of the index folder stays in the server's log.
    IndexWriteError: KBErrorAnswer(ErrorCode.INDEX_BUILD_FAILED, None, _write_message),
    InsufficientStorageError: KBErrorAnswer(ErrorCode.INSUFFICIENT_STORAGE, None, _write_message),
    KBError: KBErrorAnswer(ErrorCode.INTERNAL_ERROR, None, lambda _: "internal error"),
}
# The framework's own HTTP errors (no route, wrong method, unreadable body); any other status
# answers with the code of its class.
HTTP_ERRORS: dict[int, ErrorCode] = {
    400: ErrorCode.BAD_REQUEST,
    401: ErrorCode.UNAUTHORIZED,
    403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.METHOD_NOT_ALLOWED,
    413: ErrorCode.PAYLOAD_TOO_LARGE,
    415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    422: ErrorCode.INVALID_PARAMETER,
    429: ErrorCode.RATE_LIMITED,
}


class APIError(Exception):
    """An error the app raises on purpose; its status is its code's."""

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        field: str | None = None,
        *,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ):
        super().__init__(message)
        self.code, self.message, self.field, self.headers, self.extra = code, message, field, headers, extra


def error_body(
    code: ErrorCode, message: str, field: str | None = None, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code.value, "message": message}
    if field is not None:
        error["field"] = field
    if extra:
        error.update({k: v for k, v in extra.items() if k not in ("code", "message", "field")})
    return {"error": error}


def error_response(
    code: ErrorCode,
    message: str,
    field: str | None = None,
    *,
    status: int | None = None,
    headers: Mapping[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    """The JSON error response; ``status`` defaults to the code's own."""
    body = error_body(code, message, field, extra)
    return JSONResponse(body, status_code=status or code.status, headers=headers)


def kb_error_response(exc: KBError) -> JSONResponse:
    answer = next(KB_ERRORS[kind] for kind in type(exc).__mro__ if kind in KB_ERRORS)
    extra = None
    if isinstance(exc, ContentError):
        extra = {"problems": [{"path": p.path, "line": p.line, "message": p.message} for p in exc.problems]}
    return error_response(answer.code, answer.message(exc), answer.field, extra=extra)


def http_error_code(status: int) -> ErrorCode:
    return HTTP_ERRORS.get(status, ErrorCode.INTERNAL_ERROR if status >= 500 else ErrorCode.BAD_REQUEST)


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("query", "body", "path", "header")]
    return ".".join(parts) or str(loc[-1] if loc else "")


def install_error_handlers(app: FastAPI, routes: Iterable[Any] = ()) -> None:
    """Answer every error with the one error shape; ``routes`` (the app's) name what a 405 allows."""
    routes = tuple(routes)

    @app.exception_handler(APIError)
    async def _api_error(_request: Request, exc: APIError) -> JSONResponse:
        return error_response(exc.code, exc.message, exc.field, headers=exc.headers, extra=exc.extra)

    @app.exception_handler(KBError)
    async def _kb_error(_request: Request, exc: KBError) -> JSONResponse:
        return kb_error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        if first.get("type") == "json_invalid":
            return error_response(ErrorCode.INVALID_BODY, "the body is not valid JSON")
        loc = tuple(first.get("loc", ()))
        field = _field(loc)
        # A tag the API cannot use is `invalid_parameter` on `locale` wherever it is sent, as the
        # library's LocaleError is: the pattern of the body's field only refuses the same tags earlier.
        not_a_tag = field == LOCALE_FIELD and first.get("type") == "string_pattern_mismatch"
        in_body = loc[:1] == ("body",) and not not_a_tag
        code = ErrorCode.INVALID_BODY if in_body else ErrorCode.INVALID_PARAMETER
        message = str(first.get("msg", "invalid value"))
        return error_response(code, f"{field}: {message}" if field else message, field or None)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code = http_error_code(exc.status_code)
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        headers = dict(exc.headers or {})
        if exc.status_code == 404 and message == "Not Found":
            message = f"no route {request.url.path}"
        if exc.status_code == 405:  # the path exists: name every method it serves
            headers["Allow"] = allowed_methods(routes, request.scope)
            if request.method == "OPTIONS":
                return Response(status_code=204, headers=headers)
            message = f"{request.method} is not served here; Allow lists what is"
        return error_response(code, message, status=exc.status_code, headers=headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, _exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", route_template(request.scope))  # never the path as sent
        return error_response(ErrorCode.INTERNAL_ERROR, "internal error; the request id identifies it in the logs")
