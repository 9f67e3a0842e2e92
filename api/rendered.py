"""The two hot GETs (``/v1/search`` and ``/v1/answer``) rendered once and kept per worker.

:func:`render_search` and :func:`render_answer` do what those routes answer: ask the served
generation, queue the search-log record, serialize the body with its ETag. The FastAPI routes
call them, and so does :class:`api.middleware.ApiMiddleware` for a plain, well-formed request
(:func:`hot_request`), without FastAPI's parameter and dependency machinery; anything
unusual (a parameter out of range, an unknown one, one given twice) goes to the route, which
answers it as before.

:class:`ResponseCache` keeps rendered bodies by everything the body depends on: the path, the
raw query string (``q``, ``locale``, ``limit``, ``offset``, ``intent``, ``article_id``) and
``Accept-Language``, for one index generation (the site's addresses come from the settings,
fixed for the process). It is bounded in bytes (least recently used out), emptied when the
served generation changes, and off with ``KB_QUERY_CACHE_SIZE=0`` or
``KB_RESPONSE_CACHE_BYTES=0``. A hit still queues its search-log record (with this request's
latency and session) and is counted like any request.
"""

from __future__ import annotations

import dataclasses
import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from kb.locales import LOCALE_MAX_CHARS, LOCALE_PARAMETER_PATTERN
from kb.models import ARTICLE_ID_MAX_CHARS, INTENTS, MAX_QUERY_CHARS, AnswerResponse, SearchResponse
from kb.storage import SearchRecord
from kb.view import KnowledgeView

from .responses import CACHE_SECONDS, strong_etag

if TYPE_CHECKING:
    from .services import Services

SEARCH_PATH = "/v1/search"
ANSWER_PATH = "/v1/answer"
JSON = b"application/json"
MAX_SESSION_CHARS = 64
MAX_PAGE_NUMBER_CHARS = 4
# A cached entry costs its body plus the key, the headers and the record: count a fixed overhead.
ENTRY_OVERHEAD_BYTES = 600


@dataclass(frozen=True, slots=True)
class Rendered:
    """A 200 body of a hot GET, its ETag, the generation it comes from and its search-log
    record without latency and session (None: the request is not logged, a follow-up choice)."""

    body: bytes
    etag: str
    generation: str
    record: SearchRecord | None

    def headers(self) -> list[tuple[bytes, bytes]]:
        """The headers of the 200 (as :func:`api.responses.json_response` writes them)."""
        length = str(len(self.body)).encode()
        return [*self.not_modified_headers(), (b"content-length", length), (b"content-type", JSON)]

    def not_modified_headers(self) -> list[tuple[bytes, bytes]]:
        """The headers of the 304 (no body, so no length or type)."""
        return [
            (b"vary", b"Accept-Language"),
            (b"etag", self.etag.encode()),
            (b"cache-control", f"public, max-age={CACHE_SECONDS}".encode()),
        ]

    def log(self, services: Services, started: float, session: str | None) -> None:
        """Queue this request's search-log record (its own latency and session)."""
        template = self.record
        if template is not None:
            session_id = session or None
            services.log_search(
                started, lambda latency_ms: dataclasses.replace(template, latency_ms=latency_ms, session_id=session_id)
            )


def _rendered(model: SearchResponse | AnswerResponse, generation: str, record: SearchRecord | None) -> Rendered:
    body = model.model_dump_json().encode()
    return Rendered(body, strong_etag(body), generation, record)


def render_search(
    view: KnowledgeView,
    q: str,
    locale: str | None,
    *,
    limit: int = 10,
    offset: int = 0,
    intent: str | None = None,
    accept_language: str | None = None,
) -> Rendered:
    """``GET /v1/search`` rendered (its search-log record not yet queued: see :meth:`Rendered.log`)."""
    result = view.search(q, locale, limit=limit, offset=offset, intent=intent, accept_language=accept_language)
    return _rendered(result, view.generation.name, SearchRecord.for_search(result, 0.0, None))


def render_answer(
    view: KnowledgeView, q: str, locale: str | None, article_id: str | None, accept_language: str | None
) -> Rendered:
    """``/v1/answer`` rendered (its record not yet queued); a follow-up choice (``article_id``)
    is not a question of its own and has no record."""
    result = view.answer(q, locale, article_id=article_id, accept_language=accept_language)
    record = SearchRecord.for_answer(result, 0.0, None) if article_id is None else None
    return _rendered(result, view.generation.name, record)


