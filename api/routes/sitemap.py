"""What search engines read: ``/sitemap.xml`` (every article in every locale, and the demo page
in each) and ``/robots.txt`` naming it. Addresses are built on ``KB_PUBLIC_BASE_URL``."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from ..deps import KB, SettingsDep
from ..site import SiteDep, article_path, home_path
from ..templating import PAGE_CACHE, templates

router = APIRouter(include_in_schema=False)


@router.api_route("/sitemap.xml", methods=["GET", "HEAD"])
def sitemap(request: Request, kb: KB, site: SiteDep) -> Response:
    """Every page of the site in every locale, with its language versions."""
    pages = [
        {"loc": site.absolute(home_path(code)), "lastmod": None, "alternates": site.home_alternates()}
        for code in kb.locales
    ]
    for code in kb.locales:
        for article, _ in kb.list_articles(code):
            pages.append({
                "loc": site.absolute(article_path(code, article.id)),
                "lastmod": article.updated.isoformat(),
                "alternates": site.article_alternates(article.id),
            })
    return templates.TemplateResponse(
        request, "sitemap.xml", {"pages": pages}, media_type="application/xml",
        headers={"Cache-Control": PAGE_CACHE},
    )


@router.api_route("/robots.txt", methods=["GET", "HEAD"])
def robots(settings: SettingsDep) -> Response:
    """Crawlers may read every page (not the JSON API) and find them all in the sitemap."""
    text = f"User-agent: *\nDisallow: /v1/\n\nSitemap: {settings.public_base_url}/sitemap.xml\n"
    return Response(text, media_type="text/plain; charset=utf-8", headers={"Cache-Control": PAGE_CACHE})
