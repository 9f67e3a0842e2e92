"""Presenting ranked articles: each in the requested locale (or its fallback), with the section
that matches the query best and a highlighted snippet of it."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from .analysis import word_stems
from .content import Article, language_of
from .highlight import Matcher, TextTokens, analyze, snippet
from .planning import QueryPlan
from .vocabulary import Vocabulary

# Analyzed sections kept for snippets, by article, least recently used out (the bound counts
# sections): a search-as-you-type session comes back to the same articles keystroke after keystroke.
TOKEN_CACHE = 20_000


@dataclass(frozen=True)
class ArticleTokens:
    """An article's sections analyzed, and the sections each word and stem occurs in: the best
    section is chosen by the query's words, not by reading every section."""

    sections: tuple[TextTokens, ...]
    sections_of: dict[str, tuple[int, ...]]

    @classmethod
    def of(cls, sections: Iterable[TextTokens]) -> ArticleTokens:
        analyzed = tuple(sections)
        found: dict[str, list[int]] = {}
        for position, tokens in enumerate(analyzed):
            for key in tokens.word_at.keys() | tokens.stem_at.keys():
                found.setdefault(key, []).append(position)
        return cls(analyzed, {key: tuple(at) for key, at in found.items()})


class Presenter:
    """Articles of one generation by id and locale, their best sections and snippets."""

    def __init__(self, articles: list[Article], vocab: Vocabulary):
        self.vocab = vocab
        self.articles: dict[tuple[str, str], Article] = {(a.id, a.locale): a for a in articles}
        self.locales_of: dict[str, list[str]] = {}
        for article in articles:
            self.locales_of.setdefault(article.id, []).append(article.locale)
        self._tokens: OrderedDict[tuple[str, str], ArticleTokens] = OrderedDict()
        self._held = 0  # sections held in _tokens
        self._tokens_lock = threading.Lock()

    def article_in(self, article_id: str, locale: str, default_locale: str) -> tuple[Article, bool] | None:
        """The article in ``locale``, else in the default locale, else any; and whether that is a fallback."""
        for candidate in (locale, default_locale, *sorted(self.locales_of.get(article_id, []))):
            article = self.articles.get((article_id, candidate))
            if article is not None:
                return article, candidate != locale
        return None

    def matcher(self, plan: QueryPlan, lang: str) -> Matcher:
        """The words and stems (in ``lang``) that the plan's alternatives match, by slot
        (built once per plan and language: every result of a page shares it)."""
        cached = plan.matchers.get(lang)
        if cached is not None:
            return cached
        plan.matchers[lang] = built = self._build_matcher(plan, lang)
        return built

    def _build_matcher(self, plan: QueryPlan, lang: str) -> Matcher:
        words: dict[str, set[int]] = {}
        stems_found: dict[str, set[int]] = {}
        for index, slot in enumerate(plan.slots):
            for word in slot.alternatives:
                words.setdefault(word, set()).add(index)
                surface = slot.original if word == slot.word else self.vocab.spelling(word)
                for stem in word_stems(surface, lang):
                    stems_found.setdefault(stem, set()).add(index)
        return Matcher({k: frozenset(v) for k, v in words.items()}, {k: frozenset(v) for k, v in stems_found.items()})

    def article_tokens(self, article: Article) -> ArticleTokens:
        """Every section of ``article`` analyzed (the first with the summary), kept per article:
        choosing the best section reads them all."""
        key = (article.id, article.locale)
        with self._tokens_lock:
            cached = self._tokens.get(key)
            if cached is not None:
                self._tokens.move_to_end(key)
                return cached
        lang = language_of(article.locale)
        cached = ArticleTokens.of(  # outside the lock: another thread may analyze the same article
            analyze(section.text if position else f"{article.summary}\n{section.text}", lang)
            for position, section in enumerate(article.sections)
        )
        with self._tokens_lock:
            if key not in self._tokens:
                self._tokens[key] = cached
                self._held += len(cached.sections)
                while self._held > TOKEN_CACHE and len(self._tokens) > 1:
                    _, evicted = self._tokens.popitem(last=False)
                    self._held -= len(evicted.sections)
        return cached

    def best_position(self, article: Article, plan: QueryPlan) -> int:
        """The section matching most query words (then most matching words, then the earliest)."""
        return self._best(self.article_tokens(article), self.matcher(plan, language_of(article.locale)))

    @staticmethod
    def _best(article: ArticleTokens, matcher: Matcher) -> int:
        slots: dict[int, set[int]] = {}  # section → the query slots it matches
        counts: dict[int, int] = {}  # section → how many distinct query words and stems it holds
        for key in article.sections_of.keys() & matcher.keys:
            served = matcher.words.get(key, frozenset()) | matcher.stems.get(key, frozenset())
            for position in article.sections_of[key]:
                slots.setdefault(position, set()).update(served)
                counts[position] = counts.get(position, 0) + 1
        best = (0, 0, 0)
        for position in sorted(slots):
            if (len(slots[position]), counts[position]) > best[:2]:
                best = (len(slots[position]), counts[position], position)
        return best[2]

    def best_section(self, article: Article, plan: QueryPlan) -> tuple[int, str]:
        """(section position, snippet HTML) of the best-matching section."""
        sections = self.article_tokens(article)
        matcher = self.matcher(plan, language_of(article.locale))
        position = self._best(sections, matcher)
        return position, snippet(sections.sections[position], matcher)
