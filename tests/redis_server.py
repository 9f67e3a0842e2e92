"""A throwaway Redis server for the shared rate-limit tests, so that the Redis path is tested
wherever Debian's ``redis-server`` is installed (``scripts/test`` installs it), not only where
someone sets ``KB_TEST_REDIS_URL``.

It listens on a free loopback port, keeps nothing on disk, and is stopped at the end of the test
session (or earlier, by a test about Redis going away, which can start it again on the same port).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis

from .helpers import free_port, stop_process

ENV_URL = "KB_TEST_REDIS_URL"
READY_TIMEOUT = 30.0


def unavailable_reason() -> str | None:
    """Why no throwaway server can be started here, or None when one can."""
    if shutil.which("redis-server") is None:
        return f"redis-server is not installed (scripts/test installs it) and {ENV_URL} is not set"
    return None


def flush(url: str) -> None:
    """Empty the database of ``url`` (an ``async+redis://`` URL), so that a test starts afresh."""
    with redis.Redis.from_url(url.removeprefix("async+"), socket_timeout=5) as client:
        client.flushdb()


@dataclass
class ThrowawayRedis:
    port: int
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="kb-test-redis-")))
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"async+redis://127.0.0.1:{self.port}/0"

    @classmethod
    def start_new(cls) -> ThrowawayRedis:
        server = cls(free_port())
        server.start()
        return server

    def start(self) -> None:
        """Start (or start again) on this server's port, and wait until it answers."""
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                   "--appendonly", "no", "--dir", str(self.root), "--logfile", str(self.root / "redis.log")]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + READY_TIMEOUT
        with redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1) as client:
            while True:
                try:
                    if client.ping():
                        return
                except redis.ConnectionError:
                    pass
                if self.process.poll() is not None or time.monotonic() > deadline:
                    log_file = self.root / "redis.log"
                    log = log_file.read_text(errors="replace") if log_file.exists() else ""
                    self.stop()
                    raise RuntimeError(f"redis-server did not start:\n{log}")
                time.sleep(0.05)

    def stop(self) -> None:
        """Stop the server (the folder stays, for a restart); :meth:`remove` cleans up."""
        if self.process is not None:
            stop_process(self.process)
        self.process = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
