"""Static files kept in memory: read once (again when they change on disk), gzipped ahead of
time, served with a strong ETag and answered 304 when the client has them."""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path
from threading import Lock

from fastapi import Request, Response

from .responses import etag_matches, strong_etag

STATIC_DIR = Path(__file__).resolve().parent / "static"
MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
}
COMPRESSIBLE = {".js", ".css", ".html", ".svg"}
Replacements = tuple[tuple[bytes, bytes], ...]  # (placeholder, value) pairs filled into a file


@dataclass(frozen=True)
class Asset:
    body: bytes
    gz: bytes | None
    etag: str
    media_type: str
    mtime_ns: int


class AssetCache:
    """Files read once and kept in memory; a file changed on disk is read again."""

    def __init__(self) -> None:
        self._items: dict[tuple[Path, Replacements | None], Asset] = {}
        self._lock = Lock()

    def get(self, path: Path, fill: Replacements | None = None) -> Asset:
        """The file at ``path``, with each placeholder of ``fill`` replaced by its value."""
        mtime = path.stat().st_mtime_ns
        asset = self._items.get((path, fill))
        if asset is None or asset.mtime_ns != mtime:
            body = path.read_bytes()
            for placeholder, value in fill or ():
                body = body.replace(placeholder, value)
            asset = Asset(
                body=body,
                gz=gzip.compress(body, 9, mtime=0) if path.suffix in COMPRESSIBLE else None,
                etag=strong_etag(body),
                media_type=MEDIA_TYPES.get(path.suffix, "application/octet-stream"),
                mtime_ns=mtime,
            )
            with self._lock:
                if fill is not None:  # keep one filled copy per file, not one per value
                    for key in [k for k in self._items if k[0] == path and k[1] is not None]:
                        del self._items[key]
                self._items[(path, fill)] = asset
        return asset


def send_asset(request: Request, asset: Asset, cache_control: str, extra: dict[str, str] | None = None) -> Response:
    """The asset (gzipped when the client accepts it), or 304 when the client has it."""
    use_gz = asset.gz is not None and "gzip" in request.headers.get("accept-encoding", "").lower()
    etag = asset.etag[:-1] + '-gz"' if use_gz else asset.etag
    headers = {"ETag": etag, "Cache-Control": cache_control, "X-Content-Type-Options": "nosniff", **(extra or {})}
    if asset.gz is not None:
        headers["Vary"] = "Accept-Encoding"
    if etag_matches(request, etag):
        return Response(status_code=304, headers=headers)
    if use_gz:
        headers["Content-Encoding"] = "gzip"
    body = asset.gz if use_gz and asset.gz is not None else asset.body
    return Response(b"" if request.method == "HEAD" else body, media_type=asset.media_type, headers=headers)
