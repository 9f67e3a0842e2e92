"""Query planning: a read question (:mod:`kb.interpret`) → slots of alternatives, bounded.

Each content word becomes a slot: the word itself, prefix completions of the word being typed
(search-as-you-type), typo corrections, and synonyms. Every number that weighs an alternative
is a named field of :class:`PlanWeights`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .analysis import fold
from .highlight import Matcher
from .interpret import MAX_WORDS, Reading, is_stop
from .knowledge import Token, tokenize
from .vocabulary import Vocabulary

MAX_COMPLETIONS = 8

__all__ = ["MAX_WORDS", "PlanWeights", "QueryPlan", "QueryPlanner", "Slot", "is_stop", "split_words"]


@dataclass(frozen=True)
class PlanWeights:
    """How much each kind of alternative counts beside the word itself (1.0)."""

    completion: float = 0.75  # a word completing the one being typed
    one_edit: float = 0.8  # a correction one edit away
    two_edits: float = 0.6
    synonym: float = 0.8
    concept: float = 0.8  # an index word of the concept a word carries ("stoppe" → désactiver)
    concept_alternatives: int = 4  # the concept's most frequent index words added
    ubiquitous_importance: float = 0.2  # share of the query's meaning of a word most articles hold


PLAN_WEIGHTS = PlanWeights()


@dataclass
class Slot:
    """One word of the query and what it may match."""

    word: str  # folded
    original: str  # lowercase, accents kept
    alternatives: dict[str, float] = field(default_factory=dict)  # folded word → weight
    corrected: str | None = None  # the correction to suggest when the word looks misspelled
    importance: float = 1.0  # share of the query's meaning: ubiquitous words count less
    completions: set[str] = field(default_factory=set)  # alternatives that complete an unfinished word
    informative: bool = True  # neither filler nor a word most articles hold: a match on it counts
    concept: bool = False  # part of a concept phrase ("refund"): never ubiquitous, whatever its spread
    position: int = 0  # the token of the reading


@dataclass
class QueryPlan:
    text: str
    slots: list[Slot]
    typing: bool  # the last word may be unfinished
    reading: Reading
    matchers: dict[str, Matcher] = field(default_factory=dict, repr=False, compare=False)

    @property
    def key(self) -> tuple[object, ...]:
        return self.reading.key

    @property
    def is_empty(self) -> bool:
        return not self.slots

    def suggestion(self, vocab: Vocabulary) -> str | None:
        """The whole question with its misspelled words corrected (stop words, numbers and
        punctuation kept), or None when nothing looks misspelled."""
        corrected = sorted((s.position, vocab.spelling(s.corrected)) for s in self.slots if s.corrected)
        if not corrected:
            return None
        tokens = self.reading.tokens
        text, out, cursor = self.reading.text, [], 0
        for position, spelling in corrected:
            token = tokens[position]
            out += [text[cursor : token.start], spelling]
            cursor = token.end
        out.append(text[cursor:])
        return "".join(out)


class QueryPlanner:
    """Plans queries against one generation's vocabulary and synonyms."""

    def __init__(
        self,
        vocab: Vocabulary,
        synonyms: dict[str, dict[str, list[str]]],
        is_ubiquitous: Callable[[Token], bool],
        finds_anything: Callable[[Token], bool],
        concept_words: dict[str, list[str]],
        weights: PlanWeights = PLAN_WEIGHTS,
    ):
        self.vocab = vocab
        self.is_ubiquitous = is_ubiquitous
        self.finds_anything = finds_anything
        self.weights = weights
        self.synonyms = self._compile_synonyms(synonyms)
        # A concept word the index does not know still searches for the concept's own words.
        self.concept_alternatives = {
            name: sorted({w for w in words if w in vocab}, key=lambda w: (-vocab.frequencies[w], w))[
                : weights.concept_alternatives
            ]
            for name, words in concept_words.items()
        }

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

    def plan(self, reading: Reading) -> QueryPlan:
        """Slots of alternatives for the reading's content words; bounded in expansions."""
        weights = self.weights
        tokens = reading.tokens
        fillers = set(reading.filler)
        concept_words = reading.topic_positions()
        last = len(tokens) - 1
        slots: list[Slot] = []
        for i in reading.content:
            token = tokens[i]
            word = token.folded
            slot = Slot(word=word, original=token.text, position=i)
            # The word itself even when unknown: its stem may still match ("charging" → charg).
            slot.alternatives[word] = 1.0
            if i == last and reading.typing and len(word) >= 2:
                for completion in self.vocab.completions(word, MAX_COMPLETIONS):
                    slot.alternatives.setdefault(completion, weights.completion)
                    slot.completions.add(completion)
            for candidate, distance in reading.corrections.get(i, ()):
                slot.alternatives.setdefault(candidate, weights.one_edit if distance == 1 else weights.two_edits)
            if i in reading.corrections:  # not a word of the index, nor of the languages
                slot.corrected = reading.corrections[i][0][0]
            slot.concept = i in concept_words
            if slot.concept and not self.finds_anything(token):
                for word in self.concept_alternatives.get(concept_words[i], ()):
                    slot.alternatives.setdefault(word, weights.concept)
            ubiquitous = not slot.concept and self.is_ubiquitous(token)
            slot.importance = weights.ubiquitous_importance if ubiquitous else 1.0
            slot.informative = not ubiquitous and i not in fillers
            slots.append(slot)
        self._add_synonyms([t.folded for t in tokens], reading.content, slots)
        return QueryPlan(text=reading.text, slots=slots, typing=reading.typing, reading=reading)

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
                        slot.informative = True
                break


def split_words(text: str) -> list[str]:
    """Lowercase words with accents kept, elisions removed, split like the index splits them."""
    return [t.text for t in tokenize(text)]
