"""Alembic migrations (kb.migrate, `kb db`) on a real SQLite file and a real PostgreSQL server.

A database created before migrations existed is built from the exact DDL that release ran
(tests/fixtures/legacy_schema/), filled, upgraded, and every row is compared."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from kb import migrate
from kb.report import build_report
from kb.storage import SearchRecord, Storage, feedback, metadata, search_log

from .conftest import ROOT, drop_all_tables

LEGACY_SCHEMA = Path(__file__).parent / "fixtures" / "legacy_schema"
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
LEGACY_FEEDBACK = ("id", "created_at", "article_id", "locale", "helpful", "query", "comment")


@pytest.fixture(params=["sqlite", "postgres"])
def empty(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    """A database without any table: a new SQLite file, or the test PostgreSQL database emptied."""
    postgres = request.param == "postgres"
    url = request.getfixturevalue("postgres_url") if postgres else f"sqlite:///{tmp_path / 'kb.sqlite3'}"
    store = Storage(url)
    drop_all_tables(store)
    yield store
    drop_all_tables(store)
    store.close()


def create_legacy_tables(store: Storage) -> None:
    """The tables exactly as the release before migrations created them."""
    lines = (LEGACY_SCHEMA / f"{store.dialect}.sql").read_text(encoding="utf-8").splitlines()
    ddl = "\n".join(line for line in lines if not line.startswith("--"))
    with store.engine.begin() as conn:
        for statement in filter(None, (s.strip() for s in ddl.split(";"))):
            conn.exec_driver_sql(statement)


def fill_as_the_old_release_did(store: Storage) -> None:
    """Rows written through the old columns only (a feedback had no session then)."""
    votes = [
        {"created_at": T0, "article_id": "refund-policy", "locale": "fr", "helpful": i % 2 == 0,
         "query": f"rembourser {i}", "comment": "bof" if i % 3 == 0 else None}
        for i in range(7)
    ]
    with store.engine.begin() as conn:
        conn.execute(sa.insert(feedback), votes)  # these columns only: no session_id in the INSERT
    store.log_searches([old_search(i) for i in range(120)])  # the search log has not changed


def old_search(i: int) -> SearchRecord:
    return SearchRecord(
        "search" if i % 4 else "answer",
        f"remboursement {i}",
        "fr" if i % 2 else "en",
        i % 5,
        0.5 + i,
        answered=None if i % 4 else i % 8 == 0,
        session_id=f"visit-{i // 3}" if i % 5 else None,
        fallback_locale="fr" if i % 7 == 0 else None,
        created_at=T0 + timedelta(seconds=i),
    )


def table_rows(store: Storage, table: sa.Table, columns: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    chosen = [table.c[name] for name in columns] if columns else list(table.c)
    with store.connect() as conn:
        return [dict(row) for row in conn.execute(sa.select(*chosen).order_by(table.c.id)).mappings()]


def differences(store: Storage) -> list[Any]:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        found = compare_metadata(context, metadata)
    return [d for d in found if d[0] != "remove_table" or d[1].name != "alembic_version"]


def test_the_newest_revision_is_exactly_the_storage_tables(empty: Storage) -> None:
    before, after = migrate.upgrade(empty)
    assert (before.revision, before.status, before.legacy) == (None, "behind", False)
    assert (after.revision, after.status) == (migrate.head(), "current")
    assert differences(empty) == []


def test_the_first_revision_is_exactly_the_schema_before_migrations(empty: Storage) -> None:
    migrate.upgrade(empty, migrate.BASELINE)
    made_by_migration = {t: sorted(map(repr, sa.inspect(empty.engine).get_columns(t))) for t in metadata.tables}
    indexes = {t: sorted(map(repr, sa.inspect(empty.engine).get_indexes(t))) for t in metadata.tables}
    drop_all_tables(empty)
    create_legacy_tables(empty)
    assert {t: sorted(map(repr, sa.inspect(empty.engine).get_columns(t))) for t in metadata.tables} == made_by_migration
    assert {t: sorted(map(repr, sa.inspect(empty.engine).get_indexes(t))) for t in metadata.tables} == indexes


def test_a_database_of_the_release_before_migrations_upgrades_with_every_row(empty: Storage) -> None:
    create_legacy_tables(empty)
    fill_as_the_old_release_did(empty)
    old_feedback = table_rows(empty, feedback, LEGACY_FEEDBACK)
    old_searches = table_rows(empty, search_log)
    state = migrate.schema_state(empty)
    assert (state.revision, state.status, state.legacy, state.usable) == (None, "behind", True, False)

    before, after = migrate.upgrade(empty)

    assert before.legacy and (after.revision, after.status) == (migrate.head(), "current")
    assert table_rows(empty, feedback, LEGACY_FEEDBACK) == old_feedback
    assert table_rows(empty, search_log) == old_searches
    assert len(old_feedback) == 7 and len(old_searches) == 120
    assert {row["session_id"] for row in table_rows(empty, feedback)} == {None}
    assert differences(empty) == []
    # The upgraded database takes new feedback with its session, and the report reads it all.
    empty.add_feedback("refund-policy", "fr", False, comment="pas clair", session_id="visit-new", created_at=T0)
    assert table_rows(empty, feedback)[-1]["session_id"] == "visit-new"
    votes = build_report(empty, None, None, 20).not_helpful_articles
    assert [(v.article_id, v.locale, v.helpful, v.not_helpful) for v in votes] == [("refund-policy", "fr", 4, 4)]
    assert migrate.upgrade(empty)[0].status == "current"  # again: nothing to do


def test_downgrade_then_upgrade_keeps_the_rows_of_the_older_schema(empty: Storage) -> None:
    migrate.upgrade(empty)
    empty.add_feedback("auto-renewal", "en", True, session_id="visit-1", created_at=T0)
    before, after = migrate.downgrade(empty, migrate.BASELINE)
    assert (before.revision, after.revision, after.status) == (migrate.head(), migrate.BASELINE, "behind")
    assert "session_id" not in {c["name"] for c in sa.inspect(empty.engine).get_columns("feedback")}
    migrate.upgrade(empty)
    assert [(r["article_id"], r["session_id"]) for r in table_rows(empty, feedback)] == [("auto-renewal", None)]
    migrate.downgrade(empty, "base")
    assert not set(sa.inspect(empty.engine).get_table_names()) & set(metadata.tables)


def test_a_revision_from_a_newer_release_is_usable_and_never_downgraded_by_upgrade(empty: Storage) -> None:
    migrate.upgrade(empty)
    with empty.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    state = migrate.schema_state(empty)
    assert (state.status, state.usable) == ("newer", True)
    with pytest.raises(migrate.SchemaError, match="does not know"):
        migrate.upgrade(empty)


def test_some_tables_without_history_are_refused(empty: Storage) -> None:
    create_legacy_tables(empty)
    with empty.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE search_log")
    with pytest.raises(migrate.SchemaError, match="search_log"):
        migrate.schema_state(empty)


def test_an_unknown_revision_is_a_schema_error(empty: Storage) -> None:
    with pytest.raises(migrate.SchemaError, match="nope"):
        migrate.upgrade(empty, "nope")


def kb_db(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("kb")
    env = {**os.environ, "KB_DATABASE_URL": url}
    return subprocess.run([str(exe), "db", *args], capture_output=True, text=True, timeout=120, cwd=ROOT, env=env)


def test_kb_db_commands_on_a_database_of_the_release_before(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kb.sqlite3'}"
    with Storage(url) as store:
        create_legacy_tables(store)
        fill_as_the_old_release_did(store)
    current = kb_db("current", url=url)
    assert current.returncode == 1
    assert "tables of a release before migrations" in current.stdout and "run `kb db upgrade`" in current.stdout
    upgraded = kb_db("upgrade", url=url)
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"stamped the tables of a release before migrations at {migrate.BASELINE}" in upgraded.stdout
    assert f"→ revision {migrate.head()} (the newest)" in upgraded.stdout
    assert kb_db("current", url=url).stdout.strip().endswith(f"revision {migrate.head()} (the newest)")
    assert "nothing to do" in kb_db("upgrade", url=url).stdout
    down = kb_db("downgrade", migrate.BASELINE, url=url)
    assert down.returncode == 0 and f"revision {migrate.BASELINE} (behind {migrate.head()})" in down.stdout
    refused = subprocess.run(
        [str(Path(sys.executable).with_name("kb")), "purge"], capture_output=True, text=True, timeout=120,
        env={**os.environ, "KB_DATABASE_URL": url},
    )
    assert refused.returncode == 1 and "run `kb db upgrade` first" in refused.stderr
    bad = kb_db("downgrade", "nope", url=url)
    assert bad.returncode == 1 and "nope" in bad.stderr and "Traceback" not in bad.stderr
    with Storage(url) as store:
        assert store.count("search_log") == 120 and store.count("feedback") == 7


def test_two_upgrades_at_once_on_postgresql_both_succeed(postgres_url: str) -> None:
    # Replicas whose start-up scripts all run `kb db upgrade`: the advisory lock serializes them.
    with Storage(postgres_url) as store:
        drop_all_tables(store)
    env = {**os.environ, "KB_DATABASE_URL": postgres_url}
    command = [str(Path(sys.executable).with_name("kb")), "db", "upgrade"]
    try:
        runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for _ in range(3)]
        outcomes = [(run.wait(timeout=120), *run.communicate()) for run in runs]
        assert [code for code, _out, _err in outcomes] == [0, 0, 0], outcomes
        assert sum("no tables → revision" in out for _code, out, _err in outcomes) == 1, outcomes
        with Storage(postgres_url) as store:
            assert migrate.schema_state(store).status == "current"
    finally:
        with Storage(postgres_url) as store:
            drop_all_tables(store)
