"""The server enforces the retention by itself: rows older than KB_LOG_RETENTION_DAYS go at start
(and every KB_PURGE_INTERVAL_HOURS), unless the interval is 0."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from kb.storage import SearchRecord, Storage, utc_now

from .conftest import make_settings, upgraded_sqlite
from .helpers import wait_for


def seed(database: Path) -> None:
    now = utc_now()
    with Storage(upgraded_sqlite(database)) as store:
        store.log_searches([
            SearchRecord("search", "old question", "fr", 0, 1.0, created_at=now - timedelta(days=45)),
            SearchRecord("search", "recent question", "fr", 0, 1.0, created_at=now - timedelta(days=5)),
        ])
        store.add_feedback("refund-policy", "fr", False, created_at=now - timedelta(days=45))
        store.add_feedback("refund-policy", "fr", True, created_at=now - timedelta(days=5))


def counts(database: Path) -> tuple[int, int]:
    with Storage(f"sqlite:///{database}") as store:
        return store.count("search_log"), store.count("feedback")


def test_old_rows_are_purged_when_the_server_starts(index_dir: Path, tmp_path: Path) -> None:
    seed(tmp_path / "kb.sqlite3")
    settings = make_settings(index_dir, tmp_path, log_retention_days=30)
    with TestClient(create_app(settings)):
        database = tmp_path / "kb.sqlite3"
        wait_for(lambda: counts(database) == (1, 1), lambda: f"the purge (rows left: {counts(database)})")
    with Storage(f"sqlite:///{tmp_path / 'kb.sqlite3'}") as store, store.connect() as conn:
        assert conn.exec_driver_sql("SELECT query_normalized FROM search_log").scalars().all() == ["recent question"]


def test_an_interval_of_zero_leaves_purging_to_kb_purge(index_dir: Path, tmp_path: Path) -> None:
    seed(tmp_path / "kb.sqlite3")
    settings = make_settings(index_dir, tmp_path, log_retention_days=30, purge_interval_hours=0)
    with TestClient(create_app(settings)) as client:
        # a request makes sure the lifespan has run to its end before looking
        assert client.get("/readyz").status_code == 200
    assert counts(tmp_path / "kb.sqlite3") == (2, 2)
