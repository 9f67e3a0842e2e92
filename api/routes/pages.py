"""HTML pages: the demo help page (``/`` in the reader's language, ``/fr/``, ``/en/``) and one
page per article and locale, rendered from ``api/templates/``."""

from __future__ import annotations

from dataclasses import dataclass

from babel.dates import format_date
from fastapi import APIRouter, Request, Response
from markupsafe import Markup
from starlette.exceptions import HTTPException

from kb.article_body import Block
from kb.content import ARTICLE_ID
from kb.errors import ArticleNotFoundError, LocaleError
from kb.locales import display_name
from kb.markup import LinkTarget, inline_html
from kb.view import KnowledgeView

from ..deps import KB, AcceptLanguage
from ..site import Site, SiteDep, article_path, home_path
from ..templating import render_page

router = APIRouter(include_in_schema=False)

# Questions shown on the demo page as examples, in the language they are written in: the widget
# answers them whatever the page's language.
EXAMPLES = (("fr", "je veux être remboursé"), ("en", "turn off auto renew"), ("fr", "numéro du service client"))


@dataclass(frozen=True)
class RenderedBlock:
    kind: str
    tag: str
    start: int
    items: list[Markup]


def _home(
    request: Request, kb: KnowledgeView, site: Site, locale: str, canonical: str | None, headers: dict[str, str]
) -> Response:
    alternates = site.home_alternates()
    topics = [
        {"href": article_path(locale, a.id), "lang": a.locale, "title": a.title, "summary": a.summary}
        for a, _ in kb.list_articles(locale)
    ]
    context = {
        "home": home_path(locale),
        "canonical": canonical,
        "alternates": alternates,
        "others": site.others(alternates, locale),
        "examples": [{"lang": lang, "text": text} for lang, text in EXAMPLES],
        "topics": topics,
    }
    return render_page(request, "home.html", locale, context, headers=headers)


@router.api_route("/", methods=["GET", "HEAD"])
def demo_page(request: Request, kb: KB, site: SiteDep, accept_language: AcceptLanguage = None) -> Response:
    """The demo help page with the widget, in the reader's language (``Accept-Language``)."""
    locale = kb.resolve_locale(None, accept_language).locale
    return _home(request, kb, site, locale, canonical=None, headers={"Vary": "Accept-Language"})


@router.api_route("/{locale}/", methods=["GET", "HEAD"])
def demo_page_in(request: Request, kb: KB, site: SiteDep, locale: str) -> Response:
    """The demo help page in one locale."""
    if locale not in site.locales:
        raise HTTPException(404)
    return _home(request, kb, site, locale, canonical=site.absolute(home_path(locale)), headers={})


def _blocks(blocks: list[Block], locale: str) -> list[RenderedBlock]:
    """Each block's markdown as HTML; links lead to articles in ``locale``, the page's own. Steps
    are numbered on from one list to the next within a section."""

    def href(target: LinkTarget) -> str | None:
        if target.url is not None:
            return target.url
        if target.article_id is None:
            return f"#{target.anchor}"
        return article_path(locale, target.article_id, target.anchor)

    rendered, steps_before = [], 0
    for block in blocks:
        items = [Markup(inline_html(item, href)) for item in block.items]
        tag = {"steps": "ol", "bullets": "ul"}.get(block.kind, "p")
        rendered.append(RenderedBlock(block.kind, tag, steps_before + 1, items))
        if block.kind == "steps":
            steps_before += len(items)
    return rendered


def _not_found_page(request: Request, locale: str) -> Response:
    return render_page(request, "not_found.html", locale, {"home": home_path(locale)}, status=404)


@router.api_route("/articles/{locale}/{article_id}", methods=["GET", "HEAD"])
def article_page(request: Request, kb: KB, site: SiteDep, locale: str, article_id: str) -> Response:
    """One article as an HTML page, in the locale of its address."""
    try:
        ui = kb.resolve_locale(locale).locale
    except LocaleError:
        return _not_found_page(request, kb.default_locale)
    if not ARTICLE_ID.match(article_id):
        return _not_found_page(request, ui)
    try:
        article, fallback = kb.get_article(article_id, ui)
    except ArticleNotFoundError:
        return _not_found_page(request, ui)
    sections = [
        {"anchor": s.anchor, "heading": s.heading, "blocks": _blocks(s.blocks, ui)}
        for s in article.sections
    ]
    related = []
    for other_id in article.related:
        try:
            other, _ = kb.get_article(other_id, ui)
        except ArticleNotFoundError:
            continue
        related.append({"href": article_path(ui, other.id), "lang": other.locale, "title": other.title})
    alternates = site.article_alternates(article.id)
    context = {
        "home": home_path(ui),
        "canonical": site.absolute(article_path(ui, article.id)),
        "alternates": alternates,
        "others": site.others(alternates, ui),
        "article": article,
        "updated": format_date(article.updated, format="long", locale=ui),
        "fallback": {"wanted": display_name(ui), "shown": display_name(article.locale)} if fallback else None,
        "sections": sections,
        "related": related,
    }
    return render_page(request, "article.html", ui, context)
