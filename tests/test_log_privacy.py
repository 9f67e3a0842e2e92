"""No personal data and no password in what the server and `kb` write: the access line, the
app's event lines, uvicorn's loggers, `/readyz`, the CLI's errors, and the password helper."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from api.app import create_app
from api.logs import ScrubFilter, scrub_log_text
from kb.config import Settings
from kb.redaction import redact_text, redact_url

from .conftest import ROOT, make_settings
from .test_cli_ops import kb

PASSWORD = "s3cret-Pa55word"
EMAIL = "jeanne.martin@example.com"
CARD = "4111 1111 1111 1111"
PHONE = "+33 6 12 34 56 78"
KEY = "AB1CD-2EF3G-H4IJ5-KL6MN-7OP8Q"

REDACTED_URLS = [
    ("postgresql+psycopg://kb:change-this@db/kb", "postgresql+psycopg://kb:***@db/kb"),
    ("postgresql://kb:p%40ss@db.internal:5432/kb?sslmode=require", "postgresql://kb:***@db.internal:5432/kb?sslmode=require"),
    ("redis://:hunter22@cache:6379/0", "redis://:***@cache:6379/0"),
    ("rediss://default:hunter22@cache.example.com:6380", "rediss://default:***@cache.example.com:6380"),
    ("postgresql://kb:p@ss/word@db/kb", "postgresql://kb:***@db/kb"),  # unescaped: hidden whole
    ("postgresql://db/kb?user=kb&password=hunter22", "postgresql://db/kb?user=kb&password=***"),
    ("kb:hunter22@db", "kb:***@db"),  # no scheme at all
    ("sqlite:///var/kb.sqlite3", "sqlite:///var/kb.sqlite3"),
    ("redis://cache:6379/0", "redis://cache:6379/0"),
    ("postgresql://kb@db/kb", "postgresql://kb@db/kb"),  # no password
    ("", ""),
    ("not a url", "not a url"),
    ("://:@", "://:@"),
]


@pytest.mark.parametrize(("url", "shown"), REDACTED_URLS, ids=[u or "empty" for u, _ in REDACTED_URLS])
def test_redact_url_hides_the_password_of_any_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown


@settings(deadline=None, max_examples=300, derandomize=True)
@given(user=st.text(alphabet=st.characters(blacklist_characters=":@/"), max_size=8),
       password=st.text(alphabet=st.characters(codec="utf-8"), min_size=4, max_size=20)
       .filter(lambda p: "***" not in p),
       tail=st.text(max_size=20))
def test_redact_url_never_raises_and_never_shows_the_password(user: str, password: str, tail: str) -> None:
    url = f"redis://{user}:{password}@host{tail}"
    shown = redact_url(url)
    assert f":{password}@" not in shown
    assert shown.startswith(f"redis://{user}:***@")


def test_redact_text_hides_urls_and_known_passwords_anywhere() -> None:
    url = f"postgresql+psycopg://kb:{PASSWORD}@db:5432/kb"
    message = f"could not connect to {url!r}; password={PASSWORD}; other redis://u:pw99@r/0"
    shown = redact_text(message, url)
    assert PASSWORD not in shown and "pw99" not in shown
    assert "'postgresql+psycopg://kb:***@db:5432/kb'" in shown and "redis://u:***@r/0" in shown


def test_log_text_is_scrubbed_of_personal_data_but_urls_stay_readable() -> None:
    url = f"postgresql+psycopg://kb:{PASSWORD}@db/kb"
    text = scrub_log_text(f"query {PHONE}, {EMAIL}, {CARD}, {KEY} failed on {url}", [url])
    assert text == "query [phone], [email], [card], [key] failed on postgresql+psycopg://kb:***@db/kb"


def test_event_lines_are_json_and_scrubbed(tmp_path: Path, index_dir: Path, capfd: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'kb.sqlite3'}"
    create_app(make_settings(index_dir, tmp_path, database_url=url))
    log = logging.getLogger("api.test")
    try:
        raise ValueError(f"bad input {EMAIL}")
    except ValueError:
        log.exception("search for %s by %s failed", CARD, PHONE)
    line = capfd.readouterr().err.strip().splitlines()[-1]
    entry = json.loads(line)
    assert entry["level"] == "error" and entry["logger"] == "api.test"
    assert entry["message"] == "search for [card] by [phone] failed"
    assert "ValueError: bad input [email]" in entry["error"]
    assert EMAIL not in line and CARD not in line
    operations = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    assert all(f"| `{field}` |" in operations for field in entry)


def test_uvicorn_access_log_is_off_and_its_errors_are_scrubbed(tmp_path: Path, index_dir: Path) -> None:
    create_app(make_settings(index_dir, tmp_path))
    assert logging.getLogger("uvicorn.access").disabled
    record = logging.LogRecord("uvicorn.error", logging.ERROR, __file__, 1, "peer sent %s", (KEY,), None)
    for log_filter in logging.getLogger("uvicorn.error").filters:
        assert isinstance(log_filter, ScrubFilter)
        log_filter.filter(record)
    assert record.getMessage() == "peer sent [key]"


def test_access_line_has_fixed_fields_and_no_personal_data(
    tmp_path: Path, index_dir: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    app = create_app(make_settings(index_dir, tmp_path, access_log=True))
    with TestClient(app, client=("198.51.100.23", 50123)) as client:
        capfd.readouterr()
        response = client.get(
            f"/v1/articles/{EMAIL}",
            params={"locale": "fr", "q": CARD},
            headers={"X-Request-ID": "4111111111111111", "User-Agent": PHONE, "Referer": f"https://x/?{KEY}"},
        )
    assert response.status_code == 404
    assert response.headers["x-request-id"] != "4111111111111111"  # not from a trusted proxy
    lines = [json.loads(line) for line in capfd.readouterr().err.splitlines() if '"request_id"' in line]
    assert len(lines) == 1
    line = lines[0]
    assert set(line) == {"ts", "request_id", "method", "route", "status", "ms"}
    assert line["route"] == "/v1/articles/{article_id}" and line["status"] == 404 and line["method"] == "GET"
    assert line["request_id"] == response.headers["x-request-id"]
    for doc in ("README.md", "docs/operations.md"):  # described field by field
        text = (ROOT / doc).read_text(encoding="utf-8")
        assert all(f"| `{field}` |" in text for field in line), doc


def test_a_trusted_proxys_request_id_is_kept(tmp_path: Path, index_dir: Path) -> None:
    app = create_app(make_settings(index_dir, tmp_path, trusted_proxies=["10.0.0.0/8"]))
    with TestClient(app, client=("10.1.2.3", 40000)) as proxy:
        assert proxy.get("/healthz", headers={"X-Request-ID": "lb-7f3a"}).headers["x-request-id"] == "lb-7f3a"
        assert proxy.get("/healthz", headers={"X-Request-ID": "bad id\n"}).headers["x-request-id"] != "bad id"
    with TestClient(app, client=("192.0.2.9", 40000)) as direct:
        assert direct.get("/healthz", headers={"X-Request-ID": "lb-7f3a"}).headers["x-request-id"] != "lb-7f3a"


@pytest.mark.parametrize(
    ("url", "outcome"),
    [
        (f"postgresql+nosuchdriver://kb:{PASSWORD}@127.0.0.1:1/kb", "unavailable"),
        (f"postgresql+psycopg://kb:{PASSWORD}@127.0.0.1:1/kb", "failing"),
    ],
    ids=["missing-driver", "not-answering"],
)
def test_readyz_says_fixed_words_and_logs_the_scrubbed_reason(
    url: str, outcome: str, tmp_path: Path, index_dir: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    with TestClient(create_app(make_settings(index_dir, tmp_path, database_url=url))) as client:
        ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"] == {"index": "ok", "storage": outcome}
    logged = capfd.readouterr().err
    assert PASSWORD not in logged and PASSWORD not in ready.text
    assert "kb:***@127.0.0.1:1/kb" in logged and f"storage check: {outcome}" in logged


def test_readyz_without_an_index_is_unavailable(tmp_path: Path) -> None:
    with TestClient(create_app(make_settings(tmp_path / "none", tmp_path))) as client:
        ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.json()["checks"] == {"index": "unavailable", "storage": "ok"}


def test_readyz_never_shows_paths_or_exception_text(tmp_path: Path, index_dir: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the database folder should be", encoding="utf-8")
    database = f"sqlite:///{blocker / 'kb.sqlite3'}"
    with TestClient(create_app(make_settings(index_dir, tmp_path, database_url=database))) as client:
        ready = client.get("/readyz")
    assert ready.json()["checks"]["storage"] == "unavailable"
    assert str(tmp_path) not in ready.text and "Error" not in ready.text


def test_kb_cli_never_prints_the_database_password() -> None:
    result = kb("report", env={"KB_DATABASE_URL": f"postgresql+psycopg://kb:{PASSWORD}@127.0.0.1:1/kb"})
    assert result.returncode == 1
    assert "cannot open the database 'postgresql+psycopg://kb:***@127.0.0.1:1/kb'" in result.stderr
    assert PASSWORD not in result.stdout + result.stderr


def test_a_refused_setting_is_not_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KB_ADMIN_TOKEN", "short-Secret7")
    with pytest.raises(ValueError, match="KB_ADMIN_TOKEN") as refused:
        Settings()
    assert "short-Secret7" not in str(refused.value) and "KB_ADMIN_TOKEN" in str(refused.value)
