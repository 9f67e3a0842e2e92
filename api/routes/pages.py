"""HTML pages and static files: the demo help page, the widget's files, article pages, favicon.

Everything here is served under a strict Content-Security-Policy (no inline script or style),
which the widget is built to work with. Static files are read once (re-read when they change on
disk), served with a strong ETag, and gzipped ahead of time for clients that accept it.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from threading import Lock

from babel.dates import format_date
from fastapi import APIRouter, Request, Response

from kb.errors import ArticleNotFoundError, LocaleError
from kb.i18n import N_, gettext
from kb.locales import display_name

from ..deps import knowledge_base
from ..widget_strings import launcher_labels

router = APIRouter(include_in_schema=False)

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}
WIDGET_FILES = ("loader.js", "widget.js", "widget.css", "launcher.css")
DEMO_FILES = ("demo.css",)
VERSION_PLACEHOLDER = b"__KB_WIDGET_VERSION__"
LABELS_PLACEHOLDER = b"__KB_LAUNCHER_LABELS__"
SHORT_CACHE = "public, max-age=300"
LONG_CACHE = "public, max-age=31536000, immutable"
MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
}
_ARTICLE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+){0,20}$")

T = {
    "site": N_("Subscription help guide"),
    "help_center": N_("Help center"),
    "updated": N_("Updated {date}"),
    "independent": N_("An independent guide, not the vendor's official support."),
    "not_affiliated": N_(
        "This site is not the vendor's official support and is not affiliated with it. "
        "It explains a public help guide in its own words."
    ),
    "fallback": N_("This article is not available in {language} yet; it is shown in {shown}."),
    "related": N_("Related articles"),
    "languages": N_("Languages"),
    "not_found": N_("Article not found"),
    "not_found_text": N_(
        "No article has this address. The help center's search can find what you need."
    ),
    "back": N_("Back to the help center"),
}


# -- static files ---------------------------------------------------------------------------------
Replacements = tuple[tuple[bytes, bytes], ...]  # (placeholder, value) pairs filled into a file


@dataclass(frozen=True)
class Asset:
    body: bytes
    gz: bytes | None
    etag: str
    media_type: str
    mtime_ns: int


class _AssetCache:
    """Files read once and kept in memory; a file changed on disk is read again."""

    def __init__(self) -> None:
        self._items: dict[tuple[Path, Replacements | None], Asset] = {}
        self._lock = Lock()

    def get(self, path: Path, transform: Replacements | None = None) -> Asset:
        mtime = path.stat().st_mtime_ns
        asset = self._items.get((path, transform))
        if asset is None or asset.mtime_ns != mtime:
            body = path.read_bytes()
            for placeholder, value in transform or ():
                body = body.replace(placeholder, value)
            compressible = path.suffix in {".js", ".css", ".html", ".svg"}
            asset = Asset(
                body=body,
                gz=gzip.compress(body, 9, mtime=0) if compressible else None,
                etag='"' + hashlib.sha256(body).hexdigest()[:24] + '"',
                media_type=MEDIA_TYPES.get(path.suffix, "application/octet-stream"),
                mtime_ns=mtime,
            )
            with self._lock:
                if transform is not None:  # keep one transformed copy per file, not one per version
                    for key in [k for k in self._items if k[0] == path and k[1] is not None]:
                        del self._items[key]
                self._items[(path, transform)] = asset
        return asset


_assets = _AssetCache()


def widget_version() -> str:
    """A content hash of the files the loader fetches: their URLs change when they do."""
    digest = hashlib.sha256()
    for name in WIDGET_FILES[1:]:
        digest.update(_assets.get(STATIC_DIR / "widget" / name).body)
    return digest.hexdigest()[:12]


def _etag_matches(request: Request, etag: str) -> bool:
    header = request.headers.get("if-none-match")
    if not header:
        return False
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return etag in tags or "*" in tags


def _send(
    request: Request, asset: Asset, cache_control: str, extra: dict[str, str] | None = None
) -> Response:
    use_gz = asset.gz is not None and "gzip" in request.headers.get("accept-encoding", "").lower()
    etag = asset.etag[:-1] + '-gz"' if use_gz else asset.etag
    headers = {
        "ETag": etag,
        "Cache-Control": cache_control,
        "X-Content-Type-Options": "nosniff",
        **(extra or {}),
    }
    if asset.gz is not None:
        headers["Vary"] = "Accept-Encoding"
    if _etag_matches(request, etag):
        return Response(status_code=304, headers=headers)
    if use_gz:
        headers["Content-Encoding"] = "gzip"
    body = asset.gz if use_gz and asset.gz is not None else asset.body
    return Response(
        b"" if request.method == "HEAD" else body, media_type=asset.media_type, headers=headers
    )


def _not_found(request: Request) -> Response:
    return Response(
        "Not found\n",
        status_code=404,
        media_type="text/plain; charset=utf-8",
        headers={"X-Content-Type-Options": "nosniff"},
    )


@router.api_route("/", methods=["GET", "HEAD"])
def demo_page(request: Request) -> Response:
    """The demo help page with the widget on it."""
    return _send(request, _assets.get(STATIC_DIR / "demo" / "index.html"), "no-cache", PAGE_HEADERS)


@router.api_route("/demo/{name}", methods=["GET", "HEAD"])
def demo_file(request: Request, name: str) -> Response:
    """The demo and article pages' stylesheet."""
    if name not in DEMO_FILES:
        return _not_found(request)
    return _send(request, _assets.get(STATIC_DIR / "demo" / name), SHORT_CACHE)


