"""Feedback and search-log storage over SQLAlchemy Core (SQLite by default, PostgreSQL too).

Only portable column types are used, so the same code runs on ``sqlite:///path`` and
``postgresql+psycopg://...`` URLs. On SQLite each connection uses WAL journaling (readers never
block the writer), a busy timeout, and ``synchronous=FULL``: a feedback vote the API acknowledged
is on disk, even if the machine loses power the next moment (``NORMAL`` may lose the last
transactions then; ``bench/sqlite_sync.py`` measures what FULL costs); the database file's folder
is created when missing.

Privacy: every query and comment is passed through :func:`kb.privacy.scrub` here, at the last
step before it is written, whoever the caller is. No column holds an IP address or any other
client identifier; ``session_id`` is a random id the widget makes per visit.

The tables are created and changed only by the migrations (:mod:`kb.migrate`, ``kb db
upgrade``); ``metadata`` here describes the newest revision, and a test keeps the two equal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator

from .analysis import sanitize
from .models import MAX_QUERY_CHARS, AnswerResponse, SearchResponse
from .privacy import scrub
from .redaction import redact_url

__all__ = [
    "SEARCH_KINDS",
    "SearchRecord",
    "Storage",
    "feedback",
    "metadata",
    "search_log",
    "utc_now",
]

SearchKind = Literal["search", "answer"]
SEARCH_KINDS: frozenset[str] = frozenset({"search", "answer"})

# Column sizes; longer text is cut (after scrubbing) rather than refused, so that logging never
# fails a request.
QUERY_MAX = MAX_QUERY_CHARS  # a logged or commented query is never cut
COMMENT_MAX = 2000
LOCALE_MAX = 35
ARTICLE_MAX = 200
INTENT_MAX = 32
SESSION_MAX = 64


def utc_now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite has no time zones)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        # SQLite compares timestamps as text: store one naive UTC format so that order holds.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, _dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = sa.MetaData()

feedback = sa.Table(
    "feedback",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("article_id", sa.String(ARTICLE_MAX), nullable=False),
    sa.Column("locale", sa.String(LOCALE_MAX), nullable=False),
    sa.Column("helpful", sa.Boolean(), nullable=False),
    sa.Column("query", sa.String(QUERY_MAX), nullable=True),
    sa.Column("comment", sa.String(COMMENT_MAX), nullable=True),
    sa.Column("session_id", sa.String(SESSION_MAX), nullable=True),
    sa.Index("ix_feedback_created_at", "created_at"),
    sa.Index("ix_feedback_article", "article_id", "locale"),
)

search_log = sa.Table(
    "search_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("query_normalized", sa.String(QUERY_MAX), nullable=False),
    sa.Column("locale", sa.String(LOCALE_MAX), nullable=False),
    sa.Column("intent", sa.String(INTENT_MAX), nullable=True),
    sa.Column("result_count", sa.Integer, nullable=False),
    sa.Column("top_article", sa.String(ARTICLE_MAX), nullable=True),
    sa.Column("answered", sa.Boolean(), nullable=True),
    sa.Column("latency_ms", sa.Float(), nullable=False),
    sa.Column("session_id", sa.String(SESSION_MAX), nullable=True),
    sa.Column("fallback_locale", sa.String(LOCALE_MAX), nullable=True),
    sa.Index("ix_search_log_created_at", "created_at"),
    sa.Index("ix_search_log_session", "session_id", "created_at"),
)


@dataclass(frozen=True, slots=True)
class SearchRecord:
    """One search or answer request, as the search log keeps it.

    Requests are turned into records by :meth:`for_search` and :meth:`for_answer`, which
    normalize the query (:func:`normalize_query`); the storage scrubs it of personal data when
    it writes it. ``locale`` is the locale the customer asked in (after negotiation);
    ``fallback_locale`` is set when the top article had to be served in another locale because
    it is missing in ``locale``. ``result_count`` is the number of results found (for an answer:
    1 when answered, else 0); ``answered`` is only meaningful for answers.
    """

    kind: SearchKind
    query_normalized: str
    locale: str
    result_count: int
    latency_ms: float
    intent: str | None = None
    top_article: str | None = None
    answered: bool | None = None
    session_id: str | None = None
    fallback_locale: str | None = None
    created_at: datetime = field(default_factory=utc_now)

    def __post_init__(self) -> None:
        if self.kind not in SEARCH_KINDS:
            raise ValueError(f"kind must be one of {sorted(SEARCH_KINDS)}, not {self.kind!r}")
        if self.result_count < 0:
            raise ValueError("result_count must not be negative")

    @classmethod
    def for_search(cls, response: SearchResponse, latency_ms: float, session_id: str | None) -> SearchRecord:
        """The record of one search: its result count and top article."""
        top = response.results[0] if response.results else None
        return cls(
            kind="search",
            query_normalized=normalize_query(response.query),
            locale=response.locale,
            result_count=response.total,
            latency_ms=latency_ms,
            top_article=top.article_id if top else None,
            session_id=session_id or None,
            fallback_locale=_fallback_locale(response.locale, top.locale if top else None),
        )

    @classmethod
    def for_answer(cls, response: AnswerResponse, latency_ms: float, session_id: str | None) -> SearchRecord:
        """The record of one question: whether it was answered, with which article and intent."""
        answer = response.answer
        return cls(
            kind="answer",
            query_normalized=normalize_query(response.query),
            locale=response.locale,
            result_count=int(answer is not None),
            latency_ms=latency_ms,
            intent=response.intent,
            top_article=answer.article_id if answer else None,
            answered=answer is not None,
            session_id=session_id or None,
            fallback_locale=_fallback_locale(response.locale, answer.locale if answer else None),
        )


def normalize_query(query: str) -> str:
    """The query as the log keeps it: NFKC, no control characters, spaces collapsed, lowercase."""
    return sanitize(query, QUERY_MAX).lower()


def _fallback_locale(asked: str, served: str | None) -> str | None:
    """The locale the top article was served in, when it is not the one the customer asked in."""
    return served if served is not None and served != asked else None


def _cut(text: str | None, limit: int) -> str | None:
    return None if text is None else text[:limit]


def _scrubbed(text: str | None, limit: int) -> str | None:
    return None if text is None else scrub(text)[:limit]


def _search_row(record: SearchRecord) -> dict[str, Any]:
    return {
        "created_at": record.created_at,
        "kind": record.kind,
        "query_normalized": scrub(record.query_normalized)[:QUERY_MAX],
        "locale": record.locale[:LOCALE_MAX],
        "intent": _cut(record.intent, INTENT_MAX),
        "result_count": int(record.result_count),
        "top_article": _cut(record.top_article, ARTICLE_MAX),
        "answered": record.answered,
        "latency_ms": float(record.latency_ms),
        "session_id": _cut(record.session_id, SESSION_MAX),
        "fallback_locale": _cut(record.fallback_locale, LOCALE_MAX),
    }


def _sqlite_pragmas(busy_timeout_ms: int) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            # The timeout first: switching to WAL takes a lock that another worker may hold.
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
        finally:
            cursor.close()

    return on_connect


class Storage:
    """Feedback and search-log tables behind one database URL.

    ``Storage("sqlite:///var/kb.sqlite3")`` or ``Storage("postgresql+psycopg://u:p@host/db")``.
    Thread-safe: each call checks a connection out of the engine's pool. Call :meth:`close`
    (or use it as a context manager) to release the connections.
    """

    def __init__(self, url: str = "sqlite:///var/kb.sqlite3", *, busy_timeout_ms: int = 5000) -> None:
        parsed = make_url(url)
        self.url = url
        self.dialect = parsed.get_backend_name()
        # Error messages never quote the rows they tried to write (queries, comments, sessions).
        options: dict[str, Any] = {"future": True, "hide_parameters": True}
        if self.dialect == "sqlite":
            database = parsed.database or ""
            in_memory = database in ("", ":memory:") or database.startswith("file::memory:")
            options["connect_args"] = {"check_same_thread": False}
            if in_memory:
                # One shared connection, or each pooled connection would see its own database.
                options["poolclass"] = StaticPool
            else:
                Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        else:
            options["pool_pre_ping"] = True
        self.engine: sa.Engine = sa.create_engine(url, **options)
        # True when the last feedback or search-log write failed and none succeeded since (a full
        # disk, a read-only file): the database may still answer reads, yet it is failing.
        self.last_write_failed = False
        if self.dialect == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas(busy_timeout_ms))

    def __enter__(self) -> Storage:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Storage({redact_url(self.url)!r})"

    @contextmanager
    def connect(self) -> Iterator[sa.Connection]:
        """A connection for read queries (the report); closed when the block ends."""
        with self.engine.connect() as conn:
            yield conn

    def add_feedback(
        self,
        article_id: str,
        locale: str,
        helpful: bool,
        *,
        query: str | None = None,
        comment: str | None = None,
        session_id: str | None = None,
        created_at: datetime | None = None,
    ) -> int:
        """Store one "was this helpful?" vote (``query``, ``comment`` scrubbed); return its id.
        ``session_id`` is the widget's per-visit id, which links the vote to that visit's searches."""
        row = {
            "created_at": created_at or utc_now(),
            "article_id": article_id[:ARTICLE_MAX],
            "locale": locale[:LOCALE_MAX],
            "helpful": bool(helpful),
            "query": _scrubbed(query, QUERY_MAX),
            "comment": _scrubbed(comment, COMMENT_MAX),
            "session_id": _cut(session_id, SESSION_MAX) or None,
        }
        with self._writing() as conn:
            result = conn.execute(sa.insert(feedback).values(**row))
            key = result.inserted_primary_key
        return int(key[0]) if key else 0

    def log_searches(self, records: Sequence[SearchRecord]) -> int:
        """Insert ``records`` in one transaction (one batched statement); return how many."""
        if not records:
            return 0
        rows = [_search_row(record) for record in records]
        with self._writing() as conn:
            conn.execute(sa.insert(search_log), rows)
        return len(rows)

    @contextmanager
    def _writing(self) -> Iterator[sa.Connection]:
        """A transaction of the feedback or search-log writes, whose outcome is remembered in
        :attr:`last_write_failed`."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except BaseException:
            self.last_write_failed = True
            raise
        self.last_write_failed = False

    def purge(self, older_than_days: float, *, now: datetime | None = None) -> dict[str, int]:
        """Delete rows older than ``older_than_days``; return the count deleted per table."""
        if older_than_days < 0:
            raise ValueError("older_than_days must not be negative")
        cutoff = (now or utc_now()) - timedelta(days=older_than_days)
        counts: dict[str, int] = {}
        with self.engine.begin() as conn:
            for table in (feedback, search_log):
                result = conn.execute(sa.delete(table).where(table.c.created_at < cutoff))
                counts[table.name] = max(int(result.rowcount or 0), 0)
        return counts

    def count(self, table_name: str) -> int:
        """Number of rows in ``feedback`` or ``search_log``."""
        table = metadata.tables[table_name]
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())

    def ping(self) -> bool:
        """True when the database answers a trivial query (for readiness checks)."""
        try:
            with self.engine.connect() as conn:
                conn.execute(sa.select(1)).scalar_one()
        except SQLAlchemyError:
            return False
        return True

    def close(self) -> None:
        """Close every pooled connection; the object must not be used afterwards."""
        self.engine.dispose()
