"""Build the search index as an immutable generation and switch to it atomically.

A build writes a new generation under ``generations/.building-<id>`` (layout in
:mod:`kb.generations`), verifies it (document count and one canary query per locale), seals it
(checksums in its manifest), and only then replaces the ``current`` link with ``os.replace``. A
failed or killed build leaves the previous generation serving. The previous generation is kept
so that searchers opened before the switch keep working until they notice the new one.

A build that cannot write (a full disk, a read-only folder) raises ``IndexWriteError``
(``InsufficientStorageError`` when space ran out) after removing what it wrote and closing every
file it opened, so the space comes back at once.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.query import Term

from .analysis import exact_analyzer, stemming_analyzer
from .chunking import Chunk, chunk_article
from .content import Article, ContentSet, language_of
from .errors import IndexBuildError, IndexBusyError, IndexWriteError, InsufficientStorageError
from .generations import (
    ARTICLES,
    CURRENT,
    GENERATIONS,
    Generation,
    current_generation_path,
    finished_generations,
    open_generation,
    seal,
    sync_directory,
)

__all__ = ["BuildReport", "Generation", "build_index", "current_generation_path", "open_generation", "reindex_lock"]

KEEP_GENERATIONS = 2  # the current one and the one before it
LOCK_FILE = "reindex.lock"
BUILDING = ".building-"
NO_SPACE = (errno.ENOSPC, errno.EDQUOT)
Progress = Callable[[str], None]


def make_schema(languages: tuple[str, ...]) -> Schema:
    """One document per article and locale: per-language stemmed fields (title, keywords, example
    questions, body)
    plus language-neutral word fields. Ranking whole articles lets a word that every article
    uses ("Norton") weigh nothing; the best section is chosen afterwards, at search time."""
    fields = {
        "doc_id": ID(stored=True, unique=True),
        "article_id": ID(stored=True),
        "locale": ID(stored=True),
        "intent": ID(stored=True),
        # Un-stemmed words with their accents: exact-accent matches, and (folded) the vocabulary
        # for typos, prefixes and suggestions. No positions anywhere: no phrase queries are made.
        "exact": TEXT(analyzer=exact_analyzer(), phrase=False),
    }
    for lang in languages:
        analyzer = stemming_analyzer(lang)
        fields[f"title_{lang}"] = TEXT(analyzer=analyzer, phrase=False)
        fields[f"kw_{lang}"] = TEXT(analyzer=analyzer, phrase=False)
        fields[f"questions_{lang}"] = TEXT(analyzer=analyzer, phrase=False)
        fields[f"body_{lang}"] = TEXT(analyzer=analyzer, phrase=False)
    return Schema(**fields)


@dataclass
class LocaleReport:
    articles: int = 0
    chunks: int = 0
    seconds: float = 0.0


@dataclass
class BuildReport:
    """What a reindex did, for the CLI and the admin endpoint."""

    generation: str
    path: str
    locales: dict[str, LocaleReport] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, object]:
        return {
            "generation": self.generation,
            "locales": {k: vars(v) for k, v in self.locales.items()},
            "warnings": self.warnings,
            "seconds": round(self.seconds, 3),
        }


@contextmanager
def reindex_lock(index_dir: Path) -> Iterator[None]:
    """Hold the reindex lock or raise ``IndexBusyError`` at once."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / LOCK_FILE, "a+") as handle:  # closing it releases the lock
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexBusyError("another reindex is running; try again when it has finished") from None
        yield


def _document(article: Article, chunks: list[Chunk]) -> dict[str, str]:
    lang = language_of(article.locale)
    keywords = "\n".join(article.keywords)
    questions = "\n".join(article.questions)
    body = "\n".join(chunk.text for chunk in chunks)
    return {
        "doc_id": f"{article.locale}/{article.id}",
        "article_id": article.id,
        "locale": article.locale,
        "intent": article.intent,
        "exact": f"{article.title}\n{body}\n{keywords}\n{questions}",
        f"title_{lang}": article.title,
        f"kw_{lang}": keywords,
        f"questions_{lang}": questions,
        f"body_{lang}": body,
    }


def _verify(path: Path, expected_docs: int, canaries: list[Article]) -> None:
    ix = whoosh_index.open_dir(str(path))
    try:
        with ix.searcher() as searcher:
            if searcher.doc_count() != expected_docs:
                raise IndexBuildError(f"index holds {searcher.doc_count()} documents, expected {expected_docs}")
            for article in canaries:
                word = next((t.text for t in exact_analyzer()(article.title) if len(t.text) > 2), None)
                if word is None:
                    continue
                hits = searcher.search(Term("exact", word), limit=None)
                if not any(hit["article_id"] == article.id for hit in hits):
                    raise IndexBuildError(f"canary query {word!r} does not find {article.locale}/{article.id}")
    finally:
        ix.close()


def build_index(content: ContentSet, index_dir: Path, progress: Progress | None = None) -> BuildReport:
    """Index ``content`` into a new generation under ``index_dir`` and make it current.

    Raises ``IndexBusyError`` (another build runs), ``IndexBuildError`` (the new generation
    failed its verification) or ``IndexWriteError`` (its files could not be written); in every
    case the previous generation is left serving."""
    index_dir = Path(index_dir)
    # The Z (UTC) also keeps the time's digits apart from the random suffix's: the log's scrubber
    # would take "163719-8969ae" for a phone number and hide the generation's name.
    generation = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]
    try:
        return _build(content, index_dir, generation, progress or (lambda _: None))
    except OSError as exc:
        failure = _write_failure(exc, exc.filename or index_dir / GENERATIONS / f"{BUILDING}{generation}")
    raise failure  # outside the handler: the OSError's traceback and the frames it holds go now


