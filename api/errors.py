"""One error shape for every failure: ``{"error": {"code", "message", "field"?}}``.

Codes (also listed in the README): ``invalid_parameter`` (422), ``invalid_body`` (422),
``not_found`` (404), ``article_not_found`` (404), ``method_not_allowed`` (405),
``payload_too_large`` (413), ``unsupported_media_type`` (415), ``rate_limited`` (429),
``unauthorized`` (401), ``forbidden`` (403), ``admin_disabled`` (404),
``reindex_in_progress`` (409), ``invalid_content`` (422, with ``problems``: each
``{"path", "line", "message"}``), ``index_build_failed`` (500), ``index_unavailable`` (503),
``storage_unavailable`` (503), ``internal_error`` (500).

An error may carry more keys next to ``code`` and ``message`` (``field``, ``problems``); clients
rely on ``code``.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from kb.errors import (
    ArticleNotFoundError,
    ContentError,
    IndexBuildError,
    IndexBusyError,
    IndexNotFoundError,
    KBError,
    LocaleError,
)

from .metrics import route_template

log = logging.getLogger("api")

STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_parameter",
    429: "rate_limited",
    503: "service_unavailable",
}


class APIError(Exception):
    """An error the app raises on purpose, with its status and code."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        field: str | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ):
        super().__init__(message)
        self.status, self.code, self.message, self.field, self.headers = status, code, message, field, headers
        self.extra = extra


def error_body(
    code: str, message: str, field: str | None = None, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if field is not None:
        error["field"] = field
    if extra:
        error.update({k: v for k, v in extra.items() if k not in ("code", "message", "field")})
    return {"error": error}


def error_response(
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    return JSONResponse(error_body(code, message, field, extra), status_code=status, headers=headers)


def kb_error_response(exc: KBError) -> JSONResponse:
    if isinstance(exc, LocaleError):
        return error_response(422, "invalid_parameter", f"locale: {exc}", "locale")
    if isinstance(exc, ArticleNotFoundError):
        return error_response(404, exc.code, str(exc), "article_id")
    if isinstance(exc, IndexNotFoundError):
        return error_response(503, "index_unavailable", "the search index is not available yet")
    if isinstance(exc, IndexBusyError):
        return error_response(409, exc.code, str(exc))
    if isinstance(exc, ContentError):
        problems = [{"path": p.path, "line": p.line, "message": p.message} for p in exc.problems]
        message = f"{len(problems)} problem(s) in the content; the index was not changed"
        return error_response(422, exc.code, message, extra={"problems": problems})
    if isinstance(exc, IndexBuildError):
        return error_response(500, exc.code, f"{exc}; the previous index still serves")
    return error_response(500, "internal_error", "internal error")


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("query", "body", "path", "header")]
    return ".".join(parts) or str(loc[-1] if loc else "")


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(APIError)
    async def _api_error(request: Request, exc: APIError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.field, exc.headers, exc.extra)

    @app.exception_handler(KBError)
    async def _kb_error(request: Request, exc: KBError) -> JSONResponse:
        return kb_error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        if first.get("type") == "json_invalid":
            return error_response(422, "invalid_body", "the body is not valid JSON")
        loc = tuple(first.get("loc", ()))
        field = _field(loc)
        code = "invalid_body" if loc[:1] == ("body",) else "invalid_parameter"
        message = str(first.get("msg", "invalid value"))
        return error_response(422, code, f"{field}: {message}" if field else message, field or None)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = STATUS_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        if exc.status_code == 404 and message == "Not Found":
            message = f"no route {request.url.path}"
        return error_response(exc.status_code, code, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", route_template(request.scope))  # never the path as sent
        return error_response(500, "internal_error", "internal error; the request id identifies it in the logs")
