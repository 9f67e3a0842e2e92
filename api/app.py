"""The web app: ``create_app(settings)`` builds it; ``api.app:app`` is what uvicorn serves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from kb.config import Settings
from kb.errors import IndexNotFoundError
from kb.service import KnowledgeBase

from .errors import install_error_handlers
from .middleware import RequestContextMiddleware
from .routes import answer, articles, docs, health, locales, pages, search, ui

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


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.kb = open_knowledge_base(settings)
        yield

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
    app.state.search_log = None
    install_error_handlers(app)
    for module in (search, answer, articles, locales, health, docs, ui, pages):
        app.include_router(module.router)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type", "Accept-Language", "X-KB-Session", "X-Request-ID", "Authorization"],
        expose_headers=["X-Request-ID", "ETag"],
        max_age=600,
    )
    app.add_middleware(
        RequestContextMiddleware, max_body_bytes=settings.max_body_bytes, access_log_enabled=settings.access_log
    )
    return app


app = create_app()
