"""Search one index generation: user text → query plan → ranked articles → presented results.

User text is never parsed as query syntax. The jobs are split by module: query planning
(:mod:`kb.planning`: sanitize, split, slots of alternatives), ranking (:mod:`kb.ranking`:
BM25F over per-language stems, merged by article) and presenting (:mod:`kb.presenting`: the
article in the requested locale, its best section and snippet). :class:`SearchEngine` holds
what they share for one generation: the vocabulary, the lexicons and the scored postings.
"""

from __future__ import annotations

import logging
import threading

from pydantic import ValidationError
from whoosh.index import Index
from whoosh.searching import Searcher

from .analysis import word_stems
from .content import AnsweringRules, Article, language_of
from .generations import Generation
from .highlight import Matcher
from .interpret import Interpreter, Reading
from .knowledge import Knowledge, Token
from .planning import QueryPlan, QueryPlanner
from .postings import ScoredPostings
from .presenting import Presenter
from .ranking import WEIGHTS, RankedArticle, Ranker, TermSlots
from .vocabulary import Vocabulary
from .wordlist import WordList

# A stem in this share of a language's articles ("Norton", "subscription") tells them apart poorly.
UBIQUITOUS_SHARE = 0.6
MIN_DOCS_FOR_UBIQUITY = 4
PROSE_FIELDS = ("title", "questions", "body")  # written in the article's language (keywords may not be)
log = logging.getLogger("kb")

__all__ = ["RankedArticle", "SearchEngine"]


class ThreadSearchers:
    """This thread's Whoosh searcher over one generation's index (Whoosh searchers must not be
    shared between threads), made on a thread's first call."""

    def __init__(self, index: Index):
        self._index = index
        self._local = threading.local()

    def __call__(self) -> Searcher:
        searcher = getattr(self._local, "searcher", None)
        if searcher is None:
            searcher = self._index.searcher(weighting=WEIGHTS.scoring())
            self._local.searcher = searcher
        return searcher


class KnownWords:
    """What one generation's index knows of a word as written."""

    def __init__(
        self,
        languages: tuple[str, ...],
        vocab: Vocabulary,
        stem_lexicon: dict[str, frozenset[str]],
        ubiquitous: dict[str, frozenset[str]],
    ):
        self.languages, self.vocab, self.stem_lexicon, self.ubiquitous = languages, vocab, stem_lexicon, ubiquitous

    def is_ubiquitous(self, token: Token) -> bool:
        """Whether every language that knows the word has it in most of its articles."""
        known = [
            stem in self.ubiquitous[lang]
            for lang in self.languages
            for stem in word_stems(token.text, lang)
            if stem in self.stem_lexicon[lang]
        ]
        return bool(known) and all(known)

    def finds_anything(self, token: Token) -> bool:
        """Whether the word as written matches something in the index (itself or its stem)."""
        return token.folded in self.vocab or any(
            stem in self.stem_lexicon[lang] for lang in self.languages for stem in word_stems(token.text, lang)
        )


