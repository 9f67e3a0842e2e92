"""POST /v1/feedback and the search log, on the real app with a real SQLite file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api import storage_state
from api.app import create_app
from kb import migrate
from kb.report import build_report, format_table
from kb.storage import Storage

from .conftest import make_settings
from .helpers import wait_for

VOTE = {"article_id": "auto-renewal", "locale": "fr", "helpful": False}


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def test_a_vote_is_stored_negotiated_and_scrubbed(client: TestClient, tmp_path: Path) -> None:
    body = {**VOTE, "locale": "fr-CA", "query": "écrire à jean@example.com", "comment": "appelez le 06 12 34 56 78"}
    response = client.post("/v1/feedback", json=body, headers={"X-KB-Session": "a1b2c3"})
    assert response.status_code == 201
    assert response.json() == {"status": "recorded"}
    assert response.headers["cache-control"] == "no-store"
    columns = "article_id, locale, helpful, query, comment, session_id"
    stored = rows(tmp_path / "kb.sqlite3", f"SELECT {columns} FROM feedback")
    assert stored == [("auto-renewal", "fr", 0, "écrire à [email]", "appelez le [phone]", "a1b2c3")]


def test_the_widgets_request_is_accepted(client: TestClient) -> None:
    body = {"article_id": "auto-renewal", "locale": "en", "helpful": True, "query": "turn off auto renew"}
    response = client.post("/v1/feedback", json=body, headers={"X-KB-Session": "0f" * 16})
    assert response.status_code == 201


def test_an_unknown_article_is_404(client: TestClient, tmp_path: Path) -> None:
    response = client.post("/v1/feedback", json={**VOTE, "article_id": "no-such-article"})
    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "article_not_found",
        "message": "no article with id 'no-such-article'",
        "field": "article_id",
    }
    assert rows(tmp_path / "kb.sqlite3", "SELECT count(*) FROM feedback") == [(0,)]


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({**VOTE, "extra": 1}, 422, "invalid_body", "extra"),
        ({**VOTE, "helpful": "yes"}, 422, "invalid_body", "helpful"),
        ({**VOTE, "helpful": 1}, 422, "invalid_body", "helpful"),
        ({k: v for k, v in VOTE.items() if k != "helpful"}, 422, "invalid_body", "helpful"),
        ({k: v for k, v in VOTE.items() if k != "locale"}, 422, "invalid_body", "locale"),
        ({**VOTE, "article_id": "../../etc/passwd"}, 422, "invalid_body", "article_id"),
        ({**VOTE, "article_id": "a" * 81}, 422, "invalid_body", "article_id"),
        ({**VOTE, "comment": "x" * 1001}, 422, "invalid_body", "comment"),
        ({**VOTE, "query": "q" * 501}, 422, "invalid_body", "query"),
        ({**VOTE, "comment": "nul\x00byte"}, 422, "invalid_body", "comment"),
        ({**VOTE, "comment": "carriage\rreturn"}, 422, "invalid_body", "comment"),
        ({**VOTE, "comment": "\x1b[31mred"}, 422, "invalid_body", "comment"),
        ({**VOTE, "comment": "next\x85line"}, 422, "invalid_body", "comment"),
        ({**VOTE, "comment": "\u202egnp.exe"}, 422, "invalid_body", "comment"),
        ({**VOTE, "comment": "isolated \u2066text\u2069"}, 422, "invalid_body", "comment"),
        ({**VOTE, "query": "refund \u202d"}, 422, "invalid_body", "query"),
        ({**VOTE, "locale": "../../etc"}, 422, "invalid_parameter", "locale"),
        ([VOTE], 422, "invalid_body", "body"),
    ],
    ids=[
        "extra-field", "helpful-string", "helpful-int", "no-helpful", "no-locale", "article-path", "article-long",
        "comment-long", "query-long", "control-char", "carriage-return", "escape-sequence", "c1-next-line",
        "bidi-override", "bidi-isolate", "query-bidi-override", "bad-locale", "a-list",
    ],
)
def test_malformed_votes_get_a_json_4xx(
    client: TestClient, body: object, status: int, code: str, field: str, tmp_path: Path
) -> None:
    response = client.post("/v1/feedback", json=body)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code and error["field"] == field and error["message"]
    assert rows(tmp_path / "kb.sqlite3", "SELECT count(*) FROM feedback") == [(0,)]


def test_full_width_and_multiline_comments_are_stored_scrubbed_and_reported_on_one_line(
    client: TestClient, tmp_path: Path
) -> None:
    forged = "fine\n\n== en ==\n  refund-policy  0  99  forged row\tend"
    for comment in ("écrire à jean＠example.com ou au ０６ １２ ３４ ５６ ７８", forged):
        assert client.post("/v1/feedback", json={**VOTE, "comment": comment}).status_code == 201
    stored = [c for (c,) in rows(tmp_path / "kb.sqlite3", "SELECT comment FROM feedback ORDER BY id")]
    assert stored == ["écrire à [email] ou au [phone]", forged]  # newlines and tabs are kept
    with Storage(f"sqlite:///{tmp_path / 'kb.sqlite3'}") as storage:
        text = format_table(build_report(storage))
    assert "fine\\n\\n== en ==\\n  refund-policy  0  99  forged row\\tend" in text
    assert "== en ==" not in text.splitlines() and text.splitlines().count("== fr ==") == 1
    table = text.split("Articles marked not helpful\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert len(table) == 3  # headers, rule, one row for the one article


def test_not_json_oversized_and_broken_bodies(client: TestClient) -> None:
    as_text = client.post("/v1/feedback", content=b'{"a": 1}', headers={"Content-Type": "text/plain"})
    assert as_text.status_code == 415 and as_text.json()["error"]["code"] == "unsupported_media_type"
    broken = client.post("/v1/feedback", content=b'{"article_id": ', headers={"Content-Type": "application/json"})
    assert broken.status_code == 422 and broken.json()["error"]["code"] == "invalid_body"
    huge = client.post("/v1/feedback", json={**VOTE, "comment": "x" * 20_000})
    assert huge.status_code == 413 and huge.json()["error"]["code"] == "payload_too_large"


def test_votes_survive_a_restart(index_dir: Path, tmp_path: Path) -> None:
    settings = make_settings(index_dir, tmp_path)
    with TestClient(create_app(settings)) as first:
        assert first.post("/v1/feedback", json={**VOTE, "comment": "step 3 is wrong"}).status_code == 201
    with TestClient(create_app(settings)) as second:
        assert second.post("/v1/feedback", json={**VOTE, "helpful": True}).status_code == 201
    stored = rows(tmp_path / "kb.sqlite3", "SELECT helpful, comment FROM feedback ORDER BY id")
    assert stored == [(0, "step 3 is wrong"), (1, None)]


def test_searches_and_answers_are_logged_and_flushed_at_shutdown(index_dir: Path, tmp_path: Path) -> None:
    with TestClient(create_app(make_settings(index_dir, tmp_path))) as app:
        session = {"X-KB-Session": "visit-1"}
        assert app.get("/v1/search", params={"q": "  Remboursement   RAPIDE "}, headers=session).status_code == 200
        assert app.get("/v1/search", params={"q": "xylophone quantique", "locale": "fr"}).status_code == 200
        assert app.get("/v1/answer", params={"q": "how do I turn off auto renew", "locale": "en"}).status_code == 200
    logged = rows(
        tmp_path / "kb.sqlite3",
        "SELECT kind, query_normalized, locale, result_count > 0, top_article, answered, session_id FROM search_log"
        " ORDER BY id",
    )
    assert logged == [
        ("search", "remboursement rapide", "fr", 1, "refund-policy", None, "visit-1"),
        ("search", "xylophone quantique", "fr", 0, None, None, None),
        ("answer", "how do i turn off auto renew", "en", 1, "auto-renewal", 1, None),
    ]
    columns = {row[1] for row in rows(tmp_path / "kb.sqlite3", "PRAGMA table_info(search_log)")}
    assert not {c for c in columns if "ip" in c.split("_") or "addr" in c}, columns  # no client address kept


def test_without_storage_search_still_serves(index_dir: Path, tmp_path: Path) -> None:
    """A database that cannot be opened: search and answers go on; readiness and feedback say why."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the database folder should be", encoding="utf-8")
    settings = make_settings(index_dir, tmp_path, database_url=f"sqlite:///{blocker / 'kb.sqlite3'}")
    with TestClient(create_app(settings)) as app:
        assert app.get("/v1/search", params={"q": "refund"}).status_code == 200
        assert app.get("/v1/answer", params={"q": "refund"}).status_code == 200
        ready = app.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"]["index"] == "ok"
        assert ready.json()["checks"]["storage"].startswith("unavailable")
        vote = app.post("/v1/feedback", json=VOTE)
        assert vote.status_code == 503 and vote.json()["error"]["code"] == "storage_unavailable"
        assert app.get("/healthz").status_code == 200


