"""kb.search_log.SearchLogWriter against a real SQLite file: batching, overload, shutdown."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from kb import migrate
from kb.search_log import SearchLogWriter
from kb.storage import SearchRecord, Storage, search_log

from .conftest import upgraded_sqlite

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "var" / "kb.sqlite3"


@pytest.fixture
def storage(db_path: Path) -> Iterator[Storage]:
    store = Storage(upgraded_sqlite(db_path), busy_timeout_ms=30_000)
    yield store
    store.close()


def rec(i: int, query: str = "remboursement") -> SearchRecord:
    return SearchRecord(
        "search", f"{query} {i}", "fr", 2, 0.8, created_at=T0 + timedelta(milliseconds=i)
    )


def stored_queries(store: Storage) -> list[str]:
    with store.connect() as conn:
        stmt = sa.select(search_log.c.query_normalized).order_by(search_log.c.id)
        return list(conn.execute(stmt).scalars())


def test_records_are_written_scrubbed_and_readable(storage: Storage) -> None:
    writer = SearchLogWriter(storage, queue_size=1000, batch_size=50, flush_seconds=0.05)
    for i in range(120):
        assert writer.record(rec(i, "écrire à jean@example.com")) is True
    assert writer.flush(timeout=30)
    assert writer.close(timeout=30)
    queries = stored_queries(storage)
    assert queries == [f"écrire à [email] {i}" for i in range(120)]
    assert writer.stats() == {
        "queued": 0,
        "accepted": 120,
        "written": 120,
        "dropped": 0,
        "failed": 0,
    }


def test_a_lone_record_is_written_after_flush_seconds(storage: Storage) -> None:
    with SearchLogWriter(storage, queue_size=10, batch_size=200, flush_seconds=0.05) as writer:
        writer.record(rec(1))
        assert writer.flush(timeout=30)  # a batch far from full still goes out
        assert stored_queries(storage) == ["remboursement 1"]


def test_close_flushes_everything_queued(storage: Storage) -> None:
    # Neither the batch size nor the flush interval is reached: only close() writes them.
    writer = SearchLogWriter(storage, queue_size=5000, batch_size=10_000, flush_seconds=3600)
    for i in range(3000):
        writer.record(rec(i))
    assert writer.close(timeout=60)
    assert len(stored_queries(storage)) == 3000
    assert writer.stats()["written"] == 3000
    assert writer.record(rec(0)) is False  # closed: dropped, not queued
    assert writer.dropped == 1
    assert writer.close() is True  # idempotent


def test_overload_drops_instead_of_blocking(storage: Storage, db_path: Path) -> None:
    """While another connection holds the database's write lock, the writer cannot write: the
    queue fills up and every further record is dropped at once (counted), never waited for."""
    queue_size, batch_size, total = 100, 50, 5000
    blocker = sqlite3.connect(db_path, isolation_level=None)
    try:
        blocker.execute("BEGIN IMMEDIATE")  # the write lock; the writer's insert waits for it
        writer = SearchLogWriter(storage, queue_size=queue_size, batch_size=batch_size)
        accepted = sum(writer.record(rec(i)) for i in range(total))
        stats = writer.stats()
        assert stats["written"] == 0
        assert accepted == stats["accepted"] <= queue_size + batch_size
        assert stats["dropped"] == total - accepted >= total - queue_size - batch_size
        blocker.execute("ROLLBACK")
    finally:
        blocker.close()
    assert writer.close(timeout=60)
    final = writer.stats()
    assert final["written"] == accepted and final["failed"] == 0
    assert len(stored_queries(storage)) == accepted


def test_many_threads_record_concurrently(storage: Storage) -> None:
    writer = SearchLogWriter(storage, queue_size=100_000, batch_size=200, flush_seconds=0.05)

    def hammer(offset: int) -> None:
        for i in range(1000):
            writer.record(rec(offset + i))

    threads = [threading.Thread(target=hammer, args=(n * 1000,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert writer.close(timeout=60)
    assert writer.stats()["written"] == 4000
    assert len(set(stored_queries(storage))) == 4000


def test_writer_survives_a_database_failure(db_path: Path) -> None:
    store = Storage(f"sqlite:///{db_path}")  # not upgraded: inserts fail
    try:
        writer = SearchLogWriter(store, queue_size=100, batch_size=10, flush_seconds=0.05)
        writer.record(rec(1))
        assert writer.flush(timeout=30)
        assert writer.stats()["failed"] == 1
        migrate.upgrade(store)
        writer.record(rec(2))
        assert writer.close(timeout=30)
        assert writer.stats()["written"] == 1
        assert stored_queries(store) == ["remboursement 2"]
    finally:
        store.close()


def test_rejects_nonsense_sizes(storage: Storage) -> None:
    with pytest.raises(ValueError, match="queue_size and batch_size must be >= 1"):
        SearchLogWriter(storage, queue_size=0)
    with pytest.raises(ValueError, match="queue_size and batch_size must be >= 1"):
        SearchLogWriter(storage, queue_size=10, batch_size=0)
