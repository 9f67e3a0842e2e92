"""SearchRecord.for_search / for_answer: the one place a request becomes a search-log record
(query normalized once, fallback defined once; the storage scrubs it once, when it writes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.content import load_content
from kb.indexing import build_index
from kb.service import KnowledgeBase
from kb.storage import SearchRecord, Storage, search_log

from .conftest import upgraded_sqlite
from .test_search_engine import write


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    content = tmp_path / "content"
    write(content, "fr", "bateau", "Le bateau à voile", "Naviguer avec un bateau à voile.")
    write(content, "en", "bateau", "The sailing boat", "Sailing with a boat.")
    write(content, "en", "english-only", "Only in English", "This article has no French translation at all.")
    build_index(load_content(content), tmp_path / "index")
    return KnowledgeBase(tmp_path / "index", cache_size=0)


def test_a_search_record(kb: KnowledgeBase) -> None:
    response = kb.search("  Bateau\u00a0À\tVOILE ", "fr")
    record = SearchRecord.for_search(response, 1.5, "visit-1")
    assert (record.kind, record.query_normalized, record.locale) == ("search", "bateau à voile", "fr")
    assert (record.result_count, record.top_article, record.fallback_locale) == (response.total, "bateau", None)
    assert (record.latency_ms, record.session_id, record.answered, record.intent) == (1.5, "visit-1", None, None)
    assert SearchRecord.for_search(kb.search("zzzqqq", "fr"), 1.0, "").session_id is None


def test_fallback_means_the_article_is_missing_in_the_locale_asked_in(kb: KnowledgeBase) -> None:
    missing = kb.search("translation", "fr")
    assert missing.results[0].article_id == "english-only"
    assert SearchRecord.for_search(missing, 1.0, None).fallback_locale == "en"
    # An unsupported locale negotiated to the default is not an article served in another locale.
    unsupported = kb.search("boat", "de")
    assert unsupported.locale == "en" and unsupported.results[0].fallback_used
    assert SearchRecord.for_search(unsupported, 1.0, None).fallback_locale is None
    for q, locale, fallback in (("translation", "fr", "en"), ("boat", "de", None), ("boat", "fr", None)):
        answer = kb.answer(q, locale)
        assert answer.answer is not None, q
        assert SearchRecord.for_answer(answer, 1.0, None).fallback_locale == fallback, (q, locale)


def test_an_answer_record(kb: KnowledgeBase) -> None:
    answered = SearchRecord.for_answer(kb.answer("sailing boat", "en"), 2.0, "visit-2")
    assert (answered.kind, answered.answered, answered.result_count, answered.top_article) == (
        "answer", True, 1, "bateau"
    )
    assert answered.intent == "contact"
    declined = SearchRecord.for_answer(kb.answer("zzzqqq", "en"), 2.0, None)
    assert (declined.answered, declined.result_count, declined.top_article, declined.intent) == (False, 0, None, None)


def test_the_query_is_scrubbed_when_written(kb: KnowledgeBase, tmp_path: Path) -> None:
    record = SearchRecord.for_search(kb.search("boat jean@example.com +33 6 12 34 56 78", "en"), 1.0, None)
    assert "jean@example.com" in record.query_normalized  # kept in memory only until written
    with Storage(upgraded_sqlite(tmp_path / "kb.sqlite3")) as store:
        store.log_searches([record])
        with store.connect() as conn:
            stored = conn.execute(search_log.select()).mappings().one()
    assert stored["query_normalized"] == "boat [email] [phone]"