def test_a_schema_behind_is_reported_and_refuses_feedback_until_upgraded(
    index_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server never creates tables: on a database `kb db upgrade` has not reached, search
    serves, /readyz says "schema behind" and feedback is 503; once upgraded, all is well again."""
    monkeypatch.setattr(storage_state, "RETRY_SECONDS", 0.1)
    database = tmp_path / "kb.sqlite3"
    with Storage(f"sqlite:///{database}") as store:
        migrate.upgrade(store, migrate.BASELINE)  # the schema of the release before
    with TestClient(create_app(make_settings(index_dir, tmp_path))) as app:
        assert app.get("/v1/search", params={"q": "refund"}).status_code == 200
        ready = app.get("/readyz")
        assert ready.status_code == 503 and ready.json()["checks"]["storage"] == "schema behind"
        vote = app.post("/v1/feedback", json=VOTE, headers={"X-KB-Session": "visit-9"})
        assert vote.status_code == 503 and vote.json()["error"]["code"] == "storage_unavailable"
        assert rows(database, "SELECT count(*) FROM feedback") == [(0,)]
        with Storage(f"sqlite:///{database}") as store:
            migrate.upgrade(store)
        wait_for(lambda: app.get("/readyz").status_code == 200, lambda: f"readiness: {app.get('/readyz').json()}")
        assert app.post("/v1/feedback", json=VOTE, headers={"X-KB-Session": "visit-9"}).status_code == 201
    assert rows(database, "SELECT session_id FROM feedback") == [("visit-9",)]
