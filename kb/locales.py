"""Locale parsing and negotiation with Babel.

Any BCP 47 or POSIX tag (``fr``, ``fr-CA``, ``fr_FR.UTF-8``, ``en-GB``) is parsed by Babel and
negotiated to one of the supported locales. A tag Babel cannot parse raises
:class:`~kb.errors.LocaleError`; a valid but unsupported tag falls back to the default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from babel import Locale, UnknownLocaleError, negotiate_locale, parse_locale

from .errors import LocaleError

DEFAULT_LOCALE = "en"


def _subtags(sep: str) -> str:
    """Babel's grammar (``babel.parse_locale``) with one separator: a language, then an optional
    script, region (two letters or three digits) and variant."""
    script, region = f"(?:{sep}[A-Za-z]{{4}})?", f"(?:{sep}(?:[A-Za-z]{{2}}|[0-9]{{3}}))?"
    variant = f"(?:{sep}(?:[0-9][A-Za-z0-9]{{3}}|[A-Za-z][A-Za-z0-9]{{4,7}}))?"
    return f"[A-Za-z]{{2,8}}{script}{region}{variant}"


# A locale tag, BCP 47 (``fr-CA``) or POSIX (``fr_CA.UTF-8``, ``de_DE@euro``): the one grammar the
# API's ``locale`` parameters declare (a JSON-schema ``pattern``) and :func:`parse_tag` enforces.
# A tag of this shape is either served (negotiated, or the default as a fallback) or, when Babel
# knows no such locale (``xx``, ``fr-XY``), refused as "not a known language".
LOCALE_TAG = f"(?:{_subtags('-')}|{_subtags('_')})(?:\\.[A-Za-z0-9-]+)?(?:@[A-Za-z0-9]+)?"
_TAG_SHAPE = re.compile(f"^{LOCALE_TAG}$")
# A `locale` parameter: a tag, or empty for none (Accept-Language or the query decides).
LOCALE_PARAMETER_PATTERN = f"^(?:{LOCALE_TAG})?$"
LOCALE_MAX_CHARS = 64


@dataclass(frozen=True)
class NegotiatedLocale:
    """The locale that will be used, and what the client asked for."""

    locale: str
    requested: str | None
    fallback: bool  # the request named a valid locale we do not support


@lru_cache(maxsize=1024)
def parse_tag(tag: str) -> Locale:
    """Parse a BCP 47 / POSIX tag into a Babel ``Locale``; raise ``LocaleError`` if it is not one."""
    cleaned = tag.strip()
    if not cleaned or len(cleaned) > LOCALE_MAX_CHARS or not _TAG_SHAPE.match(cleaned):
        raise LocaleError(tag)
    posix = cleaned.split(".", 1)[0].split("@", 1)[0]
    sep = "-" if "-" in posix else "_"
    try:
        return Locale.parse(posix, sep=sep)
    except (UnknownLocaleError, ValueError, TypeError):
        # Babel knows no such language; keep its parse to tell "well-formed but unknown".
        try:
            parse_locale(posix, sep=sep)
        except ValueError:
            raise LocaleError(tag) from None
        raise LocaleError(tag, "not a known language") from None


def negotiate(tag: str, supported: tuple[str, ...], default: str = DEFAULT_LOCALE) -> NegotiatedLocale:
    """Negotiate one requested tag against the supported locales."""
    locale = parse_tag(tag)
    match = negotiate_locale([str(locale), locale.language], list(supported), sep="_")
    if match is None:
        return NegotiatedLocale(default, tag, True)
    return NegotiatedLocale(match.split("_")[0] if match not in supported else match, tag, False)


def negotiate_accept_language(header: str, supported: tuple[str, ...]) -> str | None:
    """Pick the best supported locale from an ``Accept-Language`` header, or None."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")[:20]):
        piece = part.strip()
        if not piece:
            continue
        lang, _, params = piece.partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        if lang.strip() == "*" or quality <= 0:
            continue
        ranked.append((-quality, index, lang.strip()))
    for _, _, lang in sorted(ranked):
        try:
            result = negotiate(lang, supported)
        except LocaleError:
            continue
        if not result.fallback:
            return result.locale
    return None


@lru_cache(maxsize=64)
def display_name(locale: str, in_locale: str | None = None) -> str:
    """The locale's name, in its own language by default (``français``, ``English``)."""
    loc = Locale.parse(locale)
    name = loc.get_display_name(in_locale or locale) or locale
    return name[:1].upper() + name[1:]
