"""GET /v1/articles and /v1/articles/{article_id}."""

from __future__ import annotations

from typing import Annotated

from babel.dates import format_date
from fastapi import APIRouter, Path, Request, Response

from kb.errors import ArticleNotFoundError
from kb.models import ARTICLE_ID_MAX_CHARS

from ..deps import KB, AcceptLanguage, LocaleParam
from ..errors import ErrorCode
from ..openapi import NOT_MODIFIED, READS, error_responses
from ..responses import json_response
from ..schemas import ArticleDetail, ArticleList, ArticleSection, ArticleSummary, article_summary

router = APIRouter(tags=["articles"])


@router.get(
    "/v1/articles",
    response_model=ArticleList,
    summary="List the articles",
    responses={**NOT_MODIFIED, **error_responses(*READS)},
)
async def list_articles(
    request: Request, kb: KB, locale: LocaleParam = None, accept_language: AcceptLanguage = None
) -> Response:
    """Every article once, in the negotiated locale (or its fallback, flagged)."""
    chosen = kb.resolve_locale(locale, accept_language)
    items = [
        ArticleSummary(
            **article_summary(a, fb or chosen.fallback, kb.article_url(a.id, a.locale), kb.locales_of(a.id))
        )
        for a, fb in kb.list_articles(chosen.locale)
    ]
    return json_response(
        request, ArticleList(locale=chosen.locale, requested_locale=chosen.requested, total=len(items), articles=items)
    )


@router.get(
    "/v1/articles/{article_id}",
    response_model=ArticleDetail,
    summary="One whole article",
    responses={**NOT_MODIFIED, **error_responses(*READS, ErrorCode.ARTICLE_NOT_FOUND)},
)
async def get_article(
    request: Request,
    kb: KB,
    article_id: Annotated[str, Path(max_length=ARTICLE_ID_MAX_CHARS, examples=["auto-renewal"])],
    locale: LocaleParam = None,
    accept_language: AcceptLanguage = None,
) -> Response:
    """Its sections and steps, in the negotiated locale; 404 only when it exists in no locale."""
    chosen = kb.resolve_locale(locale, accept_language)
    if not kb.locales_of(article_id):
        raise ArticleNotFoundError(article_id)
    article, fallback = kb.get_article(article_id, chosen.locale)
    detail = ArticleDetail(
        **article_summary(
            article,
            fallback or chosen.fallback,
            kb.article_url(article.id, article.locale),
            kb.locales_of(article.id),
        ),
        updated_display=format_date(article.updated, format="long", locale=article.locale),
        keywords=article.keywords,
        tags=article.tags,
        related=article.related,
        purchase_channel=article.purchase_channel,
        sections=[
            ArticleSection(anchor=s.anchor, heading=s.heading, paragraphs=s.paragraphs, steps=s.steps)
            for s in article.sections
        ],
        steps=article.steps,
    )
    return json_response(request, detail)
