"""Readiness recovers on a real server: a worker started before any index was built turns ready
by itself once `kb reindex` made one, with nothing but `/readyz` asked (a replica gated on
`/readyz` joins the rotation without any API request reaching it first)."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from ..helpers import free_port
from .test_ops_server import ROOT, Workspace, wait_for

pytestmark = pytest.mark.slow


def test_a_server_started_without_an_index_turns_ready_after_kb_reindex(tmp_path) -> None:  # type: ignore[no-untyped-def]
    space = Workspace(tmp_path)
    upgraded = space.kb("db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "uvicorn.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "api.app:app", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT, env=space.env(KB_INDEX_CHECK_SECONDS="0.2"), stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        def healthy() -> bool:
            assert proc.poll() is None, log.read_text(errors="replace")
            try:
                return httpx.get(url + "/healthz", timeout=5).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(healthy, "the server to answer /healthz")
        ready = httpx.get(url + "/readyz", timeout=10)
        assert ready.status_code == 503 and ready.json()["checks"]["index"] == "unavailable"
        built = space.kb("reindex", "--quiet")
        assert built.returncode == 0, built.stderr
        wait_for(lambda: httpx.get(url + "/readyz", timeout=10).status_code == 200, "/readyz to turn ready")
        assert httpx.get(url + "/readyz", timeout=10).json()["checks"] == {"index": "ok", "storage": "ok"}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
