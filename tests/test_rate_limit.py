"""The per-client rate limit: token buckets, who the client is behind proxies, and the 429."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.ratelimit import ClientResolver, TokenBuckets
from kb.config import Settings

from .conftest import make_settings


def test_a_bucket_spends_its_minute_then_refills() -> None:
    buckets = TokenBuckets(per_minute=3)
    assert [buckets.take("a", now=100.0) for _ in range(3)] == [None, None, None]
    assert buckets.take("a", now=100.0) == 20  # one token comes back every 20 s
    assert buckets.take("b", now=100.0) is None  # other clients are not affected
    assert buckets.take("a", now=110.0) == 10
    assert buckets.take("a", now=120.5) is None
    assert buckets.take("a", now=120.5) == 20


def test_retry_after_is_whole_seconds_and_at_least_one() -> None:
    buckets = TokenBuckets(per_minute=600)  # ten a second
    for _ in range(600):
        assert buckets.take("a", now=0.0) is None
    assert buckets.take("a", now=0.0) == 1


def test_idle_buckets_are_forgotten_and_memory_is_capped() -> None:
    buckets = TokenBuckets(per_minute=60, max_clients=1000)
    for i in range(500):
        buckets.take(f"10.0.{i // 256}.{i % 256}", now=0.0)
    assert len(buckets.buckets) == 500
    buckets.take("late", now=61.0)  # the others are full again after 60 s: nothing is lost
    assert list(buckets.buckets) == ["late"]
    for i in range(5000):
        buckets.take(f"client-{i}", now=62.0)
    assert len(buckets.buckets) == 1000


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
    with limited(index_dir, tmp_path, 3) as app:
        for _ in range(3):
            assert app.get("/v1/search", params={"q": "refund"}).status_code == 200
        refused = app.get("/v1/search", params={"q": "refund"}, headers={"Origin": "https://shop.example"})
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "rate_limited"
        assert int(refused.headers["retry-after"]) >= 1
        assert refused.headers["x-request-id"]  # the same envelope as every response
        assert refused.headers["x-content-type-options"] == "nosniff"
        assert refused.headers["access-control-allow-origin"] == "https://shop.example"  # readable by the widget
        assert "Retry-After" in refused.headers["access-control-expose-headers"]
        assert app.post("/v1/feedback", json={}).status_code == 429  # every API route counts


def test_health_metrics_and_static_files_are_never_limited(index_dir: Path, tmp_path: Path) -> None:
    with limited(index_dir, tmp_path, 1) as app:
        app.get("/v1/locales")
        assert app.get("/v1/locales").status_code == 429
        for path in ("/healthz", "/readyz", "/metrics", "/widget/loader.js", "/docs", "/favicon.ico"):
            for _ in range(3):
                assert app.get(path).status_code == 200, path


def test_clients_behind_a_trusted_proxy_have_their_own_buckets(index_dir: Path, tmp_path: Path) -> None:
    with limited(index_dir, tmp_path, 2, client=("10.1.2.3", 5555)) as app:
        def get(client_ip: str, spoofed: str = "") -> int:
            chain = f"{spoofed}, {client_ip}" if spoofed else client_ip
            return app.get("/v1/locales", headers={"X-Forwarded-For": chain}).status_code

        assert [get("198.51.100.1") for _ in range(3)] == [200, 200, 429]
        assert [get("198.51.100.2") for _ in range(2)] == [200, 200]
        # Rotating a made-up left-most entry does not buy a new bucket.
        assert get("198.51.100.1", spoofed="1.2.3.4") == 429
        assert get("198.51.100.1", spoofed="5.6.7.8") == 429


def test_zero_turns_it_off(index_dir: Path, tmp_path: Path) -> None:
    with limited(index_dir, tmp_path, 0) as app:
        assert all(app.get("/v1/locales").status_code == 200 for _ in range(50))
