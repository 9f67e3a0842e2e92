"""Ranking: a query plan's alternatives looked up as (field, stem) terms, scored with BM25F,
merged by article and re-ranked by how much of the query each article covers.

Every number that shapes the ranking is a named field of :class:`RankingWeights`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from whoosh.scoring import BM25F

from .analysis import word_stems
from .planning import QueryPlan
from .postings import ScoredPostings, combine
from .vocabulary import Vocabulary

DOC_LIMIT = 300  # documents scored per query: `total` counts the articles among them

TermKey = tuple[str, str]  # (field, indexed text)
TermSlots = dict[TermKey, tuple[float, dict[int, float]]]  # term → (boost, {slot: strength})


@dataclass(frozen=True)
class RankingWeights:
    """The ranking's weights. The field weights were calibrated on the tuning half of
    tests/golden/queries.yaml (`kb evaluate`): a title match says far more about what an
    article answers than a body match."""

    fields: dict[str, float] = field(
        default_factory=lambda: {"title": 8.0, "questions": 2.0, "kw": 4.0, "body": 1.0}
    )
    # Fields a word still being typed is completed against: bodies hold most postings, and a
    # completion is a guess.
    head_fields: tuple[str, ...] = ("title", "questions", "kw")
    exact_accent: float = 0.4  # an exact-accent match adds a little, so folding never buries "résilier"
    ubiquitous: float = 0.2  # a word in most articles ("Norton") tells them apart poorly
    unknown_stem_strength: float = 0.7  # an unknown word that matches only through its stem
    coverage_base: float = 0.5  # score × (base + coverage): articles covering more of the query rise
    # Articles differ in length far more than in relevance: damp BM25's length normalization.
    bm25_b: float = 0.3
    bm25_k1: float = 1.2

    def scoring(self) -> BM25F:
        return BM25F(B=self.bm25_b, K1=self.bm25_k1)


WEIGHTS = RankingWeights()


@dataclass
class RankedArticle:
    article_id: str
    score: float
    locale: str  # locale of the best-scoring document
    matched_slots: dict[int, float]  # slot → strength of its best matching alternative
    coverage: float


class Ranker:
    """Ranks articles of one generation for a query plan."""

    def __init__(
        self,
        vocab: Vocabulary,
        languages: tuple[str, ...],
        field_lexicon: dict[str, frozenset[str]],
        stem_lexicon: dict[str, frozenset[str]],
        ubiquitous: dict[str, frozenset[str]],
        postings: ScoredPostings,
        weights: RankingWeights = WEIGHTS,
    ):
        self.vocab = vocab
        self.languages = languages
        self.field_lexicon = field_lexicon
        self.stem_lexicon = stem_lexicon
        self.ubiquitous = ubiquitous  # per language: stems most of that language's articles hold
        self.postings = postings
        self.weights = weights
        self.parts = tuple(p for p in weights.fields if all(f"{p}_{lang}" in field_lexicon for lang in languages))

    def term_slots(self, plan: QueryPlan) -> TermSlots:
        """Every (field, term) to query, with its boost and the slots it serves (with strength)."""
        terms: TermSlots = {}
        weights = self.weights

        def add(fieldname: str, text: str, boost: float, slot_index: int, strength: float) -> None:
            old_boost, slots = terms.get((fieldname, text), (0.0, {}))
            slots[slot_index] = max(slots.get(slot_index, 0.0), strength)
            terms[(fieldname, text)] = (max(old_boost, boost), slots)

        for index, slot in enumerate(plan.slots):
            for word, weight in slot.alternatives.items():
                strength = weight if word in self.vocab else weights.unknown_stem_strength
                surface = slot.original if word == slot.word else self.vocab.spelling(word)
                parts = weights.head_fields if word in slot.completions else self.parts
                for lang in self.languages:
                    for stem in word_stems(surface, lang):
                        if stem in self.stem_lexicon[lang]:
                            damped = stem in self.ubiquitous[lang] and not slot.concept
                            boost = weight * weights.ubiquitous if damped else weight
                            for part in parts:
                                fieldname = f"{part}_{lang}"
                                if stem in self.field_lexicon.get(fieldname, ()):
                                    add(fieldname, stem, boost * weights.fields[part], index, strength)
            if slot.original != slot.word:
                add("exact", slot.original, weights.exact_accent, index, 1.0)
        return terms

    def rank(self, plan: QueryPlan, intent: str | None = None, want: int = 20) -> list[RankedArticle]:
        """Matching articles, best first, with the slots each matched.

        Articles matching every word come first: when at least ``want`` of them exist only those
        are ranked; otherwise any word may match, and coverage of the query weighs in the ranking."""
        terms = self.term_slots(plan)
        if not terms:
            return []
        allowed = self.postings.with_intent(intent) if intent else None
        groups = slot_groups(terms)
        if len(groups) > 1 and self._may_fill(groups, want):
            ranked = self._ranked(plan, terms, groups, True, allowed)
            if len(ranked) >= want:
                return ranked
        return self._ranked(plan, terms, [list(terms)], False, allowed)

    def _may_fill(self, groups: list[list[TermKey]], want: int) -> bool:
        """Whether articles matching every group could number ``want``: not when fewer articles
        exist, nor when some group's terms hold fewer documents (an article is at least one),
        where that pass would be thrown away (most questions on a small help center)."""
        if self.postings.article_count < want:
            return False
        get = self.postings.get
        return all(sum(len(get(*key)) for key in group) >= want for group in groups)

    def _ranked(
        self,
        plan: QueryPlan,
        terms: TermSlots,
        groups: list[list[TermKey]],
        every_group: bool,
        allowed: frozenset[int] | None,
    ) -> list[RankedArticle]:
        """The documents of ``groups`` of terms (every group, or any term), merged by article."""
        scored = [[(self.postings.get(*key), terms[key][0]) for key in group] for group in groups]
        flat = [key for group in groups for key in group]
        hits = combine(scored, every_group=every_group, allowed=allowed, limit=DOC_LIMIT)
        by_article: dict[str, RankedArticle] = {}
        # Documents matching the same terms match the same slots: worked out once per set of terms.
        slots_of: dict[tuple[int, ...], dict[int, float]] = {}
        for number, score, matched_terms in hits:
            matched = slots_of.get(matched_terms)
            if matched is None:
                matched = slots_of[matched_terms] = {}
                for term_index in matched_terms:
                    for slot_index, strength in terms[flat[term_index]][1].items():
                        matched[slot_index] = max(matched.get(slot_index, 0.0), strength)
            doc = self.postings.docs[number]
            current = by_article.get(doc.article_id)
            if current is None:  # its own copy: another locale of the article may add slots
                by_article[doc.article_id] = RankedArticle(doc.article_id, score, doc.locale, dict(matched), 0.0)
            else:  # the same article in another language: keep the best, count every slot
                for slot_index, strength in matched.items():
                    current.matched_slots[slot_index] = max(current.matched_slots.get(slot_index, 0.0), strength)
                if score > current.score:
                    current.score, current.locale = score, doc.locale
        total = sum(s.importance for s in plan.slots) or 1.0
        # An article that matches only ubiquitous or filler words ("Norton") is not a result.
        ranked = [a for a in by_article.values() if any(plan.slots[i].informative for i in a.matched_slots)]
        for item in ranked:
            item.coverage = sum(plan.slots[i].importance * w for i, w in item.matched_slots.items()) / total
            item.score = item.score * (self.weights.coverage_base + item.coverage)
        ranked.sort(key=lambda r: (-r.score, r.article_id))
        return ranked


def slot_groups(terms: TermSlots) -> list[list[TermKey]]:
    """The terms of each query slot (a term serving two slots is in both groups)."""
    by_slot: dict[int, list[TermKey]] = {}
    for key, (_, slots) in terms.items():
        for slot_index in slots:
            by_slot.setdefault(slot_index, []).append(key)
    return list(by_slot.values())
