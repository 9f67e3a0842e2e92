"""kb.report: the content-gap report built from a real SQLite search log and feedback table."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kb.report import Report, build_report, format_table
from kb.search_log import LogEvent, collapse_keystrokes, read_events
from kb.storage import SearchRecord, Storage

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def search(query: str, seconds: float, session: str | None = None, **fields: Any) -> SearchRecord:
    values: dict[str, Any] = {"locale": "fr", "result_count": 3, "latency_ms": 1.0}
    values.update(fields)
    return SearchRecord(
        kind=values.pop("kind", "search"),
        query_normalized=query,
        session_id=session,
        created_at=T0 + timedelta(seconds=seconds),
        **values,
    )


def typed(text: str, start: float, session: str, **fields: Any) -> list[SearchRecord]:
    """The keystroke-by-keystroke searches of the widget, one every 0.3 s."""
    return [search(text[:n], start + 0.3 * n, session, **fields) for n in range(1, len(text) + 1)]


def event(query: str, seconds: float, kind: str = "search") -> LogEvent:
    return LogEvent(T0 + timedelta(seconds=seconds), kind, query, "fr", 1, session_id="s")


def final_queries(events: list[LogEvent]) -> list[str]:
    return [e.query for e in collapse_keystrokes(events)]


# -- keystroke collapsing -----------------------------------------------------------------------


def test_prefix_chain_collapses_into_the_last_query() -> None:
    chain = [event(q, i) for i, q in enumerate(["r", "re", "rem", "rembour", "remboursement"])]
    assert final_queries(chain) == ["remboursement"]


def test_backspaces_stay_in_the_chain() -> None:
    chain = [event(q, i) for i, q in enumerate(["rembours", "remboursz", "rembours", "remboursé"])]
    assert final_queries(chain) == ["remboursé"]


def test_a_pause_longer_than_the_window_starts_a_new_search() -> None:
    assert final_queries([event("refund", 0), event("refund policy", 31)]) == [
        "refund",
        "refund policy",
    ]


def test_an_unrelated_query_starts_a_new_search() -> None:
    chain = [event("refund", 0), event("renew", 2)]
    assert final_queries(chain) == ["refund", "renew"]


def test_an_answer_absorbs_the_typing_before_it_but_is_never_absorbed() -> None:
    chain = [event("refu", 0), event("refund", 1, "answer"), event("refund p", 2)]
    assert final_queries(chain) == ["refund", "refund p"]


# -- the report ---------------------------------------------------------------------------------


def seed(store: Storage) -> None:
    records = [
        *typed("remboursement", 0, "s1"),
        *typed("remboursement", 100, "s2", result_count=4),
        # No session id: every record counts as it is ("re" is too short to count at all).
        search("re", 200),
        search("rem", 201),
        search("remb", 202),
        # Nothing found for what s3 settled on; its prefixes had results and are not counted.
        *typed("xyzzy", 300, "s3"),
        search("xyzzy", 310, "s3", result_count=0),
        search(
            "how to cook pasta",
            400,
            "s4",
            kind="answer",
            locale="en",
            result_count=0,
            answered=False,
        ),
        search(
            "how to cook pasta",
            500,
            None,
            kind="answer",
            locale="en",
            result_count=0,
            answered=False,
        ),
        search(
            "turn off auto renew",
            600,
            "s5",
            kind="answer",
            locale="en",
            answered=True,
            top_article="auto-renewal",
        ),
        # The French customer got the English version of an article missing in French.
        *[
            search(
                "app store", 700 + i, f"g{i}", top_article="refund-app-store", fallback_locale="en"
            )
            for i in range(3)
        ],
        # Older than the `since` used below.
        search("ancienne requête", -86_400 * 30),
    ]
    store.log_searches(records)
    for helpful, comment in [
        (True, None),
        (True, None),
        (False, "pas clair"),
        (False, None),
        (False, "rappelez moi au 06 12 34 56 78"),
    ]:
        store.add_feedback("refund-policy", "fr", helpful, comment=comment, created_at=T0)
    store.add_feedback("auto-renewal", "en", True, created_at=T0)
    store.add_feedback("contact-support", "en", False, created_at=T0)


def counts(stats: list[Any]) -> dict[tuple[str, str], int]:
    return {(s.locale, s.query): s.count for s in stats}


def test_report_sections(storage: Storage) -> None:
    seed(storage)
    report = build_report(storage, since=T0 - timedelta(days=1))
    top = counts(report.top_queries)
    assert top[("fr", "remboursement")] == 2  # two sessions, not 2 x 13 keystrokes
    assert top[("fr", "rem")] == 1 and top[("fr", "remb")] == 1  # no session: as they are
    assert top[("fr", "xyzzy")] == 1 and top[("fr", "app store")] == 3
    assert top[("en", "how to cook pasta")] == 2
    assert not any(len(query) < 3 for _locale, query in top)
    assert ("fr", "ancienne requête") not in top
    fr_top = [s.query for s in report.top_queries if s.locale == "fr"]
    assert fr_top[:2] == ["app store", "remboursement"]  # most frequent first within a locale
    assert counts(report.no_result_queries) == {("fr", "xyzzy"): 1, ("en", "how to cook pasta"): 2}
    assert counts(report.unanswered_questions) == {("en", "how to cook pasta"): 2}
    assert [
        (g.article_id, g.requested_locale, g.served_locales, g.count)
        for g in report.translation_gaps
    ] == [("refund-app-store", "fr", ["en"], 3)]
    not_helpful = {(a.article_id, a.locale): a for a in report.not_helpful_articles}
    assert set(not_helpful) == {("refund-policy", "fr"), ("contact-support", "en")}
    policy = not_helpful[("refund-policy", "fr")]
    assert (policy.helpful, policy.not_helpful) == (2, 3)
    assert sorted(policy.comments) == ["pas clair", "rappelez moi au [phone]"]
    assert report.totals["feedback"] == 7
    assert report.locales() == ["en", "fr"]


def test_report_without_since_includes_old_records(storage: Storage) -> None:
    seed(storage)
    assert ("fr", "ancienne requête") in counts(build_report(storage).top_queries)


def test_report_for_one_locale(storage: Storage) -> None:
    seed(storage)
    report = build_report(storage, locale="en")
    assert report.locales() == ["en"]
    assert {s.locale for s in report.top_queries} == {"en"}
    assert [a.article_id for a in report.not_helpful_articles] == ["contact-support"]


def test_limit_applies_per_locale_and_section(storage: Storage) -> None:
    storage.log_searches(
        [search(f"query number {i}", i, locale=loc) for i in range(10) for loc in ("fr", "en")]
    )
    report = build_report(storage, limit=3)
    assert len(report.top_queries) == 6
    assert sorted({s.locale for s in report.top_queries}) == ["en", "fr"]
    with pytest.raises(ValueError, match="limit must be at least 1"):
        build_report(storage, limit=0)


def test_read_events_streams_collapsed_records(storage: Storage) -> None:
    storage.log_searches([*typed("refund", 0, "abc"), search("refund", 1)])
    assert sorted(e.query for e in read_events(storage)) == ["refund", "refund"]


def test_report_is_json_ready(storage: Storage) -> None:
    seed(storage)
    data = json.loads(json.dumps(build_report(storage).to_dict()))
    assert set(data) >= {
        "generated_at",
        "since",
        "locale",
        "totals",
        "top_queries",
        "no_result_queries",
        "unanswered_questions",
        "not_helpful_articles",
        "translation_gaps",
    }
    assert data["top_queries"][0]["last_seen"].endswith("+00:00")


def test_format_table_has_aligned_sections_per_locale(storage: Storage) -> None:
    seed(storage)
    text = format_table(build_report(storage, since=T0 - timedelta(days=1)))
    assert text.index("== en ==") < text.index("== fr ==")
    fr = text[text.index("== fr ==") :]
    for title in (
        "Top queries",
        "Queries with no result",
        "Questions left unanswered",
        "Articles marked not helpful",
        "Translation gaps",
    ):
        assert title in fr
    top = fr.split("Top queries\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert top[0].split() == ["count", "query", "last", "seen"]
    # Right-aligned counts, left-aligned queries: every query starts in the same column.
    query_column = top[0].index("query")
    assert all(line[query_column - 1] == " " and line[query_column] != " " for line in top[2:])
    assert "      3  app store" in fr
    assert "refund-app-store" in fr.split("Translation gaps")[1]


def test_format_table_of_an_empty_period(storage: Storage) -> None:
    text = format_table(build_report(storage))
    assert "Nothing recorded in this period." in text


def test_report_dataclass_round_trip(storage: Storage) -> None:
    report = build_report(storage)
    assert isinstance(report, Report) and report.to_dict()["top_queries"] == []
