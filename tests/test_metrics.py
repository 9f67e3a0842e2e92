"""/metrics: Prometheus text, per-route-template request metrics, index, search log, cache; and
prometheus-client's multiprocess mode adding up several processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from api.app import create_app
from api.metrics import forget_dead_workers

from .conftest import ROOT, make_settings
from .helpers import metric_samples, metric_value, wait_for


def test_scrape_is_prometheus_text_and_uncached(client: TestClient) -> None:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    assert response.headers["cache-control"] == "no-store"
    assert metric_samples(response.text)  # parses


def test_requests_are_counted_per_route_template(client: TestClient) -> None:
    client.get("/v1/articles/auto-renewal")
    client.get("/v1/articles/refund-policy")
    client.get("/v1/articles/no-such-article")
    client.get("/no/such/route/123")
    client.get("/v1/search", params={"q": "refund"})
    text = client.get("/metrics").text
    template = "/v1/articles/{article_id}"
    assert metric_value(text, "kb_http_requests_total", method="GET", route=template, status="200") == 2
    assert metric_value(text, "kb_http_requests_total", method="GET", route=template, status="404") == 1
    assert metric_value(text, "kb_http_requests_total", method="GET", route="<unmatched>", status="404") == 1
    assert metric_value(text, "kb_http_request_duration_seconds_count", method="GET", route=template) == 3
    bucket = "kb_http_request_duration_seconds_bucket"
    assert metric_value(text, bucket, method="GET", route="/v1/search", le="+Inf") == 1
    assert "auto-renewal" not in text and "/no/such/route" not in text  # raw paths never become labels


def test_index_generation_and_documents(client: TestClient) -> None:
    generation = client.get("/v1/search", params={"q": "refund"}).json()["generation"]
    text = client.get("/metrics").text
    assert metric_value(text, "kb_index_generation_info", generation=generation) == 1
    assert (metric_value(text, "kb_index_generation_created_timestamp_seconds") or 0) > 1.7e9
    assert metric_value(text, "kb_index_documents", locale="en") == 7
    assert metric_value(text, "kb_index_documents", locale="fr") == 7


def test_search_log_and_query_cache_figures(client: TestClient) -> None:
    for _ in range(3):
        assert client.get("/v1/search", params={"q": "remboursement"}).status_code == 200

    def written() -> str | None:  # the writer thread writes its batch within half a second
        text = client.get("/metrics").text
        return text if metric_value(text, "kb_search_log_written_total") == 3 else None

    text = wait_for(written, "the search log to write 3 records")
    assert metric_value(text, "kb_search_log_written_total") == 3
    assert metric_value(text, "kb_search_log_dropped_total") == 0
    assert metric_value(text, "kb_search_log_queued") == 0
    assert metric_value(text, "kb_query_cache_misses_total") == 1
    assert metric_value(text, "kb_query_cache_hits_total") == 2


def test_refused_requests_are_labelled_with_their_route(index_dir: Path, tmp_path: Path) -> None:
    settings = make_settings(index_dir, tmp_path, rate_limit_per_minute=1, max_body_bytes=1024)
    with TestClient(create_app(settings)) as app:
        app.get("/v1/search", params={"q": "refund"})
        assert app.get("/v1/search", params={"q": "refund"}).status_code == 429
        text = app.get("/metrics").text
    assert metric_value(text, "kb_http_requests_total", method="GET", route="/v1/search", status="429") == 1


MULTIPROCESS_SCRIPT = """
import sys
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from api.app import create_app
from kb.config import Settings
settings = Settings(index_dir=sys.argv[1], database_url=sys.argv[2], rate_limit_per_minute=0, access_log=False)
with TestClient(create_app(settings)) as client:
    for _ in range(int(sys.argv[3])):
        assert client.get("/v1/search", params={"q": "refund"}).status_code == 200
    if sys.argv[4] == "scrape":
        sys.stdout.write(client.get("/metrics").text)
"""


def test_multiprocess_mode_adds_up_the_workers(index_dir: Path, tmp_path: Path) -> None:
    """Three processes sharing PROMETHEUS_MULTIPROC_DIR, as uvicorn workers do: one scrape sees all."""
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    database = f"sqlite:///{tmp_path / 'kb.sqlite3'}"

    def worker(requests: int, mode: str) -> str:
        args = [sys.executable, "-c", MULTIPROCESS_SCRIPT, str(index_dir), database, str(requests), mode]
        done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    worker(5, "quiet")
    worker(7, "quiet")
    text = worker(3, "scrape")
    assert metric_value(text, "kb_http_requests_total", method="GET", route="/v1/search", status="200") == 15
    assert metric_value(text, "kb_http_request_duration_seconds_count", method="GET", route="/v1/search") == 15
    # The per-worker gauges of the two finished workers left with them; the scraping one is there.
    generations = metric_samples(text, "kb_index_generation_info")
    assert len(generations) == 1 and "pid" in generations[0].labels
    assert metric_value(text, "kb_index_documents", locale="fr") == 7


def test_dead_workers_gauges_are_forgotten(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    stale = tmp_path / f"gauge_liveall_{pid}.db"
    stale.write_bytes(b"")
    mine = tmp_path / f"gauge_liveall_{os.getpid()}.db"
    mine.write_bytes(b"")
    counter = tmp_path / f"counter_{pid}.db"
    counter.write_bytes(b"")
    forget_dead_workers(str(tmp_path))
    assert not stale.exists() and mine.exists() and counter.exists()  # counters keep their totals


def test_a_metrics_token_guards_the_scrape(index_dir: Path, tmp_path: Path) -> None:
    token, admin = "scrape-token-0123456789", "admin-token-0123456789"
    with TestClient(create_app(make_settings(index_dir, tmp_path, metrics_token=token, admin_token=admin))) as app:
        missing = app.get("/metrics")
        assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
        assert missing.json()["error"]["code"] == "unauthorized"
        wrong = app.get("/metrics", headers={"Authorization": "Bearer another-token-0123456789"})
        assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "forbidden"
        scraped = app.get("/metrics", headers={"Authorization": f"Bearer {token}"})
        assert scraped.status_code == 200 and "kb_index_documents" in scraped.text
        # each token opens its own door only
        assert app.get("/metrics", headers={"Authorization": f"Bearer {admin}"}).status_code == 403
        assert app.get("/v1/admin/report", headers={"Authorization": f"Bearer {token}"}).status_code == 403


def test_a_short_metrics_token_is_refused_at_start(index_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="KB_METRICS_TOKEN must be a random string"):
        make_settings(index_dir, tmp_path, metrics_token="short")
