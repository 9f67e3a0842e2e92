"""One generation of the knowledge base as a request sees it: locale negotiation, search,
answers and articles over the same engine, answerer and query cache from start to end.

:meth:`kb.service.KnowledgeBase.current` hands out the view of the generation being served;
the web app takes one per request, so that nothing in a request mixes two generations.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from .answer import Answerer
from .content import Article
from .decision import RANKING_THRESHOLD, Decision
from .errors import ArticleNotFoundError, LocaleError
from .indexing import Generation
from .locales import NegotiatedLocale, negotiate, negotiate_accept_language
from .models import AnswerResponse, Channel, Interpretation, SearchHit, SearchResponse
from .planning import QueryPlan
from .ranking import RankedArticle
from .search import SearchEngine

T = TypeVar("T")


def format_article_url(template: str, article_id: str, locale: str, section: str | None = None) -> str:
    """An article's address from ``KB_ARTICLE_URL_TEMPLATE``."""
    return template.format(article_id=article_id, locale=locale, section=section or "")


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


RECENT_QUERIES = 64  # questions replayed on a new generation before it serves (see warm)
WARM_PAUSE_SECONDS = 0.001  # between two of them: the generation being served keeps the CPU
WARM_ARTICLES = 6  # per locale, titles asked when no question has been asked yet


@dataclass(frozen=True, slots=True)
class KnowledgeView:
    """Search, answers and articles of one index generation; safe to share between threads."""

    answerer: Answerer  # and through it the engine of the same generation
    cache: QueryCache
    default_locale: str
    url_template: str
    # The last questions asked (kind, q, locale), shared by the views of one knowledge base.
    recent: deque[tuple[str, str, str | None]] = field(default_factory=lambda: deque(maxlen=RECENT_QUERIES))

    def warm(self, queries: list[tuple[str, str, str | None]]) -> None:
        """Ask ``queries`` (or, with none, a few article titles in each locale) without the query
        cache, so that a new generation serves its first requests as fast as the next ones: the
        postings, analyzed sections and stems they need are read now, before it serves."""
        if not queries:
            titles = (a for lang in self.locales for a, _ in self.list_articles(lang)[:WARM_ARTICLES])
            queries = [(kind, a.title, a.locale) for a in titles for kind in ("search", "answer")]
        uncached = dataclasses.replace(self, cache=QueryCache(0), recent=deque(maxlen=1))
        for kind, q, locale in dict.fromkeys(queries):
            try:
                if kind == "search":
                    uncached.search(q, locale)
                else:
                    uncached.answer(q, locale)
            except LocaleError:  # refused before too (an unknown locale): the next ones still warm
                pass
            time.sleep(WARM_PAUSE_SECONDS)  # lets the thread serving requests take the interpreter lock

    @property
    def engine(self) -> SearchEngine:
        return self.answerer.engine

    @property
    def generation(self) -> Generation:
        return self.engine.generation

    @property
    def locales(self) -> tuple[str, ...]:
        """The locales articles are written in."""
        return self.engine.generation.locales

    @property
    def served_default_locale(self) -> str:
        """The locale used when nothing else decides: the configured default when articles are
        written in it, else the first locale."""
        return self.default_locale if self.default_locale in self.locales else self.locales[0]

    def locales_of(self, article_id: str) -> list[str]:
        """The locales ``article_id`` is written in; empty when no such article exists."""
        return self.engine.locales_of.get(article_id, [])

    # -- locales -------------------------------------------------------------------------------
    def resolve_locale(
        self, locale: str | None, accept_language: str | None = None, plan: QueryPlan | None = None
    ) -> NegotiatedLocale:
        """``locale`` parameter, else ``Accept-Language``, else the query's language, else the default.
        Raises ``LocaleError`` for a tag Babel cannot parse."""
        supported = self.locales
        default = self.served_default_locale
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
        return format_article_url(self.url_template, article_id, locale, section)

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
        self.recent.append(("search", q, locale))
        plan = self.engine.plan(q)
        chosen = self.resolve_locale(locale, accept_language, plan)
        key = ("search", plan.key, chosen.locale, chosen.fallback, limit, offset, intent)
        response = self.cache.get_or_compute(
            key, lambda: self._search(plan, chosen, limit=limit, offset=offset, intent=intent)
        )
        return response.model_copy(update={"query": q, "requested_locale": chosen.requested})

    def _search(
        self, plan: QueryPlan, chosen: NegotiatedLocale, *, limit: int, offset: int, intent: str | None
    ) -> SearchResponse:
        engine = self.engine
        ranked = engine.rank(plan, intent, want=offset + limit + 1) if not plan.is_empty else []
        ranked = _answer_first(ranked, self.answerer.decide(plan, ranked), engine, intent)
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
        self,
        q: str,
        locale: str | None = None,
        *,
        article_id: str | None = None,
        accept_language: str | None = None,
        threshold: float = RANKING_THRESHOLD,
    ) -> AnswerResponse:
        """The one answer the knowledge base holds for ``q`` (or for ``article_id``); an answer
        from the ranking alone needs a confidence of ``threshold``."""
        if article_id is None:
            self.recent.append(("answer", q, locale))
        plan = self.engine.plan(q)
        chosen = self.resolve_locale(locale, accept_language, plan)
        key = ("answer", plan.key, chosen.locale, chosen.fallback, article_id, threshold)
        response = self.cache.get_or_compute(
            key, lambda: self.answerer.answer(plan, chosen, article_id, threshold=threshold)
        )
        return response.model_copy(update={"query": q, "requested_locale": chosen.requested})

    def channels(self, locale: str) -> list[Channel]:
        """The ways to reach a person, in ``locale``: what every answer lists as ``channels``."""
        return self.answerer.channels(locale)

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
        """Every article once, in ``locale`` or its fallback (flagged), by id."""
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
