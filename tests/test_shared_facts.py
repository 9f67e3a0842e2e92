"""Facts defined once in kb.models and every place that publishes them: the query length limit
(the API and its OpenAPI document, the engine, the widget's input), intents, article ids; and
the one conditional-GET rule of every cacheable response."""

from __future__ import annotations

import re
from typing import get_args

from fastapi.testclient import TestClient

from api.app import create_app
from kb.models import ARTICLE_ID_PATTERN, INTENTS, MAX_QUERY_CHARS, Intent

from .conftest import ROOT


def query_parameters(spec: dict, path: str) -> dict[str, dict]:  # type: ignore[type-arg]
    return {p["name"]: p["schema"] for p in spec["paths"][path]["get"]["parameters"]}


def test_one_query_limit_for_the_api_its_document_the_engine_and_the_widget(client: TestClient) -> None:
    spec = create_app().openapi()
    assert query_parameters(spec, "/v1/search")["q"]["maxLength"] == MAX_QUERY_CHARS
    assert query_parameters(spec, "/v1/answer")["q"]["maxLength"] == MAX_QUERY_CHARS
    assert spec["components"]["schemas"]["AnswerRequest"]["properties"]["q"]["maxLength"] == MAX_QUERY_CHARS
    longest = "remboursement " * (MAX_QUERY_CHARS // 14) + "r" * (MAX_QUERY_CHARS % 14)
    assert len(longest) == MAX_QUERY_CHARS
    assert client.get("/v1/search", params={"q": longest}).status_code == 200
    assert client.get("/v1/search", params={"q": longest + "x"}).status_code == 422
    widget = (ROOT / "api" / "static" / "widget" / "widget.js").read_text(encoding="utf-8")
    assert re.findall(r'maxlength: "(\d+)"', widget) == [str(MAX_QUERY_CHARS)]


def test_intents_and_article_ids_are_published_as_defined() -> None:
    spec = create_app().openapi()
    assert tuple(query_parameters(spec, "/v1/search")["intent"]["anyOf"][0]["enum"]) == INTENTS == get_args(Intent)
    assert query_parameters(spec, "/v1/answer")["article_id"]["anyOf"][0]["pattern"] == ARTICLE_ID_PATTERN
    assert spec["components"]["schemas"]["FeedbackRequest"]["properties"]["article_id"]["pattern"] == ARTICLE_ID_PATTERN


def test_conditional_get_names_the_etag_exactly(client: TestClient) -> None:
    first = client.get("/v1/locales")
    etag = first.headers["etag"]
    for header in (etag, f'"other", {etag}', f"W/{etag}", "*"):
        assert client.get("/v1/locales", headers={"If-None-Match": header}).status_code == 304, header
    for header in (etag[:-2] + '"', f"x{etag}x", f"{etag[:-1]}-gz\""):  # a tag containing it is another tag
        assert client.get("/v1/locales", headers={"If-None-Match": header}).status_code == 200, header
