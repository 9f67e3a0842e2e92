"""Operations against real uvicorn servers (subprocesses): reindex under load with two workers,
feedback across a restart, the search-log queue under overload, the report, admin refusal and
the rate limit, in memory and shared through a real Redis (two workers, one limit; Redis going
away fails open). Nothing here asserts a duration: slow machines only make it slower."""

from __future__ import annotations

import itertools
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from prometheus_client.multiprocess import MultiProcessCollector

from kb.storage import Storage

from ..conftest import clear_of_a_minute_boundary, drop_all_tables
from ..helpers import ROOT, free_port, metric_samples, run_kb, wait_for
from ..redis_server import ThrowawayRedis, unavailable_reason

pytestmark = pytest.mark.slow

TOKEN = "e2e-admin-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
WAIT = 120.0  # seconds: generous on purpose; nothing here is a timing assertion
QUERIES = [
    ("remboursement", "fr"), ("turn off auto renew", "en"), ("rembour", "fr"), ("refudn", "en"),
    ("désactiver le renouvellement", "fr"), ("contact support phone", "en"), ("App Store", None),
    ("fournisseur d'accès", "fr"), ("money back", "en"), ("hotline", None),
]


@dataclass
class Workspace:
    """An index, a database and a metrics folder of one test, and the environment for them."""

    root: Path

    @property
    def database(self) -> Path:
        return self.root / "kb.sqlite3"

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR" and not k.startswith("KB_")}
        env.update(
            KB_CONTENT_DIR=str(ROOT / "content"),
            KB_INDEX_DIR=str(self.root / "index"),
            KB_DATABASE_URL=f"sqlite:///{self.database}",
            KB_CHANNELS_FILE=str(ROOT / "tests" / "e2e" / "channels.yaml"),
            KB_ADMIN_TOKEN=TOKEN,
            KB_RATE_LIMIT_PER_MINUTE="0",
            KB_ACCESS_LOG="false",
        )
        env.update(extra)
        return env

    def kb(self, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return run_kb(*args, env=self.env(**extra))


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    space = Workspace(tmp_path)
    for step in (("reindex", "--quiet"), ("db", "upgrade")):
        done = space.kb(*step)
        assert done.returncode == 0, done.stderr
    return space


class Server:
    """``uvicorn api.app:app`` in a subprocess; ``workers`` > 1 runs prometheus-client's
    multiprocess mode in a fresh, empty folder, as docs/operations.md tells operators to."""

    starts = itertools.count()

    def __init__(self, space: Workspace, workers: int = 1, **env: str):
        self.space, self.workers = space, workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        number = next(self.starts)
        self.log = space.root / f"uvicorn-{number}.log"
        if workers > 1:
            metrics_dir = space.root / f"prometheus-{number}"
            metrics_dir.mkdir()
            env = {"PROMETHEUS_MULTIPROC_DIR": str(metrics_dir), **env}
        command = [sys.executable, "-m", "uvicorn", "api.app:app", "--host", "127.0.0.1", "--port", str(self.port)]
        if workers > 1:
            command += ["--workers", str(workers)]
        with self.log.open("wb") as out:
            # A session of its own: teardown can stop the workers too, even after a failed test.
            self.proc = subprocess.Popen(
                command, cwd=ROOT, env=space.env(**env), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        wait_for(self._ready, f"{self.url} to be ready\n{self.log}")

    def _ready(self) -> bool:
        if self.proc.poll() is not None:
            pytest.fail(f"uvicorn exited with {self.proc.returncode}:\n{self.log.read_text(errors='replace')}")
        try:
            if httpx.get(self.url + "/readyz", timeout=5).status_code != 200:
                return False
            return len(self.worker_generations()) >= self.workers  # every worker answers metrics
        except httpx.HTTPError:
            return False

    def get(self, path: str, **kwargs: object) -> httpx.Response:
        return httpx.get(self.url + path, timeout=30, **kwargs)  # type: ignore[arg-type]

    def post(self, path: str, **kwargs: object) -> httpx.Response:
        return httpx.post(self.url + path, timeout=30, **kwargs)  # type: ignore[arg-type]

    def metrics(self) -> str:
        response = self.get("/metrics")
        assert response.status_code == 200
        return response.text

    def worker_generations(self) -> dict[str, str]:
        """pid (or "" with one worker) → the generation that worker serves."""
        served = metric_samples(self.metrics(), "kb_index_generation_info")
        return {s.labels.get("pid", ""): s.labels["generation"] for s in served if s.value == 1}

    def kill_group(self) -> None:
        """Stop this server's process group (uvicorn and its workers), whatever state it is in."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                continue
            time.sleep(0.5)  # the workers leave after their supervisor

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
                pytest.fail(f"uvicorn did not stop on SIGTERM:\n{self.log.read_text(errors='replace')}")
        log = self.log.read_text(errors="replace")
        assert self.proc.returncode in (0, -signal.SIGTERM), log  # uvicorn re-raises the signal it handled
        assert log.count("Application shutdown complete") == self.workers, log  # every lifespan ran to its end
        assert "Traceback" not in log, log


@pytest.fixture
def start(workspace: Workspace) -> Iterator[Callable[..., Server]]:
    servers: list[Server] = []

    def make(workers: int = 1, **env: str) -> Server:
        servers.append(Server(workspace, workers, **env))
        return servers[-1]

    yield make
    for server in servers:
        server.kill_group()


class Load:
    """Threads searching as fast as they can, each on its own connections, recording every
    failure (a status other than 200, a reset, a timeout) and every generation served."""

    def __init__(self, url: str, threads: int = 6):
        self.url = url
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.ok = 0
        self.failures: list[str] = []
        self.generations: dict[str, int] = {}
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(threads)]

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=WAIT)

    def _run(self, number: int) -> None:
        for batch in itertools.count():
            if self.stop.is_set():
                return
            # A fresh connection now and then, so that the kernel spreads them over the workers.
            with httpx.Client(base_url=self.url, timeout=30) as client:
                for i in range(40):
                    q, locale = QUERIES[(number + batch + i) % len(QUERIES)]
                    params = {"q": q} | ({"locale": locale} if locale else {})
                    try:
                        response = client.get("/v1/search", params=params)
                    except httpx.HTTPError as exc:
                        with self.lock:
                            self.failures.append(f"{q!r}: {exc!r}")
                        continue
                    with self.lock:
                        if response.status_code != 200:
                            self.failures.append(f"{q!r}: {response.status_code} {response.text[:200]}")
                        else:
                            self.ok += 1
                            generation = response.json()["generation"]
                            self.generations[generation] = self.generations.get(generation, 0) + 1
                    if self.stop.is_set():
                        return


def test_reindex_during_load_on_two_workers_fails_no_request(workspace: Workspace, start) -> None:  # type: ignore[no-untyped-def]
    server = start(workers=2)
    first = server.get("/v1/search", params={"q": "refund"}).json()["generation"]
    built: list[str] = []
    with Load(server.url) as load:
        wait_for(lambda: load.ok >= 200, "the load to get going")
        for _ in range(3):
            result = workspace.kb("reindex")
            assert result.returncode == 0, result.stderr
            generation = re.search(r"into generation (\S+)", result.stdout).group(1)  # type: ignore[union-attr]
            built.append(generation)
            wait_for(lambda g=generation: load.generations.get(g, 0) >= 20, f"responses from generation {generation}")
        wait_for(lambda: load.ok >= 2000, "2000 searches")
    print(f"\n{load.ok} searches during {len(built)} reindexes on 2 workers, {len(load.failures)} failed; "
          f"generations served: {load.generations}")
    assert load.failures == []
    assert first not in built and set(built) <= set(load.generations)
    # Each worker switched on its own, without a restart (the gauge carries the worker's pid).
    def both_switched() -> bool:
        served = server.worker_generations()
        return len(served) == 2 and set(served.values()) == {built[-1]}

    wait_for(both_switched, "both workers to serve the last generation")
    # Requests of both workers are added up in one scrape (prometheus-client multiprocess mode).
    expected = 1 + load.ok  # the first search, then the load's
    seen: list[float] = []

    def counted() -> bool:
        seen.append(sum(s.value for s in metric_samples(server.metrics(), "kb_http_requests_total")
                        if s.labels["route"] == "/v1/search" and s.labels["status"] == "200"))
        return seen[-1] == expected

    wait_for(counted, f"/metrics to count {expected} searches", timeout=30)
    server.stop()


def test_feedback_and_the_search_log_survive_a_restart(start) -> None:  # type: ignore[no-untyped-def]
    server = start(workers=2)
    vote = {"article_id": "refund-third-party", "locale": "fr", "helpful": False, "comment": "formulaire introuvable"}
    assert server.post("/v1/feedback", json=vote, headers={"X-KB-Session": "e2e-visit"}).status_code == 201
    assert server.get("/v1/search", params={"q": "quasar nebula", "locale": "en"}).status_code == 200
    server.stop()  # a clean shutdown flushes the search-log queue

    again = start(workers=1)
    report = again.get("/v1/admin/report", headers=AUTH).json()
    assert report["not_helpful_articles"] == [
        {"article_id": "refund-third-party", "locale": "fr", "helpful": 0, "not_helpful": 1,
         "comments": ["formulaire introuvable"]}
    ]
    assert "quasar nebula" in {q["query"] for q in report["no_result_queries"]}
    again.stop()


def test_two_replicas_share_feedback_and_the_search_log_through_postgresql(  # type: ignore[no-untyped-def]
    workspace: Workspace, start, postgres_url: str
) -> None:
    # Two servers as two replicas would run: the same index generation, one PostgreSQL database.
    with Storage(postgres_url) as store:
        drop_all_tables(store)
    upgraded = workspace.kb("db", "upgrade", KB_DATABASE_URL=postgres_url)  # one deploy step for both
    assert upgraded.returncode == 0, upgraded.stderr
    try:
        first, second = start(workers=1, KB_DATABASE_URL=postgres_url), start(workers=1, KB_DATABASE_URL=postgres_url)
        vote = {"article_id": "refund-third-party", "locale": "en", "helpful": False, "comment": "which form?"}
        assert first.post("/v1/feedback", json=vote).status_code == 201
        session = {"X-KB-Session": "e2e-replicas"}
        for typed in ("quas", "quasar nebu", "quasar nebula"):
            assert second.get("/v1/search", params={"q": typed, "locale": "en"}, headers=session).status_code == 200

        def reported_by_the_first() -> dict | None:
            report = first.get("/v1/admin/report", params={"locale": "en"}, headers=AUTH).json()
            return report if "quasar nebula" in {q["query"] for q in report["no_result_queries"]} else None

        report = wait_for(reported_by_the_first, "the first replica to report what the second was asked")
        assert {"quas", "quasar nebu"}.isdisjoint(q["query"] for q in report["no_result_queries"])  # type: ignore[index]
        assert report["not_helpful_articles"] == [  # type: ignore[index]
            {"article_id": "refund-third-party", "locale": "en", "helpful": 0, "not_helpful": 1,
             "comments": ["which form?"]}
        ]
        cli = workspace.kb("report", "--format", "json", "--locale", "en", KB_DATABASE_URL=postgres_url)
        assert cli.returncode == 0, cli.stderr
        assert "quasar nebula" in {q["query"] for q in json.loads(cli.stdout)["no_result_queries"]}
        first.stop()
        second.stop()
    finally:
        with Storage(postgres_url) as store:
            drop_all_tables(store)


def test_the_report_shows_a_zero_result_query_just_made(workspace: Workspace, start) -> None:  # type: ignore[no-untyped-def]
    server = start(workers=2)
    session = {"X-KB-Session": "e2e-report"}
    for typed in ("wom", "wombat", "wombat insurance"):
        assert server.get("/v1/search", params={"q": typed, "locale": "en"}, headers=session).status_code == 200

    def reported() -> dict | None:
        result = workspace.kb("report", "--format", "json", "--since", "1h", "--locale", "en")
        assert result.returncode == 0, result.stderr
        data = json.loads(result.stdout)
        return data if "wombat insurance" in {q["query"] for q in data["no_result_queries"]} else None

    data = wait_for(reported, "`kb report` to show the query")
    assert {"wom", "wombat"}.isdisjoint(q["query"] for q in data["no_result_queries"])  # type: ignore[index]
    table = workspace.kb("report", "--since", "1h")
    assert table.returncode == 0 and "wombat insurance" in table.stdout
    server.stop()


def test_a_full_log_queue_drops_records_and_searches_go_on(workspace: Workspace, start) -> None:  # type: ignore[no-untyped-def]
    server = start(workers=1, KB_LOG_QUEUE_SIZE="1")
    # Hold the database's write lock: the writer thread waits on it while the queue overflows.
    blocker = sqlite3.connect(workspace.database, timeout=30, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    statuses: dict[int, int] = {}
    try:
        def dropped() -> float:
            return sum(s.value for s in metric_samples(server.metrics(), "kb_search_log_dropped_total"))

        def burst() -> bool:
            with httpx.Client(base_url=server.url, timeout=30) as client:
                for i in range(50):
                    q, _locale = QUERIES[i % len(QUERIES)]
                    status = client.get("/v1/search", params={"q": f"{q} {i}"}).status_code
                    statuses[status] = statuses.get(status, 0) + 1
            return dropped() > 0

        wait_for(burst, "the search log to drop records")
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert set(statuses) == {200}, statuses
    print(f"\n{sum(statuses.values())} searches with a locked database and a queue of 1: all 200; "
          f"{dropped():.0f} log records dropped")
    assert server.get("/readyz").status_code == 200
    server.stop()


def test_admin_routes_refuse_without_the_token(start) -> None:  # type: ignore[no-untyped-def]
    server = start(workers=1)
    assert server.get("/v1/admin/report").status_code == 401
    assert server.get("/v1/admin/report").headers["www-authenticate"] == "Bearer"
    assert server.get("/v1/admin/report", headers={"Authorization": "Bearer nope"}).status_code == 403
    assert server.post("/v1/admin/reindex").status_code == 401
    assert server.post("/v1/admin/reindex", headers={"Authorization": "Bearer nope"}).status_code == 403
    reindexed = server.post("/v1/admin/reindex", headers=AUTH)
    assert reindexed.status_code == 200 and reindexed.json()["locales"]["en"]["articles"] == 7
    served = server.get("/v1/search", params={"q": "refund"}).json()["generation"]
    assert served == reindexed.json()["generation"]
    server.stop()
    off = start(workers=1, KB_ADMIN_TOKEN="")
    assert off.get("/v1/admin/report", headers=AUTH).json()["error"]["code"] == "admin_disabled"
    off.stop()


def test_rate_limit_returns_429(start) -> None:  # type: ignore[no-untyped-def]
    server = start(workers=1, KB_RATE_LIMIT_PER_MINUTE="5")
    clear_of_a_minute_boundary()
    with httpx.Client(base_url=server.url, timeout=30) as client:
        statuses = [client.get("/v1/search", params={"q": "refund"}).status_code for _ in range(8)]
        assert statuses == [200] * 5 + [429] * 3
        refused = client.get("/v1/answer", params={"q": "refund"})
        assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"
        assert int(refused.headers["retry-after"]) >= 1
        assert client.get("/healthz").status_code == 200 and client.get("/metrics").status_code == 200
    server.stop()


# -- the rate limit shared through a real Redis server (Debian's redis-server, started by the tests)

SHARED_LIMIT = 20


def served_by_pid(metrics_dir: Path, route: str) -> dict[str, float]:
    """Requests each worker answered on ``route``, from its own prometheus-client file."""
    served: dict[str, float] = {}
    for path in metrics_dir.glob("counter_*.db"):
        pid = path.stem.removeprefix("counter_")
        for family in MultiProcessCollector.merge([str(path)], accumulate=True):
            for sample in family.samples:
                if sample.name == "kb_http_requests_total" and sample.labels.get("route") == route:
                    served[pid] = served.get(pid, 0.0) + sample.value
    return served


def test_two_workers_behind_one_redis_give_a_client_one_limit(  # type: ignore[no-untyped-def]
    workspace: Workspace, start: Callable[..., Server], redis_url: str
) -> None:
    server = start(workers=2, KB_RATE_LIMIT_PER_MINUTE=str(SHARED_LIMIT), KB_RATE_LIMIT_STORAGE=redis_url)
    metrics_dir = next(workspace.root.glob("prometheus-*"))
    codes: list[int] = []
    # A new connection per request: the kernel hands each to either worker. Go on until both
    # workers have answered (a handful of requests in practice), well past the limit.
    while len(codes) < 2 * SHARED_LIMIT or len(served_by_pid(metrics_dir, "/v1/locales")) < 2:
        response = httpx.get(server.url + "/v1/locales", timeout=30)
        assert response.status_code in (200, 429), response.text
        assert response.headers["ratelimit-limit"] == str(SHARED_LIMIT)
        codes.append(response.status_code)
        assert len(codes) < 500, "every request went to one worker"
    assert codes == [200] * SHARED_LIMIT + [429] * (len(codes) - SHARED_LIMIT)
    assert sorted(served_by_pid(metrics_dir, "/v1/locales").values())[0] >= 1  # both workers counted against it
    server.stop()


@pytest.fixture
def own_redis() -> Iterator[ThrowawayRedis]:
    """A Redis server of this test alone, which it can stop and start again on the same port."""
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    server = ThrowawayRedis.start_new()
    yield server
    server.remove()


def test_redis_going_away_fails_open_counted_and_never_a_5xx(  # type: ignore[no-untyped-def]
    start: Callable[..., Server], own_redis: ThrowawayRedis
) -> None:
    server = start(workers=1, KB_RATE_LIMIT_PER_MINUTE="3", KB_RATE_LIMIT_STORAGE=own_redis.url)
    assert server.get("/v1/locales").headers["ratelimit-remaining"] == "2"

    own_redis.stop()
    away = [server.get("/v1/search", params={"q": "refund"}) for _ in range(10)]
    assert [r.status_code for r in away] == [200] * 10  # over the limit of 3, unchecked: no 429, no 5xx
    assert not any("ratelimit-limit" in r.headers for r in away)
    unchecked = metric_samples(server.metrics(), "kb_rate_limit_unchecked_total")
    assert unchecked and unchecked[0].value == 10

    own_redis.start()  # back, and empty: counting starts again
    back = wait_for(lambda: "ratelimit-remaining" in (r := server.get("/v1/locales")).headers and r,
                    "the limit to be checked again")
    assert back.headers["ratelimit-remaining"] == "2"  # type: ignore[attr-defined]
    assert [server.get("/v1/locales").status_code for _ in range(3)] == [200, 200, 429]
    log = server.log.read_text(errors="replace")
    assert "rate limit storage failing" in log and "rate limit storage answers again" in log
    server.stop()
