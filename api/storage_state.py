"""The feedback and search-log storage as the app holds it: open, or why it is not.

Storage is optional for serving. When the database cannot be opened (a bad URL, a missing
driver, a folder that cannot be created), cannot be reached (PostgreSQL not up yet), or its
schema is behind this release (``kb db upgrade`` has not run: the server never creates or
alters tables itself), the app still starts and serves search and answers: ``/readyz`` reports
the storage check as ``unavailable``, ``failing`` or ``schema behind`` (503; the reason goes to
the log), ``POST /v1/feedback`` and the admin report answer 503 ``storage_unavailable``, and
search records are not kept. The schema is looked at again, at most every
:data:`RETRY_SECONDS`, when ``/readyz`` or a route needs the storage, so a database upgraded or
brought up later is used without a restart.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time

from starlette.concurrency import run_in_threadpool

from kb.migrate import schema_state
from kb.redaction import redact_text, redact_url
from kb.storage import Storage

from .errors import APIError, ErrorCode
from .schemas import CheckOutcome

log = logging.getLogger("api.storage")
RETRY_SECONDS = 5.0


class StorageState:
    """The app's storage, or why there is none; see the module docstring."""

    def __init__(self, url: str):
        self.storage: Storage | None = None
        self.error: str | None = None
        self.schema_ready = False
        self._url = url
        self.schema_behind = False
        self._tried_at = 0.0
        self._reported = "ok"
        self._lock = threading.Lock()
        try:
            self.storage = Storage(url)
        except Exception as exc:  # ArgumentError, a missing driver, OSError: reported, not fatal
            self.error = f"cannot open the database {redact_url(url)}: {self._describe(exc)}"
            log.error("storage unavailable, search keeps serving: %s", self.error)
            return
        self._check_schema()

    def _describe(self, exc: Exception) -> str:
        return f"{type(exc).__name__}: {redact_text(str(exc), self._url)}"

    def _check_schema(self) -> bool:
        assert self.storage is not None
        self._tried_at = time.monotonic()
        try:
            state = schema_state(self.storage)
        except Exception as exc:
            self.error = f"cannot read the schema of {redact_url(self._url)}: {self._describe(exc)}"
            log.error("storage unreachable, search keeps serving: %s", self.error)
            return False
        self.schema_behind = not state.usable
        if self.schema_behind:
            self.error = f"schema behind: revision {state.revision or 'none'}, this release needs {state.head}"
            log.error("storage %s; run `kb db upgrade`; search keeps serving", self.error)
            return False
        if state.status == "newer":
            log.warning("storage schema at %s, newer than this release knows (%s)", state.revision, state.head)
        self.schema_ready, self.error = True, None
        return True

    def usable(self) -> bool:
        """True when the schema is usable (looking at it again if it is time to)."""
        if self.storage is None:
            return False
        if self.schema_ready:
            return True
        with self._lock:
            if not self.schema_ready and time.monotonic() - self._tried_at >= RETRY_SECONDS:
                self._check_schema()
        return self.schema_ready

    def check(self) -> CheckOutcome:
        """The readiness check in fixed words: ``ok``; ``unavailable`` (the database cannot be
        opened: a bad URL, a missing driver); ``failing`` (it does not answer); ``schema behind``
        (``kb db upgrade`` has not run). The detail goes to the log, once per change, never to
        the response."""
        outcome: CheckOutcome
        if self.storage is None:
            outcome = "unavailable"
        elif self.usable() and self.storage.ping() and not self.storage.last_write_failed:
            outcome = "ok"
        else:
            outcome = "schema behind" if self.schema_behind else "failing"
        if outcome != self._reported:
            if outcome == "ok":
                log.info("storage check: ok again")
            else:
                why = self.error or self._write_failure() or "the database does not answer"
                log.warning("storage check: %s (%s)", outcome, why)
            self._reported = outcome
        return outcome

    def _write_failure(self) -> str | None:
        if self.storage is not None and self.storage.last_write_failed:
            return "the last feedback or search-log write failed, and none succeeded since"
        return None

    def require(self) -> Storage:
        """The storage for a route, or a 503 ``storage_unavailable``."""
        if not self.usable():
            raise APIError(ErrorCode.STORAGE_UNAVAILABLE, "the feedback and search-log database is not reachable")
        assert self.storage is not None
        return self.storage

    def close(self) -> None:
        if self.storage is not None:
            self.storage.close()


async def purge_periodically(state: StorageState, retention_days: int, interval_seconds: float) -> None:
    """Delete search-log and feedback rows older than ``retention_days`` now, then every
    ``interval_seconds``, so that retention holds without a cron job. Each worker of each replica
    runs it; the deletes are idempotent, so running it several times costs only a query."""
    while True:
        if await run_in_threadpool(state.usable):  # may look at the schema again: blocking I/O
            assert state.storage is not None
            try:
                deleted = await run_in_threadpool(state.storage.purge, retention_days)
            except Exception:  # the database may be down for a while: try again next time
                log.warning("retention purge failed", exc_info=True)
            else:
                if any(deleted.values()):
                    log.info("retention purge (older than %d days): %s", retention_days, deleted)
        await asyncio.sleep(interval_seconds)

