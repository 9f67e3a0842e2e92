"""Shared fixtures: an index built once from the repository's real content, the knowledge base
over it, and the real FastAPI app (in-process) with its own temporary storage."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kb.config import Settings
from kb.content import load_content
from kb.indexing import build_index
from kb.service import KnowledgeBase
from kb.storage import Storage, metadata

from .postgres_server import ENV_URL, ThrowawayPostgres, unavailable_reason

ROOT = Path(__file__).resolve().parents[1]
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


def make_settings(index_dir: Path, tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "index_dir": index_dir,
        "content_dir": CONTENT_DIR,
        "database_url": f"sqlite:///{tmp_path / 'kb.sqlite3'}",
        "channels_file": tmp_path / "no-channels.yaml",
        "rate_limit_per_minute": 0,
        "access_log": False,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture()
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
    """A fresh, empty storage, once on a new SQLite file and once on emptied PostgreSQL tables."""
    postgres = request.param == "postgres"
    url = request.getfixturevalue("postgres_url") if postgres else f"sqlite:///{tmp_path}/nested/dir/kb.sqlite3"
    store = Storage(url)
    if postgres:
        metadata.drop_all(store.engine)
    store.create_schema()
    yield store
    if postgres:
        metadata.drop_all(store.engine)
    store.close()
