"""The per-client rate limit: sliding-window counts in memory and in a real Redis, who the client is
behind proxies, the 429 and the RateLimit-* headers, and failing open when Redis is away."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.ratelimit import ClientResolver, Decision, RateLimiter
from kb.config import Settings

from .conftest import clear_of_a_minute_boundary, make_settings
from .helpers import free_port

T = TypeVar("T")


def run_in_own_loop(scenario: Callable[[], Coroutine[object, object, T]]) -> T:
    """``asyncio.run`` in a thread of its own: Playwright's sync API (the browser tests, in the
    same test process) leaves an event loop running in the main thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, scenario()).result()


def test_the_limit_spends_its_minute_then_refuses_with_the_wait() -> None:
    async def scenario() -> list[Decision | None]:
        limiter = RateLimiter(3, "memory://")
        return [await limiter.check(client) for client in ("a", "a", "a", "a", "b")]

    clear_of_a_minute_boundary()
    first, second, third, refused, other = run_in_own_loop(scenario)
    assert [d.allowed for d in (first, second, third) if d] == [True, True, True]
    assert [d.remaining for d in (first, second, third) if d] == [2, 1, 0]
    assert refused is not None and not refused.allowed and 1 <= refused.reset_seconds <= 60
    assert dict(refused.headers())[b"retry-after"] == str(refused.reset_seconds).encode()
    assert dict(refused.headers())[b"ratelimit-limit"] == b"3"
    assert other is not None and other.allowed and other.remaining == 2  # other clients are not affected
    assert b"retry-after" not in dict(other.headers())


def test_a_storage_that_fails_lets_requests_through_and_counts_them() -> None:
    unchecked: list[int] = []

    async def scenario() -> list[Decision | None]:
        dead = f"async+redis://127.0.0.1:{free_port()}/0"  # nothing listens there
        limiter = RateLimiter(1, dead, on_unchecked=lambda: unchecked.append(1))
        try:
            return [await limiter.check("a") for _ in range(5)]
        finally:
            await limiter.close()

    assert run_in_own_loop(scenario) == [None] * 5
    assert len(unchecked) == 5  # the first failed, the others did not even try (RETRY_SECONDS)


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("203.0.113.9", None, "203.0.113.9"),
        ("203.0.113.9", "198.51.100.1", "203.0.113.9"),  # not a proxy: its header means nothing
        ("10.0.0.2", "198.51.100.1", "198.51.100.1"),
        ("10.0.0.2", "1.1.1.1, 198.51.100.1, 10.0.0.7", "198.51.100.1"),  # left-most entry is the client's word
        ("10.0.0.2", "  198.51.100.1:4321 ", "198.51.100.1"),
        ("10.0.0.2", "2001:db8::1", "2001:db8::1"),
        ("10.0.0.2", "[2001:db8::1]:443", "2001:db8::1"),
        ("10.0.0.2", "10.0.0.8, 10.0.0.7", "10.0.0.8"),  # only proxies: the first one asked
        ("10.0.0.2", "", "10.0.0.2"),
        ("10.0.0.2", None, "10.0.0.2"),
        ("::ffff:10.0.0.2", "198.51.100.1", "198.51.100.1"),
    ],
)
def test_the_client_is_the_address_the_outermost_trusted_proxy_saw(
    peer: str, forwarded: str | None, client: str
) -> None:
    resolve = ClientResolver(["10.0.0.0/8"])
    headers = [] if forwarded is None else [(b"x-forwarded-for", forwarded.encode())]
    assert resolve({"client": (peer, 1234), "headers": headers}) == client


def test_without_trusted_proxies_the_header_is_ignored() -> None:
    scope = {"client": ("127.0.0.1", 1), "headers": [(b"x-forwarded-for", b"198.51.100.1")]}
    assert ClientResolver([])(scope) == "127.0.0.1"


def test_a_bad_proxy_setting_is_refused(tmp_path: Path, index_dir: Path) -> None:
    with pytest.raises(ValueError, match="KB_TRUSTED_PROXIES"):
        make_settings(index_dir, tmp_path, trusted_proxies=["not-an-address"])


def limited(index_dir: Path, tmp_path: Path, per_minute: int, **client: object) -> TestClient:
    settings: Settings = make_settings(
        index_dir,
        tmp_path,
        rate_limit_per_minute=per_minute,
        trusted_proxies=["10.0.0.0/8"],
        cors_origins=["https://shop.example"],
    )
    return TestClient(create_app(settings), **client)  # type: ignore[arg-type]


