"""Atomic index generations: a failed build leaves the old index; open searchers survive a swap."""

from __future__ import annotations

import gc
import os
import shutil
import signal
import subprocess
import sys
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from kb.content import load_content
from kb.errors import ArticleNotFoundError, ContentError, IndexBusyError, IndexNotFoundError
from kb.indexing import GENERATIONS, build_index, current_generation_path, open_generation, reindex_lock
from kb.service import KnowledgeBase

from .conftest import CONTENT_DIR
from .helpers import wait_for


def copy_content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target


def test_build_reports_per_locale_and_switches_current(tmp_path: Path) -> None:
    report = build_index(load_content(CONTENT_DIR), tmp_path / "index")
    assert set(report.locales) == {"en", "fr"}
    assert all(r.articles == 7 and r.chunks >= 7 for r in report.locales.values())
    assert current_generation_path(tmp_path / "index") == Path(report.path).resolve()
    generation = open_generation(tmp_path / "index")
    assert generation.name == report.generation and len(generation.articles) == 14
    generation.close()


def test_no_index_is_a_clear_error(tmp_path: Path) -> None:
    kb = KnowledgeBase(tmp_path / "empty")  # starts anyway, and keeps looking
    with pytest.raises(IndexNotFoundError, match="kb reindex"):
        kb.search("refund", "en")


def test_broken_content_leaves_the_serving_index_intact(tmp_path: Path) -> None:
    index = tmp_path / "index"
    content = copy_content(tmp_path)
    build_index(load_content(content), index)
    before = current_generation_path(index)
    (content / "en" / "auto-renewal.md").write_text("---\nid: auto-renewal\n", encoding="utf-8")
    with pytest.raises(ContentError):
        build_index(load_content(content), index)
    assert current_generation_path(index) == before
    assert KnowledgeBase(index, cache_size=0).search("refund", "en").total > 0


def test_searcher_opened_before_a_swap_keeps_working(tmp_path: Path) -> None:
    index = tmp_path / "index"
    build_index(load_content(CONTENT_DIR), index)
    kb = KnowledgeBase(index, cache_size=0, check_seconds=3600)
    first = kb.search("désactiver renouvellement", "fr")
    old_generation = kb.generation.name
    build_index(load_content(CONTENT_DIR), index)
    build_index(load_content(CONTENT_DIR), index)  # the first generation is pruned now
    again = kb.search("désactiver renouvellement", "fr")  # still the old, open generation
    assert again.generation == old_generation
    assert [r.article_id for r in again.results] == [r.article_id for r in first.results]
    assert kb.refresh(force=True) is True
    assert kb.search("refund", "en").generation != old_generation


def test_only_the_last_two_generations_are_kept(tmp_path: Path) -> None:
    index = tmp_path / "index"
    for _ in range(4):
        build_index(load_content(CONTENT_DIR), index)
    kept = [p for p in (index / GENERATIONS).iterdir() if not p.name.startswith(".")]
    assert len(kept) == 2
    assert current_generation_path(index) in {p.resolve() for p in kept}


def test_a_second_reindex_is_refused_while_one_runs(tmp_path: Path) -> None:
    index = tmp_path / "index"
    with reindex_lock(index), pytest.raises(IndexBusyError, match="another reindex"):
        build_index(load_content(CONTENT_DIR), index)


