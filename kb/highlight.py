"""Snippets: HTML-escaped text where only matched words are wrapped in ``<mark>``.

Nothing from the content or the query is ever emitted as markup: every piece of text is
escaped, and the only tags are the ``<mark>`` pairs added here.
"""

from __future__ import annotations

from html import escape

from .analysis import exact_analyzer, fold, stems

SNIPPET_CHARS = 200
LEAD_CHARS = 50


def _escape(text: str) -> str:
    """Escape for HTML element content and double-quoted attributes; apostrophes stay readable."""
    return escape(text, quote=False).replace('"', "&quot;")


def _matches(text: str, words: set[str], word_stems: set[str], lang: str) -> list[tuple[int, int]]:
    spans = []
    for token in exact_analyzer()(text, chars=True, mode="index"):
        folded = fold(token.text)
        if folded in words or any(s in word_stems for s in stems(token.text, lang)):
            spans.append((token.startchar, token.endchar))
    return spans


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


def snippet(text: str, words: set[str], word_stems: set[str], lang: str) -> tuple[str, bool]:
    """Return ``(html, any_marked)`` for a window of ``text`` around the first match."""
    text = " ".join(text.split())
    spans = _matches(text, words, word_stems, lang) if (words or word_stems) else []
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
    return "".join(out), bool(spans)
