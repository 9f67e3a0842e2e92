"""The question interpreter: what a customer's question says, read before any ranking.

It reads the whole sanitized question (up to the API's 500 characters) and returns its
language, the concepts it carries (money back, stopping, renewal, money taken, a charge not
wanted, reaching a person), the purchase place it names and the words that named it, a time
span, subjects that are not this help center's business, the filler words, the content words
to search and the words dropped beyond the bound (filler is set aside first, so greetings never
push a meaningful word out). What it knows comes from ``content/answering.yaml``
(:mod:`kb.knowledge`), the index's own vocabulary and the languages' common words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .analysis import STOP_WORDS, sanitize, word_stems
from .knowledge import (
    COMPANY_CHANNELS,
    CONTEXT_CONCEPTS,
    OTHER_PLACE,
    SUBSCRIPTION_CHANNELS,
    Knowledge,
    Match,
    Token,
    make_token,
    tokenize,
)
from .models import MAX_QUERY_CHARS, FoundPhrase, Interpretation, TimeSpan
from .vocabulary import MAX_WORD, Vocabulary
from .wordlist import WORD_VOTE, WordList, clear_winner, language_votes

MAX_WORDS = 12  # content words searched; the rest are reported as dropped
MAX_TOKENS = 150  # words read at all (500 characters hold fewer in practice)
MAX_CORRECTIONS = 2
MAX_COMPLETIONS_SEEN = 3  # the index's likeliest completions of a word being typed, for place names
MIN_CONCEPT_PREFIX = 4  # letters of a word being typed before it may start a concept's word
MONEY = "money"  # a concept of answering.yaml read as money back or as part of a charge
DONE_CONCEPTS = frozenset({"cancel", "contact"})  # read as context when the customer already did them
COMMON_ZIPF = 3.5  # about once per 3 million words: common enough never to be a place name's typo
_DIGITS_UNIT = re.compile(r"^(\d{1,4})([a-z]+)$")


class _CommonWords:
    """Words never taken for a typo of a place name: the index's, and common words of the
    languages ("spring" is not "Sprint", "direct" not "DirecTV"; a rarer "amazone" may be "Amazon")."""

    def __init__(self, vocab: Vocabulary, wordlist: WordList):
        self.vocab, self.wordlist = vocab, wordlist

    def __contains__(self, word: object) -> bool:
        return word in self.vocab or (isinstance(word, str) and self.wordlist.best_zipf(word) >= COMMON_ZIPF)


def is_stop(folded_word: str) -> bool:
    return any(folded_word in words for words in STOP_WORDS.values()) or len(folded_word) < 2


@dataclass
class Reading:
    """One question, read: its tokens and what they say (positions index ``tokens``)."""

    text: str
    typing: bool
    tokens: list[Token]
    content: list[int] = field(default_factory=list)
    dropped: list[int] = field(default_factory=list)
    filler: list[int] = field(default_factory=list)
    corrections: dict[int, list[tuple[str, int]]] = field(default_factory=dict)  # position → (word, edits)
    concepts: list[Match] = field(default_factory=list)
    done: list[Match] = field(default_factory=list)  # concepts the customer already did: context
    place: Match | None = None
    # Where it was bought is not known: the customer says so ("not sure if"), or names two channels.
    place_unsure: bool = False
    days: int | None = None
    time_phrase: str | None = None
    out_of_scope: Match | None = None
    product: bool = False  # the product is named ("Norton", "antivirus")
    language: str | None = None
    only_filler: bool = False  # no word but greetings, politeness and stop words ("allo ça va ?")

    @property
    def key(self) -> tuple[object, ...]:
        """What the answer depends on: the words as typed (accents kept) and whether the last is unfinished."""
        return (tuple(t.text for t in self.tokens), self.typing)

    def concept_names(self) -> list[str]:
        return [m.name for m in self.concepts]

    def first(self, *names: str) -> int | None:
        """Position of the first concept among ``names`` asked for (not already done), or None."""
        return min((m.start for m in self.concepts if m.name in names and m not in self.done), default=None)

    def did(self, name: str) -> bool:
        """Whether the customer says they already did ``name`` ("I cancelled it")."""
        return any(m.name == name for m in self.done)

    def topic_positions(self) -> dict[int, str]:
        """Token position → the concept it carries, for concepts that are a topic (not context)."""
        return {i: m.name for m in self.concepts if m.name not in CONTEXT_CONCEPTS for i in range(m.start, m.end)}

    def interpretation(self) -> Interpretation:
        words = self.tokens
        return Interpretation(
            language=self.language,
            concepts=[FoundPhrase(name=m.name, phrase=m.phrase) for m in self.concepts],
            purchase_channel=FoundPhrase(name=self.place.name, phrase=self.place.phrase) if self.place else None,
            time_span=TimeSpan(days=self.days, phrase=self.time_phrase) if self.days is not None else None,
            out_of_scope=self.out_of_scope.phrase if self.out_of_scope else None,
            filler=[words[i].text for i in self.filler],
            words=[words[i].text for i in self.content],
            dropped=[words[i].text for i in self.dropped],
        )


class Interpreter:
    """Reads questions for one index generation."""

    def __init__(
        self,
        knowledge: Knowledge,
        vocab: Vocabulary,
        wordlist: WordList,
        prose_stems: dict[str, frozenset[str]],
    ):
        self.knowledge = knowledge
        self.vocab = vocab
        self.wordlist = wordlist
        # Stems of titles and bodies per language, never keywords: English keywords carry
        # French words that customers type, and would make "remboursement" look English.
        self.prose_stems = prose_stems
        self.languages = tuple(prose_stems)

    def read(self, text: str) -> Reading:
        clean = sanitize(text, MAX_QUERY_CHARS)
        typing = bool(clean) and text[-1:].isalnum()  # "rembour" is being typed; "refund?" is done
        tokens = [t for t in tokenize(clean) if len(t.folded) <= MAX_WORD][:MAX_TOKENS]
        reading = Reading(text=clean, typing=typing, tokens=tokens)
        if not tokens:
            return reading
        knowledge = self.knowledge
        filler = knowledge.filler
        reading.corrections = self._corrections(tokens, typing)
        corrected = [
            make_token(self.vocab.spelling(reading.corrections[i][0][0])) if i in reading.corrections else token
            for i, token in enumerate(tokens)
        ]
        reading.language = self._language(tokens)
        # A word being typed may start a concept's word ("rembour" → refund) once it is long
        # enough and not a whole word already.
        last = tokens[-1].folded
        known = _CommonWords(self.vocab, self.wordlist)
        last_is_word = last in known
        completions = self.vocab.completions(last, MAX_COMPLETIONS_SEEN) if typing else []
        concept_starts = typing and len(last) >= MIN_CONCEPT_PREFIX and not last_is_word
        reading.concepts = _money_read(knowledge.concepts.find(corrected, typing, concept_starts), tokens)
        # Stopping or reaching a person that the customer already did is context, not the request.
        reading.done = knowledge.already_done.done_matches(
            clean, tokens, [m for m in reading.concepts if m.name in DONE_CONCEPTS], reading.language
        )
        # A word being typed may end a place's name ("john lew"), or start one unless it is
        # already completing a word of the index that is not itself a place ("cha" → "chat", not
        # "charter"; "fna" → "fnac" either way) or is a whole common word ("laptop" is not the
        # start of "Laptops Direct").
        starts = typing and not last_is_word and all(self._names_a_place(word) for word in completions)
        # A named place wins over a generic word; then the most specific ("google play store" over "store").
        named = knowledge.places.find(tokens, typing, starts, known)
        places = named or knowledge.generic_places.find(tokens, typing, starts, known)
        reading.place = max(places, key=lambda m: (m.length, -m.start)) if places else None
        reading.place_unsure = "unsure" in reading.concept_names() or len({m.name for m in named}) > 1
        reading.product = bool(knowledge.product.find(corrected))
        # A word still being typed is not yet a subject ("tele…" may become "téléphone").
        finished = tokens[:-1] if typing and last not in self.vocab and completions else tokens
        reading.out_of_scope = self._other_subject(reading, finished, corrected[: len(finished)], bool(named))
        self._time(reading)
        reading.filler = [i for i, t in enumerate(tokens) if t.folded in filler and not is_stop(t.folded)]
        fillers = set(reading.filler)
        content = [
            i
            for i, t in enumerate(tokens)
            if not is_stop(t.folded) and i not in fillers and (not t.folded.isdigit() or t.folded in self.vocab)
        ]
        if not content:  # only filler, numbers or stop words: search what there is
            reading.only_filler = not any(t.folded.isdigit() for t in tokens)
            content = [i for i, t in enumerate(tokens) if not is_stop(t.folded)] or list(range(len(tokens)))
        self._bound(reading, content)
        return reading

    @staticmethod
    def _outside_concepts(reading: Reading, found: list[Match]) -> list[Match]:
        """Subject words that are not within a longer phrase of this help center ("frais de
        livraison" are fees of a refund, not a delivery question; "cancelled flight" stays a flight)."""
        return [m for m in found if not any(c.start <= m.start and m.end <= c.end for c in reading.concepts)]

    def _names_a_place(self, folded_word: str) -> bool:
        knowledge = self.knowledge
        return knowledge.places.is_phrase(folded_word) or knowledge.generic_places.is_phrase(folded_word)

    def _other_subject(
        self, reading: Reading, finished: list[Token], corrected: list[Token], named: bool
    ) -> Match | None:
        """Words saying the question is another business than this help center's."""
        knowledge = self.knowledge
        found = self._outside_concepts(reading, knowledge.out_of_scope.find(finished)) or self._outside_concepts(
            reading, knowledge.out_of_scope.find(corrected)
        )
        if not found and not knowledge.brand.find(corrected):  # "McAfee" is context beside "Norton"
            found = knowledge.other_security_products.find(finished)
        place = reading.place
        # Installing, repairing, security…: the reason given, when the customer asks money back
        # for the product or names where they bought it ("it won't install, refund me"), or asks
        # to stop the renewal ("the auto-renew switch is not working, how do I stop it").
        bought = reading.product or (place is not None and place.name != OTHER_PLACE)
        names = set(reading.concept_names())
        asks_money_back = bought and reading.first("refund") is not None
        asks_to_stop_renewal = "renewal" in names and reading.first("cancel") is not None
        if not found and not (asks_money_back or asks_to_stop_renewal):
            found = knowledge.other_topics.find(finished) or knowledge.other_topics.find(corrected)
        # Another product named alone is the subject, unless the question asks to stop the
        # renewal (the device it runs on: "désactiver le renouvellement sur mon GSM").
        if not found and not reading.product and not asks_to_stop_renewal:
            found = knowledge.other_products.find(finished)
        if found or place is None or reading.product:
            return found[0] if found else None
        # Another company's own service, named with the company: "my Orange mobile plan" (a kind
        # of place is no company: "fournisseur d'accès internet").
        for service in knowledge.other_services.find(finished) if named else ():
            if service.end <= place.start or service.start >= place.end:
                return service
        # Reaching a shop or a provider, or leaving a provider, without a word of the product or
        # of money back: that company's own business ("phone number of Fnac", "cancel my SFR").
        its_business = "contact" in names or ("cancel" in names and place.name in SUBSCRIPTION_CHANNELS)
        if named and "refund" not in names and place.name in COMPANY_CHANNELS and its_business:
            return place
        return None

    def _corrections(self, tokens: list[Token], typing: bool) -> dict[int, list[tuple[str, int]]]:
        """Typo candidates for words that are neither in the index nor words of the languages,
        closest first, then the most common in the languages, then in the index."""
        found: dict[int, list[tuple[str, int]]] = {}
        last = len(tokens) - 1
        for i, token in enumerate(tokens):
            word = token.folded
            if word in self.vocab or is_stop(word) or word.isdigit() or word in self.knowledge.filler:
                continue
            if self.wordlist.is_word(word):
                continue
            if i == last and typing and self.vocab.completions(word, 1):
                continue  # an unfinished word is not a typo yet
            candidates = self.vocab.corrections(word, MAX_CORRECTIONS + 2)
            if candidates:
                candidates.sort(key=lambda c: (c[1], -self.wordlist.best_zipf(c[0]), -self.vocab.frequencies[c[0]]))
                found[i] = candidates[:MAX_CORRECTIONS]
        return found

    def _time(self, reading: Reading) -> None:
        """The first time span the question states ("2 mois", "three weeks", "yesterday")."""
        time = self.knowledge.time
        tokens = reading.tokens
        for i, token in enumerate(tokens):
            amount: float | None = None
            unit_at = i + 1
            joined = _DIGITS_UNIT.match(token.folded)
            if joined and joined.group(2) in time.units:  # "30j", "2mois"
                days = int(joined.group(1)) * time.units[joined.group(2)]
                reading.days, reading.time_phrase = days, token.text
                return
            if token.folded.isdigit():
                amount = float(token.folded)
            elif token.folded in time.numbers:
                amount = time.numbers[token.folded]
            if amount is None:
                continue
            # "2 mois", "une dizaine de jours", "a couple of weeks": one short word may sit between.
            for j in (unit_at, unit_at + 1):
                if j < len(tokens) and tokens[j].folded in time.units:
                    between = tokens[unit_at].folded
                    if j == unit_at + 1 and (not is_stop(between) or not between.isalpha()):
                        break
                    reading.days = round(amount * time.units[tokens[j].folded])
                    reading.time_phrase = " ".join(t.text for t in tokens[i : j + 1])
                    return
        expressions = time.expressions.find(tokens)
        if expressions:
            reading.days, reading.time_phrase = int(expressions[0].name), expressions[0].phrase

    def _bound(self, reading: Reading, content: list[int]) -> None:
        """Keep at most MAX_WORDS content words: words of the index or of a recognized phrase
        first, then the others, each in the question's order; the rest are dropped."""
        if len(content) <= MAX_WORDS:
            reading.content = content
            return
        phrases = set(reading.topic_positions())
        if reading.place:
            phrases |= set(range(reading.place.start, reading.place.end))
        tokens = reading.tokens

        def known(i: int) -> bool:
            return i in phrases or tokens[i].folded in self.vocab or i in reading.corrections

        ranked = [i for i in content if known(i)] + [i for i in content if not known(i)]
        kept = set(ranked[:MAX_WORDS])
        reading.content = [i for i in content if i in kept]
        reading.dropped = [i for i in content if i not in kept]

    def _language(self, tokens: list[Token]) -> str | None:
        """The question's language when its words say so clearly: stop words, words of the
        articles' prose, and the languages' common words."""
        votes = language_votes([t.folded for t in tokens], self.wordlist)
        for token in tokens:
            if len(token.folded) <= 3 or is_stop(token.folded):
                continue
            for lang in self.languages:
                if any(s in self.prose_stems[lang] for s in word_stems(token.text, lang)):
                    votes[lang] += WORD_VOTE
        return clear_winner(votes)


def _money_read(matches: list[Match], tokens: list[Token]) -> list[Match]:
    """Money named alone ("mon argent", "thunes") is asked back, unless it is what a charge just
    before it took ("me piquer des thunes", "took my money"): then it is part of that charge."""
    read: list[Match] = []
    for match in matches:
        if match.name == MONEY:
            previous = read[-1] if read else None
            taken = (
                previous is not None
                and previous.name == "charge"
                and all(is_stop(t.folded) for t in tokens[previous.end : match.start])
            )
            match = Match("charge" if taken else "refund", match.start, match.end, match.phrase)
        read.append(match)
    return read


def describe(found: Interpretation) -> list[str]:
    """How a question was read, one line per finding (``kb answer --explain``)."""
    place, span = found.purchase_channel, found.time_span
    lines = [
        "how the question was read:",
        f"  language: {found.language or 'unclear'}",
        f"  concepts: {', '.join(f'{c.name} ({c.phrase!r})' for c in found.concepts) or 'none'}",
        f"  purchase channel: {f'{place.name} ({place.phrase!r})' if place else 'not said'}",
        f"  time span: {f'{span.days} days ({span.phrase!r})' if span else 'not said'}",
    ]
    if found.out_of_scope:
        lines.append(f"  out of scope: {found.out_of_scope!r}")
    lines += [f"  searched: {' '.join(found.words) or '-'}", f"  filler: {' '.join(found.filler) or '-'}"]
    if found.dropped:
        lines.append(f"  dropped (beyond the word limit): {' '.join(found.dropped)}")
    return lines
