"""Snippets: HTML-escaped text where only matched words are wrapped in ``<mark>``.

Nothing from the content or the query is ever emitted as markup: every piece of text is
escaped, and the only tags are the ``<mark>`` pairs added here. Texts are analyzed once into
tokens (cached by the caller) and matched against the query's words and stems per request.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from html import escape

from .analysis import exact_analyzer, fold, word_stems

SNIPPET_CHARS = 200
LEAD_CHARS = 50


@dataclass(frozen=True)
class TextTokens:
    """A text and its words: (start, end, folded word, stems in the text's language), and where
    each word and each stem occurs, so that matching a query costs its matches, not the text."""

    text: str
    tokens: tuple[tuple[int, int, str, tuple[str, ...]], ...]
    word_at: dict[str, tuple[int, ...]]  # folded word → the indexes of its tokens
    stem_at: dict[str, tuple[int, ...]]  # stem → the indexes of the tokens having it


@dataclass(frozen=True)
class Matcher:
    """What the query may match: folded words and stems, each mapped to the query slots it serves."""

    words: dict[str, frozenset[int]]
    stems: dict[str, frozenset[int]]

    @cached_property
    def keys(self) -> frozenset[str]:
        """Every word and stem, computed once: each section of each result is tested against it."""
        return frozenset(self.words) | frozenset(self.stems)

    def matched_tokens(self, tokens: TextTokens) -> list[int]:
        """The indexes of the tokens whose word, or one of whose stems, the query matches, in order."""
        found: set[int] = set()
        for word in tokens.word_at.keys() & self.words.keys():
            found.update(tokens.word_at[word])
        for stem in tokens.stem_at.keys() & self.stems.keys():
            found.update(tokens.stem_at[stem])
        return sorted(found)


def analyze(text: str, lang: str) -> TextTokens:
    text = " ".join(text.split())
    tokens = tuple(
        (t.startchar, t.endchar, fold(t.text), word_stems(t.text, lang))
        for t in exact_analyzer()(text, chars=True, mode="index")
    )
    word_at: dict[str, list[int]] = {}
    stem_at: dict[str, list[int]] = {}
    for index, (_, _, word, stems) in enumerate(tokens):
        word_at.setdefault(word, []).append(index)
        for stem in stems:
            stem_at.setdefault(stem, []).append(index)
    return TextTokens(
        text,
        tokens,
        {w: tuple(at) for w, at in word_at.items()},
        {s: tuple(at) for s, at in stem_at.items()},
    )


def _escape(text: str) -> str:
    """Escape for HTML element content and double-quoted attributes; apostrophes stay readable."""
    return escape(text, quote=False).replace('"', "&quot;")


def _window(text: str, first: int) -> tuple[int, int]:
    if len(text) <= SNIPPET_CHARS:
        return 0, len(text)
    start = max(0, first - LEAD_CHARS)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    end = min(len(text), start + SNIPPET_CHARS)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    return start, end


def snippet(tokens: TextTokens, matcher: Matcher) -> str:
    """A window of the text around its first match, escaped, with matches in ``<mark>``."""
    text = tokens.text
    spans = [tokens.tokens[i][:2] for i in matcher.matched_tokens(tokens)]
    start, end = _window(text, spans[0][0] if spans else 0)
    out: list[str] = ["…" if start else ""]
    cursor = start
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(_escape(text[cursor:s]))
        out.append(f"<mark>{_escape(text[s:e])}</mark>")
        cursor = e
    out.append(_escape(text[cursor:end]))
    if end < len(text):
        out.append("…")
    return "".join(out)
