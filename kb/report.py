"""The content-gap report: what customers searched for, and what they did not find.

:func:`build_report` reads the search log and the feedback table of a :class:`~kb.storage.Storage`
and returns a :class:`Report` (``report.to_dict()`` for JSON, :func:`format_table` for a
terminal) with, per locale: the top queries, the queries that found nothing, the questions left
unanswered, the articles voted not helpful, and the translation gaps (articles served in a
fallback locale because the customer's locale lacks them).

Counting rules:

* Keystroke-by-keystroke searches of one session collapse into the query the customer settled
  on (:func:`kb.search_log.collapse_keystrokes`); records without a ``session_id`` count one by
  one.
* Queries of one or two characters are left out of every section.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, case, func, select

from .search_log import LogEvent, read_events
from .storage import Storage, feedback, utc_now

__all__ = [
    "ArticleFeedback",
    "QueryStat",
    "Report",
    "TranslationGap",
    "build_report",
    "format_table",
]

MIN_QUERY_LENGTH = 3
_COMMENTS_PER_ARTICLE = 3


@dataclass(frozen=True, slots=True)
class QueryStat:
    """A query, how many times customers settled on it, and when last."""

    query: str
    locale: str
    count: int
    last_seen: datetime


@dataclass(frozen=True, slots=True)
class ArticleFeedback:
    """Helpful / not-helpful votes for one article in one locale, with the latest comments."""

    article_id: str
    locale: str
    helpful: int
    not_helpful: int
    comments: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class TranslationGap:
    """An article asked for in ``requested_locale`` and served in another locale instead."""

    article_id: str
    requested_locale: str
    served_locales: list[str]
    count: int


@dataclass(frozen=True, slots=True)
class Report:
    """The content-gap report; every list holds at most ``limit`` entries per locale."""

    generated_at: datetime
    since: datetime | None
    locale: str | None
    totals: dict[str, int]
    top_queries: list[QueryStat]
    no_result_queries: list[QueryStat]
    unanswered_questions: list[QueryStat]
    not_helpful_articles: list[ArticleFeedback]
    translation_gaps: list[TranslationGap]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (timestamps as ISO 8601 strings)."""
        return _jsonable(asdict(self))

    def locales(self) -> list[str]:
        """The locales that appear anywhere in the report, sorted."""
        found = {q.locale for q in self.top_queries + self.no_result_queries}
        found |= {q.locale for q in self.unanswered_questions}
        found |= {a.locale for a in self.not_helpful_articles}
        found |= {g.requested_locale for g in self.translation_gaps}
        return sorted(found)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    return value


def _window(table: Table, since: datetime | None, locale: str | None) -> list[ColumnElement[bool]]:
    """WHERE conditions: created at or after ``since``, in ``locale`` (each when given)."""
    conditions = [] if since is None else [table.c.created_at >= since]
    return conditions if locale is None else [*conditions, table.c.locale == locale]


class _Tally:
    """Counts per (locale, query) with the latest time seen."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str], tuple[int, datetime]] = {}

    def add(self, event: LogEvent) -> None:
        count, last = self.seen.get((event.locale, event.query), (0, event.created_at))
        self.seen[(event.locale, event.query)] = (count + 1, max(last, event.created_at))

    def top(self, limit: int) -> list[QueryStat]:
        ranked = sorted(self.seen.items(), key=lambda kv: (kv[0][0], -kv[1][0], kv[0][1]))
        stats = (QueryStat(q, loc, n, last) for (loc, q), (n, last) in ranked)
        return _per_locale(stats, lambda s: s.locale, limit)


def _per_locale(items: Iterable[Any], locale_of: Any, limit: int) -> list[Any]:
    """Keep the first ``limit`` items of each locale (items already grouped by locale)."""
    kept: list[Any] = []
    for _loc, group in itertools.groupby(items, key=locale_of):
        kept.extend(itertools.islice(group, limit))
    return kept


def _feedback(
    storage: Storage, since: datetime | None, locale: str | None, limit: int
) -> tuple[list[ArticleFeedback], int]:
    c = feedback.c
    not_helpful = func.sum(case((c.helpful, 0), else_=1))
    stmt = (
        select(c.article_id, c.locale, func.sum(case((c.helpful, 1), else_=0)), not_helpful)
        .group_by(c.article_id, c.locale)
        .order_by(c.locale, not_helpful.desc(), c.article_id)
    )
    comments_stmt = (
        select(c.article_id, c.locale, c.comment)
        .where(c.helpful.is_(False), c.comment.is_not(None), c.comment != "")
        .order_by(c.created_at.desc(), c.id.desc())
    )
    window = _window(feedback, since, locale)
    stmt, comments_stmt = stmt.where(*window), comments_stmt.where(*window)
    with storage.connect() as conn:
        rows = [(a, loc, int(yes or 0), int(no or 0)) for a, loc, yes, no in conn.execute(stmt)]
        comments: dict[tuple[str, str], list[str]] = {}
        for article_id, loc, comment in conn.execution_options(yield_per=500).execute(comments_stmt):
            kept = comments.setdefault((article_id, loc), [])
            if len(kept) < _COMMENTS_PER_ARTICLE:
                kept.append(comment)
    votes = sum(yes + no for _a, _l, yes, no in rows)
    articles = (ArticleFeedback(a, loc, yes, no, comments.get((a, loc), [])) for a, loc, yes, no in rows if no)
    return _per_locale(articles, lambda f: f.locale, limit), votes


def build_report(storage: Storage, since: datetime | None = None, locale: str | None = None, limit: int = 20) -> Report:
    """Build the content-gap report over records created at or after ``since`` (all if None).

    ``locale`` keeps one locale's records only; ``limit`` caps each section per locale.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    top, no_result, unanswered = _Tally(), _Tally(), _Tally()
    gaps: dict[tuple[str, str], tuple[int, set[str]]] = {}
    searches = answers = short = 0
    for event in read_events(storage, since, locale):
        if len(event.query.strip()) < MIN_QUERY_LENGTH:
            short += 1
            continue
        if event.kind == "answer":
            answers += 1
        else:
            searches += 1
        top.add(event)
        if event.result_count == 0:
            no_result.add(event)
        if event.kind == "answer" and event.answered is False:
            unanswered.add(event)
        if event.fallback_locale and event.top_article:
            count, served = gaps.get((event.locale, event.top_article), (0, set()))
            gaps[(event.locale, event.top_article)] = (count + 1, served | {event.fallback_locale})
    ranked_gaps = sorted(gaps.items(), key=lambda kv: (kv[0][0], -kv[1][0], kv[0][1]))
    gap_list = (TranslationGap(art, loc, sorted(served), n) for (loc, art), (n, served) in ranked_gaps)
    articles, votes = _feedback(storage, since, locale, limit)
    return Report(
        generated_at=utc_now(),
        since=since,
        locale=locale,
        totals={
            "searches": searches,
            "answers": answers,
            "short_queries": short,
            "feedback": votes,
        },
        top_queries=top.top(limit),
        no_result_queries=no_result.top(limit),
        unanswered_questions=unanswered.top(limit),
        not_helpful_articles=articles,
        translation_gaps=_per_locale(gap_list, lambda g: g.requested_locale, limit),
    )


