"""kb.storage on a real SQLite file and on a real PostgreSQL server (see the ``postgres_url`` fixture)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from kb import migrate
from kb.storage import QUERY_MAX, SearchRecord, Storage, feedback, search_log

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

def rows(store: Storage, table: sa.Table) -> list[dict[str, Any]]:
    with store.connect() as conn:
        result = conn.execute(sa.select(table).order_by(table.c.id))
        return [dict(row) for row in result.mappings()]


def record(query: str = "remboursement", **fields: Any) -> SearchRecord:
    values: dict[str, Any] = {
        "kind": "search",
        "query_normalized": query,
        "locale": "fr",
        "result_count": 3,
        "latency_ms": 1.25,
        "created_at": T0,
    }
    values.update(fields)
    return SearchRecord(**values)


def test_sqlite_file_folders_wal_full_sync_and_busy_timeout(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "kb.sqlite3"
    with Storage(f"sqlite:///{path}", busy_timeout_ms=1234) as store:
        migrate.upgrade(store)
        assert path.exists()
        with store.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 1234
            # FULL (2): an acknowledged vote survives a power loss, not only a killed process.
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2


def test_in_memory_sqlite_works_across_threads() -> None:
    with Storage("sqlite://") as store:
        migrate.upgrade(store)
        store.log_searches([record()])
        assert store.count("search_log") == 1


def test_schema_has_no_client_identifiers(storage: Storage) -> None:
    inspector = sa.inspect(storage.engine)
    assert {c["name"] for c in inspector.get_columns("feedback")} == {
        "id",
        "created_at",
        "article_id",
        "locale",
        "helpful",
        "query",
        "comment",
        "session_id",
    }
    assert {c["name"] for c in inspector.get_columns("search_log")} == {
        "id",
        "created_at",
        "kind",
        "query_normalized",
        "locale",
        "intent",
        "result_count",
        "top_article",
        "answered",
        "latency_ms",
        "session_id",
        "fallback_locale",
    }


def test_feedback_is_scrubbed_and_read_back(storage: Storage) -> None:
    first = storage.add_feedback(
        "refund-policy",
        "fr",
        False,
        query="rembourser jean@example.com",
        comment="rappelez-moi au 06 12 34 56 78, carte 4111 1111 1111 1111",
        created_at=T0,
    )
    second = storage.add_feedback("auto-renewal", "en", True, session_id="3f6c1b1e8a2d4c55")
    assert second > first > 0
    stored = rows(storage, feedback)
    assert stored[0]["query"] == "rembourser [email]"
    assert stored[0]["comment"] == "rappelez-moi au [phone], carte [card]"
    assert stored[0]["helpful"] is False and stored[1]["helpful"] is True
    assert stored[0]["created_at"] == T0 and stored[0]["created_at"].tzinfo is not None
    assert stored[1]["query"] is None and stored[1]["comment"] is None
    assert stored[0]["session_id"] is None and stored[1]["session_id"] == "3f6c1b1e8a2d4c55"


def test_log_searches_inserts_a_batch_with_every_field(storage: Storage) -> None:
    batch = [
        record(
            f"requête {i} clé ABCDE-12345-FGHIJ-67890-KLMNO", created_at=T0 + timedelta(seconds=i)
        )
        for i in range(500)
    ]
    batch.append(
        record(
            "how do i get my money back",
            kind="answer",
            locale="en",
            intent="refund",
            result_count=0,
            top_article="refund-policy",
            answered=False,
            latency_ms=12.5,
            session_id="3f6c1b1e8a2d4c55",
            fallback_locale="fr",
        )
    )
    assert storage.log_searches(batch) == 501
    assert storage.log_searches([]) == 0
    stored = rows(storage, search_log)
    assert len(stored) == 501
    assert stored[7]["query_normalized"] == "requête 7 clé [key]"
    assert stored[7]["created_at"] == T0 + timedelta(seconds=7)
    assert stored[7]["answered"] is None and stored[7]["session_id"] is None
    last = stored[-1]
    assert {k: last[k] for k in ("kind", "locale", "intent", "result_count", "top_article")} == {
        "kind": "answer",
        "locale": "en",
        "intent": "refund",
        "result_count": 0,
        "top_article": "refund-policy",
    }
    assert last["answered"] is False and last["latency_ms"] == pytest.approx(12.5)
    assert last["session_id"] == "3f6c1b1e8a2d4c55" and last["fallback_locale"] == "fr"


def test_long_text_is_scrubbed_then_cut(storage: Storage) -> None:
    query = "x" * (QUERY_MAX - 5) + " jean@example.com"
    storage.log_searches([record(query)])
    stored = rows(storage, search_log)[0]["query_normalized"]
    assert len(stored) == QUERY_MAX and "@" not in stored


def test_timestamps_are_utc_whatever_the_input_zone(storage: Storage) -> None:
    paris = timezone(timedelta(hours=1))
    storage.log_searches(
        [
            record("naive", created_at=datetime(2025, 3, 1, 12, 0)),  # naive means UTC
            record("paris", created_at=datetime(2025, 3, 1, 13, 0, tzinfo=paris)),
        ]
    )
    assert [r["created_at"] for r in rows(storage, search_log)] == [T0, T0]


def test_purge_deletes_only_old_rows(storage: Storage) -> None:
    now = T0 + timedelta(days=100)
    storage.log_searches(
        [record("old", created_at=T0), record("recent", created_at=now - timedelta(days=10))]
    )
    storage.add_feedback("refund-policy", "fr", True, created_at=T0)
    storage.add_feedback("refund-policy", "fr", True, created_at=now - timedelta(days=89))
    assert storage.purge(90, now=now) == {"feedback": 1, "search_log": 1}
    assert [r["query_normalized"] for r in rows(storage, search_log)] == ["recent"]
    assert storage.count("feedback") == 1
    assert storage.purge(90, now=now) == {"feedback": 0, "search_log": 0}
    with pytest.raises(ValueError, match="must not be negative"):
        storage.purge(-1)


def test_ping(storage: Storage, tmp_path: Path) -> None:
    assert storage.ping() is True
    with Storage(f"sqlite:///{tmp_path}") as broken:  # a folder is not a database file
        assert broken.ping() is False


def test_search_record_refuses_unknown_kind() -> None:
    with pytest.raises(ValueError, match="kind"):
        record(kind="browse")
    with pytest.raises(ValueError, match="result_count"):
        record(result_count=-1)


def test_default_timestamp_is_now_in_utc() -> None:
    before = datetime.now(UTC)
    rec = SearchRecord("search", "q", "en", 0, 0.1)
    assert before <= rec.created_at <= datetime.now(UTC)
