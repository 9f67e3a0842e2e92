"""scripts/serve's launcher: the banner says the address uvicorn really uses, and warns when
several workers would each count the rate limit in their own memory."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from api.launcher import banner, listen_address, uvicorn_options
from kb.config import Settings

from .conftest import ROOT, upgraded_sqlite
from .helpers import free_port, wait_for


@pytest.mark.parametrize(
    ("args", "env", "address"),
    [
        (["--port", "8133"], {}, "http://127.0.0.1:8133"),
        (["--host", "0.0.0.0", "--port=9001"], {}, "http://0.0.0.0:9001"),
        (["--host", "::1"], {}, "http://[::1]:8000"),
        ([], {"UVICORN_PORT": "8201"}, "http://127.0.0.1:8201"),
        (["--port", "8133", "--port", "8134"], {}, "http://127.0.0.1:8134"),  # the last one wins, as in uvicorn
        (["--uds", "/run/kb.sock"], {}, "unix socket /run/kb.sock"),
    ],
)
def test_the_address_is_the_one_uvicorn_parses(
    args: list[str], env: dict[str, str], address: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert listen_address(uvicorn_options(["api.app:app", *args])) == address


def test_several_workers_on_memory_storage_are_warned_about(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "/tmp/metrics")
    params = uvicorn_options(["api.app:app", "--workers", "3"])
    lines = banner(params, Settings(rate_limit_per_minute=100))
    assert any("3 workers count the rate limit each in its own memory" in line and "3 × 100" in line for line in lines)
    shared = Settings(rate_limit_per_minute=100, rate_limit_storage="async+redis://127.0.0.1:6379/0")
    assert not any("warning" in line for line in banner(params, shared))
    assert not any("warning" in line for line in banner(uvicorn_options(["api.app:app"]), Settings()))
    monkeypatch.setenv("WEB_CONCURRENCY", "2")
    assert any("2 workers count" in line for line in banner(uvicorn_options(["api.app:app"]), Settings()))


def test_the_banner_matches_the_server_that_answers(index_dir: Path, tmp_path: Path) -> None:
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("KB_", "UVICORN_", "PROMETHEUS_"))},
        "KB_INDEX_DIR": str(index_dir),
        "KB_DATABASE_URL": upgraded_sqlite(tmp_path / "kb.sqlite3"),
        "KB_ACCESS_LOG": "false",
        "KB_RATE_LIMIT_PER_MINUTE": "0",
    }
    command = [sys.executable, "-m", "api.launcher", "api.app:app", "--port", "1", "--port", str(port)]
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        first = proc.stdout.readline() if proc.stdout else ""
        assert first.startswith(f"==> serving on http://127.0.0.1:{port} "), first

        def alive() -> bool:
            assert proc.poll() is None, "the server stopped"
            try:
                return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
            except httpx.TransportError:
                return False

        wait_for(alive, "the server to start")
    finally:
        proc.terminate()
        output = proc.communicate(timeout=30)[0]
    assert re.search(rf"Uvicorn running on http://127\.0\.0\.1:{port}\b", output), output


def test_a_bad_setting_stops_the_launcher_with_a_clear_message() -> None:
    env = {**os.environ, "KB_RATE_LIMIT_STORAGE": "redis://127.0.0.1:6379"}
    done = subprocess.run([sys.executable, "-m", "api.launcher", "api.app:app"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "KB_RATE_LIMIT_STORAGE must be memory:// or async+redis://" in done.stderr
    assert "Traceback" not in done.stderr
