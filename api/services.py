"""The app's services: one typed object the lifespan builds, and routes reach through
:mod:`api.deps` (never through ``app.state``, never by importing the app module).

:class:`Services` holds the settings, the knowledge base, the storage, the search-log writer,
the metrics, the rate limiter and the rendered-response cache (which
:class:`api.middleware.ApiMiddleware` reads from the lifespan state). :func:`running_services`
opens them at start-up, runs the background tasks (metrics sync, retention purge) and closes
everything at shutdown: the writer first, which writes what is still queued, then the storage
and the rate limiter's connections.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool

from kb.config import Settings
from kb.search_log import SearchLogWriter
from kb.service import KnowledgeBase
from kb.storage import SearchRecord

from .metrics import SYNC_SECONDS, Metrics
from .ratelimit import RateLimiter
from .rendered import ResponseCache
from .storage_state import StorageState, purge_periodically

log = logging.getLogger("api")


def open_knowledge_base(settings: Settings) -> KnowledgeBase:
    """The knowledge base over ``KB_INDEX_DIR``. It starts whatever the folder holds: with no
    generation that opens and verifies, routes answer 503 ``index_unavailable`` and it keeps
    looking, every ``KB_INDEX_CHECK_SECONDS``, as it looks for new generations."""
    return KnowledgeBase(
        settings.index_dir,
        cache_size=settings.query_cache_size,
        check_seconds=settings.index_check_seconds,
        default_locale=settings.default_locale,
        url_template=settings.article_url_template,
        channels_file=settings.channels_file,
    )


@dataclass(frozen=True, slots=True)
class Services:
    """What the routes use; built once per app start by :func:`running_services`."""

    settings: Settings
    knowledge: KnowledgeBase
    storage: StorageState
    search_log: SearchLogWriter | None
    metrics: Metrics
    rate_limiter: RateLimiter | None  # None: KB_RATE_LIMIT_PER_MINUTE=0
    response_cache: ResponseCache

    def log_search(self, started: float, record: Callable[[float], SearchRecord]) -> None:
        """Queue the record ``record(latency_ms)`` builds for a request that began at ``started``
        (``time.perf_counter()``), when a search log is kept; never blocks, never fails the request."""
        if self.search_log is None:
            return
        try:
            self.search_log.record(record((time.perf_counter() - started) * 1000))
        except Exception:  # a logging problem must never fail a search
            log.warning("search log: record not queued", exc_info=True)

    def sync_metrics(self) -> None:
        """Copy this worker's index, search-log and cache figures into the metrics; asking for
        the index also lets an idle worker switch to a new generation."""
        self.metrics.sync(self.knowledge, self.search_log, self.response_cache.hits)


async def _sync_metrics_periodically(services: Services) -> None:
    while True:
        await asyncio.sleep(SYNC_SECONDS)
        try:
            services.sync_metrics()
        except Exception:  # metrics must never take the worker down
            log.warning("metrics sync failed", exc_info=True)


@asynccontextmanager
async def running_services(settings: Settings, metrics: Metrics) -> AsyncIterator[Services]:
    """Open the services, run their background tasks while the app serves, close them after."""
    knowledge = await run_in_threadpool(open_knowledge_base, settings)
    storage = await run_in_threadpool(StorageState, settings.database_url)
    writer = SearchLogWriter(storage.storage, settings.log_queue_size) if storage.storage is not None else None
    limiter = None
    if settings.rate_limit_per_minute:
        unchecked = metrics.rate_limit_unchecked.inc
        limiter = RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_storage, on_unchecked=unchecked)
    services = Services(
        settings=settings,
        knowledge=knowledge,
        storage=storage,
        search_log=writer,
        metrics=metrics,
        rate_limiter=limiter,
        response_cache=ResponseCache(settings.response_cache_bytes if settings.query_cache_size else 0),
    )
    metrics.started()
    background: list[Coroutine[Any, Any, None]] = [_sync_metrics_periodically(services)]
    if settings.purge_interval_hours > 0:
        interval = settings.purge_interval_hours * 3600
        background.append(purge_periodically(storage, settings.log_retention_days, interval))
    tasks = [asyncio.create_task(job) for job in background]
    try:
        yield services
    finally:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if writer is not None and not await run_in_threadpool(writer.close):
            log.warning("search log: shutdown flush did not finish; %s", writer.stats())
        storage.close()
        if limiter is not None:
            await limiter.close()
        metrics.stopped()
