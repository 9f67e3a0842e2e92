"""Admin routes: bearer-token security, the content-gap report and reindex, on the real app."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kb.content import load_content
from kb.indexing import build_index, reindex_lock

from .conftest import CONTENT_DIR, make_settings

TOKEN = "s3cr3t-admin-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ROUTES = [("GET", "/v1/admin/report"), ("POST", "/v1/admin/reindex")]


@pytest.fixture
def own_index(tmp_path: Path) -> Path:
    """An index this test may rebuild (the session index is shared)."""
    path = tmp_path / "index"
    build_index(load_content(CONTENT_DIR), path)
    return path


@pytest.fixture
def admin(own_index: Path, tmp_path: Path) -> Iterator[TestClient]:
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    settings = make_settings(own_index, tmp_path, admin_token=TOKEN, content_dir=content)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_off_when_no_token_is_configured(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path, headers=AUTH)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "admin_disabled"


@pytest.mark.parametrize(("method", "path"), ROUTES)
@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({}, 401, "unauthorized"),
        ({"Authorization": f"Basic {TOKEN}"}, 401, "unauthorized"),
        ({"Authorization": "Bearer"}, 401, "unauthorized"),
        ({"Authorization": "Bearer wrong-token-of-some-length"}, 403, "forbidden"),
        ({"Authorization": f"Bearer {TOKEN}x"}, 403, "forbidden"),
        ({"Authorization": f"Bearer {TOKEN[:-1]}"}, 403, "forbidden"),
    ],
    ids=["none", "basic", "empty", "wrong", "longer", "shorter"],
)
def test_refused_without_the_right_token(
    admin: TestClient, method: str, path: str, headers: dict[str, str], status: int, code: str
) -> None:
    response = admin.request(method, path, headers=headers, params={"since": "not-a-date"})
    assert response.status_code == status  # checked before the parameters: nothing leaks
    assert response.json()["error"]["code"] == code
    if status == 401:
        assert response.headers["www-authenticate"] == "Bearer"


def test_a_placeholder_token_is_refused_at_start(tmp_path: Path, index_dir: Path) -> None:
    with pytest.raises(ValueError, match="KB_ADMIN_TOKEN"):
        make_settings(index_dir, tmp_path, admin_token="changeme")


def test_the_report_shows_what_was_just_searched(admin: TestClient) -> None:
    session = {"X-KB-Session": "visit-42"}
    for typed in ("zyg", "zygomorph", "zygomorphic ferns"):  # keystrokes of one search
        assert admin.get("/v1/search", params={"q": typed, "locale": "en"}, headers=session).status_code == 200
    assert admin.get("/v1/answer", params={"q": "best apple pie recipe", "locale": "en"}).status_code == 200
    vote = {"article_id": "refund-app-store", "locale": "en", "helpful": False, "comment": "Apple said no"}
    assert admin.post("/v1/feedback", json=vote).status_code == 201
    admin.app_state["services"].search_log.flush(timeout=30)

    response = admin.get("/v1/admin/report", headers=AUTH, params={"since": "1h", "locale": "en-GB"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    report = response.json()
    assert report["locale"] == "en"
    no_result = {q["query"]: q["count"] for q in report["no_result_queries"]}
    assert no_result["zygomorphic ferns"] == 1
    assert "zyg" not in no_result and "zygomorph" not in no_result  # keystrokes of one search count once
    assert [q["query"] for q in report["unanswered_questions"]] == ["best apple pie recipe"]
    assert report["not_helpful_articles"] == [
        {"article_id": "refund-app-store", "locale": "en", "helpful": 0, "not_helpful": 1,
         "comments": ["Apple said no"]}
    ]
    assert report["totals"]["feedback"] == 1


def test_report_parameters_are_checked(admin: TestClient) -> None:
    since = admin.get("/v1/admin/report", headers=AUTH, params={"since": "yesterday"})
    assert since.status_code == 422 and since.json()["error"]["field"] == "since"
    too_far = admin.get("/v1/admin/report", headers=AUTH, params={"since": "999999w"})  # before year 1
    assert too_far.status_code == 422 and too_far.json()["error"]["field"] == "since"
    locale = admin.get("/v1/admin/report", headers=AUTH, params={"locale": "../../etc"})
    assert locale.status_code == 422 and locale.json()["error"]["field"] == "locale"
    limit = admin.get("/v1/admin/report", headers=AUTH, params={"limit": 0})
    assert limit.status_code == 422 and limit.json()["error"]["code"] == "invalid_parameter"


def test_reindex_returns_its_summary_and_serves_the_new_generation(admin: TestClient) -> None:
    before = admin.get("/v1/search", params={"q": "refund"}).json()["generation"]
    response = admin.post("/v1/admin/reindex", headers=AUTH)
    assert response.status_code == 200, response.text
    summary = response.json()
    assert set(summary) >= {"generation", "locales", "warnings", "seconds"}
    assert summary["locales"]["fr"]["articles"] == 7 and summary["locales"]["en"]["articles"] == 7
    assert summary["generation"] != before
    assert admin.get("/v1/search", params={"q": "refund"}).json()["generation"] == summary["generation"]


def test_reindex_is_refused_while_another_runs(admin: TestClient, own_index: Path) -> None:
    with reindex_lock(own_index):
        response = admin.post("/v1/admin/reindex", headers=AUTH)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "reindex_in_progress"


def test_two_reindexes_at_once_one_wins(admin: TestClient) -> None:
    statuses: list[int] = []

    def run() -> None:
        statuses.append(admin.post("/v1/admin/reindex", headers=AUTH).status_code)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(set(statuses)) <= [200, 409] and 200 in statuses


def test_invalid_content_lists_the_problems_and_keeps_the_index(admin: TestClient, tmp_path: Path) -> None:
    before = admin.get("/v1/search", params={"q": "refund"}).json()["generation"]
    (tmp_path / "content" / "en" / "auto-renewal.md").write_text("---\nid: auto-renewal\n", encoding="utf-8")
    response = admin.post("/v1/admin/reindex", headers=AUTH)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_content" and error["problems"]
    assert all(set(p) == {"path", "line", "message"} for p in error["problems"])
    assert any("auto-renewal.md" in p["path"] for p in error["problems"])
    assert admin.get("/v1/search", params={"q": "refund"}).json()["generation"] == before


def test_openapi_declares_the_bearer_scheme(admin: TestClient) -> None:
    spec = admin.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["AdminToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "The value of KB_ADMIN_TOKEN.",
    }
    assert "/v1/admin/report" in spec["paths"] and "/v1/feedback" in spec["paths"]
