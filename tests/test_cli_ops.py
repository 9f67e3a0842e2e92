"""`kb report` and `kb purge` through the real console script, over a real SQLite file."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kb.storage import SearchRecord, Storage, utc_now

from .conftest import make_settings, upgraded_sqlite
from .helpers import run_kb as kb

TOKEN = "another-admin-token-for-tests"


@pytest.fixture
def database(tmp_path: Path, index_dir: Path) -> dict[str, str]:
    """A database with a few days of searches and votes; the environment that points `kb` at it."""
    now = utc_now()
    ago = lambda seconds: now - timedelta(seconds=seconds)  # noqa: E731
    storage = Storage(upgraded_sqlite(tmp_path / "kb.sqlite3"))
    storage.log_searches(
        [
            SearchRecord("search", "rem", "fr", 5, 1.0, session_id="s1", created_at=ago(300)),
            SearchRecord("search", "rembour", "fr", 3, 1.0, session_id="s1", created_at=ago(298)),
            SearchRecord("search", "remboursement", "fr", 3, 1.0, session_id="s1", created_at=ago(295)),
            SearchRecord("search", "xylophone", "fr", 0, 1.0, created_at=now - timedelta(minutes=3)),
            SearchRecord("search", "xylophone", "fr", 0, 1.0, created_at=now - timedelta(minutes=2)),
            SearchRecord("answer", "best pie recipe", "en", 0, 1.0, answered=False, created_at=now),
            SearchRecord("search", "old query", "en", 0, 1.0, created_at=now - timedelta(days=40)),
        ]
    )
    storage.add_feedback("auto-renewal", "fr", False, comment="l'étape 3 manque", created_at=now)
    storage.add_feedback("auto-renewal", "fr", False, created_at=now - timedelta(days=40))
    storage.close()
    return {"KB_DATABASE_URL": f"sqlite:///{tmp_path / 'kb.sqlite3'}", "KB_INDEX_DIR": str(index_dir)}


def report(database: dict[str, str], *args: str) -> dict:
    result = kb("report", "--format", "json", *args, env=database)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_report_json_lists_what_was_not_found(database: dict[str, str]) -> None:
    data = report(database)
    no_result = {(q["locale"], q["query"]): q["count"] for q in data["no_result_queries"]}
    assert no_result == {("fr", "xylophone"): 2, ("en", "best pie recipe"): 1, ("en", "old query"): 1}
    top_fr = [(q["query"], q["count"]) for q in data["top_queries"] if q["locale"] == "fr"]
    assert top_fr == [("xylophone", 2), ("remboursement", 1)]  # keystrokes "rem", "rembour" collapsed
    assert [q["query"] for q in data["unanswered_questions"]] == ["best pie recipe"]
    assert data["not_helpful_articles"][0]["not_helpful"] == 2


def test_since_accepts_durations_and_iso_dates(database: dict[str, str]) -> None:
    recent = report(database, "--since", "7d")
    assert "old query" not in {q["query"] for q in recent["no_result_queries"]}
    assert recent["not_helpful_articles"][0]["not_helpful"] == 1
    since = (utc_now() - timedelta(days=2)).date().isoformat()
    assert report(database, "--since", since)["totals"] == recent["totals"]
    assert report(database, "--since", "2000-01-01T00:00Z")["totals"]["searches"] == 4


def test_locale_and_limit(database: dict[str, str]) -> None:
    french = report(database, "--locale", "fr-FR")
    assert french["locale"] == "fr"
    assert {q["locale"] for q in french["top_queries"]} == {"fr"}
    assert len(report(database, "--limit", "1")["top_queries"]) == 2  # one per locale


def test_table_format_is_readable(database: dict[str, str]) -> None:
    result = kb("report", "--since", "7d", env=database)
    assert result.returncode == 0, result.stderr
    assert "== fr ==" in result.stdout and "Queries with no result" in result.stdout
    assert "xylophone" in result.stdout and "l'étape 3 manque" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "yesterday"], "--since"),
        (["--locale", "../../etc"], "--locale"),
        (["--format", "xml"], "--format"),
        (["--limit", "0"], "--limit"),
    ],
)
def test_bad_arguments_exit_2_with_the_option_named(database: dict[str, str], args: list[str], message: str) -> None:
    result = kb("report", *args, env=database)
    assert result.returncode == 2
    assert message in result.stderr


def test_report_json_is_what_the_api_returns(database: dict[str, str], index_dir: Path, tmp_path: Path) -> None:
    cli = report(database, "--since", "7d", "--locale", "fr")
    settings = make_settings(index_dir, tmp_path, admin_token=TOKEN)
    with TestClient(create_app(settings)) as app:
        api = app.get(
            "/v1/admin/report",
            params={"since": "7d", "locale": "fr"},
            headers={"Authorization": f"Bearer {TOKEN}"},
        ).json()
    for data in (cli, api):
        data.pop("generated_at")
        data.pop("since")  # "7 days before now": a few milliseconds apart
    assert cli == api


def test_purge_deletes_what_is_older_than_the_retention(database: dict[str, str]) -> None:
    result = kb("purge", "--older-than-days", "30", env=database)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "deleted 1 search-log and 1 feedback record(s) older than 30 day(s)"
    assert "old query" not in {q["query"] for q in report(database)["no_result_queries"]}
    again = kb("purge", "--older-than-days", "30", env=database)
    assert "deleted 0 search-log and 0 feedback" in again.stdout


def test_purge_defaults_to_kb_log_retention_days(database: dict[str, str]) -> None:
    kept = kb("purge", env={**database, "KB_LOG_RETENTION_DAYS": "90"})
    assert kept.returncode == 0 and "deleted 0 search-log" in kept.stdout and "90 day(s)" in kept.stdout
    purged = kb("purge", env={**database, "KB_LOG_RETENTION_DAYS": "1"})
    assert "deleted 1 search-log and 1 feedback record(s) older than 1 day(s)" in purged.stdout


def test_a_database_that_cannot_be_opened_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = kb("report", env={"KB_DATABASE_URL": f"sqlite:///{blocker / 'kb.sqlite3'}"})
    assert result.returncode == 1
    assert "cannot open the database" in result.stderr