def test_killed_build_leaves_no_half_index_in_service(tmp_path: Path) -> None:
    """kill -9 in the middle of a build: the old generation still serves, the next build cleans up."""
    index = tmp_path / "index"
    build_index(load_content(CONTENT_DIR), index)
    before = current_generation_path(index)
    script = (
        "import sys, time\n"
        "from kb import indexing\n"
        "from kb.content import load_content\n"
        "original = indexing._write_generation\n"
        "def slow(*args, **kwargs):\n"
        "    report = original(*args, **kwargs)\n"
        "    print('written', flush=True)\n"
        "    time.sleep(60)\n"
        "    return report\n"
        "indexing._write_generation = slow\n"
        f"indexing.build_index(load_content({str(CONTENT_DIR)!r}), {str(index)!r})\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "written"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stdout.close()
    assert current_generation_path(index) == before
    assert any(p.name.startswith(".building-") for p in (index / GENERATIONS).iterdir())
    assert KnowledgeBase(index, cache_size=0).search("refund", "en").total > 0

    def rebuilt() -> bool:  # the lock died with the process; the next build succeeds and removes the leftover
        try:
            build_index(load_content(CONTENT_DIR), index)
        except IndexBusyError:
            return False
        return True

    wait_for(rebuilt, "the reindex lock of the killed process to be released")
    assert not any(p.name.startswith(".building-") for p in (index / GENERATIONS).iterdir())


def test_a_new_generation_is_opened_in_the_background_while_the_old_one_answers(tmp_path: Path) -> None:
    index = tmp_path / "index"
    build_index(load_content(CONTENT_DIR), index)
    kb = KnowledgeBase(index, cache_size=0, check_seconds=0)
    old = kb.generation.name
    new = build_index(load_content(CONTENT_DIR), index).generation
    assert kb.search("refund", "en").results  # answered at once, by whichever generation is open
    wait_for(lambda: kb.search("refund", "en").generation == new, "the new generation to be picked up")
    assert new != old


@contextmanager
def full_collections_counted() -> Iterator[list[int]]:
    """The collector switched off (so that only an explicit ``gc.collect`` collects), and each
    full collection it runs counted."""
    full: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and info["generation"] == 2:
            full.append(1)

    was_enabled = gc.isenabled()
    gc.disable()
    gc.callbacks.append(count)
    try:
        yield full
    finally:
        gc.callbacks.remove(count)
        if was_enabled:
            gc.enable()


def test_a_replaced_generation_is_freed_at_the_switch_without_a_full_collection(tmp_path: Path) -> None:
    # The serving generation is kept out of the collector's full passes (gc.freeze), yet the one
    # it replaces must not stay in memory: it holds no reference cycle, so reference counting frees
    # it, and no full collection (which would stop every request for as long as it walks memory)
    # runs at the switch.
    index = tmp_path / "index"
    build_index(load_content(CONTENT_DIR), index)
    kb = KnowledgeBase(index, check_seconds=0)  # with the query cache
    for q, locale in (("refund", "en"), ("annuler mon abonnement", "fr"), ("zzqx", None)):
        kb.search(q, locale)
        kb.answer(q, locale)
    with pytest.raises(ArticleNotFoundError):
        kb.get_article("no-such-article", "en")
    other_thread = threading.Thread(target=kb.search, args=("renew", "en"))  # a searcher of its own
    other_thread.start()
    other_thread.join(timeout=120)
    old = weakref.ref(kb.engine)
    assert gc.get_freeze_count() > 0
    build_index(load_content(CONTENT_DIR), index)
    with full_collections_counted() as full:
        assert kb.refresh(force=True)
        assert old() is None
    assert full == []
    assert gc.get_freeze_count() > 0
    assert kb.search("refund", "en").results


def test_a_replaced_generation_held_in_a_cycle_is_collected_at_the_next_switch(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    index = tmp_path / "index"
    build_index(load_content(CONTENT_DIR), index)
    kb = KnowledgeBase(index, cache_size=0, check_seconds=0)
    first = weakref.ref(kb.engine)
    cycle: list[object] = [kb.engine]
    cycle.append(cycle)
    gc.freeze()  # as if a request in flight at a switch had made it
    del cycle
    build_index(load_content(CONTENT_DIR), index)
    with full_collections_counted() as full:
        assert kb.refresh(force=True)
        assert first() is not None and full == []
        build_index(load_content(CONTENT_DIR), index)
        assert kb.refresh(force=True)
        assert first() is None and full == [1]
    assert "replaced at the switch before, is still in memory: collecting" in caplog.text
    old = weakref.ref(kb.engine)
    assert gc.get_freeze_count() > 0
    build_index(load_content(CONTENT_DIR), index)
    assert kb.refresh(force=True)
    assert kb.engine is not old()
    assert old() is None
    assert kb.search("refund", "en").results
