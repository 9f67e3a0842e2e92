"""What answering needs beyond the articles, compiled from ``content/answering.yaml``.

Authors keep it as data: the concepts a question may carry (money back, stopping, renewal,
money taken, reaching a person), where a subscription may have been bought (per purchase
channel, generic words and places by country), places the help center does not cover, subjects
that are not its business, conversational filler and time expressions. Phrases match whole
words, accents and case ignored, in any language, so a question mixing languages still reads.
"""

from __future__ import annotations

import re
from bisect import bisect_left, insort
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass, field

from .analysis import LANGUAGES, exact_analyzer, fold, is_stop_word, word_stems
from .content import AnsweringRules
from .vocabulary import edit_distance

OTHER_PLACE = "other"  # a purchase place the help center does not cover
# Concepts that give a decision context without being what the question is about: they weigh
# nothing special in the search ("bought" stays a common word of the purchase articles, "not
# sure if" is no topic).
CONTEXT_CONCEPTS = frozenset({"purchase", "unsure"})
GENERIC = "any"  # regions of purchase_channels whose label starts so hold generic words
# Purchase channels whose places are companies with their own contacts (shops, providers), and
# those that sell subscriptions of their own (providers): asked about without the product, the
# question is theirs.
COMPANY_CHANNELS = frozenset({"third_party", "service_provider"})
SUBSCRIPTION_CHANNELS = frozenset({"service_provider"})
FUZZY_MIN_LETTERS = 6  # a place name this long still matches with one typo ("amazone")
MIN_PREFIX = 3  # letters of a word being typed before it may start a phrase ("swissc" → "swisscom")
MIN_PREFIX_AFTER = 2  # … or end one whose other words are there ("boutique en li" → "… en ligne")
MAX_TYPED_KEYS = 20
FRENCH_PLURAL_VERB_MIN = 7  # letters of a word ending in "-ent" read as a plural verb too


@dataclass(frozen=True)
class Token:
    """One word of the question: as written (lowercase, accents kept), folded, and the keys it
    matches concept phrases by (the folded word and its stem in each language)."""

    text: str
    folded: str
    keys: frozenset[str]
    start: int = 0  # where the word is in the question (characters)
    end: int = 0


def tokenize(text: str) -> list[Token]:
    """The question's words, split like the index splits them (elisions removed)."""
    return [make_token(t.text, t.startchar, t.endchar) for t in exact_analyzer()(text, chars=True, mode="index")]


def make_token(text: str, start: int = 0, end: int = 0) -> Token:
    folded = fold(text)
    keys = {folded}
    if len(folded) >= 4:
        keys.update(f"{lang}:{stem}" for lang in LANGUAGES for stem in word_stems(text, lang))
    if len(folded) >= FRENCH_PLURAL_VERB_MIN and folded.endswith("ent"):
        # French present plural ("arrêtent", "prélèvent"): the stemmer keeps it whole, its
        # singular ("arrête") stems like the infinitive.
        keys.update(f"fr:{stem}" for stem in word_stems(text[:-2], "fr"))
    return Token(text, folded, frozenset(keys), start, end)


