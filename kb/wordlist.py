"""The common words of each language, from the `wordfreq` package's own data files.

Used to tell a real word from a typo (a word missing from a small help center's vocabulary,
such as "pris" or "gave", is still a word and is never "corrected"), to rank typo corrections
and to guess a query's language. The data ships inside the `wordfreq` wheel: nothing is
downloaded at run time. Its files are read directly (the documented "cBpack" format: a gzipped
msgpack list whose item *i* holds the words of frequency 10^(-i/100)), which takes a fraction
of the time of importing `wordfreq` itself; each language is read once per process, on first use.
"""

from __future__ import annotations

import importlib.util
import threading
import zlib
from pathlib import Path

import msgpack

from .analysis import STOP_WORDS, fold

# A word counts as a vote for a language when it is this much more common there (Zipf scale:
# "remboursement" is 4.2 in French and absent in English).
LANGUAGE_LEAD = 1.0
WORD_VOTE = 0.5
MIN_ZIPF = 2.0  # rarer than about once per 10 million words: names, jargon and common misspellings
_BUCKETS = round((9 - MIN_ZIPF) * 100)  # bucket i holds words of Zipf frequency 9 - i/100
_FOLD = str.maketrans({chr(c): fold(chr(c)) for c in range(0xC0, 0x250) if fold(chr(c)) != chr(c)})
_lock = threading.Lock()
_loaded: dict[str, dict[str, float]] = {}


def _data_file(lang: str) -> Path | None:
    spec = importlib.util.find_spec("wordfreq")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        for size in ("large", "small"):
            path = Path(folder) / "data" / f"{size}_{lang}.msgpack.gz"
            if path.exists():
                return path
    return None


def _read(lang: str) -> dict[str, float]:
    path = _data_file(lang)
    if path is None:
        return {}
    unpacker = msgpack.Unpacker(raw=False, max_buffer_size=0)
    unpacker.feed(zlib.decompress(path.read_bytes(), 31))
    count = unpacker.read_array_header()
    header = unpacker.unpack()
    if not isinstance(header, dict) or header.get("format") != "cB":
        return {}
    words: dict[str, float] = {}
    for index in range(min(count - 1, _BUCKETS + 1)):  # the rarer words after these are never read
        bucket = unpacker.unpack()
        zipf = round(9 - index / 100, 2)
        for word in bucket:
            if not word.isascii():
                word = word.translate(_FOLD)
                if not word.isascii():
                    word = fold(word)
            if word not in words:
                words[word] = zipf  # buckets go from the most frequent down
    return words


def frequencies(lang: str) -> dict[str, float]:
    """Folded word → Zipf frequency (log10 of occurrences per billion words) for ``lang``;
    empty for a language `wordfreq` does not know."""
    found = _loaded.get(lang)
    if found is None:
        with _lock:
            found = _loaded.get(lang)
            if found is None:
                found = _loaded[lang] = _read(lang)
    return found


class WordList:
    """The common words of some languages, queried by folded word."""

    def __init__(self, languages: tuple[str, ...]):
        self.languages = languages
        self.by_language = {lang: frequencies(lang) for lang in languages}

    def zipf(self, word: str, lang: str) -> float:
        return self.by_language.get(lang, {}).get(word, 0.0)

    def best_zipf(self, word: str) -> float:
        return max((table.get(word, 0.0) for table in self.by_language.values()), default=0.0)

    def is_word(self, word: str) -> bool:
        """Whether ``word`` (folded) is a common enough word of one of the languages."""
        return any(word in table for table in self.by_language.values())


def language_votes(words: list[str], table: WordList) -> dict[str, float]:
    """How strongly folded ``words`` say each language: a stop word of one language counts 1,
    a word clearly more common in one language than in the others ``WORD_VOTE``."""
    votes = dict.fromkeys(table.languages, 0.0)
    for word in words:
        stops = [lang for lang in table.languages if word in STOP_WORDS.get(lang, ())]
        for lang in stops:
            votes[lang] += 1.0
        if stops or len(word) <= 3:
            continue
        zipfs = {lang: table.zipf(word, lang) for lang in table.languages}
        best = max(zipfs, key=lambda lang: zipfs[lang])
        if all(zipfs[best] - z >= LANGUAGE_LEAD for lang, z in zipfs.items() if lang != best):
            votes[best] += WORD_VOTE
    return votes


def clear_winner(votes: dict[str, float]) -> str | None:
    ranked = sorted(votes.items(), key=lambda kv: -kv[1])
    if not ranked or ranked[0][1] <= 0 or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]


def guess_language(text: str, languages: tuple[str, ...]) -> str | None:
    """The language of ``text`` among ``languages`` when its words say so clearly."""
    from .analysis import words

    return clear_winner(language_votes(words(text), WordList(languages)))