class ResponseCache:
    """Rendered hot GETs of one generation, bounded in bytes; one per worker, used on the event
    loop only (no lock). ``max_bytes`` 0 turns it off."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple[str, bytes, bytes], Rendered] = OrderedDict()
        self._generation: str | None = None
        self.held_bytes = 0
        self.hits = self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: tuple[str, bytes, bytes], generation: str) -> Rendered | None:
        if generation != self._generation:
            self._reset(generation)
        found = self._items.get(key)
        if found is None:
            self.misses += 1
            return None
        self._items.move_to_end(key)
        self.hits += 1
        return found

    def put(self, key: tuple[str, bytes, bytes], rendered: Rendered) -> None:
        if rendered.generation != self._generation:
            self._reset(rendered.generation)
        size = _size(key, rendered)
        if size > self.max_bytes:
            return
        old = self._items.pop(key, None)
        if old is not None:
            self.held_bytes -= _size(key, old)
        self._items[key] = rendered
        self.held_bytes += size
        while self.held_bytes > self.max_bytes:
            old_key, evicted = self._items.popitem(last=False)
            self.held_bytes -= _size(old_key, evicted)

    def _reset(self, generation: str) -> None:
        """A new generation: nothing rendered from the old one may be served again."""
        self._items.clear()
        self.held_bytes = 0
        self._generation = generation


def _size(key: tuple[str, bytes, bytes], rendered: Rendered) -> int:
    return len(rendered.body) + len(key[1]) + len(key[2]) + ENTRY_OVERHEAD_BYTES


# -- the request, read without FastAPI ---------------------------------------------------------
@dataclass(frozen=True, slots=True)
class HotRequest:
    """A well-formed hot GET: which one, its parameters, and its headers that matter."""

    path: str
    params: dict[str, str]
    accept_language: str | None
    session: str | None

    def render(self, view: KnowledgeView) -> Rendered:
        p = self.params
        if self.path == SEARCH_PATH:
            return render_search(
                view, p["q"], p.get("locale"), limit=int(p.get("limit", 10)), offset=int(p.get("offset", 0)),
                intent=p.get("intent"), accept_language=self.accept_language,
            )
        return render_answer(view, p.get("q", ""), p.get("locale"), p.get("article_id"), self.accept_language)


def _page_number(text: str, low: int, high: int) -> bool:
    return 0 < len(text) <= MAX_PAGE_NUMBER_CHARS and text.isascii() and text.isdigit() and low <= int(text) <= high


def _article_id(text: str) -> bool:
    parts = text.split("-")
    return len(text) <= ARTICLE_ID_MAX_CHARS and all(
        p and p.isascii() and p.isalnum() and p == p.lower() for p in parts
    )


def _locale(text: str) -> bool:
    return len(text) <= LOCALE_MAX_CHARS and _LOCALE.match(text) is not None


_LOCALE = re.compile(LOCALE_PARAMETER_PATTERN)
# What each hot GET accepts, checked as its route declares it; anything else goes to the route.
_CHECKS: dict[str, dict[str, Callable[[str], bool]]] = {
    SEARCH_PATH: {
        "q": lambda v: 1 <= len(v) <= MAX_QUERY_CHARS,
        "locale": _locale,
        "limit": lambda v: _page_number(v, 1, 50),
        "offset": lambda v: _page_number(v, 0, 1000),
        "intent": lambda v: v in INTENTS,
    },
    ANSWER_PATH: {
        "q": lambda v: len(v) <= MAX_QUERY_CHARS,
        "locale": _locale,
        "article_id": _article_id,
    },
}
_REQUIRED = {SEARCH_PATH: ("q",), ANSWER_PATH: ()}


def hot_request(path: str, query_string: bytes, headers: list[tuple[bytes, bytes]]) -> HotRequest | None:
    """The request as a :class:`HotRequest` when it is a plain, valid hot GET; None otherwise
    (the route then answers it, errors included)."""
    checks = _CHECKS.get(path)
    if checks is None:
        return None
    # As Starlette reads a query string (latin-1 bytes, UTF-8 percent escapes, blanks kept).
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    params = dict(pairs)
    if len(params) != len(pairs) or any(name not in checks or not checks[name](v) for name, v in pairs):
        return None
    if any(name not in params for name in _REQUIRED[path]):
        return None
    if path == ANSWER_PATH and not params.get("q", "").strip() and "article_id" not in params:
        return None  # the route's invalid_parameter error
    session = _first(headers, b"x-kb-session")
    if session is not None and len(session) > MAX_SESSION_CHARS:
        return None
    language = _first(headers, b"accept-language")
    return HotRequest(
        path,
        params,
        language.decode("latin-1") if language is not None else None,
        session.decode("latin-1") if session is not None else None,
    )


def _first(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    """A header's first value, as Starlette reads a single-valued header."""
    return next((value for key, value in headers if key == name), None)


def cache_key(request: HotRequest, query_string: bytes) -> tuple[str, bytes, bytes]:
    """What the body depends on besides the generation: path, raw query string, Accept-Language."""
    return (request.path, query_string, (request.accept_language or "").encode("latin-1"))
