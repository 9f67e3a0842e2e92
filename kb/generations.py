"""Index generations on disk: their layout, their checksums, and which one can be served.

Layout of the index directory::

    index_dir/
      current -> generations/<id>     the generation to serve (an atomic symlink)
      generations/<id>/               Whoosh files + articles.json + manifest.json
      generations/.building-<id>/     a build in progress (never served; removed if abandoned)
      reindex.lock                    held (flock) by the one reindex that may run

A generation is sealed when it is built: its manifest lists every other file of the
generation with its size and SHA-256 (``files``), and carries the SHA-256 of its own canonical
JSON (``manifest_sha256``). :func:`open_generation_at` checks all of it before opening anything,
so a truncated, emptied, flipped, missing or extra file is refused with the reason instead of
crashing the process or being served.

Which generation serves: the one ``current`` points at when it opens and verifies; otherwise the
newest other one that does (:func:`candidates` gives that order). A rollback of ``current`` to an
older generation is thus respected, and a corrupt one never stops the service.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from .content import Article
from .errors import CorruptGenerationError, IndexNotFoundError

CURRENT = "current"
GENERATIONS = "generations"
MANIFEST = "manifest.json"
ARTICLES = "articles.json"
CHECKSUM_KEY = "manifest_sha256"
# A generation's identity on disk: (file name, size, mtime) of every entry. A generation refused
# once is tried again only when this changes (a copied-over file), not at every check.
Fingerprint = tuple[tuple[str, int, int], ...]


def current_generation_path(index_dir: Path) -> Path | None:
    """The generation the ``current`` link points at, or None if nothing was built yet."""
    link = Path(index_dir) / CURRENT
    try:
        target = os.readlink(link)
    except OSError:
        return None
    return (Path(index_dir) / target).resolve()


def built_at(generation: Path) -> tuple[int, str]:
    """Build order: names share a one-second timestamp when builds follow each other quickly."""
    try:
        return (generation.joinpath(MANIFEST).stat().st_mtime_ns, generation.name)
    except OSError:
        return (0, generation.name)


def finished_generations(index_dir: Path) -> list[Path]:
    """Every finished generation (not a build in progress), newest first."""
    folder = Path(index_dir) / GENERATIONS
    try:
        entries = [p.resolve() for p in folder.iterdir() if not p.name.startswith(".") and p.is_dir()]
    except OSError:
        return []
    return sorted(entries, key=built_at, reverse=True)


def candidates(index_dir: Path) -> list[Path]:
    """Generations in the order to try serving them: ``current``, then the others newest first."""
    current = current_generation_path(index_dir)
    others = [p for p in finished_generations(index_dir) if p != current]
    return ([current] if current is not None and current.is_dir() else []) + others


def fingerprint(path: Path) -> Fingerprint:
    try:
        with os.scandir(path) as entries:
            stats = [(e.name, e.stat(follow_symlinks=False)) for e in entries]
    except OSError:
        return ()
    return tuple(sorted((name, st.st_size, st.st_mtime_ns) for name, st in stats))


def _sha256(path: Path, sync: bool = False) -> str:
    with open(path, "rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
        if sync:
            os.fsync(handle.fileno())
    return digest


def _manifest_digest(manifest: dict[str, Any]) -> str:
    body = {k: v for k, v in manifest.items() if k != CHECKSUM_KEY}
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def seal(path: Path, manifest: dict[str, Any]) -> None:
    """Write ``manifest.json`` into the generation at ``path`` with the size and checksum of every
    other file in it and a checksum of itself; every file reaches the disk (fsync) first."""
    files: dict[str, dict[str, object]] = {}
    for entry in sorted(path.iterdir()):
        if entry.name == MANIFEST:
            continue
        if not entry.is_file():
            raise CorruptGenerationError(f"{entry.name}: not a regular file in the generation")
        files[entry.name] = {"bytes": entry.stat().st_size, "sha256": _sha256(entry, sync=True)}
    sealed = {**manifest, "files": files}
    sealed[CHECKSUM_KEY] = _manifest_digest(sealed)
    target = path / MANIFEST
    with open(target, "w", encoding="utf-8") as handle:
        json.dump(sealed, handle, ensure_ascii=False, indent=1)
        handle.flush()
        os.fsync(handle.fileno())


def sync_directory(path: Path) -> None:
    """Make a rename or a new entry in ``path`` durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def verify(path: Path) -> dict[str, Any]:
    """The generation's manifest once every file matches it; ``CorruptGenerationError`` (with
    what is wrong) otherwise."""
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CorruptGenerationError(f"{MANIFEST} is missing") from None
    except (OSError, ValueError) as exc:
        raise CorruptGenerationError(f"{MANIFEST} cannot be read: {exc}") from None
    if not isinstance(manifest, dict) or CHECKSUM_KEY not in manifest or "files" not in manifest:
        raise CorruptGenerationError(f"{MANIFEST} has no checksums (built by an older release: run `kb reindex`)")
    if manifest[CHECKSUM_KEY] != _manifest_digest(manifest):
        raise CorruptGenerationError(f"{MANIFEST}: checksum mismatch")
    expected: dict[str, dict[str, Any]] = manifest["files"]
    present = {entry.name for entry in path.iterdir()} - {MANIFEST}
    missing, extra = sorted(set(expected) - present), sorted(present - set(expected))
    if missing:
        raise CorruptGenerationError(f"{', '.join(missing)}: missing")
    if extra:  # Whoosh would read a stray table of contents instead of the sealed one
        raise CorruptGenerationError(f"{', '.join(extra)}: not part of the generation")
    for name, facts in sorted(expected.items()):
        file = path / name
        if not file.is_file():
            raise CorruptGenerationError(f"{name}: not a regular file")
        size = file.stat().st_size
        if size != facts["bytes"]:
            raise CorruptGenerationError(f"{name}: {size} bytes, {facts['bytes']} expected")
        if _sha256(file) != facts["sha256"]:
            raise CorruptGenerationError(f"{name}: checksum mismatch")
    return manifest


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


