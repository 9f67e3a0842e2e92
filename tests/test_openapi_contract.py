"""The OpenAPI document is the contract: every status a route answers is declared, every error
status with the error model (never FastAPI's ``HTTPValidationError``); ``locale`` declares the
grammar the API enforces; ``OPTIONS`` and ``Allow`` name every method a path serves."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.openapi import ErrorResponse
from api.routes.feedback import FORBIDDEN_TEXT

from .conftest import make_settings

ERROR_REF = "#/components/schemas/ErrorResponse"
VOTE = {"article_id": "auto-renewal", "locale": "fr", "helpful": True}
ADMIN_TOKEN = "contract-admin-token-0123456789"
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@dataclass(frozen=True)
class Seen:
    """One request of the table below and the status it gets."""

    app: str  # which app answers it (see `apps`)
    method: str
    path: str
    status: int
    params: dict[str, str] | None = None
    json: Any = None
    content: bytes | None = None
    headers: dict[str, str] | None = None


def _chunks() -> Iterator[bytes]:
    yield b'{"q": "'
    for _ in range(40):
        yield b"x" * 1024
    yield b'"}'


READ_PATHS = ("/v1/channels", "/v1/articles", "/v1/articles/auto-renewal", "/v1/locales", "/v1/ui-strings")
# Every status the tests make each documented route answer.
SEEN = [
    Seen("main", "GET", "/v1/search", 200, {"q": "refund"}),
    Seen("main", "GET", "/v1/search", 422, {"q": ""}),
    Seen("main", "GET", "/v1/search", 422, {"q": "refund", "locale": "xx"}),
    Seen("limited", "GET", "/v1/search", 429, {"q": "refund"}),
    Seen("no_index", "GET", "/v1/search", 503, {"q": "refund"}),
    Seen("main", "GET", "/v1/answer", 200, {"q": "refund"}),
    Seen("main", "GET", "/v1/answer", 200, {"article_id": "auto-renewal"}),
    Seen("main", "GET", "/v1/answer", 422, {}),
    Seen("main", "GET", "/v1/answer", 422, {"q": "   "}),
    Seen("main", "GET", "/v1/answer", 422, {"q": "refund", "locale": "fr-CA_x"}),
    Seen("main", "GET", "/v1/answer", 404, {"article_id": "no-such-article"}),
    Seen("limited", "GET", "/v1/answer", 429, {"q": "refund"}),
    Seen("no_index", "GET", "/v1/answer", 503, {"q": "refund"}),
    Seen("main", "POST", "/v1/answer", 200, json={"q": "refund", "locale": "fr_CA.UTF-8"}),
    Seen("main", "POST", "/v1/answer", 400, content=b'{"q": "\xff"}', headers={"Content-Type": "application/json"}),
    Seen("main", "POST", "/v1/answer", 404, json={"article_id": "no-such-article"}),
    Seen("main", "POST", "/v1/answer", 413, content=b"".join(_chunks()), headers={"Content-Type": "application/json"}),
    Seen("main", "POST", "/v1/answer", 415, content=b"q=refund", headers={"Content-Type": "text/plain"}),
    Seen("main", "POST", "/v1/answer", 422, json={"q": " "}),
    Seen("main", "POST", "/v1/answer", 422, json={"q": "refund", "locale": "xx"}),
    Seen("limited", "POST", "/v1/answer", 429, json={"q": "refund"}),
    Seen("no_index", "POST", "/v1/answer", 503, json={"q": "refund"}),
    Seen("main", "GET", "/v1/channels", 200, {"locale": "en-GB"}),
    Seen("main", "GET", "/v1/channels", 422, {"locale": "fr-XY"}),
    Seen("main", "GET", "/v1/articles", 200),
    Seen("main", "GET", "/v1/articles", 422, {"locale": "fr--"}),
    Seen("main", "GET", "/v1/articles/auto-renewal", 200, {"locale": "de_DE@euro"}),
    Seen("main", "GET", "/v1/articles/no-such-article", 404),
    Seen("main", "GET", "/v1/articles/auto-renewal", 422, {"locale": "0"}),
    Seen("main", "GET", "/v1/locales", 200),
    Seen("no_index", "GET", "/v1/locales", 503),
    Seen("main", "GET", "/v1/ui-strings", 200, {"locale": "sr-Latn-RS"}),
    Seen("main", "GET", "/v1/ui-strings", 422, {"locale": "xx"}),
    Seen("main", "POST", "/v1/feedback", 201, json=VOTE),
    Seen("main", "POST", "/v1/feedback", 404, json={**VOTE, "article_id": "no-such-article"}),
    Seen("main", "POST", "/v1/feedback", 415, content=b"{}", headers={"Content-Type": "text/plain"}),
    Seen("main", "POST", "/v1/feedback", 422, json={**VOTE, "locale": ""}),
    Seen("main", "POST", "/v1/feedback", 422, json={**VOTE, "comment": "\u202e"}),
    Seen("no_storage", "POST", "/v1/feedback", 503, json=VOTE),
    Seen("main", "GET", "/v1/admin/report", 200, {"since": "7d", "locale": "fr-CA"}, headers=AUTH),
    Seen("main", "GET", "/v1/admin/report", 401),
    Seen("main", "GET", "/v1/admin/report", 403, headers={"Authorization": "Bearer wrong"}),
    Seen("main", "GET", "/v1/admin/report", 422, {"since": "soon"}, headers=AUTH),
    Seen("main", "GET", "/v1/admin/report", 422, {"locale": "fr-CA_x"}, headers=AUTH),
    Seen("no_admin", "GET", "/v1/admin/report", 404),
    Seen("no_storage", "GET", "/v1/admin/report", 503, headers=AUTH),
    Seen("main", "POST", "/v1/admin/reindex", 200, headers=AUTH),
    Seen("main", "POST", "/v1/admin/reindex", 401),
    Seen("no_admin", "POST", "/v1/admin/reindex", 404),
    Seen("main", "GET", "/healthz", 200),
    Seen("main", "GET", "/readyz", 200),
    Seen("no_index", "GET", "/readyz", 503),
    Seen("main", "POST", "/v1/feedback", 400, content=b'{"x": "\xff"}', headers={"Content-Type": "application/json"}),
    Seen(
        "main", "POST", "/v1/feedback", 413, content=b"".join(_chunks()), headers={"Content-Type": "application/json"}
    ),
    Seen("limited", "POST", "/v1/feedback", 429, json=VOTE),
    Seen("main", "POST", "/v1/admin/reindex", 403, headers={"Authorization": "Bearer wrong"}),
    Seen("bad_content", "POST", "/v1/admin/reindex", 422, headers=AUTH),
    Seen("unwritable", "POST", "/v1/admin/reindex", 500, headers=AUTH),
    Seen("limited", "POST", "/v1/admin/reindex", 429),
    Seen("limited", "GET", "/v1/admin/report", 429),
    *(Seen("limited", "GET", path, 429) for path in READ_PATHS),
    *(Seen("no_index", "GET", path, 503) for path in READ_PATHS),
]


@pytest.fixture(scope="module")
def apps(index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, TestClient]]:
    """The app in the states the table needs: as served (admin on, with its own copy of the
    index for reindex), rate-limited to one request a minute, without an index, without a
    database it can open, without an admin token, over invalid content, over an index folder
    that cannot be written."""
    tmp = tmp_path_factory.mktemp("contract")
    blocker = tmp / "not-a-folder"
    blocker.write_text("a file where the database folder should be", encoding="utf-8")
    settings = {
        "main": make_settings(tmp / "index", tmp / "main", admin_token=ADMIN_TOKEN),
        "limited": make_settings(index_dir, tmp, rate_limit_per_minute=1),
        "no_index": make_settings(tmp / "empty", tmp),
        "no_storage": make_settings(
            index_dir, tmp, admin_token=ADMIN_TOKEN, database_url=f"sqlite:///{blocker / 'kb.sqlite3'}"
        ),
        "no_admin": make_settings(index_dir, tmp),
        "bad_content": make_settings(tmp / "unbuilt", tmp, admin_token=ADMIN_TOKEN, content_dir=tmp / "bad"),
        "unwritable": make_settings(blocker / "index", tmp, admin_token=ADMIN_TOKEN),
    }
    (tmp / "bad" / "en").mkdir(parents=True)
    (tmp / "bad" / "en" / "auto-renewal.md").write_text("---\nid: auto-renewal\n", encoding="utf-8")
    shutil.copytree(index_dir, tmp / "index", symlinks=True)
    (tmp / "main").mkdir(exist_ok=True)
    clients = {name: TestClient(create_app(s), raise_server_exceptions=False) for name, s in settings.items()}
    for test_client in clients.values():
        test_client.__enter__()
    clients["limited"].get("/v1/locales")  # spends the one request of this minute
    yield clients
    for test_client in clients.values():
        test_client.__exit__(None, None, None)


@pytest.fixture(scope="module")
def document(apps: dict[str, TestClient]) -> dict[str, Any]:
    response = apps["main"].get("/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def _template(document: dict[str, Any], method: str, path: str) -> str:
    """The documented path template that routes ``method path``; fails when none does."""
    for template, operations in document["paths"].items():
        if method.lower() in operations and re.match("^" + re.sub(r"\{[^/]+\}", "[^/]+", template) + "$", path):
            return str(template)
    pytest.fail(f"{method} {path} is not documented")


@pytest.mark.parametrize("seen", SEEN, ids=lambda s: f"{s.method} {s.path} {s.status} ({s.app})")
def test_every_status_a_route_answers_is_declared_with_its_model(
    apps: dict[str, TestClient], document: dict[str, Any], seen: Seen
) -> None:
    client = apps[seen.app]
    response = client.request(
        seen.method, seen.path, params=seen.params, json=seen.json, content=seen.content, headers=seen.headers
    )
    assert response.status_code == seen.status, response.text
    declared = document["paths"][_template(document, seen.method, seen.path)][seen.method.lower()]["responses"]
    assert str(seen.status) in declared, f"{seen.status} is not declared for {seen.method} {seen.path}"
    if seen.status >= 400 and seen.path != "/readyz":
        schema = declared[str(seen.status)]["content"]["application/json"]["schema"]
        assert schema == {"$ref": ERROR_REF}
        error = ErrorResponse.model_validate(response.json()).error
        assert error.code.status == seen.status
        assert f"`{error.code.value}`" in declared[str(seen.status)]["description"]
        for header in declared[str(seen.status)].get("headers", {}):
            assert header in response.headers, header


def test_every_route_is_in_the_table_with_each_declared_status(document: dict[str, Any]) -> None:
    """What the table observes covers the document: no declared status is left unobserved but
    those of a reindex other tests provoke (409 busy: test_admin; 507 disk full: test_disk_full)
    and 304 (tested with the ETags)."""
    observed = {(s.method, _template(document, s.method, s.path), str(s.status)) for s in SEEN}
    elsewhere = {
        ("POST", "/v1/admin/reindex", "409"),  # test_admin: a reindex during another
        ("POST", "/v1/admin/reindex", "507"),  # test_disk_full: a full disk
    }
    missing = []
    for template, operations in document["paths"].items():
        for method, operation in operations.items():
            for status in operation["responses"]:
                key = (method.upper(), template, status)
                if status != "304" and key not in observed and key not in elsewhere:
                    missing.append(key)
    assert not missing, f"declared but never observed here: {missing}"


def test_no_framework_validation_error_model_is_left(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas
    assert "HTTPValidationError" not in str(document["paths"])


LOCALE_SAMPLES = {
    # tag: served (True), refused (False); the pattern must say the same for every one
    "fr": True,
    "en-GB": True,
    "fr_CA.UTF-8": True,
    "de_DE@euro": True,
    "sr-Latn-RS": True,
    "en-US-POSIX": True,
    "de-1996": True,
    "es-419": True,
    "pt_BR": True,
    "": True,
    "fr-CA_x": False,
    " fr": False,
    "fr--": False,
    "0": False,
    "f": False,
    "en-": False,
    "fr-CA-": False,
    "en_US.": False,
    "en@": False,
    "fr/CA": False,
    "fr CA": False,
    "aaaaaaaaa": False,
}


@pytest.mark.parametrize("tag", list(LOCALE_SAMPLES))
def test_the_locale_pattern_is_what_the_api_enforces(
    apps: dict[str, TestClient], document: dict[str, Any], tag: str
) -> None:
    """Each tag the pattern allows is served, each it refuses is a 422 on locale: the schema and
    the API agree (a well-formed tag of no known locale, `xx`, is the one 422 the pattern cannot
    express; its own test is above)."""
    parameters = document["paths"]["/v1/search"]["get"]["parameters"]
    pattern = next(p for p in parameters if p["name"] == "locale")["schema"]["anyOf"][0]["pattern"]
    response = apps["main"].get("/v1/search", params={"q": "refund", "locale": tag})
    assert bool(re.search(pattern, tag)) is LOCALE_SAMPLES[tag]
    assert (response.status_code == 200) is LOCALE_SAMPLES[tag], response.text
    if not LOCALE_SAMPLES[tag]:
        assert response.json()["error"]["field"] == "locale"


def test_every_locale_parameter_declares_the_pattern(document: dict[str, Any]) -> None:
    found = []
    for operations in document["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["name"] == "locale":
                    found.append(parameter["schema"]["anyOf"][0]["pattern"])
    body = document["components"]["schemas"]["FeedbackRequest"]["properties"]["locale"]["pattern"]
    assert len(found) >= 6 and len(set(found)) == 1 and body == found[0]


def test_answer_says_a_question_or_an_article_is_needed(document: dict[str, Any]) -> None:
    body = document["components"]["schemas"]["AnswerRequest"]
    assert {tuple(branch["required"]) for branch in body["anyOf"]} == {("q",), ("article_id",)}
    get = document["paths"]["/v1/answer"]["get"]
    assert "`q`" in get["description"] and "`article_id`" in get["description"]


ALLOW: dict[str, str] = {
    "/v1/answer": "GET, POST, OPTIONS",
    "/v1/search": "GET, OPTIONS",
    "/v1/feedback": "POST, OPTIONS",
    "/v1/articles/auto-renewal": "GET, OPTIONS",
    "/v1/admin/reindex": "POST, OPTIONS",
    "/fr/": "GET, HEAD, OPTIONS",
}


@pytest.mark.parametrize("path", list(ALLOW))
def test_options_and_a_405_name_every_method_the_path_serves(apps: dict[str, TestClient], path: str) -> None:
    client = apps["main"]
    options = client.options(path)
    assert options.status_code == 204 and options.content == b""
    assert options.headers["allow"] == ALLOW[path]
    refused = client.request("DELETE", path)
    assert refused.status_code == 405 and refused.headers["allow"] == ALLOW[path]
    assert ErrorResponse.model_validate(refused.json()).error.code == "method_not_allowed"


def test_options_on_no_route_is_404(apps: dict[str, TestClient]) -> None:
    assert apps["main"].options("/v1/nowhere").status_code == 404


def test_a_cors_preflight_is_still_answered_by_cors(apps: dict[str, TestClient]) -> None:
    origin = "http://localhost:8000"  # allowed by the default KB_CORS_ORIGINS
    preflight = apps["main"].options("/v1/answer", headers={"Origin": origin, "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == origin


def test_the_comment_pattern_refuses_what_the_api_refuses(document: dict[str, Any]) -> None:
    """The body's `query` and `comment` patterns and the API's check agree on every character
    (lone surrogates aside: not characters, no pattern can name them; the API refuses them)."""
    properties = document["components"]["schemas"]["FeedbackRequest"]["properties"]
    pattern = re.compile(properties["comment"]["pattern"])
    assert properties["query"]["pattern"] == pattern.pattern
    disagree = [
        hex(code)
        for code in range(0x30000)
        if not 0xD800 <= code <= 0xDFFF
        and bool(pattern.fullmatch(chr(code))) is bool(FORBIDDEN_TEXT.search(chr(code)))
    ]
    assert not disagree
    assert FORBIDDEN_TEXT.search("\ud800")


SINCE_SAMPLES = {
    # since: accepted (True) or 422 on since (False), as declared
    "": True, "90m": True, "999999h": True, "99999w": True, "7D": True, "2025-03-01": True,
    "2025-03-01T08:00:00Z": True, "2025-03-01T08:00:00.123456+01:00": True,
    "999999w": False, "0001-01-01T00:00:00+01:00": False, "9999-12-31T23:59:59-01:00": False,
    "2025-02-30": False, "soon": False, "7 d": False,
}


@pytest.mark.parametrize("since", list(SINCE_SAMPLES))
def test_since_is_accepted_as_declared(apps: dict[str, TestClient], since: str) -> None:
    """A moment that leaves the calendar once in UTC is a 422 (it was a 500)."""
    response = apps["main"].get("/v1/admin/report", params={"since": since}, headers=AUTH)
    assert (response.status_code == 200) is SINCE_SAMPLES[since], response.text
    if not SINCE_SAMPLES[since]:
        assert response.status_code == 422 and response.json()["error"]["field"] == "since"
