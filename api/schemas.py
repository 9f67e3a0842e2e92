"""Response models of the routes that are not the library's own (articles, locales, health)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from kb.content import Article


class ArticleSummary(BaseModel):
    article_id: str
    locale: str
    fallback_used: bool
    title: str
    summary: str
    intent: str
    updated: str
    url: str
    locales: list[str] = Field(description="Locales this article is written in.")


class ArticleList(BaseModel):
    locale: str
    requested_locale: str | None
    total: int
    articles: list[ArticleSummary]


class ArticleSection(BaseModel):
    anchor: str
    heading: str
    paragraphs: list[str]
    steps: list[str]


class ArticleDetail(ArticleSummary):
    updated_display: str
    keywords: list[str]
    tags: list[str]
    related: list[str]
    purchase_channel: str | None
    sections: list[ArticleSection]
    steps: list[str]


class LocaleInfo(BaseModel):
    code: str
    name: str = Field(description="The language's name in itself (Babel).")
    english_name: str


class LocaleList(BaseModel):
    default: str
    locales: list[LocaleInfo]


CheckOutcome = Literal["ok", "unavailable", "failing", "schema behind"]


class Health(BaseModel):
    status: str
    generation: str | None = None
    checks: dict[str, CheckOutcome] = Field(
        default_factory=dict,
        description="Per check (`index`, `storage`): `ok`, `unavailable` (not built, cannot be opened), "
        "`failing` (does not answer) or, for the storage, `schema behind` (run `kb db upgrade`); the reason is "
        "in the server's log.",
    )


def article_summary(article: Article, fallback: bool, url: str, locales: list[str]) -> dict[str, object]:
    return {
        "article_id": article.id,
        "locale": article.locale,
        "fallback_used": fallback,
        "title": article.title,
        "summary": article.summary,
        "intent": article.intent,
        "updated": article.updated.isoformat(),
        "url": url,
        "locales": sorted(locales),
    }
