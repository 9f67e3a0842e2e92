"""Render the results of bench.run_all as BENCHMARKS.md (tables, targets, commands)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

TARGETS = {
    "inproc_p50": 1.0, "inproc_p99": 5.0, "http_p99_200": 15.0, "sat_rps": 1000.0,
    "reindex_10k_s": 180.0, "synthetic_p50": 20.0,
}


def _g(d: Any, *path: str, default: Any = None) -> Any:
    for p in path:
        if not isinstance(d, dict) or p not in d:
            return default
        d = d[p]
    return d


def _f(x: Any, nd: int = 2) -> str:
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:,.{nd}f}"
    if isinstance(x, int):
        return f"{x:,}"
    return str(x)


def _table(head: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(_f(c) if not isinstance(c, str) else c for c in r) + " |"
              for r in rows]
    return "\n".join(lines) + "\n"


def _ok(value: Any, limit: float, lower_is_better: bool = True) -> str:
    if value is None:
        return "not measured"
    met = value <= limit if lower_is_better else value >= limit
    return "**met**" if met else "**missed**"


def targets(data: dict) -> list[list[Any]]:
    rows: list[list[Any]] = []
    ls, lsyn, http = data.get("latency_shipped"), data.get("latency_synthetic"), data.get("http")
    big = max((int(k) for k in _g(data, "reindex", "sizes", default={}) or {}), default=None)
    for cache in ("cache_off", "cache_on"):
        c = cache.replace("_", " ")
        p50 = _g(ls, cache, "search_ms", "p50")
        p99 = _g(ls, cache, "search_ms", "p99")
        rows.append([f"in-process search p50, shipped content, {c}", "≤ 1 ms", _f(p50, 3),
                     _ok(p50, TARGETS["inproc_p50"])])
        rows.append([f"in-process search p99, shipped content, {c}", "≤ 5 ms", _f(p99, 3),
                     _ok(p99, TARGETS["inproc_p99"])])
    for target in ("ours-cache-off", "ours-cache-on"):
        p99 = _g(http, f"{target}-w1", "search", "open_200", "latency_ms", "p99")
        rows.append([f"HTTP /v1/search p99 at 200 req/s, 1 worker, {target[5:]}", "≤ 15 ms",
                     _f(p99, 2), _ok(p99, TARGETS["http_p99_200"])])
        rps = _g(http, f"{target}-w1", "search", "wrk", "rps")
        rows.append([f"saturation /v1/search, 1 worker, widget trace, {target[5:]}",
                     "≥ 1,000 req/s", _f(rps, 0), _ok(rps, TARGETS["sat_rps"], False)])
    wall = _g(data, "reindex", "sizes", str(big), "ours", "wall_seconds") if big else None
    rows.append([f"reindex {_f(big)} articles/locale", "< 180 s", _f(wall, 1),
                 _ok(wall, TARGETS["reindex_10k_s"])])
    for cache in ("cache_off", "cache_on"):
        p50 = _g(lsyn, cache, "search_ms", "p50")
        rows.append([f"search p50, synthetic {_f(big)}/locale, {cache.replace('_', ' ')}",
                     "≤ 20 ms", _f(p50, 2), _ok(p50, TARGETS["synthetic_p50"])])
    rel = _g(ls, "relevance")
    if rel and rel.get("judged"):
        rows.append(["relevance top-1 (golden set, search)", "≥ 95 %",
                     f"{rel['top1']:.1%}", _ok(rel["top1"], 0.95, False)])
        rows.append(["relevance MRR@5 (golden set, search)", "≥ 0.95", _f(rel["mrr5"], 3),
                     _ok(rel["mrr5"], 0.95, False)])
    return rows


def _hist_cell(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return _f(value, 1 if key.endswith(("_rps", "_s")) else 3)
    return _f(value)


def _lat_row(name: str, d: Any) -> list[Any]:
    s = d or {}
    return [name, _f(s.get("p50"), 3), _f(s.get("p95"), 3), _f(s.get("p99"), 3),
            _f(s.get("mean"), 3), _f(s.get("max"), 2), _f(_g(s, "by_kind", "prefix", "p50"), 3),
            _f(_g(s, "by_kind", "final", "p50"), 3), _f(s.get("n"))]


def summary_row(data: dict) -> dict[str, Any]:
    """One line of bench/history.jsonl: the headline figures of a full run."""
    ls, lsyn, http = data.get("latency_shipped"), data.get("latency_synthetic"), data.get("http")
    return {
        "date": _g(data, "machine", "date"), "commit": _g(data, "git", "commit"),
        "dirty": bool(_g(data, "git", "dirty_engine_files")), "note": data.get("note", ""),
        "inproc_off_p50": _g(ls, "cache_off", "search_ms", "p50"),
        "inproc_off_p99": _g(ls, "cache_off", "search_ms", "p99"),
        "inproc_on_p50": _g(ls, "cache_on", "search_ms", "p50"),
        "inproc_on_p99": _g(ls, "cache_on", "search_ms", "p99"),
        "synthetic_off_p50": _g(lsyn, "cache_off", "search_ms", "p50"),
        "http200_off_p99": _g(http, "ours-cache-off-w1", "search", "open_200", "latency_ms", "p99"),
        "http200_on_p99": _g(http, "ours-cache-on-w1", "search", "open_200", "latency_ms", "p99"),
        "sat_off_rps": _g(http, "ours-cache-off-w1", "search", "wrk", "rps"),
        "sat_on_rps": _g(http, "ours-cache-on-w1", "search", "wrk", "rps"),
        "reindex_10k_s": _g(data, "reindex", "sizes", "10000", "ours", "wall_seconds"),
        "top1": _g(ls, "relevance", "top1"), "mrr5": _g(ls, "relevance", "mrr5"),
    }


def _without_comment(text: str) -> str:
    """The text without its leading HTML comment (a note for whoever edits the file)."""
    if text.startswith("<!--"):
        text = text[text.index("-->") + 3 :].lstrip("\n")
    return text


def render(data: dict, history: list[dict], results: Path) -> str:
    m = data["machine"]
    out: list[str] = ["# Benchmarks\n"]
    if data.get("quick"):
        out.append("> **Smoke run at tiny sizes** (`--quick`): the figures mean nothing.\n")
    out.append(
        "Produced by `bench/run_all.py` (see bench/README.md); every figure below comes from "
        "the run described here, raw JSON in `bench/results/` (not committed).\n")
    out.append(_table(["machine", ""], [
        ["date", m["date"]], ["CPU", f"{m['cpu_model']} × {m['cores']} cores"],
        ["memory", f"{m['memory_gib']} GiB"], ["Python", f"{m['implementation']} {m['python']}"],
        ["OS", m["os"]], ["code", f"commit {_g(data, 'git', 'commit')}" + (
            " + uncommitted changes in " + ", ".join(_g(data, "git", "dirty_engine_files"))
            if _g(data, "git", "dirty_engine_files") else "")],
        ["note", data.get("note") or "–"]] + ([[
            "HTTP steps re-run", f"{data['http_rerun']['date']} on commit "
            f"{_g(data, 'http_rerun', 'git', 'commit')}"]] if data.get("http_rerun") else [])))
    out.append("## Targets (product.md, quality bars)\n")
    out.append(_table(["target", "bar", "measured", ""], targets(data)))
    out += _against_peer(data, history)
    out += _inproc(data)
    quality = Path(__file__).with_name("quality.md")  # measured by `kb evaluate`, written by hand
    if quality.exists():
        out.append(_without_comment(quality.read_text(encoding="utf-8")))
    out += _reindex(data)
    out += _http(data)
    out += _ablation(data)
    findings = Path(__file__).with_name("findings.md")
    if findings.exists():
        out.append(findings.read_text(encoding="utf-8"))
    out += _params(data)
    if history:
        keys = list(summary_row({"machine": {}}).keys())
        out.append("## History (before / after)\n")
        out.append("One line per full run (`bench/history.jsonl`); latencies in ms.\n")
        out.append(_table(keys, [[_hist_cell(k, h.get(k)) for k in keys] for h in history]))
    out.append("## Commands\n")
    out.append("Run from the repository root with the project virtualenv "
               "(`.venv/bin/python -m bench.run_all`). The steps it ran:\n")
    out.append(_table(["step", "command", "seconds", "background CPU before"],
                      [[s["name"], f"`{s['command']}`", s["seconds"],
                        f"{s['background_cpu_busy']:.0%}"] for s in data.get("steps", [])]))
    out += _profiles(results)
    return "\n".join(out)


def _ratio_row(what: str, ours: Any, peer: Any, bar: float) -> list[Any]:
    ratio = ours / peer if ours and peer else None
    return [what, _f(ours, 0), _f(peer, 0), f"×{ratio:.2f}" if ratio else "–", f"≥ ×{bar:g}",
            _ok(ratio, bar, False)]


def _against_peer(data: dict, history: list[dict]) -> list[str]:
    """The figures that say whether we beat a bare FastAPI route over SQLite FTS5, measured in
    this run with the same client and trace (one worker each; ours as scripts/serve runs it)."""
    http = data.get("http") or {}
    peer = _g(http, "peer-w1", "search")
    if not peer:
        return []
    rows = []
    for count in sorted(_g(peer, "wrk_by_connections", default={}) or {}, key=int):
        peer_rps = _g(peer, "wrk_by_connections", count, "rps")
        for target, bar in (("ours-cache-on", 1.1), ("ours-cache-off", 0.9)):
            ours = _g(http, f"{target}-w1", "search", "wrk_by_connections", count, "rps")
            rows.append(_ratio_row(f"saturation, {count} connections, {target[5:].replace('-', ' ')}", ours, peer_rps,
                                   bar))
    peer_p99 = _g(peer, "open_200", "latency_ms", "p99")
    for target in ("ours-cache-on", "ours-cache-off"):
        ours = _g(http, f"{target}-w1", "search", "open_200", "latency_ms", "p99")
        rows.append([f"p99 ms at 200 req/s (open loop), {target[5:].replace('-', ' ')}", _f(ours, 2), _f(peer_p99, 2),
                     "–", "≤ the peer's", _ok(ours, peer_p99) if peer_p99 is not None else "not measured"])
    out = ["## Against the peer (a bare FastAPI route over SQLite FTS5)\n",
           "One worker each, same `wrk` client and trace, in this run; ours as `scripts/serve` runs "
           "it (its access line on, uvicorn's access log and proxy headers off) with only the rate "
           "limit off; \"cache off\" is `KB_QUERY_CACHE_SIZE=0` (query and rendered-response "
           "caches off).\n",
           _table(["figure", "ours", "peer", "ratio", "bar", ""], rows)]
    other = []
    big = max((int(k) for k in _g(data, "reindex", "sizes", default={}) or {}), default=None)
    p99 = _g(data, "latency_synthetic", "cache_off", "search_ms", "p99")
    other.append([f"in-process search p99, synthetic {_f(big)}/locale, cache off", "≤ 10 ms", _f(p99, 2),
                  _ok(p99, 10.0)])
    for what, path in (("p50", "p50"), ("p99", "p99")):
        answer = _g(data, "latency_shipped", "cache_off", "answer_ms", path)
        other.append([f"in-process answer() {what}, shipped content, cache off", "≤ 1 ms" if what == "p50"
                      else "≤ 5 ms", _f(answer, 3), _ok(answer, 1.0 if what == "p50" else 5.0)])
    switch = data.get("switch") or {}
    for label in ("cache-on", "cache-off"):
        before = _g(switch, label, "before", "latency_ms", "p99")
        after = _g(switch, label, "after", "latency_ms", "p99")
        if after is not None:
            other.append([f"HTTP p99 in the {_f(switch.get('window_s'), 0)} s after a generation switch, "
                          f"{_f(switch.get('rate'), 0)} req/s, {label.replace('-', ' ')}", "reported",
                          f"{_f(after, 2)} (before: {_f(before, 2)})", ""])
    top1 = _g(data, "latency_shipped", "relevance", "top1")
    mrr5 = _g(data, "latency_shipped", "relevance", "mrr5")
    last = next((h for h in reversed(history) if h.get("top1") is not None and h.get("date") != _g(
        data, "machine", "date")), None)
    if top1 is not None:
        same = last is not None and (last["top1"], last["mrr5"]) == (top1, mrr5)
        other.append(["relevance (golden set, search): top-1 / MRR@5", "unchanged",
                      f"{top1:.1%} / {_f(mrr5, 3)}", ("**unchanged**" if same else
                      f"**changed** (was {last['top1']:.1%} / {_f(last['mrr5'], 3)})") if last else "–"])
    out.append(_table(["figure", "bar", "measured", ""], other))
    return out


def _inproc(data: dict) -> list[str]:
    head = ["engine / cache", "p50", "p95", "p99", "mean", "max", "prefix p50", "final p50",
            "queries"]
    out = ["## In-process search latency (ms)\n",
           "One query after the other in one process, over the whole trace (search-as-you-type "
           "prefixes included), after 100 warm-up queries. FTS5 = the peer (`bench/peer_fts5.py`)."
           "\n"]
    for label, ours, peer in (("Shipped content", "latency_shipped", "peer_shipped"),
                              ("Synthetic corpus", "latency_synthetic", "peer_synthetic")):
        d, p = data.get(ours), data.get(peer)
        if not d:
            continue
        out.append(f"### {label} ({_g(d, 'build', 'chunks') or _g(p, 'chunks')} chunks)\n")
        rows = [_lat_row("ours, cache off", _g(d, "cache_off", "search_ms")),
                _lat_row("ours, cache on", _g(d, "cache_on", "search_ms")),
                _lat_row("SQLite FTS5", _g(p, "latency_ms"))]
        out.append(_table(head, rows))
        if _g(d, "cache_off", "answer_ms"):
            out.append("`answer()` over the trace's final queries:\n")
            out.append(_table(head, [_lat_row("ours answer, cache off",
                                              _g(d, "cache_off", "answer_ms")),
                                     _lat_row("ours answer, cache on",
                                              _g(d, "cache_on", "answer_ms"))]))
        out.append(f"Empty result pages: ours {_f(_g(d, 'cache_off', 'search_empty_share'), 3)}, "
                   f"FTS5 {_f(_g(p, 'latency_ms', 'empty_result_share'), 3)} (share of queries); "
                   f"cache hits (cache on): {_g(d, 'cache_on', 'cache')}.\n")
    rel_rows = []
    for name, rel in (("ours", _g(data, "latency_shipped", "relevance")),
                      ("SQLite FTS5", _g(data, "peer_shipped", "relevance"))):
        for split in ("all", "tune", "holdout"):
            r = rel if split == "all" else _g(rel, split)
            if r and r.get("judged"):
                rel_rows.append([name, split, r["judged"], f"{r['top1']:.1%}", _f(r["mrr5"], 3),
                                 f"{r['zero_result_rate']:.1%}"])
    if rel_rows:
        out.append("### Relevance on the golden set (`tests/golden/queries.yaml`)\n")
        out.append("Entries with a non-null `article`; both locales searched, results deduplicated "
                   "by article; rank of the first hit with that article id.\n")
        out.append(_table(["engine", "split", "judged", "top-1", "MRR@5", "zero results"],
                          rel_rows))
    return out


def _reindex(data: dict) -> list[str]:
    sizes = _g(data, "reindex", "sizes") or {}
    if not sizes:
        return []
    rows = []
    for n, e in sizes.items():
        for name, key in (("ours (`kb reindex`)", "ours"), ("SQLite FTS5", "peer_fts5")):
            r = e.get(key)
            if r:
                rows.append([_f(int(n)), name, _f(r.get("wall_seconds"), 1),
                             _f(r.get("cpu_seconds"), 1), _f(r.get("peak_rss_mib"), 0),
                             _f(r.get("index_mib"), 1), _f(e.get("content_mib"), 1)])
    return ["## Reindex scale\n",
            "Synthetic corpus, N articles per locale (fr + en). Wall and CPU time and peak RSS of "
            "the indexing process (`os.wait4`), size of the new index generation on disk.\n",
            _table(["articles/locale", "engine", "wall s", "CPU s", "peak RSS MiB",
                    "index MiB", "markdown MiB"], rows)]


def _http(data: dict) -> list[str]:
    http = data.get("http")
    if not http:
        return []
    out = ["## HTTP load (uvicorn, loopback)\n",
           f"Trace of {http.get('search_paths')} search requests ({http.get('answer_paths')} "
           f"answer requests: the trace's finals). Saturation: `wrk -t1 -c<connections> "
           f"-d{http.get('wrk_duration_s')}s` (connections: {http.get('wrk_connections')}) with "
           "`bench/wrk_trace.lua`. Open loop: `bench/openloop.py`, latency from each request's "
           f"scheduled send time, {http.get('duration_s')} s per rate. Server and load generator "
           "share the 2 cores.\n"]
    sat, ol, mem = [], [], []
    for label, res in http.items():
        if not isinstance(res, dict) or "rss_at_rest" not in res:
            continue
        for ep in ("search", "answer"):
            runs = res.get(ep)
            if not runs:
                continue
            by_count = runs.get("wrk_by_connections") or {str(http.get("wrk_connections")): runs.get("wrk", {})}
            for count, w in by_count.items():
                sat.append([label, ep, count, _f(w.get("rps"), 0), _f(_g(w, "latency_ms", "p50"), 2),
                            _f(_g(w, "latency_ms", "p99"), 2), w.get("errors"), w.get("non_2xx"),
                            _f(_g(w, "rss_peak", "rss_sum_mib"), 0)])
            for k, r in runs.items():
                if k.startswith("open_"):
                    lat = r["latency_ms"]
                    ol.append([label, ep, _f(r["rate"], 0), _f(r["achieved_rps"], 0),
                               _f(lat.get("p50"), 2), _f(lat.get("p99"), 2),
                               _f(lat.get("max"), 1), r["errors"], r["non_2xx"],
                               _f(_g(r, "send_lag_ms", "p99"), 2)])
        mem.append([label, _f(res.get("startup_seconds"), 1),
                    _f(_g(res, "rss_at_rest", "rss_sum_mib"), 0),
                    _f(_g(res, "rss_at_rest", "pss_sum_mib"), 0),
                    _f(_g(res, "rss_after", "rss_sum_mib"), 0),
                    len(_g(res, "rss_at_rest", "processes", default=[]))])
    out.append("### Saturation (wrk)\n")
    out.append(_table(["server", "endpoint", "connections", "req/s", "p50 ms", "p99 ms", "errors",
                       "non-2xx", "peak RSS MiB"], sat))
    out.append("### Open loop at fixed rates\n")
    out.append(_table(["server", "endpoint", "rate", "achieved", "p50 ms", "p99 ms", "max ms",
                       "errors", "non-2xx", "client lag p99 ms"], ol))
    out.append("### Server memory\n")
    out.append("Sum over the server's processes (uvicorn supervisor included when 2 workers); "
               "Pss shares mmapped index pages between workers fairly.\n")
    out.append(_table(["server", "start s", "RSS at rest MiB", "Pss at rest MiB",
                       "RSS after load MiB", "processes"], mem))
    return out


def _ablation(data: dict) -> list[str]:
    variants = _g(data, "ablation", "variants")
    if not variants:
        return []
    rows = [[k, _f(v.get("rps"), 0), _f(_g(v, "latency_ms", "p50"), 2),
             _f(_g(v, "latency_ms", "p99"), 2), v.get("errors"), v.get("non_2xx"),
             _f(v.get("rss"), 0)] for k, v in variants.items()]
    return ["### Where the HTTP time goes (`bench/ablation.py`)\n",
            "Same index and trace, one worker, `wrk` to saturation on `/v1/search`: the API as "
            "shipped, without its search log, without its middlewares, and a bare FastAPI route "
            "calling `KnowledgeBase.search` (what the FTS5 peer app is).\n",
            _table(["variant", "req/s", "p50 ms", "p99 ms", "errors", "non-2xx", "RSS MiB"],
                   rows)]


def _params(data: dict) -> list[str]:
    out = ["## Parameters\n"]
    big = max((int(k) for k in _g(data, "reindex", "sizes", default={}) or {}), default=None)
    cs = _g(data, "reindex", "sizes", str(big), "corpus_stats") if big else None
    if cs:
        p = cs["params"]
        out.append("Synthetic corpus (`bench/corpus.py`, vocabulary in `bench/vocab.py`):\n")
        out.append(_table(["parameter", "value"], [
            ["seed", p["seed"]], ["articles per locale", _f(cs["articles_per_locale"])],
            ["sections per article", f"{p['min_sections']}–{p['max_sections']} "
                                     f"(mean {cs['sections_mean']})"],
            ["steps per article", f"{p['min_steps']}–{p['max_steps']} (mean {cs['steps_mean']})"],
            ["sentences per section", f"{p['min_sentences']}–{p['max_sentences']}"],
            ["rare feature names (Zipf s)", f"{p['feature_names']} ({p['feature_zipf_s']})"],
            ["topics", ", ".join(cs["topics"])],
            ["distinct words fr / en", f"{_f(cs['distinct_words']['fr'])} / "
                                       f"{_f(cs['distinct_words']['en'])}"],
            ["words fr / en", f"{_f(cs['total_words']['fr'])} / {_f(cs['total_words']['en'])}"]]))
    rows = []
    for name, t in (data.get("traces") or {}).items():
        p = t["params"]
        rows.append([name, t["origin"], _f(t["entries"]), t["sessions"], t["distinct_queries"],
                     f"{t['repetition']:.0%}", f"{t['prefix_share']:.0%}", p["zipf_s"],
                     p["typo_rate"], p["oos_rate"], p["cross_rate"], p["seed"],
                     ", ".join(f"{k} {v}" for k, v in t["locales"].items())])
    if rows:
        out.append("Query traces (`bench/trace.py`): sessions of keystroke prefixes from 3 "
                   "characters then the final query; finals Zipf-popular; repetition = share of "
                   "requests that repeat an earlier (query, locale).\n")
        out.append(_table(["trace", "finals from", "requests", "sessions", "distinct",
                           "repetition", "prefixes", "Zipf s", "typo", "out of scope",
                           "cross-lingual", "seed", "locales"], rows))
    return out


def _profiles(results: Path) -> list[str]:
    out = []
    for f in sorted((results / "profiles").glob("server-*.txt")):
        out.append(f"### Profile: {f.stem} (pyinstrument inside uvicorn under wrk, 1 worker; "
                   "flat: inclusive and self time per function)\n")
        out.append("```\n" + "\n".join(f.read_text().splitlines()[:75]) + "\n```\n")
    for f in sorted((results / "profiles").glob("profile-*.txt")):
        if f.name.endswith(".all.txt"):
            continue
        lines = f.read_text().splitlines()
        out.append(f"### Profile: {f.stem} (pyinstrument, untimed pass over the first "
                   f"queries of the trace, cache off; full tree in {f.stem}.all.txt)\n")
        out.append("```\n" + "\n".join(lines[:60]) + "\n```\n")
    return ["## Profiles of the hot path\n", *out] if out else []
