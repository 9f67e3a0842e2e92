"""Run every benchmark and write BENCHMARKS.md.

    .venv/bin/python -m bench.run_all                 # the full run (~25 min on 2 cores)
    .venv/bin/python -m bench.run_all --quick --out /tmp/B.md   # a tiny smoke run

Each step is a subprocess (``python -m bench.<script> ...``) whose exact command is recorded;
raw JSON goes to ``bench/results/`` (not committed), a summary line per full run is appended
to ``bench/history.jsonl`` (committed: the before/after record). Before each step the script
waits (up to a minute) for the machine to be quiet and records the background CPU load it saw.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import time
from pathlib import Path

from bench.common import RESULTS, ROOT, log, machine_info
from bench.report import render, summary_row

PY = sys.executable
HISTORY = ROOT / "bench" / "history.jsonl"


def cpu_busy(seconds: float = 1.0) -> float:
    """Fraction of all CPUs busy over ``seconds`` (from /proc/stat)."""
    def snap() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        idle = fields[3] + fields[4]
        return sum(fields), idle
    t1, i1 = snap()
    time.sleep(seconds)
    t2, i2 = snap()
    return round(1 - (i2 - i1) / max(1, t2 - t1), 3)


def wait_quiet(limit: float = 0.15, max_wait: float = 60.0) -> float:
    deadline = time.monotonic() + max_wait
    busy = cpu_busy()
    while busy > limit and time.monotonic() < deadline:
        log(f"machine busy ({busy:.0%} CPU used by other processes); waiting")
        busy = cpu_busy(2.0)
    return busy


class Runner:
    def __init__(self, results: Path, quiet_wait: float):
        self.results = results
        self.quiet_wait = quiet_wait
        self.steps: list[dict[str, object]] = []

    def step(self, name: str, args: list[str], out: Path | None = None) -> dict | None:
        busy = wait_quiet(max_wait=self.quiet_wait) if self.quiet_wait > 0 else cpu_busy(0.5)
        cmd = [PY, "-m", *args]
        shown = " ".join(shlex.quote(a) for a in ["python", "-m", *args])
        log(f"step {name}: {shown}")
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, check=True)
        took = round(time.perf_counter() - t0, 1)
        self.steps.append({"name": name, "command": shown.replace(str(ROOT) + "/", ""),
                           "seconds": took, "background_cpu_busy": busy})
        return json.loads(out.read_text()) if out else None


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="tiny sizes, for the smoke test")
    ap.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    ap.add_argument("--results", type=Path, default=RESULTS)
    ap.add_argument("--skip-http", action="store_true")
    ap.add_argument("--no-history", action="store_true")
    ap.add_argument("--note", default="", help="a line recorded with this run (what changed)")
    ap.add_argument("--render-only", action="store_true",
                    help="re-render BENCHMARKS.md from <results>/all.json (e.g. after editing "
                         "bench/findings.md)")
    ap.add_argument("--rerun-http", action="store_true",
                    help="redo only the server steps of the last run (<results>/all.json)")
    args = ap.parse_args(argv)
    res = args.results
    if args.render_only or args.rerun_http:
        data = json.loads((res / "all.json").read_text())
        if args.rerun_http:
            r = Runner(res, quiet_wait=60)
            _http_steps(r, data, res, quick=False)
            done = {s["name"] for s in r.steps}
            data["steps"] = [s for s in data["steps"] if s["name"] not in done] + r.steps
            data["http_rerun"] = {"date": machine_info()["date"], "git": _git()}
            (res / "all.json").write_text(json.dumps(data, indent=1, ensure_ascii=False))
            history = _history()
            if history and history[-1].get("date") == _g_date(data):
                history[-1] = summary_row(data)
                HISTORY.write_text("".join(json.dumps(h, ensure_ascii=False) + "\n"
                                           for h in history))
        args.out.write_text(render(data, _history(), res), encoding="utf-8")
        log(f"wrote {args.out}")
        return
    res.mkdir(parents=True, exist_ok=True)
    quick = args.quick
    sizes = [20] if quick else [1000, 10000]
    big = sizes[-1]
    n_trace, n_http = (50, 300) if quick else (2000, 20000)
    r = Runner(res, quiet_wait=0 if quick else 60)
    data: dict[str, object] = {"quick": quick, "machine": machine_info(), "note": args.note}
    data["git"] = _git()

    for name, source, n in (("trace-shipped", "shipped", n_trace),
                            ("trace-synthetic", "synthetic", n_trace),
                            ("trace-http", "shipped", n_http)):
        r.step(name, ["bench.trace", "--source", source, "--queries", str(n),
                      "--out", str(res / f"{name}.json")])
    data["traces"] = {k: json.loads((res / f"{k}.json").read_text())["stats"] | {
        "params": json.loads((res / f"{k}.json").read_text())["params"]}
        for k in ("trace-shipped", "trace-synthetic", "trace-http")}
    work = res / "work"
    data["reindex"] = r.step("reindex", ["bench.reindex_scale", "--sizes", *map(str, sizes),
                                         "--work", str(work), "--json", str(res / "reindex.json")],
                             res / "reindex.json")
    data["latency_shipped"] = r.step(
        "latency-shipped", ["bench.latency", "--content", "content", "--trace",
                            str(res / "trace-shipped.json"), "--relevance", "--profile-dir",
                            str(res / "profiles"), "--json", str(res / "latency-shipped.json")],
        res / "latency-shipped.json")
    data["peer_shipped"] = r.step(
        "fts5-shipped", ["bench.peer_fts5", "--content", "content", "--trace",
                         str(res / "trace-shipped.json"), "--json", str(res / "fts5-shipped.json")],
        res / "fts5-shipped.json")
    data["latency_synthetic"] = r.step(
        "latency-synthetic", ["bench.latency", "--content", str(work / f"corpus-{big}"),
                              "--index", str(work / f"index-{big}"), "--trace",
                              str(res / "trace-synthetic.json"), "--no-answers", "--profile-dir",
                              str(res / "profiles"), "--json", str(res / "latency-synthetic.json")],
        res / "latency-synthetic.json")
    data["peer_synthetic"] = r.step(
        "fts5-synthetic", ["bench.peer_fts5", "--content", str(work / f"corpus-{big}"),
                           "--trace", str(res / "trace-synthetic.json"), "--no-relevance",
                           "--json", str(res / "fts5-synthetic.json")],
        res / "fts5-synthetic.json")
    if not args.skip_http:
        _http_steps(r, data, res, quick)
    data["steps"] = r.steps
    (res / "all.json").write_text(json.dumps(data, indent=1, ensure_ascii=False, default=str))
    history = _history()
    if not quick and not args.no_history:
        history.append(summary_row(data))
        HISTORY.write_text("".join(json.dumps(h, ensure_ascii=False) + "\n" for h in history))
    args.out.write_text(render(data, history, res), encoding="utf-8")
    log(f"wrote {args.out}")


def _http_steps(r: Runner, data: dict[str, object], res: Path, quick: bool) -> None:
    """The server steps: HTTP load, ablation of the API layers, server profiles."""
    work = res / "work"
    index = work / "index-shipped"
    r.step("index-shipped", ["bench.reindex_scale", "--shipped", "--work", str(work)])
    http_args = ["bench.http_load", "--index", str(index), "--trace",
                 str(res / "trace-http.json"), "--json", str(res / "http.json")]
    if quick:
        http_args += ["--workers", "1", "--rates", "50", "200", "--duration", "1",
                      "--wrk-duration", "1"]
    data["http"] = r.step("http", http_args, res / "http.json")
    abl = ["bench.ablation", "--index", str(index), "--trace", str(res / "trace-http.json"),
           "--json", str(res / "ablation.json")]
    if quick:
        abl += ["--seconds", "1", "--variants", "full", "bare"]
    data["ablation"] = r.step("ablation", abl, res / "ablation.json")
    switch = ["bench.switch_tail", "--trace", str(res / "trace-http.json"), "--json", str(res / "switch.json")]
    if quick:
        switch += ["--seconds", "1", "--rate", "50"]
    data["switch"] = r.step("switch", switch, res / "switch.json")
    if not quick:
        for cache, label in ((0, "cache_off"), (4096, "cache_on")):
            r.step(f"profile-server-{label}", [
                "bench.profile_server", "--index", str(index), "--trace",
                str(res / "trace-http.json"), "--cache", str(cache), "--seconds", "10",
                "--out", str(res / "profiles" / f"server-search-{label}.txt")])


def _g_date(data: dict) -> object:
    return data.get("machine", {}).get("date")


def _history() -> list[dict]:
    if not HISTORY.exists():
        return []
    return [json.loads(x) for x in HISTORY.read_text().splitlines() if x.strip()]


def _git() -> dict[str, object]:
    def git(*a: str) -> str:
        p = subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True)
        return p.stdout.rstrip()
    return {"commit": git("rev-parse", "--short", "HEAD"),
            "dirty_engine_files": [x[3:] for x in git("status", "--porcelain", "kb", "api")
                                   .splitlines()]}


if __name__ == "__main__":
    main()
