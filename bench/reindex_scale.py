"""Reindex time, peak RSS and index size for synthetic corpora of N articles per locale.

For each size: generate the corpus (bench.corpus, fixed seed; reused when already there), run
``kb reindex`` as a subprocess into a fresh index directory (``KB_CONTENT_DIR``/``KB_INDEX_DIR``),
and read the child's wall time, CPU time and peak RSS (``os.wait4``: exactly that process).
The FTS5 peer's build over the same corpus is measured the same way.

    python -m bench.reindex_scale --sizes 1000 10000 --json bench/results/reindex.json
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

from bench.common import RESULTS, ROOT, dir_size_bytes, log, write_json
from bench.corpus import CorpusParams, ensure_corpus


def measure(cmd: list[str], env: dict[str, str], log_path: Path,
            timeout: float = 1800) -> dict[str, object]:
    """Run ``cmd``; wall seconds, CPU seconds, peak RSS (MiB) of that one child, exit code."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, stdout=out,
                                stderr=subprocess.STDOUT)
    deadline = t0 + timeout
    while True:  # os.wait4 gives this child's own rusage (RUSAGE_CHILDREN would accumulate)
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.05)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: keep Popen consistent
    cpu = usage.ru_utime + usage.ru_stime
    return {"wall_seconds": round(wall, 2), "cpu_seconds": round(cpu, 2),
            "peak_rss_mib": round(usage.ru_maxrss / 1024, 1), "exit_code": proc.returncode,
            "log": str(log_path)}


def kb_command() -> list[str]:
    exe = Path(sys.executable).with_name("kb")
    return [str(exe)] if exe.exists() else [sys.executable, "-c",
                                            "from kb.cli import main; main()"]


def run(sizes: list[int], work: Path, seed: int, peer: bool = True) -> dict:
    out: dict[str, object] = {"sizes": {}}
    for n in sizes:
        params = CorpusParams(articles=n, seed=seed)
        corpus = work / f"corpus-{n}"
        t0 = time.perf_counter()
        stats = ensure_corpus(corpus, params)
        log(f"corpus {n}/locale ready in {time.perf_counter() - t0:.1f}s at {corpus}")
        index = work / f"index-{n}"
        shutil.rmtree(index, ignore_errors=True)
        cmd = [*kb_command(), "reindex", "--quiet"]
        log(f"reindexing {n}/locale: {' '.join(cmd)}")
        r = measure(cmd, {"KB_CONTENT_DIR": str(corpus), "KB_INDEX_DIR": str(index)},
                    work / f"reindex-{n}.log")
        if r["exit_code"] != 0:
            raise RuntimeError(f"kb reindex failed; see {r['log']}")
        gen = (index / "current").resolve()
        r["index_bytes"] = dir_size_bytes(gen)
        r["index_mib"] = round(r["index_bytes"] / 2**20, 1)
        r["command"] = f"KB_CONTENT_DIR={corpus} KB_INDEX_DIR={index} {' '.join(cmd)}"
        entry: dict[str, object] = {"corpus": str(corpus), "index": str(index),
                                    "corpus_stats": stats, "ours": r,
                                    "content_mib": round(dir_size_bytes(corpus) / 2**20, 1)}
        log(f"  ours: {r['wall_seconds']}s, peak RSS {r['peak_rss_mib']} MiB, "
            f"index {r['index_mib']} MiB")
        if peer:
            db = work / f"fts5-{n}.sqlite3"
            pj = work / f"fts5-{n}.json"
            cmd = [sys.executable, "-m", "bench.peer_fts5", "--content", str(corpus),
                   "--build-db", str(db), "--json", str(pj)]
            p = measure(cmd, {}, work / f"fts5-{n}.log")
            if p["exit_code"] == 0:
                p.update(json.loads(pj.read_text()))
                p["index_mib"] = round(p["bytes"] / 2**20, 1)  # type: ignore[operator]
                db.unlink(missing_ok=True)
            entry["peer_fts5"] = p
            log(f"  fts5: {p['wall_seconds']}s, peak RSS {p['peak_rss_mib']} MiB")
        out["sizes"][str(n)] = entry  # type: ignore[index]
    out["corpus_params"] = asdict(CorpusParams(seed=seed))
    return out


def profile_build(corpus: Path, out: Path) -> None:
    """Where a reindex spends its time: load_content + build_index under pyinstrument."""
    import tempfile

    from pyinstrument import Profiler

    from kb.content import load_content
    from kb.indexing import build_index

    with tempfile.TemporaryDirectory(prefix="kb-reindex-prof-") as tmp:
        profiler = Profiler(interval=0.01)
        profiler.start()
        build_index(load_content(corpus), Path(tmp) / "index")
        profiler.stop()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(profiler.output_text(unicode=True, color=False))
    log(f"profile written to {out}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--work", type=Path, default=RESULTS / "work",
                    help="corpora and indexes are kept here (reused by bench.latency)")
    ap.add_argument("--seed", type=int, default=CorpusParams.seed)
    ap.add_argument("--no-peer", action="store_true")
    ap.add_argument("--shipped", action="store_true",
                    help="only index the shipped content into <work>/index-shipped")
    ap.add_argument("--profile", type=Path, metavar="OUT",
                    help="instead: load and index <work>/corpus-<first size> in-process under "
                         "pyinstrument (10 ms interval) and write the profile to OUT")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    if args.profile:
        profile_build(args.work / f"corpus-{args.sizes[0]}", args.profile)
        return
    if args.shipped:
        index = args.work / "index-shipped"
        shutil.rmtree(index, ignore_errors=True)
        r = measure([*kb_command(), "reindex", "--quiet"],
                    {"KB_CONTENT_DIR": str(ROOT / "content"), "KB_INDEX_DIR": str(index)},
                    args.work / "reindex-shipped.log")
        if r["exit_code"] != 0:
            raise SystemExit(f"kb reindex failed; see {r['log']}")
        r["index"] = str(index)
        write_json(args.json, r)
        return
    write_json(args.json, run(args.sizes, args.work, args.seed, peer=not args.no_peer))


if __name__ == "__main__":
    main()
