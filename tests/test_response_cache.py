"""The hot GETs (/v1/search, /v1/answer) answered by the app's middleware: the rendered-response
cache (logged hits, 304 without rendering, dropped at a generation switch, bounded in bytes, off
with KB_QUERY_CACHE_SIZE=0) and the direct rendering, which must answer exactly as the routes do."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.rendered import ENTRY_OVERHEAD_BYTES, Rendered, ResponseCache
from api.services import Services
from kb.content import load_content
from kb.indexing import build_index

from .conftest import CONTENT_DIR, make_settings

SEARCH = "/v1/search?q=remboursement&locale=fr"
# Headers that differ between two answers to the same request whoever renders them.
PER_REQUEST = {"x-request-id", "date"}


def services_of(client: TestClient) -> Services:
    return client.app_state["services"]  # type: ignore[attr-defined, no-any-return]


def logged(database: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(database) as conn:
        return conn.execute("SELECT kind, query_normalized, session_id FROM search_log ORDER BY id").fetchall()


@pytest.fixture
def app_client(index_dir: Path, tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(index_dir, tmp_path))) as client:
        yield client


def test_a_hit_is_served_from_the_cache_and_still_logged(index_dir: Path, tmp_path: Path) -> None:
    with TestClient(create_app(make_settings(index_dir, tmp_path))) as client:
        first = client.get(SEARCH, headers={"X-KB-Session": "visit-1"})
        second = client.get(SEARCH, headers={"X-KB-Session": "visit-2"})
        cache = services_of(client).response_cache
        assert (cache.hits, cache.misses) == (1, 1)
        assert second.content == first.content and second.headers["etag"] == first.headers["etag"]
        assert second.headers["x-request-id"] != first.headers["x-request-id"]
        answer = client.get("/v1/answer", params={"q": "how do I turn off auto renew", "locale": "en"})
        assert client.get(str(answer.url)).content == answer.content
        assert cache.hits == 2
    assert logged(tmp_path / "kb.sqlite3") == [
        ("search", "remboursement", "visit-1"),
        ("search", "remboursement", "visit-2"),
        ("answer", "how do i turn off auto renew", None),
        ("answer", "how do i turn off auto renew", None),
    ]


def test_the_key_holds_everything_the_body_depends_on(app_client: TestClient) -> None:
    french = app_client.get("/v1/search", params={"q": "refund"}, headers={"Accept-Language": "fr"}).json()
    english = app_client.get("/v1/search", params={"q": "refund"}, headers={"Accept-Language": "en"}).json()
    assert (french["locale"], english["locale"]) == ("fr", "en")
    paged = app_client.get("/v1/search", params={"q": "refund", "limit": 1, "offset": 1}).json()
    assert (paged["limit"], paged["offset"]) == (1, 1)
    typed = app_client.get("/v1/search", params={"q": "Refund"}).json()
    assert typed["query"] == "Refund"  # the raw q, not the normalized one
    chosen = app_client.get("/v1/answer", params={"q": "refund", "article_id": "refund-app-store"}).json()
    assert chosen["answer"]["article_id"] == "refund-app-store"
    assert services_of(app_client).response_cache.hits == 0


def test_a_conditional_get_is_answered_304_without_rendering(app_client: TestClient) -> None:
    etag = app_client.get(SEARCH).headers["etag"]
    knowledge = services_of(app_client).knowledge
    before = knowledge.cache_stats
    again = app_client.get(SEARCH, headers={"If-None-Match": f'W/"x", {etag}'})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag and again.headers["vary"].startswith("Accept-Language")
    assert "content-type" not in again.headers
    assert knowledge.cache_stats == before  # the search was not asked again
    assert services_of(app_client).response_cache.hits == 1


def test_a_generation_switch_drops_every_rendered_response(tmp_path: Path) -> None:
    index = tmp_path / "index"
    build_index(load_content(CONTENT_DIR), index)
    settings = make_settings(index, tmp_path, index_check_seconds=0.0)
    with TestClient(create_app(settings)) as client:
        old = client.get(SEARCH).json()["generation"]
        assert client.get(SEARCH).json()["generation"] == old
        build_index(load_content(CONTENT_DIR), index)
        knowledge = services_of(client).knowledge
        knowledge.refresh(force=True)
        new = client.get(SEARCH).json()["generation"]
        assert new != old
        cache = services_of(client).response_cache
        assert (cache.hits, len(cache)) == (1, 1)
    shutil.rmtree(index)


def test_query_cache_size_0_turns_the_response_cache_off(index_dir: Path, tmp_path: Path) -> None:
    with TestClient(create_app(make_settings(index_dir, tmp_path, query_cache_size=0))) as client:
        bodies = {client.get(SEARCH).content for _ in range(3)}
        services = services_of(client)
        assert len(bodies) == 1
        assert not services.response_cache.enabled
        assert (services.response_cache.hits, len(services.response_cache)) == (0, 0)
        assert services.knowledge.cache_stats["hits"] == 0


def test_the_cache_is_bounded_in_bytes_and_drops_the_least_recently_used() -> None:
    def entry(size: int) -> Rendered:
        return Rendered(b"x" * size, '"e"', "g1", None)

    per_entry = 1000 + ENTRY_OVERHEAD_BYTES + len("q=a")
    cache = ResponseCache(max_bytes=3 * per_entry)
    keys = [("/v1/search", f"q={c}".encode(), b"") for c in "abcd"]
    for key in keys[:3]:
        cache.put(key, entry(1000))
    assert cache.get(keys[0], "g1") is not None  # a is now the most recently used
    cache.put(keys[3], entry(1000))
    assert cache.held_bytes <= cache.max_bytes and len(cache) == 3
    assert cache.get(keys[1], "g1") is None  # b was the least recently used
    assert cache.get(keys[0], "g1") is not None
    cache.put(keys[1], entry(10 * per_entry))  # larger than the whole cache: not kept
    assert cache.get(keys[1], "g1") is None and cache.held_bytes <= cache.max_bytes
    assert cache.get(keys[0], "g2") is None and len(cache) == 0  # another generation: emptied


@pytest.mark.parametrize(
    "target",
    [
        "/v1/search?q=remboursement",
        "/v1/search?q=how+do+I+stop+auto+renewal&locale=en-GB&limit=3&offset=1&intent=auto_renew",
        "/v1/search?q=r%C3%A9silier&locale=",
        "/v1/search?q=xylophone+quantique",
        "/v1/answer?q=je+veux+%C3%AAtre+rembours%C3%A9",
        "/v1/answer?article_id=refund-app-store&locale=fr",
        "/v1/answer?q=refund&article_id=refund-norton-store",
    ],
)
def test_the_middleware_answers_exactly_as_the_route(app_client: TestClient, target: str) -> None:
    """An unknown parameter sends the same request to its FastAPI route (which ignores it)."""
    headers = {"Accept-Language": "fr-CA,fr;q=0.9", "X-KB-Session": "visit-3"}
    direct = app_client.get(target, headers=headers)
    routed = app_client.get(target + "&via=route", headers=headers)
    assert services_of(app_client).response_cache.misses == 1  # the second never reached the cache
    assert direct.status_code == routed.status_code == 200
    assert direct.content == routed.content
    assert [h for h in direct.headers.items() if h[0] not in PER_REQUEST] == [
        h for h in routed.headers.items() if h[0] not in PER_REQUEST
    ]


@pytest.mark.parametrize(
    ("target", "status"),
    [
        ("/v1/search?q=", 422),
        ("/v1/search?q=a&limit=0", 422),
        ("/v1/search?q=a&limit=x", 422),
        ("/v1/search?q=a&offset=1001", 422),
        ("/v1/search?q=a&intent=billing", 422),
        ("/v1/search?q=a&locale=%%%", 422),
        ("/v1/answer?q=", 422),
        ("/v1/answer?article_id=Refund", 422),
    ],
)
def test_what_the_middleware_does_not_take_gets_the_routes_errors(
    app_client: TestClient, target: str, status: int
) -> None:
    response = app_client.get(target)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == "invalid_parameter"
    assert len(services_of(app_client).response_cache) == 0


def test_what_the_middleware_renders_validates_against_the_response_models(app_client: TestClient) -> None:
    """Bodies are serialized once from the models the engine built (no validation pass on the
    way out): each must still be what the OpenAPI schema promises."""
    from kb.models import AnswerResponse, SearchResponse

    schema = app_client.get("/openapi.json").json()
    for target, model in (
        ("/v1/search?q=remboursement&limit=3", SearchResponse),
        ("/v1/search?q=xylophone", SearchResponse),
        ("/v1/answer?q=how+do+I+stop+auto+renewal&locale=en", AnswerResponse),
        ("/v1/answer?q=rembourser&locale=fr", AnswerResponse),
        ("/v1/answer?article_id=refund-app-store", AnswerResponse),
    ):
        body = app_client.get(target).content
        parsed = model.model_validate_json(body)
        assert parsed.model_dump_json().encode() == body  # nothing added, dropped or coerced
        operation = schema["paths"][target.split("?")[0]]["get"]
        reference = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        assert reference.endswith("/" + model.__name__)
