"""Search one index generation: user text → query plan → ranked articles → presented results.

User text is never parsed as query syntax. The jobs are split by module: query planning
(:mod:`kb.planning`: sanitize, split, slots of alternatives), ranking (:mod:`kb.ranking`:
BM25F over per-language stems, merged by article) and presenting (:mod:`kb.presenting`: the
article in the requested locale, its best section and snippet). :class:`SearchEngine` holds
what they share for one generation: the vocabulary, the lexicons and the scored postings.
"""

from __future__ import annotations

import threading

from whoosh.searching import Searcher

from .analysis import STOP_WORDS, fold, word_stems
from .content import Article
from .highlight import Matcher
from .indexing import Generation
from .planning import QueryPlan, QueryPlanner, split_words
from .postings import ScoredPostings
from .presenting import Presenter
from .ranking import WEIGHTS, RankedArticle, Ranker, TermSlots
from .vocabulary import Vocabulary

UBIQUITOUS_SHARE = 0.6  # a word in this share of documents ("Norton") tells articles apart poorly

__all__ = ["RankedArticle", "SearchEngine"]


class SearchEngine:
    """Everything needed to search one generation. Thread-safe: one searcher per thread."""

    def __init__(self, generation: Generation):
        self.generation = generation
        self.languages: tuple[str, ...] = tuple(generation.manifest["languages"])
        self._local = threading.local()
        with generation.index.reader() as reader:
            self.vocab = Vocabulary.from_terms(
                (t.decode(), reader.doc_frequency("exact", t)) for t in reader.lexicon("exact")
            )
            docs = max(1, reader.doc_count())
            self.ubiquitous = frozenset(
                w for w, f in self.vocab.frequencies.items() if docs >= 4 and f / docs >= UBIQUITOUS_SHARE
            )
            self.field_lexicon: dict[str, frozenset[str]] = {
                name: frozenset(t.decode() for t in reader.lexicon(name))
                for part in WEIGHTS.fields
                for lang in self.languages
                if (name := f"{part}_{lang}") in reader.schema
            }
        # Every stem of a language, whatever the field: a quick first test before the per-field ones.
        self.stem_lexicon: dict[str, frozenset[str]] = {
            lang: frozenset().union(*(v for k, v in self.field_lexicon.items() if k.endswith(f"_{lang}")))
            for lang in self.languages
        }
        self.postings = ScoredPostings(self.searcher)
        answering = generation.manifest.get("answering") or {}
        self.planner = QueryPlanner(
            self.vocab,
            self.ubiquitous,
            generation.manifest.get("synonyms", {}),
            frozenset(fold(w) for w in answering.get("filler", [])),
        )
        self.ranker = Ranker(
            self.vocab, self.languages, self.field_lexicon, self.stem_lexicon, self.ubiquitous, self.postings
        )
        self.presenter = Presenter(generation.articles, self.vocab)
        self.articles = self.presenter.articles
        self.locales_of = self.presenter.locales_of

    def searcher(self) -> Searcher:
        """This thread's searcher (Whoosh searchers must not be shared between threads)."""
        searcher = getattr(self._local, "searcher", None)
        if searcher is None:
            searcher = self.generation.index.searcher(weighting=WEIGHTS.scoring())
            self._local.searcher = searcher
        return searcher

    # -- planning -------------------------------------------------------------------------
    def plan(self, text: str) -> QueryPlan:
        return self.planner.plan(text)

    def guess_language(self, plan: QueryPlan) -> str | None:
        """The query's language when its words say so clearly (stop words, then vocabulary)."""
        votes = dict.fromkeys(self.languages, 0.0)
        for word in split_words(plan.text):
            folded = fold(word)
            for lang in self.languages:
                if folded in STOP_WORDS.get(lang, ()):
                    votes[lang] += 1.0
                elif len(folded) > 3 and any(s in self.stem_lexicon[lang] for s in word_stems(word, lang)):
                    votes[lang] += 0.5
        ranked = sorted(votes.items(), key=lambda kv: -kv[1])
        if len(ranked) > 1 and ranked[0][1] > ranked[1][1]:
            return ranked[0][0]
        return None

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
