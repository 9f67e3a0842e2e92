"""The search engine on tiny purpose-built content: accents, bounds, fallbacks, reloads."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.content import load_content
from kb.indexing import build_index
from kb.planning import MAX_WORDS
from kb.presenting import Presenter
from kb.service import KnowledgeBase

ARTICLE = """---
id: {id}
title: {title}
intent: contact
summary: {summary}
updated: 2026-11-20
---
{body}
"""


def write(root: Path, locale: str, article_id: str, title: str, body: str) -> None:
    folder = root / locale
    folder.mkdir(parents=True, exist_ok=True)
    text = ARTICLE.format(id=article_id, title=title, summary=title + ".", body=body)
    (folder / f"{article_id}.md").write_text(text, encoding="utf-8")


@pytest.fixture
def tiny(tmp_path: Path) -> KnowledgeBase:
    content = tmp_path / "content"
    write(content, "fr", "peche", "La pêche en mer", "Partir à la pêche avec un bateau et une canne.")
    write(content, "fr", "peche-moral", "Le péché originel", "Un péché est une faute morale selon la tradition.")
    write(content, "en", "peche", "Sea fishing", "Going fishing with a boat and a rod.")
    write(content, "en", "peche-moral", "Original sin", "A sin is a moral fault in the tradition.")
    write(content, "en", "english-only", "Only in English", "This article has no French translation at all.")
    build_index(load_content(content), tmp_path / "index")
    return KnowledgeBase(tmp_path / "index", cache_size=0)


def test_exact_accents_rank_above_folded_look_alikes(tiny: KnowledgeBase) -> None:
    assert tiny.search("péché", "fr").results[0].article_id == "peche-moral"
    assert tiny.search("pêche", "fr").results[0].article_id == "peche"


def test_missing_translation_is_served_in_the_fallback_and_flagged(tiny: KnowledgeBase) -> None:
    hit = tiny.search("translation article", "fr").results[0]
    assert (hit.article_id, hit.locale, hit.fallback_used) == ("english-only", "en", True)


def test_word_count_and_length_are_bounded(tiny: KnowledgeBase) -> None:
    plan = tiny.engine.plan(" ".join(f"word{i}" for i in range(100)))
    assert len(plan.slots) <= MAX_WORDS
    assert tiny.engine.plan("x" * 100_000).slots == [] or len(tiny.engine.plan("x" * 100_000).text) <= 256


def test_query_syntax_is_plain_text(tiny: KnowledgeBase) -> None:
    for q in ("title:*", "locale:fr", "id:*", "bateau~9", "[a TO z]", "*"):
        tiny.search(q, "fr")  # no exception, no field access, no wildcard expansion
    # "locale:fr" is two words, matched as text (here "fr…" completes to "French"), never a field query.
    assert {r.article_id for r in tiny.search("locale:fr", "fr").results} <= {"english-only"}


def test_cache_returns_the_same_response_with_the_callers_query(tiny: KnowledgeBase) -> None:
    cached = KnowledgeBase(tiny.index_dir, cache_size=16)
    first = cached.search("bateau", "fr")
    second = cached.search("bateau ", "fr")  # same words: the query echo is the caller's own
    assert first.results == cached.search("bateau", "fr").results
    assert second.query == "bateau " and cached.cache_stats["hits"] >= 1


def test_analyzed_sections_are_kept_least_recently_used_out(
    knowledge_base: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bounded LRU by article, counting sections: the articles a typing session keeps coming
    back to stay analyzed."""
    presenter = Presenter(list(knowledge_base.engine.presenter.articles.values()), knowledge_base.engine.vocab)
    first, second, third = list(presenter.articles.values())[:3]
    sizes = [len(a.sections) for a in (first, second, third)]
    monkeypatch.setattr("kb.presenting.TOKEN_CACHE", sum(sizes) - 1)
    kept = presenter.article_tokens(first)
    assert len(kept.sections) == sizes[0] and kept.sections[0].text.startswith(" ".join(first.summary.split()))
    presenter.article_tokens(second)
    assert presenter.article_tokens(first) is kept  # kept, and now the most recently used
    presenter.article_tokens(third)  # one section too many: the least recently used article goes
    assert presenter.article_tokens(first) is kept
    assert list(presenter._tokens) == [(third.id, third.locale), (first.id, first.locale)]
    assert presenter._held == sizes[0] + sizes[2]