# What must not reach a terminal raw from customer text: line breaks (a comment could forge rows),
# other controls, and the marks that reorder how a line reads.
_UNSAFE_IN_A_CELL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escaped(cell: str) -> str:
    """``cell`` on one line: newlines as ``\\n``, other unsafe characters as ``\\x85``, ``\\u202e``."""
    return _UNSAFE_IN_A_CELL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), cell)


def _table(title: str, headers: list[str], rows: list[list[str]]) -> list[str]:
    """A titled table; columns whose header starts with '#' (counts) are right-aligned. Cells are
    escaped (:func:`_escaped`): one row is always one line."""
    if not rows:
        return ["", title, "  (none)"]
    rows = [[_escaped(cell) for cell in row] for row in rows]
    widths = [max(len(h) - h.startswith("#"), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: list[str], right: list[bool]) -> str:
        padded = (c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, right, strict=True))
        return ("  " + "  ".join(padded)).rstrip()

    right = [h.startswith("#") for h in headers]
    names = [h.removeprefix("#") for h in headers]
    return ["", title, line(names, right), line(["-" * w for w in widths], right)] + [line(r, right) for r in rows]


def _sections(report: Report) -> list[tuple[str, list[str], list[tuple[str, list[str]]]]]:
    """Each section's title, headers ('#': a right-aligned count) and (locale, cells) rows."""

    def queries(stats: list[QueryStat]) -> list[tuple[str, list[str]]]:
        return [(s.locale, [str(s.count), s.query, f"{s.last_seen:%Y-%m-%d %H:%M}"]) for s in stats]

    query_headers = ["#count", "query", "last seen"]
    feedback_headers = ["article", "#helpful", "#not helpful", "latest comments"]
    return [
        ("Top queries", query_headers, queries(report.top_queries)),
        ("Queries with no result", query_headers, queries(report.no_result_queries)),
        ("Questions left unanswered", query_headers, queries(report.unanswered_questions)),
        (
            "Articles marked not helpful",
            feedback_headers,
            [
                (
                    a.locale,
                    [a.article_id, str(a.helpful), str(a.not_helpful), " | ".join(a.comments)],
                )
                for a in report.not_helpful_articles
            ],
        ),
        (
            "Translation gaps (served in another locale)",
            ["article", "served in", "#count"],
            [
                (g.requested_locale, [g.article_id, ", ".join(g.served_locales), str(g.count)])
                for g in report.translation_gaps
            ],
        ),
    ]


def format_table(report: Report) -> str:
    """Render ``report`` as plain, aligned text for a terminal, one section per locale."""
    since = report.since.isoformat(timespec="seconds") if report.since else "the beginning"
    t = report.totals
    out = [
        f"Content-gap report, generated {report.generated_at.isoformat(timespec='seconds')}",
        f"Since {since}; locale: {report.locale or 'all'}",
        f"{t['searches']} searches and {t['answers']} questions counted "
        f"({t['short_queries']} of 1-2 characters left out); {t['feedback']} feedback votes",
    ]
    sections = _sections(report)
    for loc in report.locales():
        out += ["", f"== {loc} =="]
        for title, headers, rows in sections:
            out += _table(title, headers, [cells for row_locale, cells in rows if row_locale == loc])
    if not report.locales():
        out += ["", "Nothing recorded in this period."]
    return "\n".join(out) + "\n"
