"""Latency around an index generation switch: one uvicorn worker under an open-loop load, the
``current`` link moved to another generation while it serves.

Two generations of the same content are built into a fresh index directory. The server (the
API as the serve command runs it, rate limit off; query cache on or off) is loaded at a fixed
rate from the trace for ``--seconds`` (the p99 before), then ``current`` is pointed at the
other generation (``os.replace``, as ``kb reindex`` does) and the load goes on for another
``--seconds``: the worker notices within ``KB_INDEX_CHECK_SECONDS``, opens and warms the new
generation in the background, then switches; the p99 of that window is the one after a switch.

    python -m bench.switch_tail --trace bench/results/trace-http.json --json bench/results/switch.json
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, log, write_json
from bench.http_load import HOST, _get, server, settle, upgraded_sqlite
from bench.openloop import run_open_loop
from bench.trace import request_paths


def _served_generation(port: int) -> str:
    import http.client

    conn = http.client.HTTPConnection(HOST, port, timeout=5)
    try:
        conn.request("GET", "/readyz")
        return str(json.loads(conn.getresponse().read()).get("generation"))
    finally:
        conn.close()


def _point_current_at(index_dir: Path, generation: Path) -> None:
    link = index_dir / "current"
    staged = index_dir / ".current-bench"
    os.symlink(os.path.relpath(generation, index_dir), staged)
    os.replace(staged, link)


def run(content: Path, entries: list[dict], *, rate: float, seconds: float, caches: list[int]) -> dict:
    from kb.content import load_content
    from kb.generations import current_generation_path, finished_generations
    from kb.indexing import build_index

    paths = request_paths(entries, "/v1/search")
    out: dict[str, object] = {"rate": rate, "window_s": seconds}
    with tempfile.TemporaryDirectory(prefix="kb-switch-") as tmp_s:
        tmp = Path(tmp_s)
        index = tmp / "index"
        loaded = load_content(content)
        build_index(loaded, index)
        build_index(loaded, index)
        for cache in caches:
            label = f"cache-{'on' if cache else 'off'}"
            env = {"KB_INDEX_DIR": str(index), "KB_CONTENT_DIR": str(content),
                   "KB_DATABASE_URL": upgraded_sqlite(tmp / f"{label}.sqlite3"),
                   "KB_RATE_LIMIT_PER_MINUTE": "0", "KB_ACCESS_LOG": "false",
                   "KB_QUERY_CACHE_SIZE": str(cache)}
            with server("api.app:app", 1, env, tmp / f"{label}.log", "/readyz") as (port, pid):
                warm = paths[:200]
                run_open_loop(HOST, port, warm, rate=rate, duration=len(warm) / rate)
                settle(pid)
                cursor = len(warm)
                before_generation = _served_generation(port)
                before = run_open_loop(HOST, port, paths, rate, seconds, offset=cursor)
                cursor += before["sent"]
                current = current_generation_path(index)
                other = next(g for g in finished_generations(index) if g != current)
                switched_at = time.monotonic()
                _point_current_at(index, other)
                after = run_open_loop(HOST, port, paths, rate, seconds, offset=cursor)
                after_generation = _served_generation(port)
                if after_generation != other.name:
                    raise RuntimeError(f"{label}: the server still serves {after_generation}, not {other.name}")
                _get(port, "/readyz")
            out[label] = {"before": before, "after": after, "generations": [before_generation, after_generation],
                          "switch_window_started": round(time.monotonic() - switched_at, 1)}
            log(f"{label}: p99 before {before['latency_ms'].get('p99')} ms, in the {seconds:g} s after the "
                f"switch {after['latency_ms'].get('p99')} ms (max {after['latency_ms'].get('max')} ms), "
                f"errors {before['errors'] + after['errors']}, non-2xx {before['non_2xx'] + after['non_2xx']}")
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--content", type=Path, default=ROOT / "content")
    ap.add_argument("--trace", type=Path, required=True)
    ap.add_argument("--rate", type=float, default=200.0)
    ap.add_argument("--seconds", type=float, default=10.0, help="length of the windows before and after")
    ap.add_argument("--caches", type=int, nargs="+", default=[4096, 0], help="KB_QUERY_CACHE_SIZE values")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    trace = json.loads(args.trace.read_text())
    result = run(args.content, trace["entries"], rate=args.rate, seconds=args.seconds, caches=args.caches)
    write_json(args.json, result)


if __name__ == "__main__":
    main()
