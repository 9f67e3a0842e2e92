"""The web app: ``create_app(settings)`` builds it; ``api.app:app`` is what uvicorn serves."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.concurrency import run_in_threadpool

from kb.config import Settings
from kb.errors import IndexNotFoundError
from kb.search_log import SearchLogWriter
from kb.service import KnowledgeBase

from .errors import install_error_handlers
from .lifecycle import SearchLogSink, StorageState, purge_periodically
from .logs import configure_logging
from .metrics import SYNC_SECONDS, Metrics, MetricsMiddleware
from .middleware import RequestContextMiddleware
from .ratelimit import RateLimitMiddleware
from .routes import (
    admin,
    answer,
    articles,
    assets,
    channels,
    docs,
    feedback,
    health,
    locales,
    metrics,
    pages,
    search,
    sitemap,
    ui,
)

log = logging.getLogger("api")

DESCRIPTION = """Search and answers for a French and English help center: refunds, automatic
renewal and how to reach support. An independent guide, not the vendor's official support.

Errors are `{"error": {"code", "message", "field"?}}`; every response carries `X-Request-ID`."""


def open_knowledge_base(settings: Settings) -> KnowledgeBase | None:
    """The index if one was built; None lets the app start and report not-ready until then."""
    try:
        return KnowledgeBase(
            settings.index_dir,
            cache_size=settings.query_cache_size,
            check_seconds=settings.index_check_seconds,
            default_locale=settings.default_locale,
            url_template=settings.article_url_template,
            channels_file=settings.channels_file,
        )
    except IndexNotFoundError:
        return None


async def _sync_metrics(app: FastAPI) -> None:
    """Keep this worker's index, search-log and cache figures fresh in the metrics; the call to
    the index also lets an idle worker switch to a new generation."""
    while True:
        await asyncio.sleep(SYNC_SECONDS)
        try:
            app.state.metrics.sync(app)
        except Exception:  # metrics must never take the worker down
            log.warning("metrics sync failed", exc_info=True)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app over ``settings`` (default: ``KB_*`` environment variables).

    At start-up the lifespan opens the index (``app.state.kb``, None until one is built), the
    storage (``app.state.storage``; see :mod:`api.lifecycle` for what happens when it cannot be
    opened), the search-log writer behind ``app.state.search_log`` and the retention purge
    (every ``KB_PURGE_INTERVAL_HOURS``). At shutdown it closes the
    writer first, which writes what is still queued, then the storage.
    """
    settings = settings or Settings()
    configure_logging(settings.access_log, secret_urls=[settings.database_url])
    metrics_state = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.kb = open_knowledge_base(settings)
        storage_state = await run_in_threadpool(StorageState, settings.database_url)
        app.state.storage_state = storage_state
        app.state.storage = storage_state.storage
        writer = None
        if storage_state.storage is not None:
            writer = SearchLogWriter(storage_state.storage, settings.log_queue_size)
            app.state.search_log_writer = writer
            app.state.search_log = SearchLogSink(writer)
        metrics_state.started()
        tasks = [asyncio.create_task(_sync_metrics(app))]
        if settings.purge_interval_hours > 0:
            interval = settings.purge_interval_hours * 3600
            tasks.append(asyncio.create_task(purge_periodically(storage_state, settings.log_retention_days, interval)))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            app.state.search_log = None
            if writer is not None:
                if not await run_in_threadpool(writer.close):
                    log.warning("search log: shutdown flush did not finish; %s", writer.stats())
            storage_state.close()
            metrics_state.stopped()

    app = FastAPI(
        title="Help-center search and answer API",
        version="1.0.0",
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.kb = None
    app.state.storage = None
    app.state.storage_state = None
    app.state.search_log = None
    app.state.search_log_writer = None
    app.state.metrics = metrics_state
    install_error_handlers(app)
    modules = (
        search, answer, channels, articles, locales, feedback, admin, health, metrics, docs, ui, assets, sitemap,
        pages,  # last: its /{locale}/ must not shadow another route
    )
    for module in modules:
        app.include_router(module.router)
    # Added innermost first: metrics → request context → CORS → rate limit → routes. The rate
    # limit sits inside CORS so that browsers can read a 429, and inside the request context so
    # that it carries a request id and the security headers.
    app.add_middleware(RateLimitMiddleware, per_minute=settings.rate_limit_per_minute,
                       trusted_proxies=settings.trusted_proxies)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type", "Accept-Language", "X-KB-Session", "X-Request-ID", "Authorization"],
        expose_headers=["X-Request-ID", "ETag", "Retry-After"],
        max_age=600,
    )
    routes = [route for module in modules for route in module.router.routes]
    app.add_middleware(
        RequestContextMiddleware,
        max_body_bytes=settings.max_body_bytes,
        access_log_enabled=settings.access_log,
        routes=routes,
        trusted_proxies=settings.trusted_proxies,
    )
    app.add_middleware(MetricsMiddleware, metrics=metrics_state, routes=routes)
    return app


app = create_app()
