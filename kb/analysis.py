"""Text analysis shared by indexing and querying, per language.

The schema pickles these analyzers into the index, so the classes here must stay importable
under the same names. Chains (see the project notes on French):

* French: words (apostrophes kept inside) → lowercase → elision (l', d', qu'…) → stop words →
  Snowball stemmer → accent and ligature folding (after stemming: the stemmer expects accents).
* English: words → lowercase → stop words → Snowball stemmer → folding.
* Words: un-stemmed, folded words of any language, for prefixes, typos and suggestions.
* Exact: un-stemmed lowercase words with their accents, so an exact-accent match ranks higher.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import cache, lru_cache

from whoosh.analysis import (
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
    Token,
)
from whoosh.lang import stopwords_for_language

LANGUAGES: tuple[str, ...] = ("fr", "en")
# Letters and digits, with apostrophes kept inside a word (l'abonnement, aujourd'hui).
WORD_PATTERN = r"\w+(?:'\w+)*"
ELISIONS = frozenset("l d j m n s t c qu jusqu lorsqu puisqu quoiqu".split())
_LIGATURES = {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ﬁ": "fi", "ﬂ": "fl"}
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})
# Invisible or direction-changing characters that only get in the way of matching.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def fold(text: str) -> str:
    """Strip accents and expand ligatures: ``Désactivez l'œuvre`` → ``Desactivez l'oeuvre``."""
    if text.isascii():
        return text
    expanded = "".join(_LIGATURES.get(ch, ch) for ch in text)
    decomposed = unicodedata.normalize("NFKD", expanded)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def sanitize(text: str, max_chars: int = 256) -> str:
    """Make user text safe to analyze: NFKC, apostrophes unified, no controls, surrogates,
    zero-width or bidi marks, collapsed spaces, at most ``max_chars`` characters."""
    text = text[: max_chars * 4]
    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates become '?'
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES)
    text = _INVISIBLE.sub("", text)
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return " ".join(text.split())[:max_chars]


class ElisionFilter(Filter):
    """Drop French elided articles and pronouns: ``l'abonnement`` → ``abonnement``."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ElisionFilter)

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            text = token.text
            if "'" in text:
                head, _, tail = text.partition("'")
                if head in ELISIONS and tail:
                    token.text = tail
                    if token.chars:
                        token.startchar += len(head) + 1
                token.text = token.text.replace("'", "")
            yield token


class FoldFilter(Filter):
    """Fold accents and ligatures after stemming (``désactiv`` → ``desactiv``)."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FoldFilter)

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            token.text = fold(token.text)
            yield token


# Function words the stock lists miss ("les" would otherwise stem to "le" and match everything).
EXTRA_STOP_WORDS = {
    "fr": "les être avoir cet cette ça cela ceci où si dont quand donc alors aussi très est-ce estce".split(),
    "en": "i my me mine do does did doing am was were been its our they them their so but about what which "
    "who whom how why there here".split(),
}


def _stop_words(lang: str) -> frozenset[str]:
    words = set(stopwords_for_language(lang)) | set(EXTRA_STOP_WORDS.get(lang, []))
    # Accent-folded forms too, so that "ete" (été) or "meme" are stopped like their accented forms.
    return frozenset(words | {fold(w) for w in words})


STOP_WORDS = {lang: _stop_words(lang) for lang in LANGUAGES}


def _tokenizer() -> RegexTokenizer:
    return RegexTokenizer(WORD_PATTERN)


@cache
def stemming_analyzer(lang: str):
    """The language's full chain; used for title, body and keyword fields."""
    # The elision filter also drops stray apostrophes in English (don't → dont).
    chain = _tokenizer() | LowercaseFilter() | ElisionFilter()
    return (
        chain
        | StopFilter(stoplist=STOP_WORDS.get(lang) or _stop_words(lang), minsize=1)
        | StemFilter(lang=lang)
        | FoldFilter()
    )


@cache
def words_analyzer():
    """Un-stemmed, folded words, any language: the vocabulary for prefixes and typos."""
    return _tokenizer() | LowercaseFilter() | ElisionFilter() | FoldFilter()


@cache
def exact_analyzer():
    """Un-stemmed words keeping their accents."""
    return _tokenizer() | LowercaseFilter() | ElisionFilter()


def words(text: str) -> list[str]:
    """The folded, un-stemmed words of ``text`` in order."""
    return [t.text for t in words_analyzer()(text)]


def stems(text: str, lang: str) -> list[str]:
    return [t.text for t in stemming_analyzer(lang)(text)]


@lru_cache(maxsize=65_536)
def word_stems(word: str, lang: str) -> tuple[str, ...]:
    """Stems of one word (cached: query words repeat, and analyzers cost tens of microseconds)."""
    return tuple(stems(word, lang))


def is_stop_word(word: str) -> bool:
    return any(word in STOP_WORDS[lang] for lang in LANGUAGES)