@router.api_route("/favicon.ico", methods=["GET", "HEAD"])
def favicon_ico(request: Request) -> Response:
    return _send(request, _assets.get(STATIC_DIR / "favicon.ico"), "public, max-age=86400")


@router.api_route("/favicon.svg", methods=["GET", "HEAD"])
def favicon_svg(request: Request) -> Response:
    return _send(request, _assets.get(STATIC_DIR / "favicon.svg"), "public, max-age=86400")


@lru_cache(maxsize=1)
def _launcher_labels_js() -> bytes:
    """The launcher labels as the JavaScript object literal loader.js carries (fixed at run time)."""
    return json.dumps(launcher_labels(), ensure_ascii=True, sort_keys=True).encode()


@router.api_route("/widget/{name}", methods=["GET", "HEAD"])
def widget_file(request: Request, name: str) -> Response:
    """The widget: loader.js (short cache, embedded by host pages) and its versioned files."""
    if name not in WIDGET_FILES:
        return _not_found(request)
    version = widget_version()
    path = STATIC_DIR / "widget" / name
    if name == "loader.js":
        fill = ((VERSION_PLACEHOLDER, version.encode()), (LABELS_PLACEHOLDER, _launcher_labels_js()))
        return _send(request, _assets.get(path, transform=fill), SHORT_CACHE)
    cache = LONG_CACHE if request.query_params.get("v") == version else SHORT_CACHE
    return _send(request, _assets.get(path), cache)


# -- article pages --------------------------------------------------------------------------------
def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _t(lang: str, key: str, **values: object) -> str:
    """A page string translated into ``lang``, HTML-escaped."""
    return _e(gettext(lang, T[key], **values))


def _page(lang: str, title: str, main: str, head_extra: str = "") -> str:
    def t(key: str) -> str:
        return _t(lang, key)

    return f"""<!doctype html>
<html lang="{_e(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)} — {t("site")}</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="alternate icon" href="/favicon.ico">
<link rel="stylesheet" href="/demo/demo.css">{head_extra}
</head>
<body>
<header><div class="site-head"><div class="wrap">
<a class="brand" href="/"><span class="brand-mark" aria-hidden="true">?</span> {t("site")}</a>
</div></div>
<div class="notice" role="note"><div class="wrap">{t("not_affiliated")}</div></div></header>
<main id="main" class="wrap article">
{main}
</main>
<footer class="site-foot"><div class="wrap"><p>{t("independent")}</p></div></footer>
<script src="/widget/loader.js" data-locale="{_e(lang)}" data-title="{t("help_center")}"
 defer></script>
</body>
</html>
"""


