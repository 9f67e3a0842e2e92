"""The knowledge base as the web app and the CLI use it: the current index generation
(reloaded when ``kb reindex`` switches it), locale negotiation, a query cache, search, answers
and articles.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from .answer import Answerer, ChannelValues, load_channel_values
from .content import Article
from .decision import Decision
from .errors import ArticleNotFoundError
from .indexing import Generation, current_generation_path, open_generation
from .locales import DEFAULT_LOCALE, NegotiatedLocale, negotiate, negotiate_accept_language
from .models import AnswerResponse, Channel, Interpretation, SearchHit, SearchResponse
from .planning import QueryPlan
from .ranking import RankedArticle
from .search import SearchEngine

T = TypeVar("T")
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


class QueryCache:
    """A small thread-safe LRU of finished responses; size 0 turns it off."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict[tuple[object, ...], object] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get_or_compute(self, key: tuple[object, ...], compute: Callable[[], T]) -> T:
        if self.size <= 0:
            return compute()
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key]  # type: ignore[return-value]
        value = compute()
        with self._lock:
            self.misses += 1
            self._items[key] = value
            if len(self._items) > self.size:
                self._items.popitem(last=False)
        return value


class KnowledgeBase:
    """Search and answer over the index in ``index_dir``; safe to share between threads."""

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
        self._engine: SearchEngine | None = None
        self._answerer: Answerer | None = None
        self._cache = QueryCache(cache_size)
        self._loading: threading.Thread | None = None
        self._load()

    # -- generation management -------------------------------------------------------------
    def _load(self) -> None:
        """Open the current generation and switch to it (the caller holds no lock)."""
        generation = open_generation(self.index_dir)
        engine = SearchEngine(generation)
        answerer = Answerer(engine, self.channel_values, self.default_locale, self.article_url)
        with self._lock:
            self._engine, self._answerer = engine, answerer
            previous, self._cache = self._cache, QueryCache(self.cache_size)
            # Counters survive the switch so that metrics see totals, not a drop to zero.
            self._cache.hits, self._cache.misses = previous.hits, previous.misses
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
        if path is None or (self._engine and path == self._engine.generation.path.resolve()):
            return False
        if force or self._engine is None:
            self._load()
            return True
        with self._lock:
            if self._loading is None:
                self._loading = threading.Thread(target=self._load_in_background, name="kb-reload", daemon=True)
                self._loading.start()
        return False

    @property
    def engine(self) -> SearchEngine:
        self.refresh()
        assert self._engine is not None
        return self._engine

    @property
    def generation(self) -> Generation:
        return self.engine.generation

    @property
    def locales(self) -> tuple[str, ...]:
        return self.engine.generation.locales

    @property
    def cache_stats(self) -> dict[str, int]:
        """The query cache's size and its hits and misses since the knowledge base was opened."""
        return {"size": self.cache_size, "hits": self._cache.hits, "misses": self._cache.misses}

    # -- locales -------------------------------------------------------------------------------
    def resolve_locale(
        self, locale: str | None, accept_language: str | None = None, plan: QueryPlan | None = None
    ) -> NegotiatedLocale:
        """``locale`` parameter, else ``Accept-Language``, else the query's language, else the default.
        Raises ``LocaleError`` for a tag Babel cannot parse."""
        supported = self.locales
        default = self.default_locale if self.default_locale in supported else supported[0]
        if locale is not None and locale.strip():
            return negotiate(locale, supported, default)
        if accept_language:
            chosen = negotiate_accept_language(accept_language, supported)
            if chosen:
                return NegotiatedLocale(chosen, None, False)
        if plan is not None:
            guessed = self.engine.guess_language(plan)
            if guessed in supported:
                return NegotiatedLocale(guessed, None, False)
        return NegotiatedLocale(default, None, False)

    def article_url(self, article_id: str, locale: str, section: str | None = None) -> str:
        return self.url_template.format(article_id=article_id, locale=locale, section=section or "")

    # -- search --------------------------------------------------------------------------------
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
        """Search every locale, one result per article, each in the negotiated locale."""
        self.refresh()
        assert self._answerer is not None
        answerer = self._answerer
        plan = answerer.engine.plan(q)
        chosen = self.resolve_locale(locale, accept_language, plan)
        key = ("search", plan.key, chosen.locale, chosen.fallback, limit, offset, intent)
        response = self._cache.get_or_compute(
            key, lambda: self._search(answerer, plan, chosen, limit, offset, intent)
        )
        return response.model_copy(update={"query": q, "requested_locale": chosen.requested})

    def _search(
        self,
        answerer: Answerer,
        plan: QueryPlan,
        chosen: NegotiatedLocale,
        limit: int,
        offset: int,
        intent: str | None,
    ) -> SearchResponse:
        engine = answerer.engine
        ranked = engine.rank(plan, intent, want=offset + limit + 1) if not plan.is_empty else []
        ranked = _answer_first(ranked, answerer.decide(plan, ranked), engine, intent)
        results = []
        for item in ranked[offset : offset + limit]:
            found = engine.article_in(item.article_id, chosen.locale, self.default_locale)
            if found is None:
                continue
            article, fallback = found
            position, html = engine.best_section(article, plan)
            anchor, heading = article.sections[position].anchor, article.sections[position].heading
            results.append(
                SearchHit(
                    article_id=article.id,
                    locale=article.locale,
                    fallback_used=fallback or chosen.fallback,
                    title=article.title,
                    section=anchor,
                    section_title=heading or None,
                    snippet=html,
                    score=round(item.score, 4),
                    url=self.article_url(article.id, article.locale, anchor),
                    intent=article.intent,
                    summary=article.summary,
                )
            )
        suggestion = _better_spelling(engine, plan, ranked, intent, offset + limit + 1)
        return SearchResponse(
            query="",
            locale=chosen.locale,
            requested_locale=chosen.requested,
            total=len(ranked),
            has_more=offset + limit < len(ranked),
            suggestions=[suggestion] if suggestion else [],
            results=results,
            limit=limit,
            offset=offset,
            generation=engine.generation.name,
            interpretation=plan.reading.interpretation(),
        )

    # -- answers and articles --------------------------------------------------------------
    def answer(
        self, q: str, locale: str | None = None, *, article_id: str | None = None, accept_language: str | None = None
    ) -> AnswerResponse:
        """The one answer the knowledge base holds for ``q`` (or for ``article_id``)."""
        self.refresh()
        assert self._answerer is not None
        answerer = self._answerer
        plan = answerer.engine.plan(q)
        chosen = self.resolve_locale(locale, accept_language, plan)
        key = ("answer", plan.key, chosen.locale, chosen.fallback, article_id)
        response = self._cache.get_or_compute(key, lambda: answerer.answer(plan, chosen, article_id))
        return response.model_copy(update={"query": q, "requested_locale": chosen.requested})

    def channels(self, locale: str) -> list[Channel]:
        """The ways to reach a person, in ``locale``: what every answer lists as ``channels``."""
        self.refresh()
        assert self._answerer is not None
        return self._answerer.channels(locale)
    def read(self, q: str) -> Interpretation:
        """How the question is read (language, concepts, purchase place, time span, filler…)."""
        return self.engine.read(q).interpretation()

    def get_article(self, article_id: str, locale: str) -> tuple[Article, bool]:
        """The article in ``locale`` (or its fallback, flagged); ``ArticleNotFoundError`` if none."""
        found = self.engine.article_in(article_id, locale, self.default_locale)
        if found is None:
            raise ArticleNotFoundError(article_id)
        return found

    def list_articles(self, locale: str) -> list[tuple[Article, bool]]:
        engine = self.engine
        found = (engine.article_in(i, locale, self.default_locale) for i in sorted(engine.locales_of))
        return [f for f in found if f is not None]


