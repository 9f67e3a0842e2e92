"""What ``synchronous=FULL`` costs the SQLite writes, against ``NORMAL``.

    python -m bench.sqlite_sync [--votes 400] [--batches 40] [--dir DIR] [--json OUT]

For each mode, on a fresh database file in ``--dir`` (default: a temporary folder; use the
disk the service writes to, not a tmpfs, or there is nothing to sync): ``--votes`` feedback
votes stored one by one through :meth:`kb.storage.Storage.add_feedback` (each is one
transaction, as ``POST /v1/feedback`` makes), then ``--batches`` search-log batches of 200
records through :meth:`~kb.storage.Storage.log_searches` (what the background writer does).
Prints the latency per vote (p50, p99, mean) and per batch, and votes per second.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from kb import migrate
from kb.storage import SearchRecord, Storage

BATCH = 200


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(folder: Path, mode: str, votes: int, batches: int) -> dict[str, Any]:
    storage = Storage(f"sqlite:///{folder / f'{mode.lower()}.sqlite3'}")

    def set_mode(dbapi_connection: Any, _record: Any) -> None:  # runs after the storage's own pragmas
        dbapi_connection.execute(f"PRAGMA synchronous={mode}")

    sa.event.listen(storage.engine, "connect", set_mode)
    migrate.upgrade(storage)  # the tables as `kb db upgrade` makes them
    with storage.engine.connect() as conn:
        effective = conn.exec_driver_sql("PRAGMA synchronous").scalar()
    vote_ms = []
    for number in range(votes):
        started = time.perf_counter()
        storage.add_feedback("auto-renewal", "fr", number % 2 == 0, comment=f"vote {number}")
        vote_ms.append((time.perf_counter() - started) * 1000)
    batch_ms = []
    for number in range(batches):
        records = [SearchRecord("search", f"query {number} {i}", "fr", 3, 1.0) for i in range(BATCH)]
        started = time.perf_counter()
        storage.log_searches(records)
        batch_ms.append((time.perf_counter() - started) * 1000)
    storage.close()
    return {
        "mode": mode,
        "pragma_synchronous": effective,
        "votes": votes,
        "vote_ms_p50": round(_percentile(vote_ms, 0.50), 3),
        "vote_ms_p99": round(_percentile(vote_ms, 0.99), 3),
        "vote_ms_mean": round(statistics.fmean(vote_ms), 3),
        "votes_per_second": round(votes / (sum(vote_ms) / 1000), 1),
        "batches": batches,
        "batch_ms_p50": round(_percentile(batch_ms, 0.50), 3),
        "batch_ms_p99": round(_percentile(batch_ms, 0.99), 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--votes", type=int, default=400)
    parser.add_argument("--batches", type=int, default=40)
    parser.add_argument("--dir", type=Path, default=None, help="folder for the database files")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here too")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kb-sqlite-sync-", dir=args.dir) as folder:
        rows = [measure(Path(folder), mode, args.votes, args.batches) for mode in ("NORMAL", "FULL")]
    print(f"{'mode':<8}{'vote p50 ms':>12}{'vote p99 ms':>12}{'votes/s':>10}{'batch p50 ms':>14}{'batch p99 ms':>14}")
    for row in rows:
        print(
            f"{row['mode']:<8}{row['vote_ms_p50']:>12}{row['vote_ms_p99']:>12}{row['votes_per_second']:>10}"
            f"{row['batch_ms_p50']:>14}{row['batch_ms_p99']:>14}"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