def _html_response(request: Request, body: str, lang: str, status: int = 200) -> Response:
    data = body.encode()
    etag = '"' + hashlib.sha256(data).hexdigest()[:24] + '"'
    headers = {**PAGE_HEADERS, "ETag": etag, "Cache-Control": SHORT_CACHE, "Content-Language": lang}
    if status == 200 and _etag_matches(request, etag):
        return Response(status_code=304, headers=headers)
    return Response(
        b"" if request.method == "HEAD" else data,
        status_code=status,
        media_type="text/html; charset=utf-8",
        headers=headers,
    )


def _not_found_page(request: Request, lang: str) -> Response:
    main = (
        f"<h1>{_t(lang, 'not_found')}</h1>\n<p>{_t(lang, 'not_found_text')}</p>\n"
        f'<p><a href="/">{_e(gettext(lang, T["back"]))}</a></p>'
    )
    return _html_response(
        request, _page(lang, gettext(lang, T["not_found"]), main), lang, status=404
    )


@router.api_route("/articles/{locale}/{article_id}", methods=["GET", "HEAD"])
def article_page(request: Request, locale: str, article_id: str) -> Response:
    """One article as an HTML page, in the locale of its address."""
    kb = knowledge_base(request)
    try:
        chosen = kb.resolve_locale(locale)
    except LocaleError:
        return _not_found_page(request, kb.default_locale)
    if not _ARTICLE_ID.match(article_id):
        return _not_found_page(request, chosen.locale)
    try:
        article, fallback = kb.get_article(article_id, chosen.locale)
    except ArticleNotFoundError:
        return _not_found_page(request, chosen.locale)
    lang, ui = article.locale, chosen.locale
    updated = format_date(article.updated, format="long", locale=ui)
    parts = [
        f'<p class="crumbs"><a href="/">{_t(ui, "help_center")}</a></p>',
        f'<article lang="{_e(lang)}">',
        f"<h1>{_e(article.title)}</h1>",
        f'<p class="meta">{_t(ui, "updated", date=updated)}</p>',
    ]
    if fallback:
        note = _t(ui, "fallback", language=display_name(ui), shown=display_name(lang))
        parts.append(f'<p class="meta">{note}</p>')
    parts.append(f'<p class="summary">{_e(article.summary)}</p>')
    for section in article.sections:
        parts.append(f'<section id="{_e(section.anchor)}">')
        if section.heading:
            parts.append(f"<h2>{_e(section.heading)}</h2>")
        parts.extend(f"<p>{_e(p)}</p>" for p in section.paragraphs)
        if section.steps:
            parts.append("<ol>" + "".join(f"<li>{_e(s)}</li>" for s in section.steps) + "</ol>")
        parts.append("</section>")
    parts.append("</article>")
    related = []
    for other_id in getattr(article, "related", None) or []:
        try:
            other, _ = kb.get_article(other_id, chosen.locale)
        except ArticleNotFoundError:
            continue
        related.append(
            f'<li><a href="/articles/{_e(other.locale)}/{_e(other.id)}">{_e(other.title)}</a></li>'
        )
    if related:
        parts.append(
            f'<nav aria-labelledby="related"><h2 id="related">{_t(ui, "related")}</h2>'
            f"<ul>{''.join(related)}</ul></nav>"
        )
    others = [
        f'<a href="/articles/{_e(code)}/{_e(article.id)}" hreflang="{_e(code)}" lang="{_e(code)}">'
        f"{_e(display_name(code))}</a>"
        for code in kb.locales
        if code != ui
    ]
    if others:
        parts.append(f'<p class="lang-switch">{_t(ui, "languages")}: {" · ".join(others)}</p>')
    head_extra = "".join(
        f'\n<link rel="alternate" hreflang="{_e(code)}" '
        f'href="/articles/{_e(code)}/{_e(article.id)}">'
        for code in kb.locales
    )
    body = _page(ui, article.title, "\n".join(parts), head_extra)
    return _html_response(request, body, ui)
