"""The help widget's own interface strings, translated from the same gettext catalogs as the API.

The widget fetches them from ``GET /v1/ui-strings`` instead of carrying copies in JavaScript.
Messages with a count are served as one template per CLDR plural category of the locale
(``{"one": "{count} résultat", "other": "{count} résultats"}``); the widget picks one with
``Intl.PluralRules`` and fills ``{count}`` in.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from babel import Locale

from kb.i18n import N_, catalog_locales, gettext, ngettext

__all__ = ["STRINGS", "launcher_labels", "plural_strings", "ui_strings"]

STRINGS: dict[str, str] = {
    "title": N_("Help center"),
    "launcher": N_("Help"),
    "close": N_("Close help"),
    "language": N_("Language"),
    "search_label": N_("Search the help center"),
    "search_placeholder": N_("e.g. cancel automatic renewal"),
    "results_label": N_("Suggested articles"),
    "results_hint": N_("Enter opens the answer"),
    "no_results": N_("No article matches “{query}”."),
    "did_you_mean": N_("Did you mean:"),
    "press_enter": N_("Press Enter to ask the question anyway."),
    "search_error": N_("Search is unavailable right now. Please try again."),
    "intro": N_(
        "Ask your question in your own words. Matching articles appear as you type; "
        "press Enter to get the answer with its steps."
    ),
    "topics": N_("Browse the topics"),
    "loading_answer": N_("Loading the answer…"),
    "answer_ready": N_("Answer: {title}"),
    "answer_error": N_("The answer could not be loaded."),
    "retry": N_("Try again"),
    "no_answer_title": N_("No answer found"),
    "no_answer": N_(
        "The help center has no answer to this question. You can reach a person below."
    ),
    "you_asked": N_("You asked: “{query}”"),
    "you_chose": N_("You chose: {label}"),
    "back": N_("Back"),
    "steps": N_("Steps"),
    "read_article": N_("Read the full article"),
    "contact_heading": N_("Talk to a person"),
    "call": N_("Call {number}"),
    "open_chat": N_("Open the chat"),
    "channel_more": N_("Learn more"),
    "helpful": N_("Was this helpful?"),
    "yes": N_("Yes"),
    "no": N_("No"),
    "thanks": N_("Thank you for your feedback."),
    "disclaimer": N_("An independent guide, not the vendor's official support."),
}


class _CountPlaceholder(int):
    """An integer that selects a plural form but formats as ``{count}``.

    ``kb.i18n.ngettext`` fills ``{count}`` in; the widget needs the template itself, so the
    number that picks the catalog's plural form prints back as the placeholder.
    """

    def __format__(self, spec: str) -> str:
        return "{count}"


def _sample_numbers(locale: str) -> dict[str, int]:
    """One number per CLDR plural category of ``locale`` (``one`` → 1, ``other`` → 2 …)."""
    rule = Locale.parse(locale).plural_form
    samples: dict[str, int] = {}
    for n in [*range(0, 120), 1_000_000]:
        samples.setdefault(rule(n), n)
    return samples


def plural_strings(locale: str) -> dict[str, dict[str, str]]:
    """Count messages as ``{key: {category: template}}`` for ``locale``."""

    def forms(pick: Callable[[int], str]) -> dict[str, str]:
        return {cat: pick(_CountPlaceholder(n)) for cat, n in _sample_numbers(locale).items()}

    return {
        "results_count": forms(lambda n: ngettext(locale, "{count} result", "{count} results", n)),
    }


@lru_cache(maxsize=16)
def ui_strings(locale: str) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Every widget string translated into ``locale`` (cached: catalogs are fixed at run time)."""
    return {key: gettext(locale, message) for key, message in STRINGS.items()}, plural_strings(
        locale
    )


def launcher_labels() -> dict[str, str]:
    """The launcher's label in each language of the catalogs, baked into loader.js: the launcher
    is drawn before the widget and its strings load, and must not cost a request of its own."""
    return {locale: gettext(locale, STRINGS["launcher"]) for locale in catalog_locales()}
