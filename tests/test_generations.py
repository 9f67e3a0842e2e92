"""Sealed generations: checksums in the manifest, verified at open; a corrupt generation is never
served and never stops the knowledge base, which serves the newest one that verifies instead."""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from kb.content import load_content
from kb.errors import CorruptGenerationError, IndexNotFoundError
from kb.generations import GENERATIONS, MANIFEST, candidates, current_generation_path, open_generation_at, verify
from kb.indexing import build_index
from kb.privacy import scrub
from kb.service import KnowledgeBase

from .conftest import CONTENT_DIR
from .test_cli import kb


@pytest.fixture(scope="module")
def two_generations(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index directory holding two good generations, the newer one current."""
    index = tmp_path_factory.mktemp("two-generations") / "index"
    content = load_content(CONTENT_DIR)
    build_index(content, index)
    build_index(content, index)
    return index


@pytest.fixture
def index(two_generations: Path, tmp_path: Path) -> Path:
    """A private copy of ``two_generations`` (link, names and build order kept) to damage."""
    copy = tmp_path / "index"
    shutil.copytree(two_generations, copy, symlinks=True)
    return copy


def current(index: Path) -> Path:
    path = current_generation_path(index)
    assert path is not None
    return path


def previous(index: Path) -> Path:
    others = [p for p in candidates(index) if p != current(index)]
    assert len(others) == 1
    return others[0]


def segment(generation: Path) -> Path:
    return next(generation.glob("*.seg"))


def flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def change_manifest(generation: Path) -> None:
    manifest = json.loads((generation / MANIFEST).read_text(encoding="utf-8"))
    manifest["locales"] = ["en"]  # valid JSON, one value changed: only the manifest's own checksum sees it
    (generation / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


def drop_checksums(generation: Path) -> None:
    manifest = json.loads((generation / MANIFEST).read_text(encoding="utf-8"))
    for key in ("files", "manifest_sha256"):
        manifest.pop(key)
    (generation / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {
    "segment truncated": (lambda g: truncate(segment(g)), r"\.seg: \d+ bytes, \d+ expected"),
    "segment emptied": (lambda g: segment(g).write_bytes(b""), r"\.seg: 0 bytes"),
    "one bit flipped in the segment": (lambda g: flip_byte(segment(g)), r"\.seg: checksum mismatch"),
    "articles.json truncated": (lambda g: truncate(g / "articles.json"), r"articles\.json: \d+ bytes"),
    "table of contents missing": (lambda g: next(g.glob("*.toc")).unlink(), r"\.toc: missing"),
    "a stray table of contents": (lambda g: (g / "_MAIN_9.toc").write_bytes(b"x"), "not part of the generation"),
    "manifest changed": (change_manifest, r"manifest\.json: checksum mismatch"),
    "manifest truncated": (lambda g: truncate(g / MANIFEST), r"manifest\.json cannot be read"),
    "manifest without checksums": (drop_checksums, "no checksums"),
}


def test_generation_names_survive_the_log_scrubber(tmp_path: Path) -> None:
    names = [build_index(load_content(CONTENT_DIR), tmp_path / "index").generation for _ in range(3)]
    for name in names:
        assert scrub(f"serving index generation {name}") == f"serving index generation {name}"


def test_a_build_seals_every_file_of_its_generation(index: Path) -> None:
    manifest = verify(current(index))
    files = set(manifest["files"])
    assert files == {p.name for p in current(index).iterdir()} - {MANIFEST}
    assert "articles.json" in files and any(name.endswith(".toc") for name in files)
    assert all(len(facts["sha256"]) == 64 for facts in manifest["files"].values())


@pytest.mark.parametrize("damage", list(DAMAGE), ids=list(DAMAGE))
def test_a_damaged_generation_is_refused_with_the_reason(index: Path, damage: str) -> None:
    spoil, reason = DAMAGE[damage]
    spoil(current(index))
    with pytest.raises(CorruptGenerationError, match=reason):
        open_generation_at(current(index))


@pytest.mark.parametrize("damage", list(DAMAGE), ids=list(DAMAGE))
def test_a_damaged_current_generation_leaves_the_previous_one_serving(
    index: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    spoil, _reason = DAMAGE[damage]
    bad, good = current(index), previous(index)
    spoil(bad)
    # The app's logging setup (made by earlier tests) stops "kb" records at that logger.
    logger = logging.getLogger("kb")
    logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.INFO, logger="kb"):
            kb = KnowledgeBase(index, cache_size=0)
    finally:
        logger.removeHandler(caplog.handler)
    assert kb.search("remboursement", "fr").generation == good.name
    status = kb.status()
    assert status.generation == good.name and status.current == bad.name
    assert bad.name in status.refused and bad.name in status.reason
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert f"serving index generation {good.name}" in logged and f"{bad.name} cannot be served" in logged


def test_with_no_generation_that_verifies_it_starts_and_says_why(index: Path) -> None:
    for generation in candidates(index):
        flip_byte(segment(generation))
    kb = KnowledgeBase(index, cache_size=0)
    with pytest.raises(IndexNotFoundError, match="checksum mismatch"):
        kb.search("refund", "en")
    status = kb.status()
    assert status.generation is None and len(status.refused) == 2


def test_a_generation_damaged_before_the_switch_is_never_served(index: Path) -> None:
    kb = KnowledgeBase(index, cache_size=0, check_seconds=3600)
    serving = kb.generation.name
    report = build_index(load_content(CONTENT_DIR), index)
    flip_byte(segment(Path(report.path)))
    assert kb.refresh(force=True) is False
    assert kb.search("refund", "en").generation == serving
    assert report.generation in kb.status().refused


def test_a_refused_generation_is_not_read_again_until_its_files_change(
    index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = current(index)
    pristine = segment(bad).read_bytes()
    flip_byte(segment(bad))
    kb = KnowledgeBase(index, cache_size=0, check_seconds=3600)
    assert kb.generation.name == previous(index).name
    opened: list[str] = []
    real_open = open_generation_at

    def counting_open(path: Path):  # type: ignore[no-untyped-def]
        opened.append(path.name)
        return real_open(path)

    monkeypatch.setattr("kb.serving.open_generation_at", counting_open)
    for _ in range(3):
        kb.refresh(force=True)
    assert opened == []  # nothing changed on disk: no file was hashed again
    segment(bad).write_bytes(pristine)  # an operator copies the right file back
    assert kb.refresh(force=True) is True
    assert opened == [bad.name] and kb.generation.name == bad.name
    assert kb.status().refused == {} and kb.status().reason == "the current generation"


def test_a_worker_started_without_an_index_picks_one_up_by_itself(tmp_path: Path) -> None:
    index = tmp_path / "index"
    kb = KnowledgeBase(index, cache_size=0, check_seconds=0)
    assert kb.status().generation is None
    built = build_index(load_content(CONTENT_DIR), index)
    deadline = time.monotonic() + 60
    while kb.status().generation != built.generation:  # as the periodic metrics sync does
        kb.refresh()
        assert time.monotonic() < deadline, "the new index was never opened"
        time.sleep(0.05)
    assert kb.search("refund", "en").results


def test_a_rolled_back_current_link_is_respected(index: Path) -> None:
    older = previous(index)
    link = index / "current.rollback"
    link.symlink_to(Path(GENERATIONS) / older.name)
    link.replace(index / "current")
    assert KnowledgeBase(index, cache_size=0).generation.name == older.name


def test_kb_status_names_the_generation_served_and_why(index: Path) -> None:
    bad, good = current(index), previous(index)
    flip_byte(segment(bad))
    shown = kb("status", "--index-dir", str(index))
    assert shown.returncode == 0, shown.stderr
    assert f"serving:  {good.name}" in shown.stdout and f"current:  {bad.name}" in shown.stdout
    assert f"{bad.name}  refused: " in shown.stdout and "checksum mismatch" in shown.stdout
    assert f"{good.name}  14 articles, built " in shown.stdout
    body = json.loads(kb("status", "--json", "--index-dir", str(index)).stdout)
    assert body["serving"] == good.name and body["current"] == bad.name
    assert [g["problem"] is None for g in body["generations"]] == [False, True]


def test_kb_status_exits_3_when_no_generation_serves(tmp_path: Path) -> None:
    shown = kb("status", "--index-dir", str(tmp_path / "index"))
    assert shown.returncode == 3
    assert "serving:  (none) — no index generation built yet: run `kb reindex`" in shown.stdout