def open_generation_at(path: Path) -> Generation:
    """Verify the generation at ``path``, then open it; ``CorruptGenerationError`` if either fails."""
    try:
        manifest = verify(path)
        raw = json.loads((path / ARTICLES).read_text(encoding="utf-8"))
        articles = [Article.model_validate(a) for a in raw]
        index = whoosh_index.open_dir(str(path))
    except CorruptGenerationError:
        raise
    except Exception as exc:  # whatever a damaged file makes a parser raise
        raise CorruptGenerationError(f"cannot be opened: {type(exc).__name__}: {exc}") from None
    return Generation(path, manifest["generation"], index, manifest, articles)


def open_generation(index_dir: Path) -> Generation:
    """The generation a server would serve: ``current`` when it verifies, else the newest one
    that does; ``IndexNotFoundError`` (saying why) when none does."""
    problems = []
    for path in candidates(index_dir):
        try:
            return open_generation_at(path)
        except CorruptGenerationError as exc:
            problems.append(f"{path.name}: {exc}")
    raise IndexNotFoundError(no_index_message(index_dir, problems))


def no_index_message(index_dir: Path, problems: list[str]) -> str:
    if not problems:
        return f"no index in {index_dir}: run `kb reindex` first"
    return f"no index generation in {index_dir} verifies ({'; '.join(problems)}): run `kb reindex`"


@dataclass(frozen=True)
class GenerationReport:
    """One finished generation as `kb status` lists it: its build facts, or why it is refused."""

    name: str
    created_at: str | None
    articles: int | None
    problem: str | None


def inspect_generations(index_dir: Path) -> list[GenerationReport]:
    """Every finished generation, newest first, each verified against its checksums."""
    found = []
    for path in finished_generations(index_dir):
        try:
            manifest = verify(path)
        except CorruptGenerationError as exc:
            found.append(GenerationReport(path.name, None, None, str(exc)))
            continue
        counts = manifest.get("counts") or {}
        articles = sum(int(c.get("articles", 0)) for c in counts.values())
        found.append(GenerationReport(path.name, manifest.get("created_at"), articles, None))
    return found