def _answer_first(
    ranked: list[RankedArticle], decision: Decision, engine: SearchEngine, intent: str | None
) -> list[RankedArticle]:
    """Search agrees with the answer: the article the question's reading decides on comes first
    (a purchase place, a time span or an unwanted charge says more than word counts)."""
    chosen = decision.article_id
    if chosen is None or chosen not in engine.locales_of or (intent is not None and decision.intent != intent):
        return ranked
    if ranked and ranked[0].article_id == chosen:
        return ranked
    top_score = ranked[0].score if ranked else 1.0
    rest = [r for r in ranked if r.article_id != chosen]
    found = next((r for r in ranked if r.article_id == chosen), None)
    first = found or RankedArticle(chosen, top_score, engine.locales_of[chosen][0], {}, 0.0)
    first.score = max(first.score, top_score)
    return [first, *rest]


def _better_spelling(
    engine: SearchEngine, plan: QueryPlan, ranked: list[RankedArticle], intent: str | None, want: int
) -> str | None:
    """ "Did you mean": the whole question with its misspelled words corrected, offered only when
    it finds more articles, or a better first one, than the question as typed."""
    suggestion = plan.suggestion(engine.vocab)
    if suggestion is None:
        return None
    corrected = engine.rank(engine.plan(suggestion), intent, want)
    if len(corrected) > len(ranked) or (corrected and (not ranked or corrected[0].score > ranked[0].score)):
        return suggestion
    return None
