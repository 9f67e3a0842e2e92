"""Shared fixtures: an index built once from the repository's real content, the knowledge base
over it, and the real FastAPI app (in-process) with its own temporary storage, upgraded by the
migrations as `kb db upgrade` leaves it (servers never create tables)."""

from __future__ import annotations

import functools
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kb import migrate
from kb.config import Settings
from kb.content import load_content
from kb.indexing import build_index
from kb.service import KnowledgeBase
from kb.storage import Storage, metadata

from . import redis_server
from .helpers import ROOT
from .postgres_server import ENV_URL, ThrowawayPostgres, unavailable_reason

CONTENT_DIR = ROOT / "content"


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the shipped content, built once per test session."""
    path = tmp_path_factory.mktemp("index")
    build_index(load_content(CONTENT_DIR), path)
    return path


@pytest.fixture(scope="session")
def knowledge_base(index_dir: Path) -> KnowledgeBase:
    return KnowledgeBase(index_dir, cache_size=0)


@functools.cache
def _upgraded_sqlite_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "kb.sqlite3"
        with Storage(f"sqlite:///{path}") as store:
            migrate.upgrade(store)
        return path.read_bytes()  # the engine is closed: WAL checkpointed into the file


def upgraded_sqlite(path: Path) -> str:
    """The URL of the SQLite database at ``path``, made there first at the newest revision (as
    `kb db upgrade` leaves it) unless it exists: a copy of one upgraded once per session, since
    upgrading takes ~0.1 s."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_upgraded_sqlite_bytes())
    return f"sqlite:///{path}"


def clear_of_a_minute_boundary() -> None:
    """The rate limit's memory:// counts in windows aligned on the minute: a test that must see
    exactly N requests pass starts clear of a window change (Redis windows start at a client's
    first request, so tests on Redis need no such care)."""
    into = time.time() % 60
    if into > 50:
        time.sleep(60.2 - into)


def drop_all_tables(store: Storage) -> None:
    """Remove our tables and the migration history (a reused PostgreSQL database)."""
    metadata.drop_all(store.engine)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


def make_settings(index_dir: Path, tmp_path: Path, **overrides: object) -> Settings:
    """Settings over the test index and, unless ``database_url`` is given, a new upgraded
    SQLite database ``tmp_path / "kb.sqlite3"``."""
    values: dict[str, object] = {
        "index_dir": index_dir,
        "content_dir": CONTENT_DIR,
        "channels_file": tmp_path / "no-channels.yaml",
        "rate_limit_per_minute": 0,
        "access_log": False,
    }
    values.update(overrides)
    if "database_url" not in values:
        values["database_url"] = upgraded_sqlite(tmp_path / "kb.sqlite3")
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def client(index_dir: Path, tmp_path: Path) -> Iterator[TestClient]:
    """The real app over the shipped content (lifespan run), one per test."""
    with TestClient(create_app(make_settings(index_dir, tmp_path)), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL database for the storage tests: ``KB_TEST_POSTGRES_URL`` when set, otherwise a
    throwaway server started for this test session (see tests/postgres_server.py)."""
    given = os.environ.get(ENV_URL)
    if given:
        yield given
        return
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    server = ThrowawayPostgres.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    """A fresh, empty storage at the newest revision, once on a new SQLite file and once on a
    PostgreSQL database emptied of our tables."""
    postgres = request.param == "postgres"
    url = request.getfixturevalue("postgres_url") if postgres else f"sqlite:///{tmp_path}/nested/dir/kb.sqlite3"
    store = Storage(url)
    if postgres:
        drop_all_tables(store)
    migrate.upgrade(store)
    yield store
    if postgres:
        drop_all_tables(store)
    store.close()


@pytest.fixture(scope="session")
def redis_server_url() -> Iterator[str]:
    """A Redis server for the shared rate limit: ``KB_TEST_REDIS_URL`` (``async+redis://…``) when
    set, otherwise a throwaway ``redis-server`` started for this test session."""
    given = os.environ.get(redis_server.ENV_URL)
    if given:
        yield given
        return
    reason = redis_server.unavailable_reason()
    if reason:
        pytest.skip(reason)
    server = redis_server.ThrowawayRedis.start_new()
    try:
        yield server.url
    finally:
        server.remove()


@pytest.fixture
def redis_url(redis_server_url: str) -> str:
    """That Redis server, emptied for this test."""
    redis_server.flush(redis_server_url)
    return redis_server_url
