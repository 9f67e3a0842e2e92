"""Addresses of the site's pages: one definition of each path, and the absolute form built on
``KB_PUBLIC_BASE_URL`` (never on the request's Host header) for canonical and hreflang links,
the sitemap and robots.txt."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from kb.locales import display_name

from .deps import KB, SettingsDep


def home_path(locale: str) -> str:
    return f"/{locale}/"


def article_path(locale: str, article_id: str, anchor: str | None = None) -> str:
    return f"/articles/{locale}/{article_id}" + (f"#{anchor}" if anchor else "")


@dataclass(frozen=True)
class Alternate:
    """A language version of a page: ``hreflang`` is a locale or ``x-default``; ``href`` is the
    absolute address (for search engines), ``path`` the one links on the site use."""

    hreflang: str
    path: str
    href: str
    name: str = ""


@dataclass(frozen=True)
class Site:
    """The public base address and the locales pages exist in (the default one first decides
    ``x-default``)."""

    base_url: str
    locales: tuple[str, ...]
    default_locale: str

    def absolute(self, path: str) -> str:
        return self.base_url + path

    def home_alternates(self) -> list[Alternate]:
        return self._alternates(home_path, "/")

    def article_alternates(self, article_id: str) -> list[Alternate]:
        default_path = article_path(self.default_locale, article_id)
        return self._alternates(lambda code: article_path(code, article_id), default_path)

    def _alternates(self, path_of: Callable[[str], str], default_path: str) -> list[Alternate]:
        versions = [
            Alternate(code, path_of(code), self.absolute(path_of(code)), display_name(code)) for code in self.locales
        ]
        return [*versions, Alternate("x-default", default_path, self.absolute(default_path))]

    def others(self, alternates: list[Alternate], current: str) -> list[Alternate]:
        """The language versions a reader of ``current`` can switch to."""
        return [a for a in alternates if a.hreflang not in (current, "x-default")]


def get_site(kb: KB, settings: SettingsDep) -> Site:
    """The site over the served index's locales; the default locale if it is one, else the first."""
    return Site(settings.public_base_url, kb.locales, kb.served_default_locale)


SiteDep = Annotated[Site, Depends(get_site)]
