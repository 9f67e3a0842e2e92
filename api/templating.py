"""Jinja2 templates of the HTML pages (``api/templates/``, autoescaped) and how pages are sent:
a strict Content-Security-Policy, a strong ETag with 304s, the page's language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .page_strings import translator
from .responses import etag_matches, strong_etag

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
# No inline script or style anywhere: the widget is built to work under this policy.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": PAGE_CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}
PAGE_CACHE = "public, max-age=300"

# Every template is escaped (sitemap.xml too); a missing variable is an error, not an empty string.
templates = Jinja2Templates(
    env=Environment(
        loader=FileSystemLoader(TEMPLATES_DIR), autoescape=True, undefined=StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )
)


def render_page(
    request: Request,
    template: str,
    lang: str,
    context: dict[str, Any],
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """``template`` rendered in ``lang`` (``t`` translates page strings), or 304 when the client
    already has this very page."""
    page: dict[str, Any] = {"lang": lang, "t": translator(lang), "canonical": None, "alternates": [], "others": []}
    response = templates.TemplateResponse(request, template, {**page, **context}, status_code=status)
    etag = strong_etag(bytes(response.body))
    extra = {**PAGE_HEADERS, "ETag": etag, "Cache-Control": PAGE_CACHE, "Content-Language": lang, **(headers or {})}
    if status == 200 and etag_matches(request, etag):
        return Response(status_code=304, headers=extra)
    response.headers.update(extra)
    return response
