"""Profile the API server under wrk load with pyinstrument (one worker).

Starts ``python -m pyinstrument -m uvicorn api.app:app`` on a loopback port, loads it with wrk
cycling through the trace, stops it with SIGINT (uvicorn shuts down cleanly, pyinstrument
then writes its report) and keeps the text report.

    python -m bench.profile_server --index bench/results/work/index-shipped \
        --trace bench/results/trace-http.json --cache 0 --out bench/results/profiles/server-off.txt
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, log
from bench.http_load import HOST, _get, free_port, run_wrk, upgraded_sqlite
from bench.trace import request_paths


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--trace", type=Path, required=True)
    ap.add_argument("--cache", type=int, default=0, help="KB_QUERY_CACHE_SIZE")
    ap.add_argument("--endpoint", default="/v1/search")
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    entries = json.loads(args.trace.read_text())["entries"]
    if args.endpoint == "/v1/answer":
        entries = [e for e in entries if e["kind"] == "final"]
    port = free_port()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kb-prof-") as tmp:
        paths = Path(tmp) / "paths.txt"
        paths.write_text("\n".join(request_paths(entries, args.endpoint)) + "\n")
        env = {**os.environ, "KB_INDEX_DIR": str(args.index), "KB_RATE_LIMIT_PER_MINUTE": "0",
               "KB_ACCESS_LOG": "false", "KB_QUERY_CACHE_SIZE": str(args.cache),
               "KB_DATABASE_URL": upgraded_sqlite(Path(tmp) / "kb.sqlite3")}
        session = Path(tmp) / "server.pyisession"
        cmd = [sys.executable, "-m", "pyinstrument", "--interval", "0.0005", "-r", "session",
               "-o", str(session), "-m", "uvicorn", "api.app:app", "--host", HOST,
               "--port", str(port), "--no-access-log", "--log-level", "warning"]
        with open(Path(tmp) / "server.log", "wb") as out:
            proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            for _ in range(300):
                try:
                    if _get(port, "/readyz") == 200:
                        break
                except OSError:
                    time.sleep(0.2)
            w = run_wrk(port, paths, args.seconds, 16)
            log(f"under the profiler: {w['rps']} req/s, p50 {w['latency_ms']['p50']} ms")
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        text = summarize(session, w)
    args.out.write_text(text)
    log(f"profile written to {args.out}")


def summarize(session_path: Path, wrk: dict, top: int = 35) -> str:
    """Flat profile: inclusive and self time per function, busiest first (event-loop idle
    time excluded), so the cost of each layer of the request path can be read off directly."""
    from pyinstrument.session import Session

    root = Session.load(str(session_path)).root_frame()
    inclusive: dict[str, float] = {}
    self_time: dict[str, float] = {}
    total = root.time if root else 0.0

    def key(f) -> str:  # type: ignore[no-untyped-def]
        return f"{f.function}  {f.file_path_short}:{f.line_no}"

    def walk(f, on_stack: frozenset[str]) -> None:  # type: ignore[no-untyped-def]
        k = key(f)
        if k not in on_stack:  # recursion counted once
            inclusive[k] = inclusive.get(k, 0.0) + f.time
        self_time[k] = self_time.get(k, 0.0) + f.total_self_time
        for c in f.children:
            walk(c, on_stack | {k})

    if root:
        walk(root, frozenset())
    idle = sum(t for k, t in self_time.items() if k.startswith(("select ", "poll ", "epoll")))
    busy = max(1e-9, total - idle)
    lines = [f"wrk under the profiler: {wrk['rps']} req/s, p50 {wrk['latency_ms']['p50']} ms",
             f"profiled {total:.2f} s, of which {idle:.2f} s idle in the event loop's poll; "
             f"shares below are of the {busy:.2f} s busy", "",
             "inclusive (function and what it calls):"]
    for k, t in sorted(inclusive.items(), key=lambda kv: -kv[1])[: top * 2]:
        if t / busy >= 0.02 and not k.startswith(("<module>", "run ", "_run_once", "select ")):
            lines.append(f"  {t / busy:6.1%}  {k}")
    lines += ["", "self time (the function's own code):"]
    for k, t in sorted(self_time.items(), key=lambda kv: -kv[1])[:top]:
        lines.append(f"  {t / busy:6.1%}  {k}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
