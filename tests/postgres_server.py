"""A throwaway PostgreSQL server for the storage tests, so that the PostgreSQL code path is
tested wherever the server binaries are installed (``scripts/test`` installs Debian's
``postgresql``), not only where someone sets ``KB_TEST_POSTGRES_URL``.

The cluster lives in a temporary folder, listens on a free loopback port with ``trust``
authentication, runs without fsync (its data is thrown away), and is stopped and removed at
the end of the test session. PostgreSQL refuses to run as root, so under root the cluster is
owned and run by the ``postgres`` system user that Debian's package creates.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .helpers import free_port

ENV_URL = "KB_TEST_POSTGRES_URL"
SERVER_USER = "postgres"


def find_bin_dir() -> Path | None:
    """The folder of ``initdb`` and ``pg_ctl``: on PATH, or Debian's newest version folder."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(candidates[-1]).parent if candidates else None


def unavailable_reason() -> str | None:
    """Why no throwaway server can be started here, or None when one can."""
    if find_bin_dir() is None:
        return f"PostgreSQL server binaries are not installed (scripts/test installs them) and {ENV_URL} is not set"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SERVER_USER)
        except KeyError:
            return f"running as root and there is no {SERVER_USER!r} user to run PostgreSQL as"
    return None




@dataclass
class ThrowawayPostgres:
    root: Path
    bin_dir: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://kb@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin_dir / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=self.root)

    @classmethod
    def start(cls) -> ThrowawayPostgres:
        bin_dir = find_bin_dir()
        assert bin_dir is not None, unavailable_reason()
        # Not under pytest's tmp folder: that one is private to the test user, and under root
        # the server runs as another user.
        root = Path(tempfile.mkdtemp(prefix="kb-test-postgres-"))
        if os.geteuid() == 0:
            account = pwd.getpwnam(SERVER_USER)
            os.chown(root, account.pw_uid, account.pw_gid)
        server = cls(root, bin_dir, free_port())
        data = str(root / "data")
        steps = [
            ("initdb", "-D", data, "-U", "kb", "-A", "trust", "-E", "UTF8", "--no-sync", "--locale=C"),
            (
                "pg_ctl", "-D", data, "-l", str(root / "server.log"), "-w", "-t", "120", "start",
                "-o", f"-p {server.port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off",
            ),
        ]
        for tool, *args in steps:
            done = server._run(tool, *args)
            if done.returncode != 0:
                log = root / "server.log"
                detail = log.read_text(errors="replace") if log.exists() else ""
                server.stop()
                raise RuntimeError(f"{tool} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}\n{detail}")
        return server

    def stop(self) -> None:
        if (self.root / "data" / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)
