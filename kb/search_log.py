"""The search log: a bounded background writer, and reading the log back for reports.

Request handlers call :meth:`SearchLogWriter.record`, which puts the record on a bounded queue
and returns at once: when the queue is full the record is dropped and counted, so a slow or
locked database never slows searches down. One daemon thread wakes every ``flush_seconds``, or
as soon as ``batch_size`` records wait, and inserts what is queued in batches of ``batch_size``;
the storage scrubs each query of personal data as it writes it. It does not wake for each
record: under load, a thread taking the interpreter lock at every request would slow them all.
:meth:`~SearchLogWriter.close` flushes what is queued on a clean shutdown.

:func:`read_events` streams the log back with search-as-you-type keystroke chains collapsed
(:func:`collapse_keystrokes`): within one ``session_id``, a search followed within
:data:`PREFIX_WINDOW` by a record whose query extends it (``rem`` → ``rembour``) or shortens it
(a backspace) is not kept; the chain ends on the query the customer settled on, with that
record's result count, answer and article. Records without a session count one by one.
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from .storage import SearchRecord, Storage, search_log

__all__ = ["PREFIX_WINDOW", "LogEvent", "SearchLogWriter", "collapse_keystrokes", "read_events"]

PREFIX_WINDOW = timedelta(seconds=30)

logger = logging.getLogger(__name__)


class SearchLogWriter:
    """Queue search records and write them to ``storage`` from a background thread.

    ``stats()`` counts records ``accepted`` (queued), ``written``, ``dropped`` (queue full or
    writer closed), ``failed`` (the database refused a batch) and the current ``queued`` length.
    The writer does not own ``storage``: close the writer first, then the storage.
    """

    def __init__(
        self,
        storage: Storage,
        queue_size: int = 10_000,
        batch_size: int = 200,
        flush_seconds: float = 0.5,
    ) -> None:
        if queue_size < 1 or batch_size < 1 or flush_seconds <= 0:
            raise ValueError("queue_size and batch_size must be >= 1, flush_seconds > 0")
        self._storage = storage
        self._batch_size = batch_size
        self._flush_seconds = flush_seconds
        self._queue: queue.Queue[SearchRecord] = queue.Queue(maxsize=queue_size)
        self._lock = threading.Lock()
        self._done = threading.Condition(self._lock)
        self._closing = False
        self._wake = threading.Event()  # a full batch waits, or close()
        self._accepted = 0
        self._written = 0
        self._dropped = 0
        self._failed = 0
        self._thread = threading.Thread(target=self._run, name="kb-search-log", daemon=True)
        self._thread.start()

    def __enter__(self) -> SearchLogWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def record(self, rec: SearchRecord) -> bool:
        """Queue ``rec`` without blocking; False if it was dropped."""
        with self._lock:
            if not self._closing:
                try:
                    self._queue.put_nowait(rec)
                except queue.Full:
                    pass
                else:
                    self._accepted += 1
                    if self._queue.qsize() >= self._batch_size:
                        self._wake.set()
                    return True
            self._dropped += 1
            return False

    def stats(self) -> dict[str, int]:
        """Counters: ``queued``, ``accepted``, ``written``, ``dropped``, ``failed``."""
        with self._lock:
            return {
                "queued": self._queue.qsize(),
                "accepted": self._accepted,
                "written": self._written,
                "dropped": self._dropped,
                "failed": self._failed,
            }

    @property
    def dropped(self) -> int:
        """Records dropped so far (queue full, or recorded after close)."""
        with self._lock:
            return self._dropped

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every accepted record is written (or failed); False on timeout."""
        with self._done:
            return self._done.wait_for(lambda: self._written + self._failed >= self._accepted, timeout=timeout)

    def close(self, timeout: float | None = 10.0) -> bool:
        """Stop accepting records, write what is queued, stop the thread; True if it finished."""
        with self._lock:
            self._closing = True
        self._wake.set()
        self._thread.join(timeout)
        return not self._thread.is_alive()

    # -- the writer thread -------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            self._wake.wait(self._flush_seconds)
            self._wake.clear()
            with self._lock:
                closing = self._closing
            self._drain()
            if closing:  # close() had stopped the records: nothing can be queued after this drain
                break

    def _drain(self) -> None:
        """Write everything queued, ``batch_size`` records at a time."""
        batch: list[SearchRecord] = []
        while True:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
            if len(batch) >= self._batch_size:
                self._write(batch)
                batch = []
        if batch:
            self._write(batch)

    def _write(self, batch: list[SearchRecord]) -> None:
        try:
            self._storage.log_searches(batch)
        except Exception:  # the thread must survive a database outage; the batch is counted
            logger.warning("search log: %d records not written", len(batch), exc_info=True)
            with self._done:
                self._failed += len(batch)
                self._done.notify_all()
            return
        with self._done:
            self._written += len(batch)
            self._done.notify_all()


# -- reading the log back ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LogEvent:
    """One search-log row as the report reads it."""

    created_at: datetime
    kind: str
    query: str
    locale: str
    result_count: int
    top_article: str | None = None
    answered: bool | None = None
    session_id: str | None = None
    fallback_locale: str | None = None


def _extends(earlier: LogEvent, later: LogEvent) -> bool:
    if earlier.kind != "search" or later.created_at - earlier.created_at > PREFIX_WINDOW:
        return False
    before, after = earlier.query.strip(), later.query.strip()
    return after.startswith(before) or before.startswith(after)


def collapse_keystrokes(events: Iterable[LogEvent]) -> Iterator[LogEvent]:
    """Collapse keystroke chains of one session's events (in time order) into their final query."""
    pending: LogEvent | None = None
    for event in events:
        if pending is not None and not _extends(pending, event):
            yield pending
        pending = event
    if pending is not None:
        yield pending


_EVENT_COLUMNS: tuple[str, ...] = ("created_at", "kind", "query_normalized", "locale")
_EVENT_COLUMNS += ("result_count", "top_article", "answered", "session_id", "fallback_locale")


def read_events(storage: Storage, since: datetime | None = None, locale: str | None = None) -> Iterator[LogEvent]:
    """Stream log records created at or after ``since`` (in ``locale``), keystrokes collapsed."""
    c = search_log.c
    stmt = select(*(c[name] for name in _EVENT_COLUMNS)).order_by(c.session_id, c.created_at, c.id)
    if since is not None:
        stmt = stmt.where(c.created_at >= since)
    if locale is not None:
        stmt = stmt.where(c.locale == locale)
    with storage.connect() as conn:
        events = (LogEvent(*row) for row in conn.execution_options(yield_per=2000).execute(stmt))
        for session_id, group in itertools.groupby(events, key=lambda e: e.session_id):
            chain: Iterable[LogEvent] = group
            yield from chain if session_id is None else collapse_keystrokes(chain)
