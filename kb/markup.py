"""Inline markdown of articles: the link syntax authors write, and its rendering as HTML.

Authors link with ``[text](target)`` where the target is one of (``docs/authoring.md``):

- ``refund-policy``: another article, in the locale of the page that shows the link;
- ``refund-policy#deadline``: a section of another article (its anchor);
- ``#deadline``: a section of the same article;
- ``https://…``: a page elsewhere, opened with ``rel="noopener"``.

Anything else (``http://``, ``mailto:``, a file name, a path) is a content error, and so is a
target article or anchor that does not exist (``kb check`` reports both with file and line).
One markdown-it parser reads the links for checking and renders them for pages, so what is
checked is exactly what is shown.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

__all__ = ["LinkTarget", "inline_html", "link_targets", "parse_link_target"]

_ID = r"[a-z0-9]+(?:-[a-z0-9]+)*"
_INTERNAL = re.compile(rf"^(?P<article>{_ID})?(?:#(?P<anchor>{_ID}))?$")


@dataclass(frozen=True)
class LinkTarget:
    """Where a link points: an article (and section), or an external ``https://`` address."""

    article_id: str | None = None  # None with an anchor: the same article
    anchor: str | None = None
    url: str | None = None

    @property
    def external(self) -> bool:
        return self.url is not None


def parse_link_target(target: str) -> LinkTarget:
    """The target of ``[text](target)``; ``ValueError`` says what an author should write instead."""
    text = target.strip()
    internal = _INTERNAL.match(text)
    if internal and text:
        return LinkTarget(article_id=internal.group("article"), anchor=internal.group("anchor"))
    parts = urlsplit(text)
    if parts.scheme == "https" and parts.netloc and not re.search(r"\s", text):
        return LinkTarget(url=text)
    raise ValueError(
        f"link target '{target}': write an article id (refund-policy), an article and a section "
        "(refund-policy#deadline) or an https:// address"
    )


class _InlineParser(MarkdownIt):
    """Inline syntax only: emphasis, code, links, escapes and entities; raw HTML stays text."""

    def __init__(self) -> None:
        super().__init__("zero")
        self.enable(["emphasis", "backticks", "link", "escape", "entity", "newline"])

    def validateLink(self, _url: str) -> bool:
        return True  # every target is read, and judged by parse_link_target


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return _InlineParser()


def link_targets(markdown: str) -> list[str]:
    """The targets of the links in a piece of inline markdown, in order."""
    if "](" not in markdown:
        return []
    tokens = _parser().parseInline(markdown)
    return [str(t.attrs.get("href", "")) for t in _children(tokens) if t.type == "link_open"]


def inline_html(markdown: str, href: Callable[[LinkTarget], str | None]) -> str:
    """Inline markdown as escaped HTML. ``href`` maps each link target to an address, or None
    to show the link's text only (a target the content checks would have refused)."""
    md = _parser()
    tokens = md.parseInline(markdown)
    children = _children(tokens)
    dropped: list[bool] = []  # one per open link: was its <a> left out?
    kept: list[Token] = []
    for token in children:
        if token.type == "link_open":
            try:
                target = parse_link_target(str(token.attrs.get("href", "")))
                address = href(target)
            except ValueError:
                target, address = None, None
            dropped.append(address is None)
            if address is None or target is None:
                continue
            attrs: dict[str, Any] = {"href": address}
            if target.external:
                attrs["rel"] = "noopener"
            token.attrs = attrs
        elif token.type == "link_close" and dropped.pop():
            continue
        kept.append(token)
    return md.renderer.render(kept, md.options, {})


def _children(tokens: list[Token]) -> list[Token]:
    return [child for token in tokens for child in (token.children or [])]
