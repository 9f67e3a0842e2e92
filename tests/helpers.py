"""What many tests share: the `kb` command in a subprocess, waiting for a condition, reading the
Prometheus text of /metrics, a free port for a server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[1]
WAIT_SECONDS = 120.0  # generous on purpose: a wait is never a timing assertion
T = TypeVar("T")


def kb_command() -> list[str]:
    """The `kb` console script installed beside the interpreter running the tests (else on PATH)."""
    beside = Path(sys.executable).with_name("kb")
    found = str(beside) if beside.exists() else shutil.which("kb")
    if not found:
        pytest.fail("the `kb` console script is not installed (pip install -e .)")
    return [found]


def run_kb(
    *args: str, env: Mapping[str, str] | None = None, timeout: float = 300, cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    """`kb *args` as operators run it, with ``env`` added to this process's environment."""
    return subprocess.run(
        [*kb_command(), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env={**os.environ, **(env or {})},
    )


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """Terminate a test server's process, killing it if it does not exit within 30 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


def wait_for(
    condition: Callable[[], T], what: str | Callable[[], str], timeout: float = WAIT_SECONDS, interval: float = 0.2
) -> T:
    """Poll ``condition`` until it returns something true and return that; after ``timeout``
    seconds, fail saying what was waited for (``what``, or what ``what()`` says then)."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:g} s waiting for {what() if callable(what) else what}")
        time.sleep(interval)


def wait_until_ready(
    url: str, server: subprocess.Popen[bytes], output: Callable[[], str], timeout: float = WAIT_SECONDS
) -> None:
    """Poll ``url``/readyz until it answers 200; fail with the server's ``output()`` when the
    process exits first or the time is up."""

    def ready() -> bool:
        if server.poll() is not None:
            pytest.fail(f"the server exited with {server.returncode}:\n{output()}")
        try:
            return httpx.get(url + "/readyz", timeout=5).status_code == 200
        except httpx.HTTPError:
            return False

    wait_for(ready, lambda: f"{url}/readyz to answer 200:\n{output()}", timeout, interval=0.2)


@dataclass(frozen=True)
class Sample:
    name: str
    labels: dict[str, str]
    value: float


def metric_samples(text: str, name: str | None = None) -> list[Sample]:
    """The samples of a Prometheus text exposition (of metric ``name`` only, when given)."""
    return [
        Sample(s.name, dict(s.labels), s.value)
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if name is None or s.name == name
    ]


def metric_value(text: str, name: str, **labels: str) -> float | None:
    """The value of the sample of ``name`` with exactly ``labels``, None when there is none."""
    return next((s.value for s in metric_samples(text, name) if s.labels == labels), None)


def free_port() -> int:
    """A free TCP port on the loopback interface, for a server a test starts."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
