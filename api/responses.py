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
    return header is not None and etag_listed(header, etag)


def etag_listed(if_none_match: str, etag: str) -> bool:
    """Whether the value of an ``If-None-Match`` header names ``etag`` or is ``*``."""
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return etag in tags or "*" in tags


def json_response(request: Request, model: BaseModel, *, cacheable: bool = True) -> Response:
    """Serialize ``model``; cacheable GETs get an ETag, Cache-Control and ``Vary: Accept-Language``,
    and a matching ``If-None-Match`` gets 304."""
    body = model.model_dump_json().encode()
    return rendered_response(request, body, strong_etag(body), cacheable=cacheable)


def rendered_response(request: Request, body: bytes, etag: str, *, cacheable: bool = True) -> Response:
    """An already serialized body (:mod:`api.rendered`) as :func:`json_response` answers it."""
    headers = {"Vary": "Accept-Language"}
    if cacheable and request.method == "GET":
        headers["ETag"] = etag
        headers["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
        if etag_matches(request, etag):
            return Response(status_code=304, headers=headers)
    else:
        headers["Cache-Control"] = "no-store"
    return Response(body, media_type="application/json", headers=headers)
