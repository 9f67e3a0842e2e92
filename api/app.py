"""The web app: ``create_app(settings)`` builds it; ``api.app:app`` is what uvicorn serves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from kb.config import Settings

from .errors import install_error_handlers
from .logs import configure_logging
from .metrics import Metrics
from .middleware import ApiMiddleware
from .ratelimit import EXPOSED_HEADERS
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
from .services import running_services

DESCRIPTION = """Search and answers for a French and English help center: refunds, automatic
renewal and how to reach support. An independent guide, not the vendor's official support.

Errors are `{"error": {"code", "message", "field"?}}`; every response carries `X-Request-ID`."""


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app over ``settings`` (default: ``KB_*`` environment variables).

    Its lifespan opens the services (:func:`api.services.running_services`: the index, the
    storage, the search-log writer, the retention purge) and hands them to every request as the
    lifespan state, which the dependencies of :mod:`api.deps` read.
    """
    settings = settings or Settings()
    configure_logging(settings.access_log, secret_urls=[settings.database_url])
    metrics_state = Metrics()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[dict[str, object]]:
        async with running_services(settings, metrics_state) as services:
            yield {"services": services}

    app = FastAPI(
        title="Help-center search and answer API",
        version="1.0.0",
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    modules = (
        search, answer, channels, articles, locales, feedback, admin, health, metrics, docs, ui, assets, sitemap,
        pages,  # last: its /{locale}/ must not shadow another route
    )
    for module in modules:
        app.include_router(module.router)
    routes = [route for module in modules for route in module.router.routes]
    install_error_handlers(app, routes)
    # One middleware around the routes: request id, metrics, security headers, body limit and
    # access line, then Starlette's CORS middleware inside it, then the rate limit inside CORS (a
    # browser can read a 429) and the hot GETs (see api.middleware).
    cors = {
        "allow_origins": settings.cors_origins,
        "allow_methods": ["GET", "POST"],
        "allow_headers": ["Content-Type", "Accept-Language", "X-KB-Session", "X-Request-ID", "Authorization"],
        "expose_headers": ["X-Request-ID", "ETag", *EXPOSED_HEADERS],
        "max_age": 600,
    }
    app.add_middleware(
        ApiMiddleware,
        metrics=metrics_state,
        cors=cors,
        max_body_bytes=settings.max_body_bytes,
        access_log_enabled=settings.access_log,
        routes=routes,
        trusted_proxies=settings.trusted_proxies,
    )
    return app


app = create_app()
