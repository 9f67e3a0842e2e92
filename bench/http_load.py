"""HTTP load on a real uvicorn server: wrk to saturation, open-loop fixed rates, server RSS.

For each target (our API with the query cache off and on, the FTS5 peer app) and each worker
count, the script starts ``uvicorn`` on a loopback port, waits for it to answer, then for each
endpoint runs the open-loop generator at each rate, then ``wrk`` (``bench/wrk_trace.lua``
cycling through the trace) to saturation. Every run continues the trace where the previous one
stopped, like continuous traffic. VmRSS/Pss of the server processes is read from /proc at rest
(after start-up and a warm-up) and sampled every 0.25 s under load.

    python -m bench.http_load --index var/bench-index --trace bench/results/trace-http.json \
        --json bench/results/http.json
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from bench.common import ROOT, log, write_json
from bench.openloop import run_open_loop
from bench.trace import request_paths

HOST = "127.0.0.1"
LUA = ROOT / "bench" / "wrk_trace.lua"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            text = Path(f"/proc/{pid}/task/{task}/children").read_text()
            out += [int(x) for x in text.split()]
    except OSError:
        pass
    return out + [g for c in out for g in _children(c)]


def memory(root_pid: int) -> dict[str, object]:
    """VmRSS and Pss (MiB) of the server's process tree; Pss splits shared pages fairly."""
    procs = []
    for pid in [root_pid, *_children(root_pid)]:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
            pss = int(re.search(r"Pss:\s+(\d+)", rollup).group(1))  # type: ignore[union-attr]
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:80]
        except (OSError, AttributeError):
            continue
        procs.append({"pid": pid, "rss_mib": round(rss / 1024, 1), "pss_mib": round(pss / 1024, 1),
                      "cmd": cmd.strip()})
    return {"processes": procs,
            "rss_sum_mib": round(sum(p["rss_mib"] for p in procs), 1),
            "pss_sum_mib": round(sum(p["pss_mib"] for p in procs), 1)}