@dataclass(frozen=True)
class Match:
    name: str  # the concept, channel or table entry's meaning
    start: int
    end: int  # token positions [start, end)
    phrase: str  # the words of the question that matched

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass
class PhraseTable:
    """Phrases mapped to a name; finds them in a token list, longest first, never overlapping."""

    by_stem: bool = False  # match inflections too ("refunded", "remboursé") through stems
    fuzzy: bool = False  # one typo allowed in long one-word phrases
    # Up to this many stop words may sit between a phrase's words ("récupérer [mon] argent",
    # "turn [it] off").
    gaps: int = 0
    _entries: dict[str, list[tuple[tuple[Token, ...], str]]] = field(default_factory=dict)
    _entry_keys: set[str] = field(default_factory=set)  # the keys of _entries, for a quick test
    _long_words: dict[str, str] = field(default_factory=dict)  # folded name → name, for typos
    _one_typo: dict[str, set[str]] = field(default_factory=dict)  # a name less one letter → names
    _first_words: list[str] = field(default_factory=list)  # sorted, for words being typed

    @classmethod
    def build(
        cls, named: Mapping[str, Iterable[str]], by_stem: bool = False, fuzzy: bool = False, gaps: int = 0
    ) -> PhraseTable:
        table = cls(by_stem=by_stem, fuzzy=fuzzy, gaps=gaps)
        for name, phrases in named.items():
            for phrase in phrases:
                table.add(name, phrase)
        return table

    def add(self, name: str, phrase: str) -> None:
        words = tuple(tokenize(phrase))
        if not words:
            return
        for key in self._keys(words[0]):
            self._entries.setdefault(key, []).append((words, name))
            self._entry_keys.add(key)
        insort(self._first_words, words[0].folded)
        if self.fuzzy and len(words) == 1 and len(words[0].folded) >= FUZZY_MIN_LETTERS:
            folded = words[0].folded
            self._long_words.setdefault(folded, name)
            for variant in _less_one_letter(folded):
                self._one_typo.setdefault(variant, set()).add(folded)

    def is_phrase(self, folded_word: str) -> bool:
        """Whether this one word is a whole phrase of the table ("fnac", not "norton")."""
        return any(len(words) == 1 for words, _ in self._entries.get(folded_word, ()))

    def _keys(self, token: Token) -> Iterable[str]:
        return token.keys if self.by_stem else (token.folded,)

    def _same(self, query: Token, entry: Token, typed: Token | None) -> bool:
        if query.folded == entry.folded:
            return True
        if query is typed and len(query.folded) >= MIN_PREFIX_AFTER and entry.folded.startswith(query.folded):
            return True
        return self.by_stem and not query.keys.isdisjoint(entry.keys)

    def _end(self, tokens: list[Token], start: int, words: tuple[Token, ...], typed: Token | None) -> int | None:
        """Where ``words`` end when they start at ``start`` (stop words allowed between them)."""
        position = start + 1
        for word in words[1:]:
            skipped = 0
            while position < len(tokens) and not self._same(tokens[position], word, typed):
                if skipped >= self.gaps or not is_stop_word(tokens[position].folded):
                    return None
                position += 1
                skipped += 1
            if position >= len(tokens):
                return None
            position += 1
        return position

    def _match_at(
        self, tokens: list[Token], start: int, typed: Token | None, may_start: bool, known: Container[str]
    ) -> tuple[int, str] | None:
        """The longest phrase starting at ``start``: (end, name)."""
        best: tuple[int, str] | None = None
        token = tokens[start]
        entries = self._entries
        keys = [k for k in self._keys(token) if k in entries]
        if token is typed and may_start and len(typed.folded) >= MIN_PREFIX:
            at = bisect_left(self._first_words, typed.folded)
            keys += [w for w in self._first_words[at : at + MAX_TYPED_KEYS] if w.startswith(typed.folded)]
        for key in dict.fromkeys(keys) if len(keys) > 1 else keys:
            for words, name in entries[key]:
                end = start + 1 if len(words) == 1 else self._end(tokens, start, words, typed)
                if end is not None and (best is None or end > best[0]):
                    best = (end, name)
        fuzzy = self.fuzzy and len(token.folded) >= FUZZY_MIN_LETTERS
        if best is None and fuzzy and token.folded not in entries and token.folded not in known:
            word = tokens[start].folded
            for variant in _less_one_letter(word):  # a deletion index: one typo found in microseconds
                for entry in sorted(self._one_typo.get(variant, ())):
                    if edit_distance(word, entry, 1) <= 1:
                        return start + 1, self._long_words[entry]
        return best

    def find(
        self,
        tokens: list[Token],
        unfinished: bool = False,
        may_start: bool = False,
        known: Container[str] = frozenset(),
    ) -> list[Match]:
        """Every phrase in ``tokens``, left to right; at each position the longest wins. With
        ``unfinished``, the last token is a word being typed: it may be the start of a phrase's
        last word ("john lew" → "john lewis"), and with ``may_start`` of its first word too.
        Words in ``known`` are never taken for a phrase's typo ("direct" is not "directv")."""
        found: list[Match] = []
        position = 0
        typed = tokens[-1] if unfinished and tokens and not is_stop_word(tokens[-1].folded) else None
        keys = self._entry_keys
        while position < len(tokens):
            token = tokens[position]
            # Most words start no phrase: skipped without the full test (same result, far cheaper).
            if (
                token is not typed
                and (token.keys.isdisjoint(keys) if self.by_stem else token.folded not in keys)
                and not (self.fuzzy and len(token.folded) >= FUZZY_MIN_LETTERS)
            ):
                position += 1
                continue
            hit = self._match_at(tokens, position, typed, may_start, known)
            if hit is None:
                position += 1
                continue
            end, name = hit
            phrase = " ".join(t.text for t in tokens[position:end])
            found.append(Match(name, position, end, phrase))
            position = end
        return found


