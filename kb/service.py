"""The knowledge base as the web app and the CLI use it: the index generation being served,
switched when ``kb reindex`` makes a new one, and its view (:class:`kb.view.KnowledgeView`:
locale negotiation, search, answers and articles, with a query cache per generation).
"""

from __future__ import annotations

import logging
from pathlib import Path

from .answer import Answerer, ChannelValues, load_channel_values
from .content import Article
from .generations import Generation
from .locales import DEFAULT_LOCALE, NegotiatedLocale
from .models import AnswerResponse, Channel, Interpretation, SearchResponse
from .planning import QueryPlan
from .search import SearchEngine
from .serving import GenerationSwitch, IndexStatus
from .view import KnowledgeView, QueryCache, format_article_url

DEFAULT_URL_TEMPLATE = "/articles/{locale}/{article_id}"
log = logging.getLogger("kb")


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
        warm: bool = True,
    ):
        self.index_dir = Path(index_dir)
        self.cache_size = cache_size
        self.check_seconds = check_seconds
        self.default_locale = default_locale
        self.url_template = url_template
        self.channel_values: ChannelValues = load_channel_values(channels_file)
        self.warm = warm  # ask each generation the last questions asked before it serves
        self._generations = GenerationSwitch(self.index_dir, check_seconds, self._view_for)

    # -- the served generation ---------------------------------------------------------------
    def _view_for(self, engine: SearchEngine, previous: KnowledgeView | None) -> KnowledgeView:
        answerer = Answerer(engine, self.channel_values, self.default_locale, self.article_url)
        cache = QueryCache(self.cache_size)
        if previous is not None:  # counters survive the switch: metrics see totals, not a drop to zero
            cache.hits, cache.misses = previous.cache.hits, previous.cache.misses
        view = KnowledgeView(
            answerer=answerer, cache=cache, default_locale=self.default_locale, url_template=self.url_template
        )
        if previous is not None:
            view.recent.extend(previous.recent)
        if self.warm:
            try:  # before it serves: its first requests must not read every posting from disk
                view.warm(list(view.recent))
            except Exception:  # a warm-up is an optimization: a failure here must not refuse the generation
                log.warning("could not warm index generation %s", engine.generation.name, exc_info=True)
        return view

    def refresh(self, force: bool = False) -> bool:
        """Switch to a new generation if one appeared (see :class:`kb.serving.GenerationSwitch`)."""
        return self._generations.refresh(force)

    def current(self) -> KnowledgeView:
        """The view of the generation being served (after looking for a newer one, at most every
        ``check_seconds``); it stays the same object however many generations come after. Raises
        ``IndexNotFoundError`` (saying why) while no generation opens and verifies."""
        return self._generations.current()

    def status(self) -> IndexStatus:
        """Which generation serves and why, and the generations refused (for /readyz, `kb status`)."""
        return self._generations.status()

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
        view = self._generations.served
        cache = view.cache if view is not None else QueryCache(self.cache_size)
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
