"""/docs: Swagger UI served from the installed swagger-ui-bundle package, so it works offline
and under the service's own Content-Security-Policy (no CDN, no inline script)."""

from __future__ import annotations

from pathlib import Path

import swagger_ui_bundle
from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, HTMLResponse

router = APIRouter(include_in_schema=False)
ASSETS = Path(swagger_ui_bundle.swagger_ui_path)
INIT_JS = Path(__file__).resolve().parent.parent / "static" / "docs" / "init.js"
ALLOWED_ASSETS = {"swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png", "favicon-16x16.png"}
# Swagger UI sets element styles at run time, hence 'unsafe-inline' for styles on this page only.
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} — API docs</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script></body></html>"""
CACHE = {"Cache-Control": "public, max-age=86400"}


@router.get("/docs")
async def docs() -> HTMLResponse:
    from html import escape

    return HTMLResponse(
        PAGE.format(title=escape("Help-center search and answer API")), headers={"Content-Security-Policy": DOCS_CSP}
    )


@router.get("/docs/init.js")
async def docs_init() -> FileResponse:
    return FileResponse(INIT_JS, media_type="text/javascript", headers=CACHE)


@router.get("/docs/assets/{name}")
async def docs_asset(name: str) -> FileResponse:
    if name not in ALLOWED_ASSETS:
        raise HTTPException(404)
    return FileResponse(ASSETS / name, headers=CACHE)
