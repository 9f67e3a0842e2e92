"""The obvious alternative: SQLite FTS5 over the same section chunks, with the same queries.

``tokenize="unicode61 remove_diacritics 2"`` (accent-insensitive, no stemming, no stop words);
one row per chunk (article id, locale, title, heading, body: the intro chunk carries summary
and keywords). A query is built safely: every word of the user text is quoted (``"tok"``),
the last one as a prefix (``"tok"*``) for search-as-you-type, all ORed; ranked with
``bm25`` weighting title 5, heading 2, body 1; both locales searched, results deduplicated by
article.

    python -m bench.peer_fts5 --content content --trace bench/results/trace-shipped.json
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import time
from pathlib import Path

from bench.common import ROOT, Chunk, log, read_content, summarize_ms, write_json

TOKEN = re.compile(r"\w+", re.UNICODE)
MAX_TOKENS = 12
MAX_QUERY_CHARS = 200
SCHEMA = ('CREATE VIRTUAL TABLE chunks USING fts5(article_id UNINDEXED, locale UNINDEXED, '
          'title, heading, body, tokenize="unicode61 remove_diacritics 2")')
SEARCH_SQL = ("SELECT article_id, locale, title, heading, bm25(chunks, 0, 0, 5.0, 2.0, 1.0) AS s "
              "FROM chunks WHERE chunks MATCH ? ORDER BY s LIMIT ?")


def build(chunks: list[Chunk], db_path: str = ":memory:") -> sqlite3.Connection:
    """Create the FTS5 table at ``db_path`` (replacing it) and fill it with ``chunks``."""
    if db_path != ":memory:":
        Path(db_path).unlink(missing_ok=True)
    conn = sqlite3.connect(db_path, check_same_thread=False)
    conn.execute(SCHEMA)
    conn.executemany(
        "INSERT INTO chunks VALUES (?, ?, ?, ?, ?)",
        [(c.article_id, c.locale, c.title, c.heading, c.body) for c in chunks],
    )
    conn.execute("INSERT INTO chunks(chunks) VALUES('optimize')")
    conn.commit()
    return conn


def match_expression(q: str) -> str | None:
    """User text -> a safe FTS5 MATCH expression (quoted tokens, last one prefix, ORed)."""
    tokens = TOKEN.findall(q[:MAX_QUERY_CHARS])[:MAX_TOKENS]
    if not tokens:
        return None
    quoted = ['"' + t.replace('"', '""') + '"' for t in tokens]
    if not q.endswith((" ", "\t")):
        quoted[-1] += "*"
    return " OR ".join(quoted)


def search(conn: sqlite3.Connection, q: str, limit: int = 10) -> list[dict]:
    """Best chunk per article, both locales, best first."""
    expr = match_expression(q)
    if expr is None:
        return []
    seen: set[str] = set()
    out: list[dict] = []
    for article_id, locale, title, heading, score in conn.execute(SEARCH_SQL, (expr, limit * 5)):
        if article_id in seen:
            continue
        seen.add(article_id)
        out.append({"article_id": article_id, "locale": locale, "title": title,
                    "section": heading, "score": -score})
        if len(out) >= limit:
            break
    return out


def relevance(search_fn, golden: list[dict], splits: bool = True) -> dict[str, object]:
    """top-1, MRR@5 and zero-result rate over golden entries whose ``article`` is not null,
    overall and per ``split`` (tune / holdout).

    ``search_fn(q, locale) -> [article_id, ...]`` best first (deduplicated here)."""
    out = _relevance(search_fn, golden)
    if splits:
        for split in ("tune", "holdout"):
            part = [g for g in golden if g.get("split") == split]
            if part:
                r = _relevance(search_fn, part)
                out[split] = {k: v for k, v in r.items() if k != "misses_sample"}
    return out


def _relevance(search_fn, golden: list[dict]) -> dict[str, object]:
    judged = [g for g in golden if g.get("article")]
    if not judged:
        return {"judged": 0}
    top1 = rr = zero = 0.0
    misses: list[str] = []
    for g in judged:
        ids = search_fn(str(g["q"]), str(g.get("locale") or g.get("lang") or "en"))
        ids = list(dict.fromkeys(ids))[:5]
        if not ids:
            zero += 1
        if ids and ids[0] == g["article"]:
            top1 += 1
        elif len(misses) < 15:
            misses.append(f"{g['q']!r} -> {ids[:1]} (want {g['article']})")
        if g["article"] in ids:
            rr += 1.0 / (ids.index(g["article"]) + 1)
    n = len(judged)
    return {"judged": n, "top1": round(top1 / n, 4), "mrr5": round(rr / n, 4),
            "zero_result_rate": round(zero / n, 4), "misses_sample": misses}


def latency(conn: sqlite3.Connection, entries: list[dict], warmup: int = 50) -> dict:
    for e in entries[:warmup]:
        search(conn, e["q"])
    samples, by_kind = [], {"prefix": [], "final": []}
    empty = 0
    for e in entries:
        t0 = time.perf_counter_ns()
        hits = search(conn, e["q"])
        ms = (time.perf_counter_ns() - t0) / 1e6
        samples.append(ms)
        by_kind.setdefault(e["kind"], []).append(ms)
        empty += not hits
    out = summarize_ms(samples)
    out["by_kind"] = {k: summarize_ms(v) for k, v in by_kind.items() if v}
    out["empty_result_share"] = round(empty / max(1, len(entries)), 4)
    return out


def run(content: Path, entries: list[dict], golden: list[dict]) -> dict:
    t0 = time.perf_counter()
    chunks = read_content(content)
    conn = build(chunks)
    build_s = time.perf_counter() - t0
    try:
        result = {
            "content": str(content),
            "chunks": len(chunks),
            "build_seconds": round(build_s, 3),
            "latency_ms": latency(conn, entries),
        }
        if golden:
            result["relevance"] = relevance(
                lambda q, _loc: [h["article_id"] for h in search(conn, q, 5)], golden)
    finally:
        conn.close()
    return result


def main(argv: list[str] | None = None) -> None:
    from bench.trace import load_golden

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--content", type=Path, default=ROOT / "content")
    ap.add_argument("--trace", type=Path, help="JSON from bench.trace")
    ap.add_argument("--golden", type=Path, default=ROOT / "tests" / "golden" / "queries.yaml")
    ap.add_argument("--no-relevance", action="store_true", help="skip relevance (synthetic corpus)")
    ap.add_argument("--json", type=Path, help="write results here (default: stdout)")
    ap.add_argument("--build-db", type=Path, help="only build the FTS5 table into this file")
    args = ap.parse_args(argv)
    if args.build_db:
        t0 = time.perf_counter()
        chunks = read_content(args.content)
        t1 = time.perf_counter()
        build(chunks, str(args.build_db)).close()
        write_json(args.json, {"chunks": len(chunks), "read_seconds": round(t1 - t0, 3),
                               "index_seconds": round(time.perf_counter() - t1, 3),
                               "bytes": args.build_db.stat().st_size})
        return
    if args.trace is None:
        ap.error("--trace is required")
    entries = json.loads(args.trace.read_text())["entries"]
    golden = [] if args.no_relevance else load_golden(args.golden)
    log(f"fts5 peer: {args.content}, {len(entries)} queries, {len(golden)} golden")
    write_json(args.json, run(args.content, entries, golden))


if __name__ == "__main__":
    main()
