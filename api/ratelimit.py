"""Per-client rate limit with the ``limits`` library: a sliding-window counter per client,
counted in each worker's memory (``memory://``) or in Redis (``async+redis://``), where every
worker of every replica shares one count per client.

The window is a minute: a request is allowed while the client's requests in the current
minute window, plus those of the previous window weighted by how much of it lies within the
last 60 seconds, stay under ``per_minute``. A client may spend its whole minute at once, then
gets requests back as the previous window's weight decays. Allowed and refused answers carry
``RateLimit-Limit``, ``RateLimit-Remaining`` and ``RateLimit-Reset`` (seconds until the count
goes down; IETF draft names); a refusal is 429 ``rate_limited`` with ``Retry-After``.

When the storage fails (Redis unreachable or too slow), the limit fails open: the request goes
through unchecked and is counted (``kb_rate_limit_unchecked_total``); after a failure the
storage is left alone for :data:`RETRY_SECONDS`, so an outage costs each request nothing more
than a counter increment. The Redis client is asyncio's (``redis.asyncio``): no call blocks the
event loop.

The client is the socket peer; when the peer is a trusted proxy (``KB_TRUSTED_PROXIES``), it is
the nearest address of ``X-Forwarded-For`` that is not a trusted proxy, read from the right: the
one the outermost trusted proxy saw. Addresses further left were written by the client itself
and could be anything, so they are never used. Health, metrics and static files are never
limited.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

import redis.asyncio
from limits import RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, RedisStorage
from limits.aio.storage import Storage as LimitsStorage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from starlette.types import Scope

from .errors import ErrorCode, error_body

log = logging.getLogger("api.ratelimit")
EXEMPT_PATHS = frozenset({"/healthz", "/readyz", "/metrics", "/favicon.ico", "/favicon.svg"})
EXEMPT_PREFIXES = ("/widget/", "/site/", "/docs")
# What a browser page may read of a response (CORS): the widget backs off on a 429.
EXPOSED_HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "Retry-After")
RETRY_SECONDS = 1.0  # after a storage failure, requests go unchecked this long before a new try
REDIS_TIMEOUT_SECONDS = 0.25  # a Redis slower than this counts as failed: the request goes on
KEY_PREFIX = "kb-rate-limit"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=4096)
def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An IP address from a peer or X-Forwarded-For entry (``1.2.3.4:80``, ``[::1]:80`` too)."""
    text = text.strip()
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else text
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


class ClientResolver:
    """Who the client is, given the peer address and the trusted proxies."""

    def __init__(self, trusted_proxies: Iterable[str] = ()):
        self.networks: tuple[Network, ...] = tuple(ipaddress.ip_network(p, strict=False) for p in trusted_proxies)

    def trusted(self, text: str) -> bool:
        address = _address(text)
        return address is not None and any(address in network for network in self.networks)

    def __call__(self, scope: Scope) -> str:
        client = scope.get("client")
        peer = str(client[0]) if client else "unknown"
        if not self.networks or not self.trusted(peer):
            return peer
        forwarded = b",".join(v for k, v in scope.get("headers", ()) if k == b"x-forwarded-for").decode("latin-1")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        for hop in reversed(hops):
            if not self.trusted(hop):
                address = _address(hop)
                return str(address) if address is not None else hop[:64]
        return hops[0][:64] if hops else peer  # every hop is a trusted proxy: the first one asked


class CounterStore:
    """The counters' storage for ``KB_RATE_LIMIT_STORAGE`` (``memory://`` or ``async+redis://…``),
    and the Redis connections it opens, which :meth:`close` releases (at shutdown)."""

    def __init__(self, uri: str):
        self.pool: redis.asyncio.ConnectionPool | None = None
        if uri == "memory://":
            self.storage: LimitsStorage = MemoryStorage()
            return
        timeouts = {"socket_timeout": REDIS_TIMEOUT_SECONDS, "socket_connect_timeout": REDIS_TIMEOUT_SECONDS}
        self.pool = redis.asyncio.ConnectionPool.from_url(uri.removeprefix("async+"), **timeouts)
        # connection_pool is a documented option of RedisStorage; its **options annotation is narrower.
        self.storage = RedisStorage(
            uri, implementation="redispy", wrap_exceptions=True, key_prefix=KEY_PREFIX,
            connection_pool=self.pool,  # type: ignore[arg-type]
        )

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.aclose()


@dataclass(frozen=True, slots=True)
class Decision:
    """One request's outcome: ``allowed`` or not, and what the RateLimit-* headers say."""

    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int

    def headers(self) -> list[tuple[bytes, bytes]]:
        pairs = [
            (b"ratelimit-limit", self.limit),
            (b"ratelimit-remaining", self.remaining),
            (b"ratelimit-reset", self.reset_seconds),
        ]
        if not self.allowed:
            pairs.append((b"retry-after", self.reset_seconds))
        return [(name, str(value).encode()) for name, value in pairs]


class RateLimiter:
    """``per_minute`` requests per client, counted in ``storage``; see the module docstring.

    ``check`` answers a :class:`Decision`, or None when the storage failed and the request is
    let through unchecked (``on_unchecked`` is called then, for the metrics)."""

    def __init__(self, per_minute: int, storage_uri: str, on_unchecked: Callable[[], None] = lambda: None) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1 (0 turns the limit off: build no limiter)")
        self.item = RateLimitItemPerMinute(per_minute)
        self.counters = CounterStore(storage_uri)
        self.strategy = SlidingWindowCounterRateLimiter(self.counters.storage)
        self.on_unchecked = on_unchecked
        self._resume_at = 0.0  # monotonic time until which the storage is left alone

    async def check(self, client: str) -> Decision | None:
        if self._resume_at and time.monotonic() < self._resume_at:
            self.on_unchecked()
            return None
        try:
            allowed = await self.strategy.hit(self.item, client)
            reset_at, remaining = await self.strategy.get_window_stats(self.item, client)
        except Exception as exc:  # Redis down, slow or refusing: fail open, never a 5xx
            self.on_unchecked()
            if not self._resume_at:
                log.warning("rate limit storage failing, requests go unchecked: %s: %s", type(exc).__name__, exc)
            self._resume_at = time.monotonic() + RETRY_SECONDS
            return None
        if self._resume_at:
            log.warning("rate limit storage answers again")
            self._resume_at = 0.0
        reset = max(0, math.ceil(reset_at - time.time()))
        return Decision(allowed, self.item.amount, remaining, reset if allowed else max(1, reset))

    async def close(self) -> None:
        """Release the storage's connections (at shutdown)."""
        await self.counters.close()


def exempt(path: str) -> bool:
    """Health, metrics and static files are never limited."""
    return path in EXEMPT_PATHS or path.startswith(EXEMPT_PREFIXES)


def refusal(decision: Decision) -> tuple[list[tuple[bytes, bytes]], bytes]:
    """The headers and body of the 429 ``rate_limited`` answering a refused request."""
    message = f"more than {decision.limit} requests per minute from this client; retry in {decision.reset_seconds} s"
    body = json.dumps(error_body(ErrorCode.RATE_LIMITED, message)).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
        *decision.headers(),
    ]
    return headers, body
