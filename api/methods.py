"""Which methods a path serves: the ``Allow`` header of a 405, and the answer to ``OPTIONS``.

Starlette answers a method a path does not serve with the methods of the first route whose path
matched, and GET and POST /v1/answer are two routes: it said ``Allow: GET``. Here every route
whose path matches counts, and ``OPTIONS`` is served on every path that exists (204 with
``Allow``; a CORS preflight is answered before, by the CORS middleware).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from starlette.routing import Match
from starlette.types import Scope

_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(routes: Iterable[Any], scope: Scope) -> str:
    """The ``Allow`` value for the request's path: the methods of every route matching it, and OPTIONS."""
    methods = {"OPTIONS"}
    for route in routes:
        served = getattr(route, "methods", None)
        if served and route.matches(scope)[0] is not Match.NONE:
            methods |= served
    return ", ".join(sorted(methods, key=lambda m: (_ORDER.index(m) if m in _ORDER else len(_ORDER), m)))
