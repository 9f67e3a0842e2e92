"""Labelled query sets: the golden schema and the blind schema, read into one ``Case`` shape.

A golden entry (``tests/golden``) names one ``article`` and a ``split`` (``tune``/``holdout``);
a blind entry (``tests/blind``) lists the acceptable first-result ``articles``, best first
(``[]`` when out of scope), and says who wrote it (``writer``, ``persona``). Either way a case
carries the acceptable articles, the expected answer article, intent and follow-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import LabelError
from ..models import MAX_QUERY_CHARS, ArticleId, Intent

Kind = Literal[
    "question",
    "keywords",
    "prefix",
    "typo",
    "no-accents",
    "elision",
    "slang",
    "synonym",
    "cross-lingual",
    "purchase-channel",
    "out-of-scope",
    "duration",
    "charge",
]


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    q: str = Field(min_length=1, max_length=MAX_QUERY_CHARS)
    locale: str = Field(min_length=2)
    lang: str = Field(min_length=2)
    intent: Intent | None
    follow_up: bool = False
    kind: Kind


class GoldenEntry(_Entry):
    """``article: X`` (or ``null`` out of scope); ``answer_article`` only when it differs."""

    article: ArticleId | None
    answer_article: ArticleId | None = None
    split: Literal["tune", "holdout"]

    def expected_answer(self) -> str | None:
        return self.answer_article if "answer_article" in self.model_fields_set else self.article


class BlindEntry(_Entry):
    """``articles: [best, also acceptable…]`` (``[]`` out of scope) and an explicit answer."""

    articles: list[ArticleId]
    answer_article: ArticleId | None
    follow_up: bool
    persona: str = Field(min_length=1)
    writer: str = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> BlindEntry:
        if len(set(self.articles)) != len(self.articles):
            raise ValueError("`articles` lists an article twice")
        if self.articles and self.answer_article is None:
            raise ValueError("an in-scope entry (non-empty `articles`) needs its `answer_article`")
        return self


@dataclass(frozen=True)
class Case:
    """One labelled query, whatever schema it came from."""

    q: str
    locale: str
    lang: str
    articles: tuple[str, ...]  # acceptable first results, best first; empty = out of scope
    answer_article: str | None
    intent: str | None
    follow_up: bool
    kind: str
    split: str | None = None  # golden only
    persona: str | None = None  # blind only
    writer: str | None = None  # blind only

    @property
    def in_scope(self) -> bool:
        return bool(self.articles)


@dataclass(frozen=True)
class LabelledSet:
    name: str  # the file's stem: golden sets are called "golden", blind ones by their file name
    path: Path
    cases: list[Case]

    def article_ids(self) -> set[str]:
        named = {a for c in self.cases for a in c.articles}
        return named | {c.answer_article for c in self.cases if c.answer_article}


def _out_of_scope_is_consistent(case: Case) -> None:
    if not case.in_scope and (case.answer_article or case.intent or case.follow_up):
        raise ValueError("an out-of-scope entry expects no answer article, no intent and no follow-up")


_SHARED_FIELDS = set(_Entry.model_fields)


def _case(item: Any) -> Case:
    if not isinstance(item, dict):
        raise ValueError("an entry must be a mapping (q, locale, lang, …)")
    if "articles" in item:
        blind = BlindEntry.model_validate(item)
        case = Case(
            **blind.model_dump(include=_SHARED_FIELDS),
            articles=tuple(blind.articles),
            answer_article=blind.answer_article,
            persona=blind.persona,
            writer=blind.writer,
        )
    elif "article" in item or "split" in item:
        golden = GoldenEntry.model_validate(item)
        case = Case(
            **golden.model_dump(include=_SHARED_FIELDS),
            articles=(golden.article,) if golden.article else (),
            answer_article=golden.expected_answer(),
            split=golden.split,
        )
    else:
        raise ValueError("needs `articles` (blind schema) or `article` and `split` (golden schema)")
    _out_of_scope_is_consistent(case)
    return case


def _describe(error: ValidationError | ValueError) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'entry'}: {e['msg']}" for e in error.errors(include_url=False)
        )
    return str(error)


def load_set(path: Path) -> LabelledSet:
    """Read and validate a labelled set; ``LabelError`` names the file and entry of a bad label."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise LabelError(f"{path}: cannot read the set: {exc}") from exc
    if not isinstance(data, list) or not data:
        raise LabelError(f"{path}: a labelled set is a non-empty YAML list of entries")
    cases = []
    for number, item in enumerate(data, 1):
        try:
            cases.append(_case(item))
        except (ValidationError, ValueError) as exc:
            query = item.get("q") if isinstance(item, dict) else None
            named = f" ({query!r})" if isinstance(query, str) else ""
            raise LabelError(f"{path}: entry {number}{named}: {_describe(exc)}") from exc
    name = "golden" if path.parent.name == "golden" else path.stem
    return LabelledSet(name=name, path=path, cases=cases)
