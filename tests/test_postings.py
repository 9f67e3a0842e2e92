"""kb.postings: the memo of scored postings gives what Whoosh's own matchers give, and stays bounded."""

from __future__ import annotations

import math
import threading

import pytest
from whoosh.query import And, Or, Term
from whoosh.searching import Searcher

from bench import corpus, trace
from kb.content import load_content
from kb.indexing import build_index
from kb.postings import ScoredPostings, combine
from kb.ranking import DOC_LIMIT, slot_groups
from kb.search import SearchEngine
from kb.service import KnowledgeBase

from .conftest import ROOT

GOLDEN = ROOT / "tests" / "golden" / "queries.yaml"


def golden_queries() -> list[str]:
    import yaml

    cases = yaml.safe_load(GOLDEN.read_text(encoding="utf-8"))
    finals = [case["q"] for case in cases]
    # Search-as-you-type: every prefix of a few of them too, with the unfinished last word.
    prefixes = [q[:n] for q in finals[::25] for n in range(3, len(q), 2)]
    return finals + prefixes


Key = tuple[str, str]


def whoosh_hits(engine: SearchEngine, terms: dict, groups: list[list[Key]], every: bool, intent: str | None) -> list:
    """The same documents found by Whoosh's ``And`` of ``Or`` (or one ``Or``) of boosted ``Term``s."""
    def term(key: tuple[str, str]) -> Term:
        return Term(key[0], key[1], boost=terms[key][0])

    query = And([Or([term(k) for k in group]) for group in groups]) if every else Or([term(k) for k in groups[0]])
    results = engine.searcher().search(
        query, limit=DOC_LIMIT, filter=Term("intent", intent) if intent else None, terms=True
    )
    return [
        (hit.docnum, hit.score, {(f, t.decode() if isinstance(t, bytes) else t) for f, t in hit.matched_terms()})
        for hit in results
    ]


def compare_with_whoosh(engine: SearchEngine, queries: list[str], intent: str | None) -> tuple[int, int]:
    """Assert, for each query, what Whoosh's own search finds; return the number of searches
    compared and the most hits one had."""
    compared = most = 0
    for text in queries:
        plan = engine.plan(text)
        terms = engine.term_slots(plan)
        if not terms:
            continue
        allowed = engine.postings.with_intent(intent) if intent else None
        for groups, every in ((slot_groups(terms), True), ([list(terms)], False)):
            scored = [[(engine.postings.get(*k), terms[k][0]) for k in group] for group in groups]
            flat = [k for group in groups for k in group]
            ours = combine(scored, every_group=every, allowed=allowed, limit=DOC_LIMIT)
            theirs = whoosh_hits(engine, terms, groups, every, intent)
            assert sorted(n for n, _, _ in ours) == sorted(n for n, _, _ in theirs), text
            expected = {n: (score, matched) for n, score, matched in theirs}
            for number, score, matched_terms in ours:
                assert math.isclose(score, expected[number][0], rel_tol=1e-9), (text, number)
                assert {flat[i] for i in matched_terms} == expected[number][1], (text, number)
            compared += 1
            most = max(most, len(ours))
    return compared, most


@pytest.mark.parametrize("intent", [None, "refund"])
def test_same_documents_scores_and_matched_terms_as_whoosh(knowledge_base: KnowledgeBase, intent: str | None) -> None:
    compared, _ = compare_with_whoosh(knowledge_base.engine, golden_queries(), intent)
    assert compared > 500


@pytest.fixture(scope="module")
def larger_engine(tmp_path_factory: pytest.TempPathFactory) -> SearchEngine:
    """2 × 250 documents, words shared by most of them: more hits than DOC_LIMIT keeps, and
    postings longer than one of Whoosh's blocks."""
    root = tmp_path_factory.mktemp("larger")
    corpus.generate(root / "content", corpus.CorpusParams(articles=250))
    build_index(load_content(root / "content"), root / "index")
    return KnowledgeBase(root / "index", cache_size=0).engine


def test_the_same_on_a_larger_index_where_the_limit_cuts(larger_engine: SearchEngine) -> None:
    engine = larger_engine
    queries = [e["q"] for e in trace.make_trace(trace.TraceParams(source="synthetic", queries=300, seed=3))["entries"]]
    compared, most = compare_with_whoosh(engine, queries, None)
    assert compared > 300 and most == DOC_LIMIT


def matcher_scores(searcher: Searcher, fieldname: str, term: bytes) -> dict[int, float]:
    """A term's scores the way any Whoosh search gets them: one posting at a time."""
    matcher = searcher.postings(fieldname, term)
    scores = {}
    while matcher.is_active():
        scores[matcher.id()] = matcher.score()
        matcher.next()
    return scores


@pytest.mark.parametrize("which", ["shipped", "larger"])
def test_block_reads_give_every_term_exactly_the_matchers_scores(
    which: str, knowledge_base: KnowledgeBase, larger_engine: SearchEngine
) -> None:
    engine = knowledge_base.engine if which == "shipped" else larger_engine
    memo = ScoredPostings(engine.searcher)
    searcher = engine.searcher()
    assert set(memo._lengths) == set(searcher.schema.scorable_names())  # the block path is the one taken
    compared = multi_block = 0
    for fieldname in sorted(memo._lengths):
        for term in searcher.lexicon(fieldname):
            expected = matcher_scores(searcher, fieldname, term)
            assert memo.get(fieldname, term.decode()) == expected, (fieldname, term)  # equal floats, not close
            compared += 1
            multi_block += len(expected) > 128  # Whoosh's default block size
    assert compared > 1000 and (which == "shipped" or multi_block > 10)


def test_combine_semantics() -> None:
    a, b, c = {1: 1.0, 2: 2.0}, {2: 0.5, 3: 4.0}, {3: 1.0}
    # every group: only 2 and 3 hold a posting of both groups
    assert combine([[(a, 1.0)], [(b, 2.0), (c, 1.0)]], every_group=True, limit=10) == [(2, 3.0, (0, 1))]
    # any group: everything, best first; a term weighs score × boost
    assert combine([[(a, 1.0)], [(b, 2.0), (c, 1.0)]], every_group=False, limit=10) == [
        (3, 9.0, (1, 2)), (2, 3.0, (0, 1)), (1, 1.0, (0,))
    ]
    assert combine([[(a, 1.0), (b, 1.0)]], every_group=False, allowed=frozenset({1, 3}), limit=10) == [
        (3, 4.0, (1,)), (1, 1.0, (0,))
    ]
    # ties go to the lower document number, and the limit cuts after ordering
    assert combine([[({5: 1.0, 4: 1.0, 6: 2.0}, 1.0)]], every_group=False, limit=2) == [(6, 2.0, (0,)), (4, 1.0, (0,))]
    assert combine([[(a, 1.0)], [({9: 1.0}, 1.0)]], every_group=True, limit=10) == []


def test_the_memo_is_bounded_and_shared_between_threads(knowledge_base: KnowledgeBase) -> None:
    engine = knowledge_base.engine
    memo = ScoredPostings(engine.searcher, max_postings=20)
    keys = [(f"body_{lang}", t) for lang in ("fr", "en") for t in sorted(engine.field_lexicon[f"body_{lang}"])[:40]]
    expected = {key: dict(engine.postings.get(*key)) for key in keys}
    errors: list[str] = []

    def read_all() -> None:
        errors.extend(str(key) for key in keys if dict(memo.get(*key)) != expected[key])

    threads = [threading.Thread(target=read_all) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert 0 < memo._held <= 20
    assert memo.get("body_en", "no-such-stem-anywhere") == {}