class SearchEngine:
    """Everything needed to search one generation. Thread-safe: one searcher per thread.

    No part of it refers back to it (the postings memo, the planner and the ranker are handed
    the searchers and the known words, not methods of the engine): with no reference cycle, a
    replaced generation is freed by reference counting as soon as its last request ends, although
    :mod:`kb.serving` keeps it out of the cyclic garbage collector (``gc.freeze``)."""

    def __init__(self, generation: Generation):
        self.generation = generation
        self.languages: tuple[str, ...] = tuple(generation.manifest["languages"])
        self.searcher = ThreadSearchers(generation.index)
        with generation.index.reader() as reader:
            self.vocab = Vocabulary.from_terms(
                (t.decode(), reader.doc_frequency("exact", t)) for t in reader.lexicon("exact")
            )
            self.field_lexicon: dict[str, frozenset[str]] = {
                name: frozenset(t.decode() for t in reader.lexicon(name))
                for part in WEIGHTS.fields
                for lang in self.languages
                if (name := f"{part}_{lang}") in reader.schema
            }
            self.ubiquitous = self._ubiquitous_stems(reader)
        # Every stem of a language, whatever the field: a quick first test before the per-field ones.
        self.stem_lexicon: dict[str, frozenset[str]] = {
            lang: frozenset().union(*(v for k, v in self.field_lexicon.items() if k.endswith(f"_{lang}")))
            for lang in self.languages
        }
        self.known_words = KnownWords(self.languages, self.vocab, self.stem_lexicon, self.ubiquitous)
        self.postings = ScoredPostings(self.searcher)
        self.rules = self._rules(generation)
        self.knowledge = Knowledge.from_rules(self.rules)
        self.wordlist = WordList(self.languages)
        prose = {
            lang: frozenset().union(*(self.field_lexicon.get(f"{part}_{lang}", frozenset()) for part in PROSE_FIELDS))
            for lang in self.languages
        }
        self.interpreter = Interpreter(self.knowledge, self.vocab, self.wordlist, prose)
        self.planner = QueryPlanner(
            self.vocab,
            generation.manifest.get("synonyms", {}),
            self.known_words.is_ubiquitous,
            self.known_words.finds_anything,
            self.knowledge.concept_words,
        )
        self.ranker = Ranker(
            vocab=self.vocab,
            languages=self.languages,
            field_lexicon=self.field_lexicon,
            stem_lexicon=self.stem_lexicon,
            ubiquitous=self.ubiquitous,
            postings=self.postings,
        )
        self.presenter = Presenter(generation.articles, self.vocab)
        self.articles = self.presenter.articles
        self.locales_of = self.presenter.locales_of

    def _ubiquitous_stems(self, reader) -> dict[str, frozenset[str]]:
        """Per language, the body stems that most of that language's articles hold."""
        docs: dict[str, int] = {}
        for fields in reader.all_stored_fields():
            lang = language_of(fields["locale"])
            docs[lang] = docs.get(lang, 0) + 1
        found: dict[str, frozenset[str]] = {}
        for lang in self.languages:
            count, name = docs.get(lang, 0), f"body_{lang}"
            found[lang] = frozenset(
                stem
                for stem in self.field_lexicon.get(name, ())
                if count >= MIN_DOCS_FOR_UBIQUITY and reader.doc_frequency(name, stem) / count >= UBIQUITOUS_SHARE
            )
        return found

    @staticmethod
    def _rules(generation: Generation) -> AnsweringRules:
        try:
            return AnsweringRules.model_validate(generation.manifest.get("answering") or {})
        except ValidationError:  # an index built by an older version: answer without the rules until reindexed
            log.warning("generation %s: answering rules in an older format; run `kb reindex`", generation.name)
            return AnsweringRules()

    def is_ubiquitous(self, token: Token) -> bool:
        return self.known_words.is_ubiquitous(token)

    def finds_anything(self, token: Token) -> bool:
        return self.known_words.finds_anything(token)

    # -- planning -------------------------------------------------------------------------
    def read(self, text: str) -> Reading:
        return self.interpreter.read(text)

    def plan(self, text: str) -> QueryPlan:
        """Read the question, then plan the search of its content words."""
        return self.planner.plan(self.interpreter.read(text))

    def guess_language(self, plan: QueryPlan) -> str | None:
        """The query's language when its words say so clearly."""
        return plan.reading.language

    # -- ranking --------------------------------------------------------------------------
    def term_slots(self, plan: QueryPlan) -> TermSlots:
        return self.ranker.term_slots(plan)

    def rank(self, plan: QueryPlan, intent: str | None = None, want: int = 20) -> list[RankedArticle]:
        return self.ranker.rank(plan, intent, want)

    # -- presenting -----------------------------------------------------------------------
    def article_in(self, article_id: str, locale: str, default_locale: str) -> tuple[Article, bool] | None:
        return self.presenter.article_in(article_id, locale, default_locale)

    def matcher(self, plan: QueryPlan, lang: str) -> Matcher:
        return self.presenter.matcher(plan, lang)

    def best_position(self, article: Article, plan: QueryPlan) -> int:
        return self.presenter.best_position(article, plan)

    def best_section(self, article: Article, plan: QueryPlan) -> tuple[int, str]:
        return self.presenter.best_section(article, plan)
