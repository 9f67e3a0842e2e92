"""ASGI middleware: request ids, security headers, body size limit, JSON access log.

Plain ASGI rather than ``BaseHTTPMiddleware``: it adds microseconds, not a task per request.

The access line holds no personal data: no client address, no query string, no header value,
and the route template instead of the path (``/v1/articles/{article_id}``: an id in a path is
whatever the client typed). A client's own ``X-Request-ID`` is echoed and logged only when it
comes through a trusted proxy (``KB_TRUSTED_PROXIES``); anyone else's could carry anything.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import re
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import ErrorCode, error_body
from .logs import ACCESS_LOGGER, TIME_FORMAT
from .metrics import METHODS, route_template
from .ratelimit import ClientResolver

TOO_LARGE = ErrorCode.PAYLOAD_TOO_LARGE
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# JSON responses never need to load anything; pages set their own policy.
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
# Other sites' pages load the widget's files (a <script> or <link> needs no CORS); nothing else
# is for them to embed. The API's JSON reaches other origins through CORS, which CORP leaves alone.
WIDGET_FILES = "/widget/"
CORP = b"cross-origin-resource-policy"


def _resource_policy(path: str) -> tuple[bytes, bytes]:
    return (CORP, b"cross-origin" if path.startswith(WIDGET_FILES) else b"same-origin")


def _relative(location: bytes, host: bytes | None) -> bytes:
    """A redirect to this service names a path, never the host the client wrote in ``Host``
    (Starlette builds the trailing-slash redirect from it: a poisoned cache would send others
    away)."""
    target = urlsplit(location.decode("latin-1"))
    if not target.scheme or (host is not None and target.netloc.lower() != host.decode("latin-1").lower()):
        return location
    path = "/" + target.path.lstrip("/")  # never "//other.example": that is another host again
    return urlunsplit(("", "", path, target.query, target.fragment)).encode("latin-1")

access_log = logging.getLogger(ACCESS_LOGGER)
# Request ids: a random per-process prefix and a counter: unique across workers and restarts,
# and cheaper than a fresh uuid4 (16 bytes of os.urandom) per request.
_ID_PREFIX = os.urandom(8).hex()
_ID_COUNTER = itertools.count(1)


def _new_request_id() -> str:
    return f"{_ID_PREFIX}{next(_ID_COUNTER):016x}"


class RequestContextMiddleware:
    """Give every request an id (``X-Request-ID``, a trusted proxy's if sane), add security
    headers, refuse bodies over ``max_body_bytes`` with 413, and log one JSON line per request."""

    def __init__(
        self,
        app: ASGIApp,
        max_body_bytes: int = 16_384,
        access_log_enabled: bool = True,
        routes: Iterable[Any] = (),
        trusted_proxies: Iterable[str] = (),
    ):
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.access_log_enabled = access_log_enabled
        self.routes = tuple(routes)
        self.proxies = ClientResolver(trusted_proxies)

    def _request_id(self, scope: Scope, headers: dict[bytes, bytes]) -> str:
        client = scope.get("client")
        if self.proxies.networks and client and self.proxies.trusted(str(client[0])):
            incoming = headers.get(b"x-request-id", b"").decode("latin-1")
            if _REQUEST_ID.match(incoming):
                return incoming
        return _new_request_id()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = dict(scope.get("headers") or [])
        request_id = self._request_id(scope, headers)
        scope.setdefault("state", {})["request_id"] = request_id
        status_holder: dict[str, int] = {"status": 500}

        length = headers.get(b"content-length")
        if length is not None:
            try:
                too_big = int(length) > self.max_body_bytes
            except ValueError:
                too_big = True
            if too_big:
                await self._reject_too_large(send, request_id)
                self._log(scope, request_id, TOO_LARGE.status, started)
                return

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise _BodyTooLarge(self.max_body_bytes)
            return message

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                raw = list(message.get("headers", []))
                if 300 <= message["status"] < 400:
                    raw = [(n, _relative(v, headers.get(b"host")) if n.lower() == b"location" else v) for n, v in raw]
                names = {name.lower() for name, _ in raw}
                raw.append((b"x-request-id", request_id.encode()))
                raw.extend(h for h in (*SECURITY_HEADERS, _resource_policy(scope["path"])) if h[0] not in names)
                if b"content-security-policy" not in names:
                    raw.append((b"content-security-policy", API_CSP.encode()))
                message["headers"] = raw
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except _BodyTooLarge:
            await self._reject_too_large(send, request_id)
            status_holder["status"] = TOO_LARGE.status
        self._log(scope, request_id, status_holder["status"], started)

    async def _reject_too_large(self, send: Send, request_id: str) -> None:
        body = json.dumps(error_body(TOO_LARGE, f"request body larger than {self.max_body_bytes} bytes")).encode()
        await send(
            {
                "type": "http.response.start",
                "status": TOO_LARGE.status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"x-request-id", request_id.encode()),
                    *SECURITY_HEADERS,
                    (CORP, b"same-origin"),
                    (b"content-security-policy", API_CSP.encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    def _log(self, scope: Scope, request_id: str, status: int, started: float) -> None:
        if not self.access_log_enabled:
            return
        method = scope.get("method", "")
        record: dict[str, Any] = {
            "ts": time.strftime(TIME_FORMAT, time.gmtime()),
            "request_id": request_id,
            "method": method if method in METHODS else "OTHER",
            "route": route_template(scope, self.routes),
            "status": status,
            "ms": round((time.perf_counter() - started) * 1000, 2),
        }
        access_log.info(json.dumps(record))


class _BodyTooLarge(StarletteHTTPException):
    """A body past the limit, found while it is read (a chunked one has no Content-Length).
    FastAPI lets an HTTPException through where any other error reading a body becomes a 400;
    the app's handler answers it with 413 ``payload_too_large``."""

    def __init__(self, limit: int):
        super().__init__(TOO_LARGE.status, f"request body larger than {limit} bytes")