def _less_one_letter(word: str) -> list[str]:
    """The word itself and every string one letter shorter: two words one edit apart share one."""
    return [word, *(word[:i] + word[i + 1 :] for i in range(len(word)))]


@dataclass
class TimeWords:
    """Numbers (digits or words), units in days, and whole expressions ("yesterday")."""

    numbers: dict[str, float]
    units: dict[str, int]
    expressions: PhraseTable


@dataclass(frozen=True)
class AlreadyDone:
    """What tells a phrase the customer already did ("I cancelled", "j'avais désactivé") from
    one they ask for ("cancel", "I want it cancelled", "how do I shut it off"): a past form of
    its first word right after a subject that no asking word precedes, or any form right after
    an auxiliary of the question's language, a few adverbs allowed between."""

    subjects: frozenset[str] = frozenset()
    auxiliaries: Mapping[str, frozenset[str]] = field(default_factory=dict)  # language → words
    between: frozenset[str] = frozenset()
    past_forms: frozenset[str] = frozenset()
    purpose: frozenset[str] = frozenset()
    asking: frozenset[str] = frozenset()

    def done_matches(
        self, text: str, tokens: list[Token], matches: list[Match], language: str | None = None
    ) -> list[Match]:
        """The matches telling something already done: by their own words, as the purpose of one
        done before them in the same sentence ("I phoned them last month to cancel"), or right
        after one of the same kind ("I spoke to an agent"). ``language`` is the question's, when
        clear: "a" is an auxiliary in French ("il a annulé"), an article in English ("a live chat")."""
        auxiliaries = self._auxiliaries(language)
        done: list[Match] = []
        for match in matches:
            if self.done(tokens, match.start, auxiliaries):
                done.append(match)
                continue
            if not done:
                continue
            last = done[-1]
            between = text[tokens[last.end - 1].end : tokens[match.start].start]
            if _SENTENCE_END.search(between):
                continue
            # The purpose of the same clause: no comma nor another subject between ("they said to cancel").
            purpose = (
                match.start > 0
                and tokens[match.start - 1].folded in self.purpose
                and "," not in between
                and not any(t.text in self.subjects for t in tokens[last.end : match.start])
            )
            same_kind = match.name == last.name and all(is_stop_word(t.folded) for t in tokens[last.end : match.start])
            if purpose or same_kind:
                done.append(match)
        return done

    def _auxiliaries(self, language: str | None) -> frozenset[str]:
        if language in self.auxiliaries:
            return self.auxiliaries[language]  # type: ignore[index]
        return frozenset().union(*self.auxiliaries.values())

    def done(self, tokens: list[Token], start: int, auxiliaries: frozenset[str]) -> bool:
        """Whether the phrase starting at ``start`` tells something already done (``auxiliaries``:
        those of the question's language)."""
        # Words as written, accents kept: "à désactiver" is not "a désactivé".
        before = start - 1
        while before >= 0 and tokens[before].text in self.between and start - before <= 2:
            before -= 1
        if before < 0:
            return False
        word, verb = tokens[before].text, tokens[start]
        if word in auxiliaries:
            return True
        asked = before > 0 and tokens[before - 1].text in self.asking  # "how do I shut it off"
        return word in self.subjects and not asked and _past_form(verb, self.past_forms)


