"""Smoke runs of the benchmark scripts at tiny sizes: the output has its keys and tables and
the numbers are sane (requests made, no errors). No timing assertions: benchmarks are scripts.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench import corpus, peer_fts5, trace
from bench.common import ROOT, read_content

LAT_KEYS = {"n", "p50", "p95", "p99", "mean", "max"}


@pytest.fixture(scope="module")
def tiny_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    corpus.generate(out, corpus.CorpusParams(articles=20))
    return out


@pytest.fixture(scope="module")
def shipped_trace() -> dict:
    return trace.make_trace(trace.TraceParams(source="shipped", queries=50))


def _sane(lat: dict, n: int | None = None) -> None:
    assert set(lat) >= LAT_KEYS
    assert 0 < lat["p50"] <= lat["p95"] <= lat["p99"] <= lat["max"]
    if n is not None:
        assert lat["n"] == n


def test_corpus_is_parallel_valid_markdown(tiny_corpus: Path) -> None:
    fr = sorted(p.name for p in (tiny_corpus / "fr").glob("*.md"))
    en = sorted(p.name for p in (tiny_corpus / "en").glob("*.md"))
    assert fr == en and len(fr) == 20
    assert (tiny_corpus / "synonyms.yaml").exists()
    stats = json.loads((tiny_corpus / "corpus.json").read_text())
    assert stats["params"]["articles"] == 20 and stats["distinct_words"]["fr"] > 100
    chunks = read_content(tiny_corpus)
    assert {c.locale for c in chunks} == {"fr", "en"}
    text = (tiny_corpus / "fr" / fr[0]).read_text()
    for field in ("id", "title", "intent", "summary", "updated"):
        assert re.search(rf"^{field}: ", text, re.M)
    assert re.search(r"^## .+ \{#[a-z0-9-]+\}$", text, re.M)


def test_corpus_is_reproducible(tmp_path: Path) -> None:
    params = corpus.CorpusParams(articles=5)
    corpus.generate(tmp_path / "a", params)
    corpus.generate(tmp_path / "b", params)
    for md in (tmp_path / "a").rglob("*.md"):
        assert md.read_bytes() == (tmp_path / "b" / md.relative_to(tmp_path / "a")).read_bytes()


def test_corpus_loads_in_the_engine(tiny_corpus: Path) -> None:
    content = pytest.importorskip("kb.content")
    loaded = content.load_content(tiny_corpus)
    assert len(loaded.articles) == 40


def test_trace_shapes(shipped_trace: dict) -> None:
    entries = shipped_trace["entries"]
    assert len(entries) == 50
    assert all(len(e["q"]) >= 3 and e["locale"] in ("fr", "en") for e in entries)
    assert {e["kind"] for e in entries} <= {"prefix", "final"}
    stats = shipped_trace["stats"]
    for key in ("repetition", "distinct_queries", "prefix_share", "sessions", "origin"):
        assert key in stats
    synthetic = trace.make_trace(trace.TraceParams(source="synthetic", queries=50))
    assert len(synthetic["entries"]) == 50
    paths = trace.request_paths(entries[:3])
    assert all(p.startswith("/v1/search?q=") and " " not in p for p in paths)
    assert trace.make_trace(trace.TraceParams(queries=50))["entries"] == entries  # fixed seed


@pytest.mark.parametrize("hostile", ['"', "*", "a OR b", "NEAR(x y)", "col:val", "\x00\u200b",
                                     "é" * 5000, "''", "-", "^x"])
def test_fts5_query_is_built_safely(hostile: str) -> None:
    conn = peer_fts5.build(read_content(ROOT / "content"))
    try:
        peer_fts5.search(conn, hostile)
    finally:
        conn.close()


def test_fts5_peer_latency_and_relevance(shipped_trace: dict) -> None:
    golden = trace.load_golden()
    res = peer_fts5.run(ROOT / "content", shipped_trace["entries"], golden)
    _sane(res["latency_ms"], 50)
    if golden:
        rel = res["relevance"]
        assert rel["judged"] > 0 and 0 <= rel["top1"] <= 1 and 0 <= rel["mrr5"] <= 1


def test_latency_in_process(shipped_trace: dict) -> None:
    pytest.importorskip("kb.service")
    from bench import latency

    res = latency.run(ROOT / "content", shipped_trace["entries"], golden=trace.load_golden())
    for cache in ("cache_off", "cache_on"):
        _sane(res[cache]["search_ms"], 50)
        assert "answer_ms" in res[cache]
    assert res["cache_on"]["cache"]["size"] > 0
    assert "top1" in res["relevance"]


def test_reindex_scale(tmp_path: Path) -> None:
    pytest.importorskip("kb.indexing")
    from bench import reindex_scale

    res = reindex_scale.run([20], tmp_path, seed=1)
    entry = res["sizes"]["20"]
    for engine in ("ours", "peer_fts5"):
        assert entry[engine]["exit_code"] == 0 and entry[engine]["wall_seconds"] > 0
        assert entry[engine]["peak_rss_mib"] > 0
    assert entry["ours"]["index_bytes"] > 0


@pytest.mark.slow
def test_http_load_one_second(tmp_path: Path) -> None:
    if shutil.which("wrk") is None:
        pytest.skip("wrk is not installed")
    pytest.importorskip("api.app")
    from bench import http_load, reindex_scale

    index = tmp_path / "index"
    r = reindex_scale.measure([*reindex_scale.kb_command(), "reindex", "--quiet"],
                              {"KB_CONTENT_DIR": str(ROOT / "content"), "KB_INDEX_DIR": str(index)},
                              tmp_path / "reindex.log")
    assert r["exit_code"] == 0
    big = trace.make_trace(trace.TraceParams(source="shipped", queries=300))["entries"]
    res = http_load.run(index, ROOT / "content", big, workers=[1], rates=[50], duration=1,
                        wrk_duration=1, connections=[4], targets=["ours-cache-on", "peer"])
    for label, endpoints in (("ours-cache-on-w1", ("search", "answer")), ("peer-w1", ("search",))):
        server = res[label]
        assert server["rss_at_rest"]["rss_sum_mib"] > 0
        for ep in endpoints:
            ol, wrk = server[ep]["open_50"], server[ep]["wrk"]
            assert ol["completed"] == ol["sent"] > 0 and ol["errors"] == 0 and ol["non_2xx"] == 0
            assert wrk["requests"] > 0 and wrk["errors"] == 0 and wrk["non_2xx"] == 0
            assert wrk["rps"] > 0 and ol["latency_ms"]["p50"] > 0


@pytest.mark.slow
def test_run_all_quick_writes_the_report(tmp_path: Path) -> None:
    if shutil.which("wrk") is None:
        pytest.skip("wrk is not installed")
    pytest.importorskip("api.app")
    out = tmp_path / "BENCHMARKS.md"
    subprocess.run([sys.executable, "-m", "bench.run_all", "--quick", "--out", str(out),
                    "--results", str(tmp_path / "results")], cwd=ROOT, check=True, timeout=280)
    text = out.read_text()
    for heading in ("## Targets", "## In-process search latency", "## Reindex scale",
                    "## HTTP load", "### Saturation (wrk)", "### Open loop at fixed rates",
                    "### Server memory", "### Where the HTTP time goes", "## Parameters",
                    "## Commands", "## Against the peer"):
        assert heading in text
    assert "| saturation, 16 connections, cache on |" in text and "| saturation, 32 connections, cache off |" in text
    assert "after a generation switch, 50 req/s, cache on | reported |" in text
    assert "| ours-cache-off-w1 | search |" in text and "| peer-w1 | search |" in text
    assert "| bare, cache on |" in text
    # The hand-written answer figures (bench/quality.md) are kept, without their editing note.
    assert "### blind-6, measured once" in text and "Hand-written:" not in text


def test_rate_limit_cost(redis_url: str) -> None:
    from bench.rate_limit import run

    result = run(redis_url, 200)
    assert set(result) == {"memory://, 1 client", "memory://, 10,000 clients", "redis, 1 client",
                           "redis, 10,000 clients", "redis down (fail open)"}
    assert all(figures["n"] == 180 and figures["p50"] >= 0 for figures in result.values())


def test_sqlite_sync_bench_measures_both_modes(tmp_path: Path) -> None:
    from bench import sqlite_sync

    out = tmp_path / "sync.json"
    assert sqlite_sync.main(["--votes", "5", "--batches", "2", "--dir", str(tmp_path), "--json", str(out)]) == 0
    rows = json.loads(out.read_text())
    assert [(r["mode"], r["pragma_synchronous"]) for r in rows] == [("NORMAL", 1), ("FULL", 2)]
    assert all(r["votes"] == 5 and r["vote_ms_p50"] > 0 and r["batch_ms_p50"] > 0 for r in rows)
