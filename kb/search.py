"""Search one index generation: user text → query plan → Whoosh query → articles.

User text is never parsed as query syntax. It is sanitized, split into words with the index's
own analyzers, and each word becomes a slot of alternatives: the word itself when the index
knows it, prefix completions for the word being typed, typo corrections from the in-memory
vocabulary, and synonyms. Every alternative is stemmed for each indexed language, so a French
query finds English articles' translations and the other way round; hits are merged by
article and each article is returned in the requested locale.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from whoosh.scoring import BM25F
from whoosh.searching import Searcher

from .analysis import STOP_WORDS, exact_analyzer, fold, sanitize, word_stems
from .content import Article
from .highlight import Matcher, TextTokens, analyze, matched_slots, snippet
from .indexing import Generation, language_of
from .postings import ScoredPostings, combine
from .vocabulary import MAX_WORD, Vocabulary

MAX_QUERY_CHARS = 256
MAX_WORDS = 12
MAX_COMPLETIONS = 8
MAX_CORRECTIONS = 2
DOC_LIMIT = 300
TOKEN_CACHE = 20_000  # analyzed sections kept for snippets
# Calibrated on the tuning half of tests/golden/queries.yaml (`kb evaluate`): a title match says
# far more about what an article answers than a body match.
FIELD_WEIGHTS = {"title": 8.0, "kw": 4.0, "body": 1.0}
HEAD_FIELDS = ("title", "kw")
EXACT_ACCENT_BOOST = 0.4
UBIQUITOUS_SHARE = 0.6  # a word in this share of documents ("Norton") tells articles apart poorly
UBIQUITOUS_WEIGHT = 0.2
UNKNOWN_WEIGHT = 1.0
UNKNOWN_STEM_STRENGTH = 0.7  # an unknown word that matches only through its stem
# Articles differ in length far more than in relevance: damp BM25's length normalization.
WEIGHTING = BM25F(B=0.3, K1=1.2)


@dataclass
class Slot:
    """One word of the query and what it may match."""

    word: str  # folded
    original: str  # lowercase, accents kept
    alternatives: dict[str, float] = field(default_factory=dict)  # folded word → weight
    corrected: str | None = None  # the best correction when the word looked misspelled
    importance: float = 1.0  # share of the query's meaning: unknown or ubiquitous words count less
    completions: set[str] = field(default_factory=set)  # alternatives that complete an unfinished word


@dataclass
class QueryPlan:
    text: str
    slots: list[Slot]
    typing: bool  # the last word may be unfinished
    words: list[str] = field(default_factory=list)  # every folded word, typos corrected
    raw_words: list[str] = field(default_factory=list)  # every folded word as typed
    matchers: dict[str, Matcher] = field(default_factory=dict, repr=False, compare=False)

    @property
    def key(self) -> tuple[object, ...]:
        return (tuple(s.word for s in self.slots), tuple(s.original for s in self.slots), self.typing)

    @property
    def is_empty(self) -> bool:
        return not self.slots

    def suggestion(self, vocab: Vocabulary) -> str | None:
        if not any(s.corrected for s in self.slots):
            return None
        return " ".join(vocab.spelling(s.corrected) if s.corrected else s.original for s in self.slots)


@dataclass
class RankedArticle:
    article_id: str
    score: float
    locale: str  # locale of the best-scoring document
    matched_slots: dict[int, float]  # slot → strength of its best matching alternative
    coverage: float


TermKey = tuple[str, str]  # (field, indexed text)


class SearchEngine:
    """Everything needed to search one generation. Thread-safe: one searcher per thread."""

    def __init__(self, generation: Generation):
        self.generation = generation
        self.languages: tuple[str, ...] = tuple(generation.manifest["languages"])
        self.articles: dict[tuple[str, str], Article] = {(a.id, a.locale): a for a in generation.articles}
        self.locales_of: dict[str, list[str]] = {}
        for article in generation.articles:
            self.locales_of.setdefault(article.id, []).append(article.locale)
        self._local = threading.local()
        self._tokens: dict[tuple[str, str, int], TextTokens] = {}
        with generation.index.reader() as reader:
            self.vocab = Vocabulary.from_terms(
                (t.decode(), reader.doc_frequency("exact", t)) for t in reader.lexicon("exact")
            )
            docs = max(1, reader.doc_count())
            self.ubiquitous = frozenset(
                w for w, f in self.vocab.frequencies.items() if docs >= 4 and f / docs >= UBIQUITOUS_SHARE
            )
            self.field_lexicon: dict[str, frozenset[str]] = {
                f"{part}_{lang}": frozenset(t.decode() for t in reader.lexicon(f"{part}_{lang}"))
                for part in FIELD_WEIGHTS
                for lang in self.languages
            }
        # Every stem of a language, whatever the field: a quick first test before the per-field ones.
        self.stem_lexicon: dict[str, frozenset[str]] = {
            lang: frozenset().union(*(self.field_lexicon[f"{part}_{lang}"] for part in FIELD_WEIGHTS))
            for lang in self.languages
        }
        self.postings = ScoredPostings(self.searcher)
        self.synonyms = self._compile_synonyms(generation.manifest.get("synonyms", {}))
        answering = generation.manifest.get("answering") or {}
        self.filler = frozenset(fold(w) for w in answering.get("filler", []))

    # -- per-thread searcher ------------------------------------------------------------
    def searcher(self) -> Searcher:
        searcher = getattr(self._local, "searcher", None)
        if searcher is None:
            searcher = self.generation.index.searcher(weighting=WEIGHTING)
            self._local.searcher = searcher
        return searcher

    # -- query plan -----------------------------------------------------------------------
    def _compile_synonyms(self, data: dict[str, dict[str, list[str]]]) -> dict[tuple[str, ...], list[str]]:
        table: dict[tuple[str, ...], list[str]] = {}
        for mapping in data.values():
            for phrase, targets in mapping.items():
                key = tuple(fold(w) for w in _split(phrase))
                expansions = [
                    w
                    for target in targets
                    for w in (fold(x) for x in _split(target))
                    if w in self.vocab and not _is_stop(w)
                ]
                if key and expansions:
                    table.setdefault(key, [])
                    table[key] += [w for w in expansions if w not in table[key]]
        return table

    def plan(self, text: str) -> QueryPlan:
        """Turn user text into slots of alternatives; bounded in words, length and expansions."""
        clean = sanitize(text, MAX_QUERY_CHARS)
        typing = bool(clean) and not text[-1:].isspace()
        originals = [w for w in _split(clean) if len(w) <= MAX_WORD][:MAX_WORDS]
        folded = [fold(w) for w in originals]
        content = [
            i
            for i, w in enumerate(folded)
            if not _is_stop(w)
            and w not in self.vocab
            and not (w in self.filler or w.isdigit())
            or w in self.vocab
            and not _is_stop(w)
        ]
        content = content or list(range(len(folded)))
        slots: list[Slot] = []
        for i in content:
            word, original = folded[i], originals[i]
            slot = Slot(word=word, original=original)
            last = i == len(folded) - 1
            # The word itself even when unknown: its stem may still match ("charging" → charg).
            slot.alternatives[word] = 1.0
            if last and typing and len(word) >= 2:
                for completion in self.vocab.completions(word, MAX_COMPLETIONS):
                    slot.alternatives.setdefault(completion, 0.75)
                    slot.completions.add(completion)
            if word not in self.vocab:
                corrections = self.vocab.corrections(word, MAX_CORRECTIONS)
                for candidate, distance in corrections:
                    slot.alternatives.setdefault(candidate, 0.8 if distance == 1 else 0.6)
                if corrections and not slot.completions:  # an unfinished word is not a typo yet
                    slot.corrected = corrections[0][0]
            known = word in self.vocab or len(slot.alternatives) > 1
            slot.importance = UBIQUITOUS_WEIGHT if word in self.ubiquitous else 1.0 if known else UNKNOWN_WEIGHT
            slots.append(slot)
        self._add_synonyms(folded, content, slots)
        corrected = {s.word: s.corrected for s in slots if s.corrected}
        words = [corrected.get(w, w) for w in folded]
        return QueryPlan(text=clean, slots=slots, typing=typing, words=words, raw_words=folded)

    def _add_synonyms(self, folded: list[str], content: list[int], slots: list[Slot]) -> None:
        slot_of = dict(zip(content, slots, strict=True))
        for start in range(len(folded)):
            for length in (4, 3, 2, 1):
                key = tuple(folded[start : start + length])
                expansions = self.synonyms.get(key) if len(key) == length else None
                if not expansions:
                    continue
                targets = [slot_of[i] for i in range(start, start + length) if i in slot_of]
                for slot in targets:
                    for word in expansions:
                        slot.alternatives.setdefault(word, 0.8)
                    if slot.word not in self.vocab:
                        slot.corrected = None  # a known phrase, not a typo
                        slot.importance = 1.0
                break

    def guess_language(self, plan: QueryPlan) -> str | None:
        """The query's language when its words say so clearly (stop words, then vocabulary)."""
        votes = dict.fromkeys(self.languages, 0.0)
        for word in _split(plan.text):
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

    # -- query and ranking ----------------------------------------------------------------
    def _term_slots(self, plan: QueryPlan) -> dict[TermKey, tuple[float, dict[int, float]]]:
        """Every (field, term) to query, with its boost and the slots it serves (with strength)."""
        terms: dict[TermKey, tuple[float, dict[int, float]]] = {}

        def add(fieldname: str, text: str, boost: float, slot_index: int, strength: float) -> None:
            old_boost, slots = terms.get((fieldname, text), (0.0, {}))
            slots[slot_index] = max(slots.get(slot_index, 0.0), strength)
            terms[(fieldname, text)] = (max(old_boost, boost), slots)

        for index, slot in enumerate(plan.slots):
            for word, weight in slot.alternatives.items():
                strength = weight if word in self.vocab else UNKNOWN_STEM_STRENGTH
                if word in self.ubiquitous:
                    weight *= UBIQUITOUS_WEIGHT
                surface = slot.original if word == slot.word else self.vocab.spelling(word)
                # A word still being typed is completed against titles and keywords only: bodies
                # hold most postings, and a completion is a guess.
                parts = HEAD_FIELDS if word in slot.completions else FIELD_WEIGHTS
                for lang in self.languages:
                    for stem in word_stems(surface, lang):
                        if stem in self.stem_lexicon[lang]:
                            for part in parts:
                                part_weight = FIELD_WEIGHTS[part]
                                if stem in self.field_lexicon[f"{part}_{lang}"]:
                                    add(f"{part}_{lang}", stem, weight * part_weight, index, strength)
            if slot.original != slot.word:
                add("exact", slot.original, EXACT_ACCENT_BOOST, index, 1.0)
        return terms

    def rank(self, plan: QueryPlan, intent: str | None = None, want: int = 20) -> list[RankedArticle]:
        """Matching articles, best first, with the slots each matched.

        Articles matching every word come first: when at least ``want`` of them exist only those
        are ranked; otherwise any word may match, and coverage of the query weighs in the ranking."""
        terms = self._term_slots(plan)
        if not terms:
            return []
        allowed = self.postings.with_intent(intent) if intent else None
        groups = slot_groups(terms)
        if len(groups) > 1:
            ranked = self._ranked(plan, terms, groups, True, allowed)
            if len(ranked) >= want:
                return ranked
        return self._ranked(plan, terms, [list(terms)], False, allowed)

    def _ranked(
        self,
        plan: QueryPlan,
        terms: dict[TermKey, tuple[float, dict[int, float]]],
        groups: list[list[TermKey]],
        every_group: bool,
        allowed: frozenset[int] | None,
    ) -> list[RankedArticle]:
        """The documents of ``groups`` of terms (every group, or any term), merged by article."""
        scored = [[(self.postings.get(*key), terms[key][0]) for key in group] for group in groups]
        flat = [key for group in groups for key in group]
        hits = combine(scored, every_group=every_group, allowed=allowed, limit=DOC_LIMIT)
        by_article: dict[str, RankedArticle] = {}
        for number, score, matched_terms in hits:
            matched: dict[int, float] = {}
            for term_index in matched_terms:
                for slot_index, strength in terms[flat[term_index]][1].items():
                    matched[slot_index] = max(matched.get(slot_index, 0.0), strength)
            doc = self.postings.docs[number]
            current = by_article.get(doc.article_id)
            if current is None:
                by_article[doc.article_id] = RankedArticle(doc.article_id, score, doc.locale, matched, 0.0)
            else:  # the same article in another language: keep the best, count every slot
                for slot_index, strength in matched.items():
                    current.matched_slots[slot_index] = max(current.matched_slots.get(slot_index, 0.0), strength)
                if score > current.score:
                    current.score, current.locale = score, doc.locale
        total = sum(s.importance for s in plan.slots) or 1.0
        ranked = list(by_article.values())
        for item in ranked:
            item.coverage = sum(plan.slots[i].importance * w for i, w in item.matched_slots.items()) / total
            item.score = item.score * (0.5 + item.coverage)
        ranked.sort(key=lambda r: (-r.score, r.article_id))
        return ranked

    # -- presenting -----------------------------------------------------------------------
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

    def section_tokens(self, article: Article, position: int) -> TextTokens:
        key = (article.id, article.locale, position)
        cached = self._tokens.get(key)
        if cached is None:
            section = article.sections[position]
            text = section.text if position else f"{article.summary}\n{section.text}"
            cached = analyze(text, language_of(article.locale))
            if len(self._tokens) >= TOKEN_CACHE:
                self._tokens.clear()
            self._tokens[key] = cached
        return cached

    def best_position(self, article: Article, plan: QueryPlan) -> int:
        """The section matching most query words (then most matching words, then the earliest)."""
        matcher = self.matcher(plan, language_of(article.locale))
        best = (0, 0, 0)
        for position in range(len(article.sections)):
            slots, count = matched_slots(self.section_tokens(article, position), matcher)
            if (len(slots), count) > best[:2]:
                best = (len(slots), count, position)
        return best[2]

    def best_section(self, article: Article, plan: QueryPlan) -> tuple[int, str]:
        """(section position, snippet HTML) of the best-matching section."""
        position = self.best_position(article, plan)
        matcher = self.matcher(plan, language_of(article.locale))
        return position, snippet(self.section_tokens(article, position), matcher)


def slot_groups(terms: dict[TermKey, tuple[float, dict[int, float]]]) -> list[list[TermKey]]:
    """The terms of each query slot (a term serving two slots is in both groups)."""
    by_slot: dict[int, list[TermKey]] = {}
    for key, (_, slots) in terms.items():
        for slot_index in slots:
            by_slot.setdefault(slot_index, []).append(key)
    return list(by_slot.values())


def _split(text: str) -> list[str]:
    """Lowercase words with accents kept, elisions removed, split like the index splits them."""
    return [t.text for t in exact_analyzer()(text)]


def _is_stop(folded_word: str) -> bool:
    return any(folded_word in words for words in STOP_WORDS.values()) or len(folded_word) < 2
