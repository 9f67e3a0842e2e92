"""KnowledgeBase.current(): one immutable view per generation, what a request and an evaluation
run use from start to end; the answer threshold is a parameter of the view, not a setting."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from kb.content import load_content
from kb.decision import RANKING_THRESHOLD
from kb.errors import LocaleError
from kb.indexing import build_index
from kb.service import KnowledgeBase

from .conftest import CONTENT_DIR


def test_the_view_stays_until_a_new_generation_and_keeps_answering_after(tmp_path: Path) -> None:
    index = tmp_path / "index"
    build_index(load_content(CONTENT_DIR), index)
    kb = KnowledgeBase(index, cache_size=16, check_seconds=3600)
    view = kb.current()
    assert kb.current() is view
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.answerer = kb.current().answerer  # type: ignore[misc]
    new = build_index(load_content(CONTENT_DIR), index).generation
    assert kb.refresh(force=True)
    assert kb.current() is not view and kb.current().generation.name == new
    # A request that began before the switch finishes on its own generation, locales included.
    old = view.search("remboursement", "fr")
    assert old.generation == view.generation.name != new and old.results[0].article_id == "refund-policy"
    assert view.resolve_locale(None, "fr-CA").locale == "fr"


def test_the_threshold_is_a_parameter_and_part_of_the_cache_key(knowledge_base: KnowledgeBase, index_dir: Path) -> None:
    cached = KnowledgeBase(index_dir, cache_size=64).current()
    question = "recurring payment norton"  # answered from the ranking alone, with a confidence below 1
    assert cached.answer(question, "en").answer is not None  # the default threshold
    assert cached.answer(question, "en", threshold=1.01).answer is None  # a stricter one, not the cached answer
    assert cached.answer(question, "en", threshold=RANKING_THRESHOLD).answer is not None
    assert knowledge_base.answer(question, "en") == knowledge_base.current().answer(question, "en")


def test_what_routes_ask_of_articles(knowledge_base: KnowledgeBase) -> None:
    view = knowledge_base.current()
    assert set(view.locales_of("auto-renewal")) == {"fr", "en"}
    assert view.locales_of("no-such-article") == []
    assert view.served_default_locale == "en"


@pytest.mark.parametrize("warm", [True, False])
def test_a_new_generation_is_asked_the_last_questions_before_it_serves(tmp_path: Path, warm: bool) -> None:
    """Its first requests find the postings they need already read (the memo starts empty)."""
    index = tmp_path / "index"
    build_index(load_content(CONTENT_DIR), index)
    kb = KnowledgeBase(index, cache_size=0, check_seconds=3600, warm=warm)
    kb.search("remboursement rapide", "fr")
    with pytest.raises(LocaleError):  # refused, yet still among the last questions: the others warm
        kb.search("refund", "xx-YY")
    kb.answer("how do I stop the automatic renewal", "en")
    build_index(load_content(CONTENT_DIR), index)
    assert kb.refresh(force=True)
    engine = kb.current().engine
    asked = [*engine.term_slots(engine.plan("remboursement rapide")), *engine.term_slots(
        engine.plan("how do I stop the automatic renewal"))]
    held = {key for key in asked if key in engine.postings._terms}
    assert held == (set(asked) if warm else set())
    assert kb.current().recent[-1] == ("answer", "how do I stop the automatic renewal", "en")
