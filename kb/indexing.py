"""Build the search index as an immutable generation and switch to it atomically.

Layout of the index directory::

    index_dir/
      current -> generations/<id>     the generation being served (an atomic symlink)
      generations/<id>/               Whoosh files + articles.json + manifest.json
      generations/.building-<id>/     a build in progress (never served; removed if abandoned)
      reindex.lock                    held (flock) by the one reindex that may run

A build writes a new generation, verifies it (document count and one canary query per
locale), and only then replaces the ``current`` link with ``os.replace``. A failed or killed
build leaves the previous generation serving. The previous generation is kept so that searchers
opened before the switch keep working until they notice the new one.
"""

from __future__ import annotations

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

from whoosh import index as whoosh_index
from whoosh.fields import ID, TEXT, Schema
from whoosh.query import Term

from .analysis import exact_analyzer, stemming_analyzer
from .chunking import Chunk, chunk_article
from .content import Article, ContentSet, language_of
from .errors import IndexBuildError, IndexBusyError, IndexNotFoundError

KEEP_GENERATIONS = 2  # the current one and the one before it
CURRENT = "current"
GENERATIONS = "generations"
LOCK_FILE = "reindex.lock"
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
    handle = open(index_dir / LOCK_FILE, "a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexBusyError("another reindex is running; try again when it has finished") from None
        yield
    finally:
        handle.close()


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
    """Index ``content`` into a new generation under ``index_dir`` and make it current."""
    index_dir = Path(index_dir)
    say = progress or (lambda message: None)
    started = time.perf_counter()
    with reindex_lock(index_dir):
        generations = index_dir / GENERATIONS
        generations.mkdir(parents=True, exist_ok=True)
        for stale in generations.glob(".building-*"):  # left by a killed build; we hold the lock
            shutil.rmtree(stale, ignore_errors=True)
        generation = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
        building = generations / f".building-{generation}"
        building.mkdir()
        try:
            report = _write_generation(content, building, generation, say)
            say("verifying the new index")
            canaries = [
                next(a for a in content.articles if a.locale == loc)
                for loc in content.locales
                if any(a.locale == loc for a in content.articles)
            ]
            _verify(building, sum(r.articles for r in report.locales.values()), canaries)
            final = generations / generation
            os.rename(building, final)
            _switch_current(index_dir, final)
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise
        _prune(index_dir, keep=KEEP_GENERATIONS)
        report.path = str(final)
        report.warnings = list(content.warnings)
        report.seconds = time.perf_counter() - started
        return report


def _write_generation(content: ContentSet, path: Path, generation: str, say: Progress) -> BuildReport:
    languages = tuple(sorted({language_of(loc) for loc in content.locales}))
    ix = whoosh_index.create_in(str(path), make_schema(languages))
    report = BuildReport(generation=generation, path=str(path))
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
        writer.cancel()
        raise
    finally:
        ix.close()
    articles_json = [a.model_dump(mode="json") for a in content.articles]
    (path / "articles.json").write_text(json.dumps(articles_json, ensure_ascii=False), encoding="utf-8")
    manifest = {
        "generation": generation,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "locales": list(content.locales),
        "languages": list(languages),
        "synonyms": content.synonyms,
        "answering": content.answering,
        "warnings": content.warnings,
        "counts": {k: vars(v) for k, v in report.locales.items()},
    }
    (path / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return report


def _switch_current(index_dir: Path, target: Path) -> None:
    link = index_dir / CURRENT
    tmp = index_dir / f".{CURRENT}-{uuid.uuid4().hex[:8]}"
    os.symlink(os.path.relpath(target, index_dir), tmp)
    os.replace(tmp, link)  # atomic: readers see the old or the new generation, never none


def _built_at(generation: Path) -> tuple[int, str]:
    """Build order: names share a one-second timestamp when builds follow each other quickly."""
    try:
        return (generation.joinpath("manifest.json").stat().st_mtime_ns, generation.name)
    except OSError:
        return (0, generation.name)


def _prune(index_dir: Path, keep: int) -> None:
    current = current_generation_path(index_dir)
    done = sorted(
        (p for p in (index_dir / GENERATIONS).iterdir() if not p.name.startswith(".")),
        key=_built_at,
        reverse=True,
    )
    for old in done[keep:]:
        if current is None or old.resolve() != current.resolve():
            shutil.rmtree(old, ignore_errors=True)


def current_generation_path(index_dir: Path) -> Path | None:
    """The generation the ``current`` link points at, or None if nothing was built yet."""
    link = Path(index_dir) / CURRENT
    try:
        target = os.readlink(link)
    except OSError:
        return None
    return (Path(index_dir) / target).resolve()


@dataclass
class Generation:
    """One opened, immutable index generation: the Whoosh index, articles and manifest."""

    path: Path
    name: str
    index: whoosh_index.Index
    manifest: dict
    articles: list[Article]

    @property
    def locales(self) -> tuple[str, ...]:
        return tuple(self.manifest["locales"])

    def close(self) -> None:
        self.index.close()


def open_generation(index_dir: Path) -> Generation:
    """Open the current generation; raise ``IndexNotFoundError`` if there is none."""
    path = current_generation_path(index_dir)
    if path is None or not (path / "manifest.json").exists():
        raise IndexNotFoundError(f"no index in {index_dir}: run `kb reindex` first")
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    raw = json.loads((path / "articles.json").read_text(encoding="utf-8"))
    articles = [Article.model_validate(a) for a in raw]
    return Generation(path, manifest["generation"], whoosh_index.open_dir(str(path)), manifest, articles)
