"""An article's body read line by line: ``##`` sections with their anchors, paragraphs, bulleted
items and steps, each kept twice: as plain text (what search and answers use) and as the inline
markdown the author wrote (what pages show). The format is documented in ``docs/authoring.md``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any, Literal

from pydantic import BaseModel, Field, field_serializer, model_validator

from .errors import ContentProblem

INTRO_ANCHOR = "intro"

_HEADING = re.compile(r"^##\s+(?P<text>.*?)\s*(?:\{#(?P<anchor>[^}]*)\})?\s*$")
_STEP = re.compile(r"^\s{0,3}\d{1,3}[.)](?:\s+(?P<text>.*)|\s*)$")
_BULLET = re.compile(r"^\s{0,3}[-*+]\s+(?P<text>.*)$")
_RAW_HTML = re.compile(r"<\s*/?\s*[A-Za-z!][^>]*>")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")
_ANCHOR_OK = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class Block(BaseModel):
    """A paragraph, a bulleted list or a run of steps, as written (inline markdown kept), for
    pages that show the article whole. ``lines`` holds each item's first line in its file, for
    ``kb check``; the index does not keep it."""

    kind: Literal["paragraph", "bullets", "steps"]
    items: list[str]
    lines: list[int] = Field(default_factory=list, exclude=True)


class Section(BaseModel):
    """One ``##`` section of an article (position 0 is the introduction). ``paragraphs`` and
    ``steps`` are plain text (what search and answers use); ``blocks`` keep the markdown.

    Most items are written without markup on one line: their markdown is their plain text. The
    index stores those as null and reading fills them with the plain string itself, so that
    every worker holds each text once (about 90 MB less at 10,000 articles per locale)."""

    anchor: str
    heading: str
    position: int
    line: int
    paragraphs: list[str] = Field(default_factory=list)
    steps: list[str] = Field(default_factory=list)
    blocks: list[Block] = Field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join([*self.paragraphs, *self.steps])

    def _plain_texts(self) -> Iterator[str | None]:
        """The plain text each block item became, item by item: steps come from ``steps``, the
        other items from ``paragraphs``."""
        steps, others = iter(self.steps), iter(self.paragraphs)
        for block in self.blocks:
            source = steps if block.kind == "steps" else others
            for _ in block.items:
                yield next(source, None)

    @field_serializer("blocks")
    def _store_blocks(self, blocks: list[Block]) -> list[dict[str, object]]:
        plains = self._plain_texts()
        return [{"kind": b.kind, "items": [None if item == next(plains) else item for item in b.items]} for b in blocks]

    @model_validator(mode="before")
    @classmethod
    def _read_blocks(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not data.get("blocks"):
            return data
        steps, others = iter(data.get("steps") or ()), iter(data.get("paragraphs") or ())
        for block in data["blocks"]:
            if isinstance(block, dict) and isinstance(block.get("items"), list):
                source = steps if block.get("kind") == "steps" else others
                plains = [next(source, None) for _ in block["items"]]  # every item has one, stored or not
                pairs = zip(block["items"], plains, strict=True)
                block["items"] = [plain if item is None else item for item, plain in pairs]
        return data


def plain_text(markdown: str) -> str:
    """Inline markdown reduced to its text: links keep their label, emphasis marks go."""
    text = _LINK.sub(r"\1", markdown)
    for _ in range(2):  # nested emphasis such as ***x***
        text = _EMPHASIS.sub(r"\2", text)
    return re.sub(r"\s+", " ", text).strip()


def slugify(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-") or "section"


class _BodyReader:
    """Reads an article body line by line into sections, keeping each block's markdown beside
    its plain text."""

    def __init__(self, first_line: int, rel: str, problems: list[ContentProblem]):
        self.sections = [Section(anchor=INTRO_ANCHOR, heading="", position=0, line=first_line)]
        self.rel, self.problems = rel, problems
        self.paragraph: list[str] = []
        self.paragraph_line = first_line
        self.in_step = False

    def problem(self, line: int, message: str) -> None:
        self.problems.append(ContentProblem(self.rel, line, message))

    def add_item(self, kind: Literal["paragraph", "bullets", "steps"], markdown: str, line: int) -> None:
        section = self.sections[-1]
        last = section.blocks[-1] if section.blocks else None
        if kind != "paragraph" and last is not None and last.kind == kind:
            last.items.append(markdown)
            last.lines.append(line)
        else:
            section.blocks.append(Block(kind=kind, items=[markdown], lines=[line]))
        if kind == "steps":
            section.steps.append(plain_text(markdown))
        else:
            section.paragraphs.append(plain_text(markdown))

    def flush(self) -> None:
        if self.paragraph:
            self.add_item("paragraph", "\n".join(self.paragraph), self.paragraph_line)
            self.paragraph.clear()

    def heading(self, text: str, anchor: str | None, lineno: int) -> None:
        self.flush()
        self.in_step = False
        text = plain_text(text)
        if anchor is not None and not _ANCHOR_OK.match(anchor):
            self.problem(lineno, f"anchor '{anchor}' must be lowercase letters, digits and '-'")
        anchor = anchor or slugify(text)
        if not text:
            self.problem(lineno, "empty section heading")
        if any(s.anchor == anchor for s in self.sections):
            self.problem(lineno, f"duplicate section anchor '{anchor}'")
        self.sections.append(Section(anchor=anchor, heading=text, position=len(self.sections), line=lineno))

    def step(self, markdown: str, lineno: int) -> None:
        self.flush()
        if not plain_text(markdown):
            self.problem(lineno, "empty step in an ordered list")
            self.in_step = False
            return
        self.add_item("steps", markdown, lineno)
        self.in_step = True

    def continue_step(self, markdown: str) -> None:
        section = self.sections[-1]
        block = section.blocks[-1]
        block.items[-1] += "\n" + markdown
        section.steps[-1] = plain_text(block.items[-1])

    def line(self, raw: str, lineno: int) -> None:
        line = raw.rstrip()
        if _RAW_HTML.search(line):
            self.problem(lineno, "raw HTML is not allowed in articles")
            return
        if not line.strip():
            self.flush()
            self.in_step = False
            return
        if line.startswith("# ") or line == "#":
            self.problem(lineno, "use '## ' for sections; the title is the 'title' field")
            return
        if heading := _HEADING.match(line):
            self.heading(heading.group("text"), heading.group("anchor"), lineno)
        elif step := _STEP.match(line):
            self.step(step.group("text") or "", lineno)
        elif self.in_step and raw.startswith((" ", "\t")):
            self.continue_step(line.strip())
        elif bullet := _BULLET.match(line):
            self.flush()
            self.add_item("bullets", bullet.group("text"), lineno)
        else:
            self.in_step = False
            if not self.paragraph:
                self.paragraph_line = lineno
            self.paragraph.append(line.strip())

    def finish(self, first_line: int) -> list[Section]:
        self.flush()
        sections = self.sections
        if not sections[0].paragraphs and not sections[0].steps:
            sections.pop(0)
            for position, section in enumerate(sections):
                section.position = position
        if not any(s.paragraphs or s.steps for s in sections):
            self.problem(first_line, "the article has no text")
        return sections


def parse_body(body: list[str], first_line: int, rel: str, problems: list[ContentProblem]) -> list[Section]:
    """The sections of ``body`` (whose first line is line ``first_line`` of file ``rel``); what is
    wrong is appended to ``problems``."""
    reader = _BodyReader(first_line, rel, problems)
    for offset, raw in enumerate(body):
        reader.line(raw, first_line + offset)
    return reader.finish(first_line)
