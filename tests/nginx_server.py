"""Debian's nginx running the shipped ``deploy/nginx/helpcenter-kb.conf`` on loopback ports, for
the end-to-end proxy tests (as tests/postgres_server.py runs a throwaway PostgreSQL).

The shipped file is used as it is, but for three lines an operator edits too: the upstream
address (the test's uvicorn), the listening address (a free loopback port) and the access
log's path. A minimal main configuration around it keeps the pid file, logs and temporary
folders in a temporary folder that is removed at the end.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .helpers import free_port, stop_process

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "deploy" / "nginx" / "helpcenter-kb.conf"
UPSTREAM = "server 127.0.0.1:8000;"
LISTEN = "listen 80;"
ACCESS_LOG = "/var/log/nginx/helpcenter-kb.access.log"
START_TIMEOUT = 60.0


def find_nginx() -> str | None:
    found = shutil.which("nginx")
    if found:
        return found
    return "/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None


def unavailable_reason() -> str | None:
    if find_nginx() is None:
        return "nginx is not installed (scripts/test installs Debian's nginx)"
    return None


def render_site(upstream_port: int, port: int, access_log: Path) -> str:
    """The shipped configuration with the three addresses of this test run."""
    text = SHIPPED.read_text(encoding="utf-8")
    for line, replacement in (
        (UPSTREAM, f"server 127.0.0.1:{upstream_port};"),
        (LISTEN, f"listen 127.0.0.1:{port};"),
        (ACCESS_LOG, str(access_log)),
    ):
        assert text.count(line) == 1, f"{SHIPPED.name} must hold {line!r} exactly once"
        text = text.replace(line, replacement)
    return text


@dataclass
class ThrowawayNginx:
    root: Path
    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def access_log(self) -> Path:
        return self.root / "access.log"

    @classmethod
    def start(cls, upstream_port: int) -> ThrowawayNginx:
        binary = find_nginx()
        assert binary is not None, unavailable_reason()
        # Not under pytest's private tmp folder: under root, nginx's workers run as `nobody`
        # and must reach the temporary folders.
        root = Path(tempfile.mkdtemp(prefix="kb-test-nginx-"))
        root.chmod(0o755)
        port = free_port()
        (root / "helpcenter-kb.conf").write_text(render_site(upstream_port, port, root / "access.log"))
        temp_paths = "\n".join(
            f"    {kind}_temp_path {root / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        (root / "nginx.conf").write_text(
            f"daemon off;\nworker_processes 1;\npid {root / 'nginx.pid'};\nerror_log {root / 'error.log'} info;\n"
            f"events {{ worker_connections 256; }}\n"
            f"http {{\n{temp_paths}\n    include {root / 'helpcenter-kb.conf'};\n}}\n"
        )
        command = [binary, "-e", str(root / "error.log"), "-p", str(root), "-c", str(root / "nginx.conf")]
        checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=60)
        if checked.returncode != 0:
            shutil.rmtree(root, ignore_errors=True)
            raise RuntimeError(f"nginx -t refused the configuration:\n{checked.stderr}")
        server = cls(root, port, subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if server.process.poll() is not None:
                log = server.error_log()
                server.stop()
                raise RuntimeError(f"nginx exited with {server.process.returncode}:\n{log}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return server
            except OSError:
                if time.monotonic() > deadline:
                    server.stop()
                    raise RuntimeError(f"nginx did not listen within {START_TIMEOUT}s") from None
                time.sleep(0.1)

    def error_log(self) -> str:
        path = self.root / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        stop_process(self.process)
        shutil.rmtree(self.root, ignore_errors=True)
