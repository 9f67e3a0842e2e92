"""Load and validate the markdown articles under ``content/<locale>/<article_id>.md``.

Every problem is reported with its file and line (:class:`~kb.errors.ContentProblem`), all of
them at once, so that an author fixes a whole batch in one pass. The body of each article is read
by :mod:`kb.article_body`; links between articles are checked here, once every article is read.
The format is documented in ``docs/authoring.md``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .analysis import LANGUAGES
from .article_body import Section, parse_body
from .errors import ContentError, ContentProblem, LocaleError
from .locales import parse_tag
from .markup import link_targets, parse_link_target
from .models import ARTICLE_ID_MAX_CHARS, ARTICLE_ID_PATTERN, Intent

PurchaseChannel = Literal["norton_store", "third_party", "app_store", "service_provider"]
# What a question may ask about, whatever its words: money back, stopping, renewal, money taken,
# a charge the customer did not want, reaching a person, having bought something.
Concept = Literal["refund", "money", "cancel", "renewal", "charge", "unwanted", "contact", "purchase", "fees", "unsure"]
ARTICLE_ID = re.compile(ARTICLE_ID_PATTERN)

# libyaml's C parser when PyYAML was built with it: the same safe loader, several times faster.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class FrontMatter(BaseModel):
    """The YAML header of an article. Unknown fields are errors."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(pattern=ARTICLE_ID_PATTERN, max_length=ARTICLE_ID_MAX_CHARS)
    title: str = Field(min_length=1, max_length=200)
    intent: Intent
    summary: str = Field(min_length=1, max_length=300)
    updated: date
    keywords: list[str] = Field(default_factory=list)
    questions: list[str] = Field(default_factory=list)  # how customers ask for this article, in its language
    tags: list[str] = Field(default_factory=list)
    purchase_channel: PurchaseChannel | None = None
    related: list[str] = Field(default_factory=list)


class Article(FrontMatter):
    """A validated article in one locale."""

    locale: str
    source: str
    sections: list[Section]

    @property
    def steps(self) -> list[str]:
        return [step for section in self.sections for step in section.steps]

    def section(self, anchor: str) -> Section | None:
        return next((s for s in self.sections if s.anchor == anchor), None)


@dataclass
class ContentSet:
    """Every article of every locale, plus the synonyms and the warnings found while loading."""

    articles: list[Article]
    locales: tuple[str, ...]
    synonyms: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    answering: dict[str, object] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def ids(self) -> list[str]:
        return sorted({a.id for a in self.articles})

    def in_locale(self, locale: str) -> list[Article]:
        return [a for a in self.articles if a.locale == locale]


def _read_text(path: Path, rel: str, problems: list[ContentProblem]) -> str | None:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.append(ContentProblem(rel, line, f"not valid UTF-8 (byte 0x{data[exc.start]:02x})"))
        return None


def _key_line(header_lines: list[str], key: str, first_line: int) -> int:
    for offset, line in enumerate(header_lines):
        if re.match(rf"^{re.escape(key)}\s*:", line):
            return first_line + offset
    return first_line - 1  # the opening '---'


def _parse_front_matter(
    text: str, rel: str, problems: list[ContentProblem]
) -> tuple[FrontMatter | None, list[str], int]:
    """Return the front matter, the body lines and the line number of the first body line."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        problems.append(ContentProblem(rel, 1, "missing front matter: the file must start with '---'"))
        return None, [], 1
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        problems.append(ContentProblem(rel, 1, "front matter is not closed by a '---' line"))
        return None, [], 1
    header = lines[1:end]
    try:
        data = yaml.load("\n".join(header), Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = min(mark.line + 2, len(header) + 1) if mark is not None else 1
        reason = getattr(exc, "problem", None) or "invalid YAML"
        problems.append(ContentProblem(rel, line, f"front matter is not valid YAML: {reason}"))
        return None, lines[end + 1 :], end + 2
    if not isinstance(data, dict):
        problems.append(ContentProblem(rel, 2, "front matter must be a mapping of fields"))
        return None, lines[end + 1 :], end + 2
    try:
        meta = FrontMatter.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            key = str(err["loc"][0]) if err["loc"] else ""
            if err["type"] == "missing":
                problems.append(ContentProblem(rel, 1, f"missing required field '{key}'"))
            elif err["type"] == "extra_forbidden":
                line = _key_line(header, key, 2)
                problems.append(ContentProblem(rel, line, f"unknown field '{key}'"))
            else:
                line = _key_line(header, key, 2)
                where = ".".join(str(p) for p in err["loc"])
                problems.append(ContentProblem(rel, line, f"field '{where}': {err['msg']}"))
        return None, lines[end + 1 :], end + 2
    return meta, lines[end + 1 :], end + 2


def _check_links(articles: list[Article], problems: list[ContentProblem]) -> None:
    """Every link in every article points at an article (and section) that exists, or at an
    https:// address; each problem names the line of the link."""
    anchors: dict[str, set[str]] = {}
    for article in articles:
        anchors.setdefault(article.id, set()).update(s.anchor for s in article.sections)
    for article in articles:
        for section in article.sections:
            for block in section.blocks:
                for item, first in zip(block.items, block.lines, strict=True):
                    for target in link_targets(item):
                        line = first + item[: max(item.find("](" + target), 0)].count("\n")
                        message = _link_problem(article, target, anchors)
                        if message:
                            problems.append(ContentProblem(article.source, line, message))


