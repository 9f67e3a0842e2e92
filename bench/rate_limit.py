"""What the rate limit costs per request: ``RateLimiter.check`` in-process, counted in memory
(``memory://``) and in a Redis server (``--redis async+redis://127.0.0.1:6379/0``), for one
client and for many, plus the cost of a check while Redis is down (the fail-open path).

    .venv/bin/python -m bench.rate_limit --redis async+redis://127.0.0.1:6379/0 --checks 20000

Prints and (with ``--json``) writes microseconds per check (p50, p99, mean). Each check is a
hit and a read of the window (what the middleware does for every counted request).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from api.ratelimit import RateLimiter
from bench.common import log, summarize_ms
from bench.http_load import free_port


async def _measure(storage: str, checks: int, clients: int) -> dict[str, float]:
    limiter = RateLimiter(10**9, storage)  # never refuses: every check takes the full path
    samples: list[float] = []
    try:
        for i in range(checks):
            started = time.perf_counter()
            await limiter.check(f"198.51.{i % clients // 256}.{i % 256}")
            samples.append((time.perf_counter() - started) * 1000)
    finally:
        await limiter.close()
    summary = summarize_ms(samples[checks // 10 :])  # the first tenth warms connections and caches
    return {k: round(v * 1000, 1) if k != "n" else v for k, v in summary.items()}  # ms → µs


def run(redis: str | None, checks: int) -> dict[str, dict[str, float]]:
    setups = [("memory://, 1 client", "memory://", 1), ("memory://, 10,000 clients", "memory://", 10_000)]
    if redis:
        setups += [("redis, 1 client", redis, 1), ("redis, 10,000 clients", redis, 10_000)]
    setups.append(("redis down (fail open)", f"async+redis://127.0.0.1:{free_port()}/0", 1))
    out: dict[str, dict[str, float]] = {}
    # A fresh event loop per setup, in a thread of its own: the caller's thread may run one
    # already (Playwright's sync API in the same test process).
    with ThreadPoolExecutor(max_workers=1) as pool:
        for label, storage, clients in setups:
            out[label] = pool.submit(asyncio.run, _measure(storage, checks, clients)).result()
            log(f"{label}: p50 {out[label]['p50']} µs, p99 {out[label]['p99']} µs, mean {out[label]['mean']} µs")
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--redis", default=None, help="an async+redis:// URL (its keys are left to expire)")
    parser.add_argument("--checks", type=int, default=20_000)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    result = run(args.redis, args.checks)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
