"""Readiness that tells the truth: the storage check fails while every write fails (even though
the database still answers a read), and recovers with the first write that succeeds; a damaged
index never stops the app, which serves the newest generation that verifies, or answers 503
``index_unavailable`` with ``/healthz`` up when none does."""

from __future__ import annotations

import shutil
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from kb.content import load_content
from kb.generations import current_generation_path
from kb.indexing import build_index

from .conftest import CONTENT_DIR, make_settings
from .test_generations import flip_byte, segment

HANG = 60.0  # seconds: a guard against a hang, not a timing assertion
VOTE = {"article_id": "auto-renewal", "locale": "fr", "helpful": True}


def refuse_writes(database: Path, table: str) -> None:
    """Every insert into ``table`` fails from now on, as on a full disk; reads still work."""
    with sqlite3.connect(database) as conn:
        conn.execute(
            f"CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        )


def accept_writes(database: Path, table: str) -> None:
    with sqlite3.connect(database) as conn:
        conn.execute(f"DROP TRIGGER refuse_{table}")


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + HANG
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def storage_check(client: TestClient) -> tuple[int, str]:
    ready = client.get("/readyz")
    return ready.status_code, ready.json()["checks"]["storage"]


def test_storage_is_failing_while_feedback_writes_fail(index_dir: Path, tmp_path: Path) -> None:
    database = tmp_path / "kb.sqlite3"
    with TestClient(create_app(make_settings(index_dir, tmp_path))) as client:
        assert client.post("/v1/feedback", json=VOTE).status_code == 201
        assert storage_check(client) == (200, "ok")
        refuse_writes(database, "feedback")
        refused = client.post("/v1/feedback", json=VOTE)
        assert refused.status_code == 503 and refused.json()["error"]["code"] == "storage_unavailable"
        assert storage_check(client) == (503, "failing")
        accept_writes(database, "feedback")
        assert storage_check(client) == (503, "failing")  # nothing written since the failure
        assert client.post("/v1/feedback", json=VOTE).status_code == 201
        assert storage_check(client) == (200, "ok")


def test_storage_is_failing_while_search_log_writes_fail(index_dir: Path, tmp_path: Path) -> None:
    database = tmp_path / "kb.sqlite3"
    with TestClient(create_app(make_settings(index_dir, tmp_path))) as client:
        refuse_writes(database, "search_log")
        assert client.get("/v1/search", params={"q": "refund"}).status_code == 200  # searches never wait
        wait_for(lambda: storage_check(client) == (503, "failing"), "the failed batch to show in /readyz")
        accept_writes(database, "search_log")
        assert client.get("/v1/search", params={"q": "remboursement"}).status_code == 200
        wait_for(lambda: storage_check(client) == (200, "ok"), "the next batch to clear the failure")


def test_a_damaged_current_generation_never_stops_the_app(index_dir: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    shutil.copytree(index_dir, index, symlinks=True)
    previous = current_generation_path(index)
    assert previous is not None
    damaged = Path(build_index(load_content(CONTENT_DIR), index).path)
    flip_byte(segment(damaged))
    with TestClient(create_app(make_settings(index, tmp_path))) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["generation"] == previous.name
        search = client.get("/v1/search", params={"q": "remboursement"})
        assert search.status_code == 200 and search.json()["generation"] == previous.name


def test_with_no_generation_that_verifies_healthz_stays_up_and_routes_say_index_unavailable(
    index_dir: Path, tmp_path: Path
) -> None:
    index = tmp_path / "index"
    shutil.copytree(index_dir, index, symlinks=True)
    damaged = current_generation_path(index)
    assert damaged is not None
    flip_byte(segment(damaged))
    with TestClient(create_app(make_settings(index, tmp_path))) as client:
        assert client.get("/healthz").status_code == 200
        ready = client.get("/readyz")
        assert ready.status_code == 503 and ready.json()["checks"]["index"] == "unavailable"
        for path, params in (("/v1/search", {"q": "refund"}), ("/v1/answer", {"q": "refund"}), ("/v1/articles", {})):
            response = client.get(path, params=params)
            assert response.status_code == 503, path
            assert response.json()["error"]["code"] == "index_unavailable", path