def _link_problem(article: Article, target: str, anchors: dict[str, set[str]]) -> str | None:
    try:
        link = parse_link_target(target)
    except ValueError as exc:
        return str(exc)
    if link.external:
        return None
    article_id = link.article_id or article.id
    if article_id not in anchors:
        return f"link to unknown article '{article_id}'"
    if link.anchor and link.anchor not in anchors[article_id]:
        return f"link to unknown section '{article_id}#{link.anchor}'"
    return None


def load_article(path: Path, locale: str, root: Path, problems: list[ContentProblem]) -> Article | None:
    """Parse one article file; append what is wrong to ``problems``."""
    rel = path.relative_to(root.parent).as_posix() if path.is_relative_to(root.parent) else str(path)
    text = _read_text(path, rel, problems)
    if text is None:
        return None
    before = len(problems)
    meta, body, first_body_line = _parse_front_matter(text, rel, problems)
    sections = parse_body(body, first_body_line, rel, problems)
    if meta is None or len(problems) > before:
        return None
    if meta.id != path.stem:
        problems.append(ContentProblem(rel, 2, f"id '{meta.id}' must match the file name '{path.stem}'"))
        return None
    return Article(**meta.model_dump(), locale=locale, source=rel, sections=sections)


def _load_synonyms(
    path: Path, locales: Iterable[str], problems: list[ContentProblem]
) -> dict[str, dict[str, list[str]]]:
    rel = f"{path.parent.name}/{path.name}"
    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.append(ContentProblem(rel, mark.line + 1 if mark else None, f"not valid YAML: {exc}"))
        return {}
    result: dict[str, dict[str, list[str]]] = {}
    if not isinstance(data, dict):
        problems.append(ContentProblem(rel, 1, "must map each locale to its synonyms"))
        return {}
    for locale, mapping in data.items():
        if locale not in locales:
            problems.append(ContentProblem(rel, None, f"unknown locale '{locale}'"))
            continue
        if not isinstance(mapping, dict):
            problems.append(ContentProblem(rel, None, f"'{locale}' must map phrases to lists of words"))
            continue
        clean: dict[str, list[str]] = {}
        for key, values in mapping.items():
            if isinstance(values, str):
                values = [values]
            if not isinstance(key, str) or not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                problems.append(ContentProblem(rel, None, f"{locale}: '{key}' must map to a list of words"))
                continue
            clean[key] = values
        result[str(locale)] = clean
    return result


class TimeRules(BaseModel):
    """How questions say how long ago: numbers, units in days, whole expressions in days."""

    model_config = ConfigDict(extra="forbid")

    numbers: dict[str, float] = Field(default_factory=dict)
    units: dict[str, int] = Field(default_factory=dict)
    expressions: dict[str, int] = Field(default_factory=dict)


