"""The knowledge base as the web app and the CLI use it: the index generation being served,
switched when ``kb reindex`` makes a new one, and its view (:class:`kb.view.KnowledgeView`:
locale negotiation, search, answers and articles, with a query cache per generation).
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from pathlib import Path

from .answer import Answerer, ChannelValues, load_channel_values
from .content import Article
from .indexing import Generation, current_generation_path, open_generation
from .locales import DEFAULT_LOCALE, NegotiatedLocale
from .models import AnswerResponse, Channel, Interpretation, SearchResponse
from .planning import QueryPlan
from .search import SearchEngine
from .view import KnowledgeView, QueryCache, format_article_url

log = logging.getLogger("kb")
DEFAULT_URL_TEMPLATE = "/articles/{locale}/{article_id}"


def _settle_long_lived_objects() -> None:
    """Keep what a generation holds (vocabulary, lexicons, postings, articles) out of the cyclic
    garbage collector's full passes: they would walk all of it, about 0.5 s on 10,000 articles
    per locale, every few hundred searches. Unfreezing first lets this collection reclaim what
    the previous generation left in reference cycles."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class KnowledgeBase:
    """Search and answer over the index in ``index_dir``; safe to share between threads.

    :meth:`current` is the view of the generation being served: take one per request (or per
    evaluation run) and ask it everything. The methods of the same names here are shortcuts that
    each take the current view afresh."""

    def __init__(
        self,
        index_dir: Path,
        *,
        cache_size: int = 4096,
        check_seconds: float = 1.0,
        default_locale: str = DEFAULT_LOCALE,
        url_template: str = DEFAULT_URL_TEMPLATE,
        channels_file: Path | None = None,
    ):
        self.index_dir = Path(index_dir)
        self.cache_size = cache_size
        self.check_seconds = check_seconds
        self.default_locale = default_locale
        self.url_template = url_template
        self.channel_values: ChannelValues = load_channel_values(channels_file)
        self._lock = threading.Lock()
        self._checked_at = 0.0
        self._view: KnowledgeView | None = None
        self._loading: threading.Thread | None = None
        self._load()

    # -- generation management -------------------------------------------------------------
    def _load(self) -> None:
        """Open the current generation and switch to it (the caller holds no lock)."""
        generation = open_generation(self.index_dir)
        engine = SearchEngine(generation)
        answerer = Answerer(engine, self.channel_values, self.default_locale, self.article_url)
        cache = QueryCache(self.cache_size)
        with self._lock:
            if self._view is not None:  # counters survive the switch: metrics see totals, not a drop to zero
                cache.hits, cache.misses = self._view.cache.hits, self._view.cache.misses
            self._view = KnowledgeView(
                answerer=answerer, cache=cache, default_locale=self.default_locale, url_template=self.url_template
            )
            self._checked_at = time.monotonic()
        _settle_long_lived_objects()

    def _load_in_background(self) -> None:
        try:
            self._load()
        except Exception:  # the next check tries again; meanwhile the open generation keeps serving
            log.exception("could not open the new index generation in %s", self.index_dir)
        finally:
            self._loading = None

    def refresh(self, force: bool = False) -> bool:
        """Switch to a new generation if ``kb reindex`` made one; return True if it switched now.

        Without ``force`` the new generation is opened in a background thread (opening a large
        index takes seconds) while the current one keeps answering; the switch happens when it
        is ready."""
        now = time.monotonic()
        if not force and now - self._checked_at < self.check_seconds:
            return False
        self._checked_at = now
        path = current_generation_path(self.index_dir)
        if path is None or (self._view and path == self._view.generation.path.resolve()):
            return False
        if force or self._view is None:
            self._load()
            return True
        with self._lock:
            if self._loading is None:
                self._loading = threading.Thread(target=self._load_in_background, name="kb-reload", daemon=True)
                self._loading.start()
        return False

    def current(self) -> KnowledgeView:
        """The view of the generation being served (after looking for a newer one, at most every
        ``check_seconds``); it stays the same object however many generations come after."""
        self.refresh()
        assert self._view is not None
        return self._view

    @property
    def engine(self) -> SearchEngine:
        return self.current().engine

    @property
    def generation(self) -> Generation:
        return self.current().generation

    @property
    def locales(self) -> tuple[str, ...]:
        return self.current().locales

    @property
    def cache_stats(self) -> dict[str, int]:
        """The query cache's size and its hits and misses since the knowledge base was opened."""
        cache = self._view.cache if self._view is not None else QueryCache(self.cache_size)
        return {"size": self.cache_size, "hits": cache.hits, "misses": cache.misses}

    def article_url(self, article_id: str, locale: str, section: str | None = None) -> str:
        return format_article_url(self.url_template, article_id, locale, section)

    # -- shortcuts to the current view ------------------------------------------------------
    def resolve_locale(
        self, locale: str | None, accept_language: str | None = None, plan: QueryPlan | None = None
    ) -> NegotiatedLocale:
        return self.current().resolve_locale(locale, accept_language, plan)

    def search(
        self,
        q: str,
        locale: str | None = None,
        *,
        limit: int = 10,
        offset: int = 0,
        intent: str | None = None,
        accept_language: str | None = None,
    ) -> SearchResponse:
        """See :meth:`kb.view.KnowledgeView.search`."""
        view = self.current()
        return view.search(q, locale, limit=limit, offset=offset, intent=intent, accept_language=accept_language)

    def answer(
        self, q: str, locale: str | None = None, *, article_id: str | None = None, accept_language: str | None = None
    ) -> AnswerResponse:
        """See :meth:`kb.view.KnowledgeView.answer`."""
        return self.current().answer(q, locale, article_id=article_id, accept_language=accept_language)

    def channels(self, locale: str) -> list[Channel]:
        return self.current().channels(locale)

    def read(self, q: str) -> Interpretation:
        return self.current().read(q)

    def get_article(self, article_id: str, locale: str) -> tuple[Article, bool]:
        return self.current().get_article(article_id, locale)

    def list_articles(self, locale: str) -> list[tuple[Article, bool]]:
        return self.current().list_articles(locale)
