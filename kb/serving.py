"""Which index generation a knowledge base serves, and why.

:class:`GenerationSwitch` opens the best generation on disk (``current`` when it opens and
verifies, else the newest other one that does: see :mod:`kb.generations`), looks again every
``check_seconds`` for a new one (opened in the background while the open one keeps answering),
and remembers the generations it refused so that it reads them again only when their files
change. Without any generation that opens, it keeps looking and says why.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import CorruptGenerationError, IndexNotFoundError
from .generations import (
    Fingerprint,
    candidates,
    current_generation_path,
    fingerprint,
    no_index_message,
    open_generation_at,
)
from .search import SearchEngine
from .view import KnowledgeView

log = logging.getLogger("kb")


@dataclass(frozen=True)
class IndexStatus:
    """Which generation is served (None: none opens), why, and the generations refused."""

    generation: str | None
    reason: str
    current: str | None
    refused: dict[str, str]


def _settle_long_lived_objects(collect_frozen: bool) -> None:
    """Keep what a generation holds (vocabulary, lexicons, postings, articles) out of the cyclic
    garbage collector's full passes: they would walk all of it, about 0.5 s on 10,000 articles
    per locale, every few hundred searches.

    Frozen objects are still freed by reference counting, and a generation holds no reference
    cycle (see :class:`kb.search.SearchEngine`): the one replaced is freed when its last request
    ends, with no collection here. A full collection walks every generation in memory while
    holding the interpreter lock (about 100 ms on the shipped help center, as long for every
    request in flight), so it runs only with ``collect_frozen``, when a replaced generation
    outlived the next switch (something held it in a cycle). The young collection first costs
    little and keeps the cycles that requests just left out of what is frozen for good."""
    if collect_frozen:
        gc.unfreeze()
        gc.collect()
    else:
        gc.collect(1)
    gc.freeze()


class GenerationSwitch:
    """The generation served from ``index_dir``; safe to share between threads.

    ``view_for`` makes the view of a newly opened engine (given the view it replaces)."""

    def __init__(
        self,
        index_dir: Path,
        check_seconds: float,
        view_for: Callable[[SearchEngine, KnowledgeView | None], KnowledgeView],
    ):
        self.index_dir = Path(index_dir)
        self.check_seconds = check_seconds
        self._view_for = view_for
        self.served: KnowledgeView | None = None
        self._reason = ""
        self._lock = threading.Lock()
        self._opening = threading.Lock()
        self._loading: threading.Thread | None = None
        self._checked_at = 0.0
        # Generations that failed to open: path → (fingerprint when refused, why).
        self._refused: dict[Path, tuple[Fingerprint, str]] = {}
        self._replaced: weakref.ref[SearchEngine] | None = None  # the engine the last switch replaced
        self._load()

    def current(self) -> KnowledgeView:
        """The served generation (after a look for a newer one when it is time); raises
        ``IndexNotFoundError``, saying why, while none opens and verifies."""
        self.refresh()
        served = self.served
        if served is None:
            problems = [f"{name}: {reason}" for name, reason in self._refusals().items()]
            raise IndexNotFoundError(no_index_message(self.index_dir, problems))
        return served

    def refresh(self, force: bool = False) -> bool:
        """Switch to a new generation if one appeared; return True if it switched now.

        Without ``force`` the new generation is opened in a background thread (opening a large
        index takes seconds) while the served one keeps answering, or while requests are told
        that no index is available yet; the switch happens when it is ready."""
        now = time.monotonic()
        if not force and now - self._checked_at < self.check_seconds:
            return False
        self._checked_at = now
        # No local holds the served generation past this line: a switch below must free it.
        if self.served is not None and current_generation_path(self.index_dir) == self.served.generation.path:
            return False  # the usual case: one readlink
        if force:
            return self._load()
        with self._lock:
            if self._loading is None:
                self._loading = threading.Thread(target=self._load_in_background, name="kb-reload", daemon=True)
                self._loading.start()
        return False

    def status(self) -> IndexStatus:
        """Which generation is served and why, and the generations refused (for /readyz, `kb status`)."""
        served = self.served
        current = current_generation_path(self.index_dir)
        return IndexStatus(
            generation=served.generation.name if served is not None else None,
            reason=self._reason if served is not None else self._why_none(),
            current=current.name if current is not None else None,
            refused=self._refusals(),
        )

    def _load(self) -> bool:
        """Serve the best generation on disk, skipping those refused before until their files
        change; True if it switched. The served one is kept when nothing better opens."""
        with self._opening:
            served = self.served.generation.path if self.served is not None else None
            current = current_generation_path(self.index_dir)
            found = candidates(self.index_dir)
            self._refused = {p: v for p, v in self._refused.items() if p in found}
            for path in found:
                if path == served:
                    return False
                seen = fingerprint(path)
                if self._refused.get(path, (None, ""))[0] == seen:
                    continue
                try:
                    engine = SearchEngine(open_generation_at(path))
                except CorruptGenerationError as exc:
                    self._refused[path] = (seen, str(exc))
                    log.error("index generation %s cannot be served: %s", path.name, exc)
                    continue
                except Exception as exc:  # a damaged file can make any reader fail
                    self._refused[path] = (seen, f"cannot be opened: {type(exc).__name__}: {exc}")
                    log.exception("index generation %s cannot be served", path.name)
                    continue
                self._refused.pop(path, None)
                self._switch_to(engine, path == current)
                return True
            return False

    def _switch_to(self, engine: SearchEngine, is_current: bool) -> None:
        replaced = self.served.engine if self.served is not None else None
        view = self._view_for(engine, self.served)
        if is_current:
            why = "the current generation"
        else:
            refused = "; ".join(f"{name}: {reason}" for name, reason in self._refusals().items())
            why = f"the newest generation that verifies ({refused or 'no current link'})"
        with self._lock:
            self.served, self._reason = view, why
            self._checked_at = time.monotonic()
        (log.info if is_current else log.warning)("serving index generation %s: %s", engine.generation.name, why)
        lingering = self._lingering_generation()
        if lingering is not None:
            log.warning("index generation %s, replaced at the switch before, is still in memory: collecting", lingering)
        self._replaced = weakref.ref(replaced) if replaced is not None else None
        del replaced  # no local may hold the replaced generation: reference counting frees it
        _settle_long_lived_objects(collect_frozen=lingering is not None)

    def _lingering_generation(self) -> str | None:
        """The name of the generation the switch before replaced, if it is still in memory."""
        engine = self._replaced() if self._replaced is not None else None
        return engine.generation.name if engine is not None else None

    def _load_in_background(self) -> None:
        try:
            self._load()
        except Exception:  # the next check tries again; meanwhile the served generation keeps serving
            log.exception("could not open a new index generation in %s", self.index_dir)
        finally:
            self._loading = None

    def _why_none(self) -> str:
        if self._refused:
            return "no index generation opens and verifies"
        return "no index generation built yet: run `kb reindex`"

    def _refusals(self) -> dict[str, str]:
        return {path.name: reason for path, (_, reason) in dict(self._refused).items()}
