"""Conditional GET, one way for every response that can be cached (JSON, pages, static files):
a strong ETag from the body, and 304 when ``If-None-Match`` names it."""

from __future__ import annotations

import hashlib

from fastapi import Request, Response
from pydantic import BaseModel

CACHE_SECONDS = 60


def strong_etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:24] + '"'


def etag_matches(request: Request, etag: str) -> bool:
    """Whether ``If-None-Match`` names ``etag`` (weakly compared, as RFC 9110 asks for GET) or is ``*``."""
    header = request.headers.get("if-none-match")
    if not header:
        return False
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return etag in tags or "*" in tags


def json_response(request: Request, model: BaseModel, *, cacheable: bool = True) -> Response:
    """Serialize ``model``; cacheable GETs get an ETag, Cache-Control and ``Vary: Accept-Language``,
    and a matching ``If-None-Match`` gets 304."""
    body = model.model_dump_json().encode()
    headers = {"Vary": "Accept-Language"}
    if cacheable and request.method == "GET":
        etag = strong_etag(body)
        headers["ETag"] = etag
        headers["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
        if etag_matches(request, etag):
            return Response(status_code=304, headers=headers)
    else:
        headers["Cache-Control"] = "no-store"
    return Response(body, media_type="application/json", headers=headers)