def test_over_the_limit_is_429_json_with_retry_after(index_dir: Path, tmp_path: Path) -> None:
    clear_of_a_minute_boundary()
    with limited(index_dir, tmp_path, 3) as app:
        allowed = [app.get("/v1/search", params={"q": "refund"}) for _ in range(3)]
        assert [r.status_code for r in allowed] == [200, 200, 200]
        assert [r.headers["ratelimit-remaining"] for r in allowed] == ["2", "1", "0"]
        assert {r.headers["ratelimit-limit"] for r in allowed} == {"3"}
        assert all(0 <= int(r.headers["ratelimit-reset"]) <= 60 for r in allowed)
        refused = app.get("/v1/search", params={"q": "refund"}, headers={"Origin": "https://shop.example"})
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "rate_limited"
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert refused.headers["ratelimit-reset"] == refused.headers["retry-after"]
        assert refused.headers["ratelimit-remaining"] == "0"
        assert refused.headers["x-request-id"]  # the same envelope as every response
        assert refused.headers["x-content-type-options"] == "nosniff"
        assert refused.headers["access-control-allow-origin"] == "https://shop.example"  # readable by the widget
        exposed = refused.headers["access-control-expose-headers"]
        assert {"Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} <= set(exposed.split(", "))
        assert app.post("/v1/feedback", json={}).status_code == 429  # every API route counts


def test_health_metrics_and_static_files_are_never_limited(index_dir: Path, tmp_path: Path) -> None:
    clear_of_a_minute_boundary()
    with limited(index_dir, tmp_path, 1) as app:
        app.get("/v1/locales")
        assert app.get("/v1/locales").status_code == 429
        for path in ("/healthz", "/readyz", "/metrics", "/widget/loader.js", "/docs", "/favicon.ico"):
            for _ in range(3):
                response = app.get(path)
                assert response.status_code == 200, path
                assert "ratelimit-limit" not in response.headers, path


def test_clients_behind_a_trusted_proxy_are_counted_apart(index_dir: Path, tmp_path: Path) -> None:
    clear_of_a_minute_boundary()
    with limited(index_dir, tmp_path, 2, client=("10.1.2.3", 5555)) as app:
        def get(client_ip: str, spoofed: str = "") -> int:
            chain = f"{spoofed}, {client_ip}" if spoofed else client_ip
            return app.get("/v1/locales", headers={"X-Forwarded-For": chain}).status_code

        assert [get("198.51.100.1") for _ in range(3)] == [200, 200, 429]
        assert [get("198.51.100.2") for _ in range(2)] == [200, 200]
        # Rotating a made-up left-most entry does not buy a new count.
        assert get("198.51.100.1", spoofed="1.2.3.4") == 429
        assert get("198.51.100.1", spoofed="5.6.7.8") == 429


def test_zero_turns_it_off(index_dir: Path, tmp_path: Path) -> None:
    with limited(index_dir, tmp_path, 0) as app:
        responses = [app.get("/v1/locales") for _ in range(50)]
        assert all(r.status_code == 200 and "ratelimit-limit" not in r.headers for r in responses)


def test_a_blocking_redis_url_is_refused(index_dir: Path, tmp_path: Path) -> None:
    for url in ("redis://127.0.0.1:6379/0", "memcached://127.0.0.1:11211", "async+memory://"):
        with pytest.raises(ValueError, match="KB_RATE_LIMIT_STORAGE must be memory:// or async"):
            make_settings(index_dir, tmp_path, rate_limit_storage=url)


def test_two_apps_on_one_redis_give_a_client_one_limit(index_dir: Path, tmp_path: Path, redis_url: str) -> None:
    """Two workers (or replicas) in one: their requests count against one limit per client."""
    settings = make_settings(index_dir, tmp_path, rate_limit_per_minute=5, rate_limit_storage=redis_url)
    with TestClient(create_app(settings)) as first, TestClient(create_app(settings)) as second:
        codes = [(first if i % 2 else second).get("/v1/locales").status_code for i in range(8)]
        assert codes == [200] * 5 + [429] * 3
        assert second.get("/v1/locales").headers["ratelimit-remaining"] == "0"


def test_when_redis_is_unreachable_requests_pass_unchecked_and_are_counted(index_dir: Path, tmp_path: Path) -> None:
    settings = make_settings(
        index_dir, tmp_path, rate_limit_per_minute=1, rate_limit_storage=f"async+redis://127.0.0.1:{free_port()}/0"
    )
    with TestClient(create_app(settings)) as app:
        responses = [app.get("/v1/locales") for _ in range(6)]
        assert [r.status_code for r in responses] == [200] * 6  # fails open: no 429, never a 5xx
        assert not any("ratelimit-limit" in r.headers for r in responses)
        metrics = app.get("/metrics").text
        assert re.search(r"^kb_rate_limit_unchecked_total 6\.0$", metrics, re.M), metrics
