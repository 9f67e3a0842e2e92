"""Per-client rate limit: a token bucket per client address, in each worker process.

Each client may spend ``per_minute`` requests at once and gets them back continuously
(``per_minute / 60`` per second); a request without a token gets 429 ``rate_limited`` with
``Retry-After``. The buckets live in the worker's memory: with N workers (or replicas) a client
may get up to N times the limit, depending on which worker takes its connections.

The client is the socket peer; when the peer is a trusted proxy (``KB_TRUSTED_PROXIES``), it is
the nearest address of ``X-Forwarded-For`` that is not a trusted proxy, read from the right: the
one the outermost trusted proxy saw. Addresses further left were written by the client itself
and could be anything, so they are never used.

Memory is bounded: a bucket idle long enough to be full again is forgotten (forgetting it
changes nothing), and past ``max_clients`` the least recently seen bucket goes first.
Health, metrics and static files are never limited.
"""

from __future__ import annotations

import ipaddress
import json
import math
import time
from collections import OrderedDict
from collections.abc import Iterable
from functools import lru_cache

from starlette.types import ASGIApp, Receive, Scope, Send

from .errors import ErrorCode, error_body

EXEMPT_PATHS = frozenset({"/healthz", "/readyz", "/metrics", "/favicon.ico", "/favicon.svg"})
EXEMPT_PREFIXES = ("/widget/", "/site/", "/docs")
MAX_CLIENTS = 50_000
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


class TokenBuckets:
    """Token buckets by client key; ``take`` returns None or the seconds to wait."""

    def __init__(self, per_minute: int, max_clients: int = MAX_CLIENTS):
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0  # tokens per second
        self.refill_seconds = self.capacity / self.rate if self.rate else math.inf
        self.max_clients = max(1, max_clients)
        self.buckets: OrderedDict[str, list[float]] = OrderedDict()  # key → [tokens, updated]

    def take(self, key: str, now: float | None = None) -> int | None:
        now = time.monotonic() if now is None else now
        bucket = self.buckets.get(key)
        if bucket is None:
            self._evict(now)
            bucket = self.buckets[key] = [self.capacity, now]
        else:
            self.buckets.move_to_end(key)
            bucket[0] = min(self.capacity, bucket[0] + (now - bucket[1]) * self.rate)
            bucket[1] = now
        if bucket[0] >= 1.0:
            bucket[0] -= 1.0
            return None
        return max(1, math.ceil((1.0 - bucket[0]) / self.rate))

    def _evict(self, now: float) -> None:
        buckets = self.buckets
        while buckets:
            key, (_tokens, updated) = next(iter(buckets.items()))
            if len(buckets) < self.max_clients and now - updated < self.refill_seconds:
                break
            del buckets[key]


class RateLimitMiddleware:
    """429 ``rate_limited`` with ``Retry-After`` past ``per_minute`` requests of one client."""

    def __init__(
        self, app: ASGIApp, per_minute: int, trusted_proxies: Iterable[str] = (), max_clients: int = MAX_CLIENTS
    ):
        self.app = app
        self.per_minute = per_minute
        self.buckets = TokenBuckets(per_minute, max_clients) if per_minute > 0 else None
        self.client = ClientResolver(trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.buckets is None or scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        if path in EXEMPT_PATHS or path.startswith(EXEMPT_PREFIXES):
            await self.app(scope, receive, send)
            return
        wait = self.buckets.take(self.client(scope))
        if wait is None:
            await self.app(scope, receive, send)
            return
        message = f"more than {self.per_minute} requests per minute from this client; retry in {wait} s"
        body = json.dumps(error_body(ErrorCode.RATE_LIMITED, message)).encode()
        await send(
            {
                "type": "http.response.start",
                "status": ErrorCode.RATE_LIMITED.status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", str(wait).encode()),
                    (b"cache-control", b"no-store"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