_SENTENCE_END = re.compile(r"[.!?;]")
# Regular past forms: English "-ed" ("cancelled", "phoned"), French past participles
# ("arrêté", "résiliée", "désactivés").
_PAST_ENDINGS = ("ed", "é", "ée", "és", "ées")


def _past_form(token: Token, irregular: frozenset[str]) -> bool:
    return token.text in irregular or (len(token.text) > 3 and token.text.endswith(_PAST_ENDINGS))


@dataclass
class Knowledge:
    concepts: PhraseTable
    places: PhraseTable  # named places → purchase channel name, or OTHER_PLACE
    generic_places: PhraseTable  # words naming a kind of place ("shop", "internet provider")
    other_topics: PhraseTable  # not this help center's, unless money back is asked for the product
    out_of_scope: PhraseTable
    other_products: PhraseTable
    product: PhraseTable
    brand: PhraseTable  # the product's own brand ("norton"), not any antivirus
    other_security_products: PhraseTable
    other_services: PhraseTable
    filler: frozenset[str]
    time: TimeWords
    already_done: AlreadyDone
    concept_words: dict[str, list[str]]  # each concept's one-word phrases, folded

    @classmethod
    def from_rules(cls, rules: AnsweringRules) -> Knowledge:
        """Compile the validated rules of ``answering.yaml``."""
        places: dict[str, list[str]] = {OTHER_PLACE: rules.uncovered_places}
        generic: dict[str, list[str]] = {}
        for channel, regions in rules.purchase_channels.items():
            for region, phrases in regions.items():
                (generic if region.startswith(GENERIC) else places).setdefault(channel, []).extend(phrases)
        expressions: dict[str, list[str]] = {}
        for phrase, days in rules.time.expressions.items():
            expressions.setdefault(str(days), []).append(phrase)
        return cls(
            concepts=PhraseTable.build({str(k): v for k, v in rules.concepts.items()}, by_stem=True, gaps=2),
            places=PhraseTable.build(places, fuzzy=True),
            generic_places=PhraseTable.build(generic, fuzzy=True),
            other_topics=PhraseTable.build({"other_topic": rules.other_topics}, gaps=2),
            out_of_scope=PhraseTable.build({"out_of_scope": rules.out_of_scope}, gaps=2),
            other_products=PhraseTable.build({"other_product": rules.other_products}),
            product=PhraseTable.build({"product": rules.product}),
            brand=PhraseTable.build({"brand": rules.brand}),
            other_security_products=PhraseTable.build({"other_security_product": rules.other_security_products}),
            other_services=PhraseTable.build({"other_service": rules.other_services}),
            filler=frozenset(fold(w) for item in rules.filler for w in item.split()),
            already_done=AlreadyDone(
                **{
                    key: frozenset(t.text for word in words for t in tokenize(word))
                    for key, words in rules.already_done.model_dump(exclude={"auxiliaries"}).items()
                },
                auxiliaries={
                    language: frozenset(t.text for word in words for t in tokenize(word))
                    for language, words in rules.already_done.auxiliaries.items()
                },
            ),
            concept_words={
                str(name): [fold(p) for p in phrases if len(tokenize(p)) == 1]
                for name, phrases in rules.concepts.items()
            },
            time=TimeWords(
                numbers={fold(k): v for k, v in rules.time.numbers.items()},
                units={fold(k): v for k, v in rules.time.units.items()},
                expressions=PhraseTable.build(expressions),
            ),
        )
