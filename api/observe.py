"""Hand each search and answer to the search log, if one is configured (see ``kb.search_log``)."""

from __future__ import annotations

import time

from fastapi import Request


def record_search(
    request: Request,
    kind: str,
    query: str,
    locale: str,
    intent: str | None,
    result_count: int,
    top_article: str | None,
    answered: bool | None,
    fallback_locale: str | None,
    started: float,
    session: str | None,
) -> None:
    """Queue one record; never blocks and never fails the request."""
    sink = getattr(request.app.state, "search_log", None)
    if sink is None:
        return
    latency_ms = (time.perf_counter() - started) * 1000
    sink(
        kind=kind,
        query=query,
        locale=locale,
        intent=intent,
        result_count=result_count,
        top_article=top_article,
        answered=answered,
        fallback_locale=fallback_locale,
        latency_ms=latency_ms,
        session_id=session,
    )