class AlreadyDoneRules(BaseModel):
    """Words saying the customer already did what a phrase names ("I cancelled", "j'ai appelé")."""

    model_config = ConfigDict(extra="forbid")

    subjects: list[str] = Field(default_factory=list)  # before a verb in the past: "I cancelled"
    # language → words before any form of a verb ("ai annulé"): per language, since a word may
    # be an auxiliary in one and not in the other (French "a", English article "a").
    auxiliaries: dict[str, list[str]] = Field(default_factory=dict)
    between: list[str] = Field(default_factory=list)  # may sit between them: "I had already…"
    past_forms: list[str] = Field(default_factory=list)  # irregular past forms: "quit", "spoke"
    purpose: list[str] = Field(default_factory=list)  # "I phoned them to cancel": done as well
    asking: list[str] = Field(default_factory=list)  # before a subject, a question: "how do I shut it off"

    @field_validator("auxiliaries")
    @classmethod
    def _known_languages(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = sorted(set(value) - set(LANGUAGES))
        if unknown:
            raise ValueError(f"auxiliaries: unknown language {', '.join(unknown)} (expected {', '.join(LANGUAGES)})")
        return value


class AnsweringRules(BaseModel):
    """``content/answering.yaml``: what the answer step needs beyond the articles (see
    docs/authoring.md)."""

    model_config = ConfigDict(extra="forbid")

    concepts: dict[Concept, list[str]] = Field(default_factory=dict)
    # channel → region (any label: "any", "FR", "QC"…) → places and words naming the channel
    purchase_channels: dict[PurchaseChannel, dict[str, list[str]]] = Field(default_factory=dict)
    uncovered_places: list[str] = Field(default_factory=list)
    product: list[str] = Field(default_factory=list)
    brand: list[str] = Field(default_factory=list)
    other_security_products: list[str] = Field(default_factory=list)
    other_services: list[str] = Field(default_factory=list)
    other_topics: list[str] = Field(default_factory=list)
    out_of_scope: list[str] = Field(default_factory=list)
    other_products: list[str] = Field(default_factory=list)
    filler: list[str] = Field(default_factory=list)
    already_done: AlreadyDoneRules = Field(default_factory=AlreadyDoneRules)
    time: TimeRules = Field(default_factory=TimeRules)


def _load_answering(path: Path, problems: list[ContentProblem]) -> dict[str, object]:
    rel = f"{path.parent.name}/{path.name}"
    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return AnsweringRules.model_validate(data).model_dump()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.append(ContentProblem(rel, mark.line + 1 if mark else None, "not valid YAML"))
    except ValidationError as exc:
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"])
            problems.append(ContentProblem(rel, None, f"'{where}': {err['msg']}"))
    return {}


def _check_questions(articles: list[Article], root: Path, problems: list[ContentProblem]) -> None:
    """Example questions are unique across articles and written in their article's language."""
    from .analysis import fold
    from .wordlist import guess_language

    asked = [a for a in articles if a.questions]
    if not asked:
        return
    languages = tuple(sorted({language_of(a.locale) for a in articles}))
    seen: dict[str, str] = {}
    for article in asked:
        lines = (root / article.locale / f"{article.id}.md").read_text(encoding="utf-8-sig").splitlines()
        for question in article.questions:
            line = next((n for n, text in enumerate(lines, 1) if question in text), None)
            key = " ".join(re.findall(r"\w+", fold(question.lower())))
            other = seen.setdefault(key, article.id)
            if other != article.id:
                message = f"question {question!r} is also asked in '{other}'"
                problems.append(ContentProblem(article.source, line, message))
            guessed = guess_language(question, languages)
            if guessed is not None and guessed != language_of(article.locale):
                problems.append(
                    ContentProblem(article.source, line, f"question {question!r} looks {guessed}, not {article.locale}")
                )


def language_of(locale: str) -> str:
    """The analysis language of a locale: ``fr_CA`` → ``fr``."""
    return locale.replace("-", "_").split("_")[0].lower()


def load_content(content_dir: Path) -> ContentSet:
    """Load every article under ``content_dir``; raise ``ContentError`` listing every problem."""
    root = Path(content_dir)
    problems: list[ContentProblem] = []
    if not root.is_dir():
        raise ContentError([ContentProblem(str(root), None, "content directory does not exist")])
    locales: list[str] = []
    warnings: list[str] = []
    for child in sorted(root.iterdir()):
        if not child.is_dir() or child.name.startswith("."):
            continue
        try:
            parse_tag(child.name)
        except LocaleError:
            problems.append(ContentProblem(child.name, None, "folder name is not a locale tag (fr, en, ...)"))
            continue
        locales.append(child.name)
    if not locales:
        problems.append(ContentProblem(str(root), None, "no locale folders (content/fr, content/en, ...)"))
    articles: list[Article] = []
    for locale in locales:
        folder = root / locale
        for path in sorted(folder.iterdir()):
            if path.suffix != ".md" or not path.is_file():
                if not path.name.startswith("."):
                    warnings.append(f"{locale}/{path.name}: ignored (articles are .md files)")
                continue
            article = load_article(path, locale, root, problems)
            if article is not None:
                articles.append(article)
    synonyms = _load_synonyms(root / "synonyms.yaml", locales, problems)
    answering = _load_answering(root / "answering.yaml", problems)
    _check_questions(articles, root, problems)
    ids = {a.id for a in articles}
    _check_links(articles, problems)
    for article in articles:
        for related in article.related:
            if related not in ids:
                problems.append(ContentProblem(article.source, None, f"related article '{related}' does not exist"))
    if problems:
        raise ContentError(problems)
    locales_of: dict[str, set[str]] = {}
    for article in articles:
        locales_of.setdefault(article.id, set()).add(article.locale)
    for article_id in sorted(ids):
        have = locales_of[article_id]
        for locale in locales:
            if locale not in have:
                warnings.append(f"{article_id}: missing in '{locale}' (served from {', '.join(sorted(have))})")
    return ContentSet(
        articles=articles, locales=tuple(locales), synonyms=synonyms, answering=answering, warnings=warnings
    )
