"""In-process search (and answer) latency of our engine over a query trace, cache off and on,
plus relevance on the golden set (same metric as the FTS5 peer).

    python -m bench.latency --content content --trace bench/results/trace-shipped.json \
        --relevance --json bench/results/latency-shipped.json

Each configuration opens its own ``KnowledgeBase``, answers 100 warm-up queries from a trace
with another seed, then times every entry of the trace (prefixes included) one after the
other. ``/v1/answer`` is timed over the trace's final queries only (what "enter" sends).
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, log, summarize_ms, write_json
from bench.peer_fts5 import relevance
from bench.trace import TraceParams, load_golden, make_trace

CACHE_ON = 4096
PROFILE_QUERIES = 400


def build(content: Path, index_dir: Path) -> dict[str, object]:
    """Index ``content`` into ``index_dir`` in-process; timings for the record."""
    from kb.content import load_content
    from kb.indexing import build_index

    t0 = time.perf_counter()
    content_set = load_content(content)
    t1 = time.perf_counter()
    report = build_index(content_set, index_dir)
    return {"load_seconds": round(t1 - t0, 3), "index_seconds": round(report.seconds, 3),
            "chunks": sum(r.chunks for r in report.locales.values()),
            "articles": sum(r.articles for r in report.locales.values())}


def has_index(index_dir: Path) -> bool:
    return (index_dir / "current").exists()


def time_calls(fn, entries: list[dict]) -> tuple[dict, int]:
    samples: list[float] = []
    by_kind: dict[str, list[float]] = {}
    empty = 0
    for e in entries:
        t0 = time.perf_counter_ns()
        res = fn(e["q"], e["locale"])
        ms = (time.perf_counter_ns() - t0) / 1e6
        samples.append(ms)
        by_kind.setdefault(e["kind"], []).append(ms)
        empty += not res
    out = summarize_ms(samples)
    if len(by_kind) > 1:
        out["by_kind"] = {k: summarize_ms(v) for k, v in by_kind.items()}
    return out, empty


def run_config(index_dir: Path, entries: list[dict], warmup: list[dict], cache_size: int,
               answers: bool, profile: Path | None = None) -> dict:
    from kb.service import KnowledgeBase

    t0 = time.perf_counter()
    kb = KnowledgeBase(index_dir, cache_size=cache_size)
    open_s = time.perf_counter() - t0

    def search(q: str, loc: str) -> list:
        return kb.search(q, locale=loc, limit=10).results

    def answer(q: str, loc: str) -> object:
        return kb.answer(q, locale=loc).answer

    for e in warmup:
        search(e["q"], e["locale"])
    out: dict[str, object] = {"cache_size": cache_size, "open_seconds": round(open_s, 3)}
    out["search_ms"], empty = time_calls(search, entries)
    out["search_empty_share"] = round(empty / max(1, len(entries)), 4)
    if profile is not None:  # a separate, untimed pass: the profiler slows every call
        from pyinstrument import Profiler

        kb = KnowledgeBase(index_dir, cache_size=cache_size)
        profiler = Profiler(interval=0.001)
        profiler.start()
        for e in entries[:PROFILE_QUERIES]:
            search(e["q"], e["locale"])
        profiler.stop()
        profile.parent.mkdir(parents=True, exist_ok=True)
        profile.write_text(profiler.output_text(unicode=True, color=False, show_all=False))
        profile.with_suffix(".all.txt").write_text(
            profiler.output_text(unicode=True, color=False, show_all=True))
        profile.with_suffix(".html").write_text(profiler.output_html())
        out["profile"] = str(profile)
    if answers:
        finals = [e for e in entries if e["kind"] == "final"]
        out["answer_ms"], unanswered = time_calls(answer, finals)
        out["answer_none_share"] = round(unanswered / max(1, len(finals)), 4)
    out["cache"] = kb.cache_stats
    return out


def our_relevance(index_dir: Path, golden: list[dict]) -> dict:
    from kb.service import KnowledgeBase

    kb = KnowledgeBase(index_dir, cache_size=0)

    def ids(q: str, loc: str) -> list[str]:
        return [h.article_id for h in kb.search(q, locale=loc, limit=5).results]

    return relevance(ids, golden)


def run(content: Path, entries: list[dict], *, index_dir: Path | None = None,
        golden: list[dict] | None = None, answers: bool = True, profile_dir: Path | None = None,
        source: str = "shipped") -> dict:
    with tempfile.TemporaryDirectory(prefix="kb-bench-") as tmp:
        result: dict[str, object] = {"content": str(content)}
        index_dir = index_dir or Path(tmp) / "index"
        if not has_index(index_dir):
            log(f"indexing {content} into {index_dir}")
            result["build"] = build(content, index_dir)
        result["index_dir"] = str(index_dir)
        warm = make_trace(TraceParams(source=source, queries=100, seed=99))["entries"]
        for label, size in (("cache_off", 0), ("cache_on", CACHE_ON)):
            log(f"timing {len(entries)} queries, {label}")
            prof = (profile_dir / f"profile-{source}-{label}.txt"
                    if profile_dir and size == 0 else None)
            result[label] = run_config(index_dir, entries, warm, size, answers, prof)
        if golden:
            log(f"relevance over {len(golden)} golden queries")
            result["relevance"] = our_relevance(index_dir, golden)
        result["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return result


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--content", type=Path, default=ROOT / "content")
    ap.add_argument("--index", type=Path, help="reuse (or build into) this index directory")
    ap.add_argument("--trace", type=Path, required=True, help="JSON from bench.trace")
    ap.add_argument("--relevance", action="store_true", help="also score tests/golden/queries.yaml")
    ap.add_argument("--no-answers", action="store_true", help="skip the answer() timings")
    ap.add_argument("--profile-dir", type=Path, help="write pyinstrument profiles here")
    ap.add_argument("--json", type=Path, help="write results here (default: stdout)")
    args = ap.parse_args(argv)
    trace = json.loads(args.trace.read_text())
    golden = load_golden() if args.relevance else None
    result = run(args.content, trace["entries"], index_dir=args.index, golden=golden,
                 answers=not args.no_answers, profile_dir=args.profile_dir,
                 source=trace["params"]["source"])
    result["trace"] = {"file": str(args.trace), **trace["params"], **trace["stats"]}
    write_json(args.json, result)


if __name__ == "__main__":
    main()