class _Sampler(threading.Thread):
    """Peak memory of the server tree while a load run is going on."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.stop_evt, self.peak = pid, threading.Event(), {"rss_sum_mib": 0.0}

    def run(self) -> None:
        while not self.stop_evt.wait(0.25):
            m = memory(self.pid)
            if m["rss_sum_mib"] > self.peak["rss_sum_mib"]:  # type: ignore[operator]
                self.peak = m


def _cpu_ticks(root_pid: int) -> int:
    total = 0
    for pid in [root_pid, *_children(root_pid)]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            pass
    return total


def settle(pid: int, max_wait: float = 60.0) -> float:
    """Wait until the server has worked off any backlog (its CPU < 5 % over 0.5 s)."""
    t0 = time.monotonic()
    hz = os.sysconf("SC_CLK_TCK")
    while time.monotonic() - t0 < max_wait:
        before = _cpu_ticks(pid)
        time.sleep(0.5)
        if (_cpu_ticks(pid) - before) / hz < 0.025:
            break
    return round(time.monotonic() - t0, 1)


def _get(port: int, path: str, timeout: float = 2.0) -> int:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


def upgraded_sqlite(path: Path) -> str:
    """A new SQLite database at ``path`` upgraded as `kb db upgrade` does (servers never create
    tables); its URL."""
    from kb.migrate import upgrade
    from kb.storage import Storage

    url = f"sqlite:///{path}"
    with Storage(url) as storage:
        upgrade(storage)
    return url


@contextmanager
def server(target: str, workers: int, env_extra: dict[str, str], log_path: Path,
           health: str, startup_timeout: float = 90.0, extra_args: tuple[str, ...] = ()):
    """Run ``uvicorn <target>`` on a free loopback port; yield (port, pid); stop it after."""
    port = free_port()
    cmd = [sys.executable, "-m", "uvicorn", target, "--host", HOST, "--port", str(port),
           "--workers", str(workers), "--no-access-log", "--log-level", "warning", *extra_args]
    env = {**os.environ, **env_extra}
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}; see {log_path}")
            try:
                if _get(port, health) == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server did not answer {health} in {startup_timeout}s")
            time.sleep(0.2)
        yield port, proc.pid
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # our own session: uvicorn and its workers
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def run_wrk(port: int, paths_file: Path, duration: float, connections: int,
            threads: int = 1) -> dict:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration:g}s", "--timeout", "5s",
           "--latency", "-s", str(LUA), f"http://{HOST}:{port}", "--", str(paths_file)]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
    line = next((x for x in res.stdout.splitlines() if x.startswith("WRK_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed: {res.stdout}\n{res.stderr}")
    raw = json.loads(line[len("WRK_JSON "):])
    secs = raw["duration_us"] / 1e6
    errs = raw["errors"]
    return {
        "command": " ".join(cmd),
        "requests": raw["requests"],
        "rps": round(raw["requests"] / secs, 1),
        "latency_ms": {k: round(v / 1000, 3) for k, v in raw["latency_us"].items()},
        "errors": errs["connect"] + errs["read"] + errs["write"] + errs["timeout"],
        "non_2xx": errs["status"],
        "error_kinds": errs,
    }


def load_one_server(port: int, pid: int, endpoints: dict[str, list[str]], rates: list[float],
                    duration: float, wrk_duration: float, connections: list[int],
                    tmp: Path) -> dict:
    result: dict[str, object] = {}
    warm = endpoints["search"][:200]
    run_open_loop(HOST, port, warm, rate=200, duration=len(warm) / 200)
    settle(pid)
    result["rss_at_rest"] = memory(pid)
    cursor = len(warm)
    for name, paths in endpoints.items():
        runs: dict[str, object] = {}
        for rate in rates:
            sampler = _Sampler(pid)
            sampler.start()
            runs[f"open_{rate:g}"] = r = run_open_loop(HOST, port, paths, rate, duration,
                                                      offset=cursor)
            sampler.stop_evt.set()
            sampler.join()
            r["rss_peak"] = sampler.peak
            r["settle_seconds"] = settle(pid)
            cursor += r["sent"]
            log(f"  {name} open-loop {rate:g}/s: p50 {r['latency_ms'].get('p50')} ms, "
                f"p99 {r['latency_ms'].get('p99')} ms, errors {r['errors']}, "
                f"non-2xx {r['non_2xx']}")
        by_connections: dict[str, object] = {}
        for count in connections:
            rotated = paths[cursor % len(paths):] + paths[: cursor % len(paths)]
            paths_file = tmp / f"paths-{name}.txt"
            paths_file.write_text("\n".join(rotated) + "\n")
            sampler = _Sampler(pid)
            sampler.start()
            by_connections[str(count)] = w = run_wrk(port, paths_file, wrk_duration, count)
            sampler.stop_evt.set()
            sampler.join()
            w["rss_peak"] = sampler.peak
            w["settle_seconds"] = settle(pid)
            cursor += w["requests"]
            log(f"  {name} wrk -c{count}: {w['rps']} req/s, p50 {w['latency_ms']['p50']} ms, "
                f"p99 {w['latency_ms']['p99']} ms, errors {w['errors']}, non-2xx {w['non_2xx']}")
        runs["wrk_by_connections"] = by_connections
        runs["wrk"] = by_connections[str(max(connections))]  # the table of earlier runs: most connections
        result[name] = runs
    result["rss_after"] = memory(pid)
    return result


def run(index_dir: Path, content: Path, entries: list[dict], *, workers: list[int],
        rates: list[float], duration: float, wrk_duration: float, connections: list[int],
        targets: list[str]) -> dict:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed (Debian package `wrk`)")
    search_paths = request_paths(entries, "/v1/search")
    answer_paths = request_paths([e for e in entries if e["kind"] == "final"], "/v1/answer")
    out: dict[str, object] = {"rates": rates, "duration_s": duration,
                              "wrk_duration_s": wrk_duration, "wrk_connections": connections,
                              "search_paths": len(search_paths), "answer_paths": len(answer_paths)}
    with tempfile.TemporaryDirectory(prefix="kb-http-") as tmp_s:
        tmp = Path(tmp_s)
        for target in targets:
            for w in workers:
                label = f"{target}-w{w}"
                log(f"{label}: starting")
                if target == "peer":
                    env = {"PEER_CONTENT_DIR": str(content)}
                    app, health, endpoints = "bench.peer_app:app", "/healthz", {
                        "search": search_paths}
                    extra: tuple[str, ...] = ()
                else:
                    # As scripts/serve runs it (the app's access line on, uvicorn's own log and
                    # proxy headers off), with only the rate limit off: wrk is one client.
                    env = {"KB_INDEX_DIR": str(index_dir), "KB_CONTENT_DIR": str(content),
                           "KB_DATABASE_URL": upgraded_sqlite(tmp / f"{label}.sqlite3"),
                           "KB_RATE_LIMIT_PER_MINUTE": "0",
                           "KB_QUERY_CACHE_SIZE": "0" if target == "ours-cache-off" else "4096"}
                    app, health, endpoints = "api.app:app", "/readyz", {
                        "search": search_paths, "answer": answer_paths}
                    extra = ("--no-proxy-headers",)
                t0 = time.perf_counter()
                with server(app, w, env, tmp / f"{label}.log", health, extra_args=extra) as (port, pid):
                    startup = time.perf_counter() - t0
                    res = load_one_server(port, pid, endpoints, rates, duration, wrk_duration,
                                          connections, tmp)
                    res["startup_seconds"] = round(startup, 2)
                out[label] = res
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--index", type=Path, required=True, help="a built index directory")
    ap.add_argument("--content", type=Path, default=ROOT / "content")
    ap.add_argument("--trace", type=Path, required=True)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--rates", type=float, nargs="+", default=[50, 200, 500])
    ap.add_argument("--duration", type=float, default=10.0, help="seconds per open-loop rate")
    ap.add_argument("--wrk-duration", type=float, default=10.0)
    ap.add_argument("--connections", type=int, nargs="+", default=[16, 32],
                    help="wrk connections (one saturation run per count)")
    ap.add_argument("--targets", nargs="+", default=["ours-cache-off", "ours-cache-on", "peer"],
                    choices=["ours-cache-off", "ours-cache-on", "peer"])
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    trace = json.loads(args.trace.read_text())
    result = run(args.index, args.content, trace["entries"], workers=args.workers,
                 rates=args.rates, duration=args.duration, wrk_duration=args.wrk_duration,
                 connections=args.connections, targets=args.targets)
    result["trace"] = {"file": str(args.trace), **trace["params"], **trace["stats"]}
    write_json(args.json, result)


if __name__ == "__main__":
    main()
