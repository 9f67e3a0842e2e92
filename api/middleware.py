"""The app's one ASGI middleware, around everything the routes answer: request id, timing and
metrics, security headers, body size limit, the JSON access line, then (inside Starlette's CORS
middleware, so that a browser can read a 429) the rate limit and the hot GETs answered from the
rendered-response cache or rendered directly (:mod:`api.rendered`).

Plain ASGI in one layer rather than one middleware per job (or ``BaseHTTPMiddleware``): each
layer costs a wrapped ``send`` and a call per request, on a path that answers in well under a
millisecond.

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
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit, urlunsplit

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kb.errors import KBError

from .errors import ErrorCode, error_body
from .logs import ACCESS_LOGGER, TIME_FORMAT
from .metrics import METHODS, Metrics, route_template
from .ratelimit import ClientResolver, Decision, exempt, refusal
from .rendered import ANSWER_PATH, SEARCH_PATH, HotRequest, Rendered, cache_key, hot_request
from .responses import etag_listed

if TYPE_CHECKING:
    from .services import Services

TOO_LARGE = ErrorCode.PAYLOAD_TOO_LARGE
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# JSON responses never need to load anything; pages set their own policy.
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
API_CSP_BYTES = API_CSP.encode()
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
# Other sites' pages load the widget's files (a <script> or <link> needs no CORS); nothing else
# is for them to embed. The API's JSON reaches other origins through CORS, which CORP leaves alone.
WIDGET_FILES = "/widget/"
HOT_PATHS = frozenset({SEARCH_PATH, ANSWER_PATH})
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


class ApiMiddleware:
    """See the module docstring. ``cors`` holds the options of Starlette's CORS middleware,
    which this one wraps around the rate limit and the routes."""

    def __init__(
        self,
        app: ASGIApp,
        metrics: Metrics,
        cors: dict[str, Any],
        max_body_bytes: int = 16_384,
        access_log_enabled: bool = True,
        routes: Iterable[Any] = (),
        trusted_proxies: Iterable[str] = (),
    ):
        self.app = app
        self.metrics = metrics
        self.max_body_bytes = max_body_bytes
        self.access_log_enabled = access_log_enabled
        self.routes = tuple(routes)
        self.proxies = ClientResolver(trusted_proxies)
        self.inner = CORSMiddleware(self._limited, **cors)
        # The hot GETs answered here are labelled with their route, as if FastAPI had routed them.
        self.hot_routes = {
            r.path: r
            for r in self.routes
            if getattr(r, "path", None) in HOT_PATHS and "GET" in (getattr(r, "methods", None) or ())
        }

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
        status = 500
        try:
            length = headers.get(b"content-length")
            if length is not None:
                try:
                    too_big = int(length) > self.max_body_bytes
                except ValueError:
                    too_big = True
                if too_big:
                    await self._reject_too_large(send, request_id)
                    status = TOO_LARGE.status
                    self._log(scope, request_id, status, started)
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
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                    raw = list(message.get("headers", []))
                    if 300 <= status < 400:
                        host = headers.get(b"host")
                        raw = [(n, _relative(v, host) if n.lower() == b"location" else v) for n, v in raw]
                    names = {name.lower() for name, _ in raw}
                    raw.append((b"x-request-id", request_id.encode()))
                    raw.extend(h for h in (*SECURITY_HEADERS, _resource_policy(scope["path"])) if h[0] not in names)
                    if b"content-security-policy" not in names:
                        raw.append((b"content-security-policy", API_CSP_BYTES))
                    message["headers"] = raw
                await send(message)

            try:
                await self.inner(scope, limited_receive, send_with_headers)
            except _BodyTooLarge:
                await self._reject_too_large(send, request_id)
                status = TOO_LARGE.status
            self._log(scope, request_id, status, started)
        finally:
            method = scope.get("method", "")
            self.metrics.observe(
                method if method in METHODS else "OTHER",
                route_template(scope, self.routes),
                status,
                time.perf_counter() - started,
            )

    # -- inside CORS: the rate limit, then the hot GETs or the routes ------------------------
    async def _limited(self, scope: Scope, receive: Receive, send: Send) -> None:
        services = cast("Services | None", scope.get("state", {}).get("services"))
        limiter = services.rate_limiter if services is not None else None
        if limiter is not None and not exempt(scope.get("path", "")):
            decision = await limiter.check(self.proxies(scope))
            if decision is not None and not decision.allowed:
                await _send_refusal(send, decision)
                return
            if decision is not None:
                send = _with_headers(send, decision)
        if services is not None and scope.get("method") == "GET" and scope.get("path") in self.hot_routes:
            hot = hot_request(scope["path"], scope.get("query_string", b""), scope.get("headers") or [])
            if hot is not None and await self._answer_hot(scope, send, services, hot):
                return
        await self.app(scope, receive, send)

    async def _answer_hot(self, scope: Scope, send: Send, services: Services, hot: HotRequest) -> bool:
        """Answer a hot GET from the cache or by rendering it here; False leaves it to its route
        (no index served, or an error the route answers in its own words)."""
        started = time.perf_counter()
        try:
            view = services.knowledge.current()
        except KBError:  # no generation served: the route says so
            return False
        cache = services.response_cache
        key = cache_key(hot, scope.get("query_string", b""))
        rendered = cache.get(key, view.generation.name) if cache.enabled else None
        if rendered is None:
            try:
                rendered = hot.render(view)
            except Exception:  # a locale Babel cannot read, or worse: the route answers it in its words
                return False
            if cache.enabled:
                cache.put(key, rendered)
        scope["route"] = self.hot_routes[hot.path]
        rendered.log(services, started, hot.session)
        await _send_rendered(send, rendered, _if_none_match(scope))
        return True

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


async def _send_rendered(send: Send, rendered: Rendered, if_none_match: bytes | None) -> None:
    if if_none_match is not None and etag_listed(if_none_match.decode("latin-1"), rendered.etag):
        await send({"type": "http.response.start", "status": 304, "headers": rendered.not_modified_headers()})
        await send({"type": "http.response.body", "body": b""})
        return
    await send({"type": "http.response.start", "status": 200, "headers": rendered.headers()})
    await send({"type": "http.response.body", "body": rendered.body})


def _if_none_match(scope: Scope) -> bytes | None:
    return next((v for k, v in scope.get("headers") or [] if k == b"if-none-match"), None)


async def _send_refusal(send: Send, decision: Decision) -> None:
    headers, body = refusal(decision)
    await send({"type": "http.response.start", "status": ErrorCode.RATE_LIMITED.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _with_headers(send: Send, decision: Decision) -> Send:
    """``send`` adding the RateLimit-* headers of an allowed request."""
    extra = decision.headers()

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", []), *extra]
        await send(message)

    return send_with_headers
