"""The widget's files, the pages' stylesheet and the favicons, served from memory.

``loader.js`` is what host pages embed: short cache, and it names the current version of the
files it fetches (a content hash), which are then cached for a year under that version.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache

from fastapi import APIRouter, Request, Response

from ..assets import STATIC_DIR, AssetCache, send_asset
from ..widget_strings import launcher_labels

router = APIRouter(include_in_schema=False)

WIDGET_FILES = ("loader.js", "widget.js", "widget.css", "launcher.css")
SITE_FILES = ("site.css",)
VERSION_PLACEHOLDER = b"__KB_WIDGET_VERSION__"
LABELS_PLACEHOLDER = b"__KB_LAUNCHER_LABELS__"
SHORT_CACHE = "public, max-age=300"
LONG_CACHE = "public, max-age=31536000, immutable"
ICON_CACHE = "public, max-age=86400"

_assets = AssetCache()


def widget_version() -> str:
    """A content hash of the files the loader fetches: their URLs change when they do."""
    digest = hashlib.sha256()
    for name in WIDGET_FILES[1:]:
        digest.update(_assets.get(STATIC_DIR / "widget" / name).body)
    return digest.hexdigest()[:12]


@lru_cache(maxsize=1)
def _launcher_labels_js() -> bytes:
    """The launcher labels as the JavaScript object literal loader.js carries (fixed at run time)."""
    return json.dumps(launcher_labels(), ensure_ascii=True, sort_keys=True).encode()


def _not_found() -> Response:
    return Response(
        "Not found\n", status_code=404, media_type="text/plain; charset=utf-8",
        headers={"X-Content-Type-Options": "nosniff"},
    )


@router.api_route("/widget/{name}", methods=["GET", "HEAD"])
def widget_file(request: Request, name: str) -> Response:
    """The widget: loader.js (short cache, embedded by host pages) and its versioned files."""
    if name not in WIDGET_FILES:
        return _not_found()
    version = widget_version()
    path = STATIC_DIR / "widget" / name
    if name == "loader.js":
        fill = ((VERSION_PLACEHOLDER, version.encode()), (LABELS_PLACEHOLDER, _launcher_labels_js()))
        return send_asset(request, _assets.get(path, fill), SHORT_CACHE)
    cache = LONG_CACHE if request.query_params.get("v") == version else SHORT_CACHE
    return send_asset(request, _assets.get(path), cache)


@router.api_route("/site/{name}", methods=["GET", "HEAD"])
def site_file(request: Request, name: str) -> Response:
    """The stylesheet of the demo and article pages."""
    if name not in SITE_FILES:
        return _not_found()
    return send_asset(request, _assets.get(STATIC_DIR / "site" / name), SHORT_CACHE)


@router.api_route("/favicon.ico", methods=["GET", "HEAD"])
def favicon_ico(request: Request) -> Response:
    return send_asset(request, _assets.get(STATIC_DIR / "favicon.ico"), ICON_CACHE)


@router.api_route("/favicon.svg", methods=["GET", "HEAD"])
def favicon_svg(request: Request) -> Response:
    return send_asset(request, _assets.get(STATIC_DIR / "favicon.svg"), ICON_CACHE)
