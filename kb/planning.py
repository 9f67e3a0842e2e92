"""Query planning: user text → slots of alternatives, bounded in words, length and expansions.

Each content word becomes a slot: the word itself, prefix completions of the word being typed
(search-as-you-type), typo corrections from the in-memory vocabulary, and synonyms. Every
number that weighs an alternative is a named field of :class:`PlanWeights`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .analysis import STOP_WORDS, exact_analyzer, fold, sanitize
from .highlight import Matcher
from .vocabulary import MAX_WORD, Vocabulary

MAX_QUERY_CHARS = 256
MAX_WORDS = 12
MAX_COMPLETIONS = 8
MAX_CORRECTIONS = 2


@dataclass(frozen=True)
class PlanWeights:
    """How much each kind of alternative counts beside the word itself (1.0)."""

    completion: float = 0.75  # a word completing the one being typed
    one_edit: float = 0.8  # a correction one edit away
    two_edits: float = 0.6
    synonym: float = 0.8
    ubiquitous_importance: float = 0.2  # share of the query's meaning of a word most articles hold
    unknown_importance: float = 1.0


PLAN_WEIGHTS = PlanWeights()


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


class QueryPlanner:
    """Plans queries against one generation's vocabulary and synonyms."""

    def __init__(
        self,
        vocab: Vocabulary,
        ubiquitous: frozenset[str],
        synonyms: dict[str, dict[str, list[str]]],
        filler: frozenset[str],
        weights: PlanWeights = PLAN_WEIGHTS,
    ):
        self.vocab = vocab
        self.ubiquitous = ubiquitous
        self.filler = filler
        self.weights = weights
        self.synonyms = self._compile_synonyms(synonyms)

    def _compile_synonyms(self, data: dict[str, dict[str, list[str]]]) -> dict[tuple[str, ...], list[str]]:
        table: dict[tuple[str, ...], list[str]] = {}
        for mapping in data.values():
            for phrase, targets in mapping.items():
                key = tuple(fold(w) for w in split_words(phrase))
                expansions = [
                    w
                    for target in targets
                    for w in (fold(x) for x in split_words(target))
                    if w in self.vocab and not is_stop(w)
                ]
                if key and expansions:
                    table.setdefault(key, [])
                    table[key] += [w for w in expansions if w not in table[key]]
        return table

    def plan(self, text: str) -> QueryPlan:
        """Turn user text into slots of alternatives; bounded in words, length and expansions."""
        weights = self.weights
        clean = sanitize(text, MAX_QUERY_CHARS)
        typing = bool(clean) and not text[-1:].isspace()
        originals = [w for w in split_words(clean) if len(w) <= MAX_WORD][:MAX_WORDS]
        folded = [fold(w) for w in originals]
        content = [
            i
            for i, w in enumerate(folded)
            if not is_stop(w)
            and w not in self.vocab
            and not (w in self.filler or w.isdigit())
            or w in self.vocab
            and not is_stop(w)
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
                    slot.alternatives.setdefault(completion, weights.completion)
                    slot.completions.add(completion)
            if word not in self.vocab:
                corrections = self.vocab.corrections(word, MAX_CORRECTIONS)
                for candidate, distance in corrections:
                    slot.alternatives.setdefault(candidate, weights.one_edit if distance == 1 else weights.two_edits)
                if corrections and not slot.completions:  # an unfinished word is not a typo yet
                    slot.corrected = corrections[0][0]
            known = word in self.vocab or len(slot.alternatives) > 1
            slot.importance = (
                weights.ubiquitous_importance
                if word in self.ubiquitous
                else 1.0
                if known
                else weights.unknown_importance
            )
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
                        slot.alternatives.setdefault(word, self.weights.synonym)
                    if slot.word not in self.vocab:
                        slot.corrected = None  # a known phrase, not a typo
                        slot.importance = 1.0
                break


def split_words(text: str) -> list[str]:
    """Lowercase words with accents kept, elisions removed, split like the index splits them."""
    return [t.text for t in exact_analyzer()(text)]


def is_stop(folded_word: str) -> bool:
    return any(folded_word in words for words in STOP_WORDS.values()) or len(folded_word) < 2
