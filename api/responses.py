"""JSON responses with the conditional-GET rules every cacheable route follows."""

from __future__ import annotations

import hashlib

from fastapi import Request, Response
from pydantic import BaseModel

CACHE_SECONDS = 60


def json_response(request: Request, model: BaseModel, *, cacheable: bool = True) -> Response:
    """Serialize ``model``; cacheable GETs get an ETag, Cache-Control and ``Vary: Accept-Language``,
    and a matching ``If-None-Match`` gets 304."""
    body = model.model_dump_json().encode()
    headers = {"Vary": "Accept-Language"}
    if cacheable and request.method == "GET":
        etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
        headers["ETag"] = etag
        headers["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
        if etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
    else:
        headers["Cache-Control"] = "no-store"
    return Response(body, media_type="application/json", headers=headers)
