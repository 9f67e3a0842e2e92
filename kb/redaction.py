"""Passwords out of URLs and messages, before anything is printed or logged.

:func:`redact_url` shows a database or Redis URL with its password replaced by ``***``
(``postgresql+psycopg://kb:***@db/kb``, ``redis://:***@cache:6379/0``): the form SQLAlchemy's
``URL.render_as_string(hide_password=True)`` prints, for any scheme, and for strings that are
not valid URLs at all (it never raises). A ``password=`` query parameter is hidden too.
:func:`redact_text` does the same to every URL inside a message (an exception's text), and
hides the passwords of the URLs it is given wherever else they appear.

It favours hiding over precision: in a malformed URL, everything from the first ``:`` of the
user part to the last ``@`` is taken for the password.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import quote, unquote

__all__ = ["MASK", "redact_text", "redact_url"]

MASK = "***"
# A URL inside a message: a scheme, "://", then anything up to white space or a quote.
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s'\"<>`]*")
_QUERY_PASSWORD = re.compile(r"([?&;](?:password|passwd|pwd)=)[^&;#\s]*", re.IGNORECASE)
_ALNUM = "A-Za-z0-9"


def _credentials(url: str) -> tuple[int, int] | None:
    """Where the password of ``url`` starts and ends, or None when it has none."""
    at = url.rfind("@")
    if at < 0:
        return None
    scheme_end = url.find("://", 0, at)
    start = scheme_end + 3 if scheme_end >= 0 else 0
    colon = url.find(":", start, at)
    if colon < 0 or colon + 1 == at:
        return None  # a user without a password, or an empty password: nothing to hide
    return colon + 1, at


def redact_url(url: str) -> str:
    """``url`` with its password replaced by ``***``; any other string is returned as it is."""
    span = _credentials(url)
    if span is not None:
        url = url[: span[0]] + MASK + url[span[1] :]
    return _QUERY_PASSWORD.sub(rf"\g<1>{MASK}", url)


def _passwords(url: str) -> set[str]:
    """The password of ``url`` as written, decoded and encoded (messages may show any form)."""
    span = _credentials(url)
    found = {url[span[0] : span[1]]} if span is not None else set()
    found |= {m.group(0).split("=", 1)[1] for m in _QUERY_PASSWORD.finditer(url)}
    return {form for password in found if password for form in (password, unquote(password), quote(password, safe=""))}


def redact_text(text: str, *urls: str, scrub_rest: Callable[[str], str] | None = None) -> str:
    """``text`` with the password of every URL in it replaced by ``***``, and the passwords of
    ``urls`` (the configured database and Redis URLs) hidden wherever they appear as a whole word.

    ``scrub_rest``, when given, is applied to the text between URLs (the logs scrub personal data
    there), so that it cannot mangle what :func:`redact_url` shows.
    """
    for url in urls:
        if url:
            text = text.replace(url, redact_url(url))
            for password in sorted(_passwords(url), key=len, reverse=True):
                bounded = rf"(?<![{_ALNUM}]){re.escape(password)}(?![{_ALNUM}])"
                text = re.sub(bounded, MASK, text)
    if scrub_rest is None:
        return _URL.sub(lambda m: redact_url(m.group(0)), text)
    pieces: list[str] = []
    end = 0
    for match in _URL.finditer(text):
        pieces += [scrub_rest(text[end : match.start()]), redact_url(match.group(0))]
        end = match.end()
    pieces.append(scrub_rest(text[end:]))
    return "".join(pieces)
