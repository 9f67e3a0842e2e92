"""GET /v1/search and the API's common behaviour, through the real app."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

SEARCH_FIELDS = {"query", "locale", "requested_locale", "total", "has_more", "suggestions", "results"}
HIT_FIELDS = {"article_id", "locale", "fallback_used", "title", "section", "snippet", "score", "url"}


def top(client: TestClient, q: str, **params: str) -> str:
    response = client.get("/v1/search", params={"q": q, **params})
    assert response.status_code == 200, response.text
    return response.json()["results"][0]["article_id"]


def test_contract_fields(client: TestClient) -> None:
    data = client.get("/v1/search", params={"q": "refund", "locale": "en"}).json()
    assert set(data) >= SEARCH_FIELDS
    assert data["results"] and all(set(hit) >= HIT_FIELDS for hit in data["results"])
    assert data["results"][0]["url"] == "/articles/en/refund-policy"


@pytest.mark.parametrize(
    ("q", "locale", "expected"),
    [
        ("desactiver renouvelement", "fr", "auto-renewal"),
        ("money back iphone", "en", "refund-app-store"),
        ("remboursement", "en", "refund-policy"),
        ("désactiver le renouvellement automatique", "fr", "auto-renewal"),
        ("l'abonnement renouvellement", "fr", "auto-renewal"),
        ("rembour", "fr", "refund-policy"),
        ("auto-ren", "en", "auto-renewal"),
        ("refudn", "en", "refund-policy"),
        ("hotline", "en", "contact-support"),
        ("numéro", "fr", "contact-support"),
        ("unsubscribe", "en", "auto-renewal"),
        ("résilier", "fr", "auto-renewal"),
        ("tweet", "fr", "contact-support"),
    ],
)
def test_customers_find_the_right_article(client: TestClient, q: str, locale: str, expected: str) -> None:
    assert top(client, q, locale=locale) == expected


def test_cross_lingual_returns_the_requested_locale_once_per_article(client: TestClient) -> None:
    data = client.get("/v1/search", params={"q": "remboursement", "locale": "en", "limit": 50}).json()
    ids = [r["article_id"] for r in data["results"]]
    assert len(ids) == len(set(ids))
    assert all(r["locale"] == "en" and not r["fallback_used"] for r in data["results"])


def test_mixed_language_queries(client: TestClient) -> None:
    assert top(client, "refund fnac", locale="fr") == "refund-third-party"
    assert top(client, "app store remboursement", locale="en") == "refund-app-store"


def test_snippet_marks_only_matched_words_and_escapes(client: TestClient) -> None:
    hit = client.get("/v1/search", params={"q": "désactiver", "locale": "fr"}).json()["results"][0]
    assert "<mark>" in hit["snippet"]
    without_marks = hit["snippet"].replace("<mark>", "").replace("</mark>", "")
    assert "<" not in without_marks and ">" not in without_marks
    for marked in re.findall(r"<mark>(.*?)</mark>", hit["snippet"]):
        assert marked.lower().startswith(("désactiv", "desactiv")), marked


def test_script_in_query_never_comes_back_as_markup(client: TestClient) -> None:
    response = client.get("/v1/search", params={"q": "<script>alert(1)</script> refund"})
    assert response.headers["content-type"] == "application/json"  # the echoed query is data, not markup
    data = response.json()
    assert data["results"]
    for hit in data["results"]:
        assert "<script" not in hit["snippet"] and "<script" not in hit["title"]


def test_suggestions_for_misspelled_queries(client: TestClient) -> None:
    data = client.get("/v1/search", params={"q": "remboursment ", "locale": "fr"}).json()
    assert data["suggestions"] == ["remboursement"]
    typed = client.get("/v1/search", params={"q": "desactiver renouvelement", "locale": "fr"}).json()
    assert typed["suggestions"] == ["desactiver renouvellement"]
    assert client.get("/v1/search", params={"q": "remboursement"}).json()["suggestions"] == []


def test_pagination_and_has_more(client: TestClient) -> None:
    first = client.get("/v1/search", params={"q": "refund", "locale": "en", "limit": 2}).json()
    second = client.get("/v1/search", params={"q": "refund", "locale": "en", "limit": 2, "offset": 2}).json()
    assert first["has_more"] and len(first["results"]) == 2
    assert not {r["article_id"] for r in first["results"]} & {r["article_id"] for r in second["results"]}


def test_intent_filter(client: TestClient) -> None:
    data = client.get("/v1/search", params={"q": "norton support", "intent": "contact"}).json()
    assert data["results"] and {r["article_id"] for r in data["results"]} == {"contact-support"}


@pytest.mark.parametrize(
    ("params", "headers", "locale", "requested"),
    [
        ({"locale": "fr-CA"}, {}, "fr", "fr-CA"),
        ({"locale": "en_GB"}, {}, "en", "en_GB"),
        ({"locale": "fr_FR.UTF-8"}, {}, "fr", "fr_FR.UTF-8"),
        ({}, {"Accept-Language": "de-DE,fr;q=0.8,en;q=0.5"}, "fr", None),
        ({}, {}, "fr", None),  # the query is French
    ],
)
def test_locale_negotiation(
    client: TestClient, params: dict, headers: dict, locale: str, requested: str | None
) -> None:
    data = client.get("/v1/search", params={"q": "je veux être remboursé", **params}, headers=headers).json()
    assert (data["locale"], data["requested_locale"]) == (locale, requested)


def test_english_query_without_locale_is_english(client: TestClient) -> None:
    assert client.get("/v1/search", params={"q": "how do I turn off auto renewal"}).json()["locale"] == "en"


def test_unsupported_locale_falls_back_and_says_so(client: TestClient) -> None:
    data = client.get("/v1/search", params={"q": "refund", "locale": "de"}).json()
    assert data["locale"] == "en" and data["requested_locale"] == "de"
    assert all(r["fallback_used"] for r in data["results"])


@pytest.mark.parametrize("locale", ["xx", "../../etc", "fr;DROP", "e", "12"])
def test_unparseable_locale_is_422(client: TestClient, locale: str) -> None:
    response = client.get("/v1/search", params={"q": "refund", "locale": locale})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_parameter"
    assert response.json()["error"]["field"] == "locale"


def test_caching_headers_and_conditional_get(client: TestClient) -> None:
    response = client.get("/v1/search", params={"q": "refund"})
    assert response.headers["cache-control"].startswith("public")
    assert "Accept-Language" in response.headers["vary"]
    etag = response.headers["etag"]
    again = client.get("/v1/search", params={"q": "refund"}, headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_request_id_on_every_response(client: TestClient) -> None:
    assert re.fullmatch(r"[0-9a-f]{32}", client.get("/healthz").headers["x-request-id"])
    assert client.get("/nope").headers["x-request-id"]
    # A client's own id is taken only from a trusted proxy (tests/test_log_privacy.py).
    sent = client.get("/v1/search", headers={"X-Request-ID": "abc-123"}, params={"q": "x"})
    assert re.fullmatch(r"[0-9a-f]{32}", sent.headers["x-request-id"])


def test_cors_allows_configured_origins_only(client: TestClient) -> None:
    ok = client.get("/v1/search", params={"q": "x"}, headers={"Origin": "http://localhost:8000"})
    assert ok.headers["access-control-allow-origin"] == "http://localhost:8000"
    other = client.get("/v1/search", params={"q": "x"}, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_locales_endpoint_uses_babel_names(client: TestClient) -> None:
    data = client.get("/v1/locales").json()
    assert data["default"] == "en"
    assert {(loc["code"], loc["name"]) for loc in data["locales"]} == {("en", "English"), ("fr", "Français")}


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"]["index"] == "ok"


def test_docs_work_offline_under_the_services_headers(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    for src in re.findall(r'(?:src|href)="([^"]+)"', page.text):
        assert src.startswith("/"), src  # nothing from another host
        assert client.get(src).status_code == 200, src
    spec = client.get("/openapi.json").json()
    assert "/v1/search" in spec["paths"] and "/v1/answer" in spec["paths"]


def test_index_not_built_yet_is_503_not_500(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from api.app import create_app

    from .conftest import make_settings

    with TestClient(create_app(make_settings(tmp_path / "none", tmp_path))) as empty:
        response = empty.get("/v1/search", params={"q": "refund"})
        assert response.status_code == 503 and response.json()["error"]["code"] == "index_unavailable"
        assert empty.get("/readyz").status_code == 503
