"""The product's own strings, translated with gettext catalogs built by Babel.

Strings are marked with :func:`N_` (for extraction) where they are defined and translated with
:func:`gettext` / :func:`ngettext` for a locale. Catalogs live in ``kb/locale/<lang>/LC_MESSAGES``;
``scripts/i18n`` extracts, updates and compiles them.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now."""
    return message


@lru_cache(maxsize=16)
def translations(locale: str) -> NullTranslations:
    """The compiled catalog for ``locale`` (English msgids pass through untranslated)."""
    return Translations.load(str(LOCALE_DIR), [locale], domain=DOMAIN)


@lru_cache(maxsize=1)
def catalog_locales() -> tuple[str, ...]:
    """The locales that have a compiled catalog (``en`` always: msgids are English)."""
    found = {p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")}
    return tuple(sorted(found | {"en"}))


def gettext(locale: str, message: str, **values: object) -> str:
    text = translations(locale).gettext(message)
    return text.format(**values) if values else text


def ngettext(locale: str, singular: str, plural: str, count: int, **values: object) -> str:
    """Plural forms by the catalog's (Babel's CLDR) rules; ``{count}`` is filled in."""
    text = translations(locale).ngettext(singular, plural, count)
    return text.format(count=count, **values)