def _write_failure(exc: OSError, where: Path) -> IndexWriteError:
    if exc.errno in NO_SPACE:
        return InsufficientStorageError("no space left on device", where)
    return IndexWriteError((exc.strerror or type(exc).__name__).lower(), where)


def _build(content: ContentSet, index_dir: Path, generation: str, say: Progress) -> BuildReport:
    started = time.perf_counter()
    with reindex_lock(index_dir):
        generations = index_dir / GENERATIONS
        generations.mkdir(parents=True, exist_ok=True)
        for stale in generations.glob(f"{BUILDING}*"):  # left by a killed build; we hold the lock
            shutil.rmtree(stale, ignore_errors=True)
        building = generations / f"{BUILDING}{generation}"
        final = generations / generation
        try:
            building.mkdir()
            report = _write_generation(content, building, generation, say)
            say("verifying the new index")
            canaries = [
                next(a for a in content.articles if a.locale == loc)
                for loc in content.locales
                if any(a.locale == loc for a in content.articles)
            ]
            _verify(building, sum(r.articles for r in report.locales.values()), canaries)
            seal(building, _manifest(content, generation, report))
            os.rename(building, final)
            sync_directory(generations)
            _switch_current(index_dir, final)
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            if current_generation_path(index_dir) != final.resolve():
                shutil.rmtree(final, ignore_errors=True)
            raise
        _prune(index_dir, keep=KEEP_GENERATIONS)
        report.path = str(final)
        report.warnings = list(content.warnings)
        report.seconds = time.perf_counter() - started
        return report


class _TrackedStorage(FileStorage):
    """Whoosh's file storage, remembering every file it opens: when a write fails midway (a full
    disk), Whoosh leaves some of them open, and open files keep their space even once deleted."""

    def __init__(self, path: str, opened: list[Any] | None = None):
        super().__init__(path)
        self.opened: list[Any] = [] if opened is None else opened

    def create_file(self, name: str, **kwargs: Any) -> Any:
        return self._remember(super().create_file(name, **kwargs))

    def open_file(self, name: str, **kwargs: Any) -> Any:
        return self._remember(super().open_file(name, **kwargs))

    def temp_storage(self, name: str | None = None) -> FileStorage:
        folder = os.path.join(self.folder, name or f"{uuid.uuid4().hex}.tmp")
        return _TrackedStorage(folder, self.opened).create()

    def _remember(self, handle: Any) -> Any:
        self.opened.append(handle)
        return handle

    def close_files(self) -> None:
        for handle in self.opened:
            with contextlib.suppress(Exception):  # closing flushes, which a full disk refuses again
                getattr(handle, "file", handle).close()
        self.opened.clear()


def _write_generation(content: ContentSet, path: Path, generation: str, say: Progress) -> BuildReport:
    languages = _languages(content)
    storage = _TrackedStorage(str(path))
    report = BuildReport(generation=generation, path=str(path))
    try:
        ix = storage.create_index(make_schema(languages))
        writer = ix.writer(limitmb=256)
        try:
            for locale in content.locales:
                t0 = time.perf_counter()
                articles = content.in_locale(locale)
                stats = report.locales.setdefault(locale, LocaleReport())
                for count, article in enumerate(articles, 1):
                    chunks = chunk_article(article)
                    writer.add_document(**_document(article, chunks))
                    stats.chunks += len(chunks)
                    stats.articles += 1
                    if count % 500 == 0:
                        say(f"{locale}: {count}/{len(articles)} articles")
                stats.seconds = time.perf_counter() - t0
            say("committing the index")
            writer.commit(optimize=True)
        except BaseException:
            if not writer.is_closed:  # the first error is the one worth reporting
                with contextlib.suppress(Exception):
                    writer.cancel()
            raise
        finally:
            ix.close()
    finally:
        storage.close_files()
    articles_json = [a.model_dump(mode="json") for a in content.articles]
    (path / ARTICLES).write_text(json.dumps(articles_json, ensure_ascii=False), encoding="utf-8")
    return report


def _languages(content: ContentSet) -> tuple[str, ...]:
    return tuple(sorted({language_of(loc) for loc in content.locales}))


def _manifest(content: ContentSet, generation: str, report: BuildReport) -> dict[str, object]:
    return {
        "generation": generation,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "locales": list(content.locales),
        "languages": list(_languages(content)),
        "synonyms": content.synonyms,
        "answering": content.answering,
        "warnings": content.warnings,
        "counts": {k: vars(v) for k, v in report.locales.items()},
    }


def _switch_current(index_dir: Path, target: Path) -> None:
    link = index_dir / CURRENT
    tmp = index_dir / f".{CURRENT}-{uuid.uuid4().hex[:8]}"
    try:
        os.symlink(os.path.relpath(target, index_dir), tmp)
        os.replace(tmp, link)  # atomic: readers see the old or the new generation, never none
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    sync_directory(index_dir)


def _prune(index_dir: Path, keep: int) -> None:
    current = current_generation_path(index_dir)
    for old in finished_generations(index_dir)[keep:]:
        if old != current:
            shutil.rmtree(old, ignore_errors=True)
