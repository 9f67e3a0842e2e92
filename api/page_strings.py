"""The words of the demo and article pages, translated from the same gettext catalogs as the API.

Templates show them with ``t("key", name=value)``: the message is escaped, and so is each value
unless it is already markup (a list of links), so a translation carries its own spacing and
punctuation around the values ("Langues : {list}" in French, with a no-break space).
"""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup

from kb.i18n import N_, gettext

__all__ = ["PAGE_STRINGS", "translator"]

PAGE_STRINGS: dict[str, str] = {
    "site": N_("Subscription help guide"),
    "help_center": N_("Help center"),
    "skip": N_("Skip to content"),
    "main_menu": N_("Main menu"),
    "breadcrumb": N_("Breadcrumb"),
    "topics": N_("Topics"),
    "refunds": N_("Refunds"),
    "api_docs": N_("HTTP API documentation"),
    "independent_short": N_("Independent guide."),
    "not_affiliated": N_(
        "This site is not the vendor's official support and is not affiliated with it. "
        "It explains a public help guide in its own words."
    ),
    "independent": N_("An independent guide, not the vendor's official support."),
    "trademark": N_("Norton is a trademark of its owner, used here only to name the product this guide is about."),
    "languages": N_("Languages: {list}"),
    "home_title": N_("Norton subscriptions, refunds and renewals"),
    "home_description": N_(
        "An independent guide to Norton subscriptions: refunds, automatic renewal and how to reach "
        "customer support. Not the vendor's official support."
    ),
    "home_lead": N_(
        "Answers to the questions people ask most about their subscription: how to get a refund, how to "
        "stop automatic renewal, and who to talk to. Open the help button at the bottom right and ask your "
        "question in English or in French."
    ),
    "tries": N_("Questions you can try"),
    "refunds_title": N_("Where you bought decides how you get a refund"),
    "refunds_where": N_(
        "A refund request goes to whoever sold you the subscription. If you bought it on the vendor's online "
        "store, customer support handles it. A subscription bought in a shop or from an online retailer needs "
        "a form, a copy of the key label and a dated receipt. Apple handles purchases made through the App "
        "Store, and an internet provider handles the subscriptions it bundles."
    ),
    "refunds_ask": N_(
        "Not sure where your subscription comes from? Ask the help assistant: it will ask you where you "
        "bought it and show the steps that apply to you."
    ),
    "updated": N_("Updated {date}"),
    "fallback": N_("This article is not available in {language} yet; it is shown in {shown}."),
    "related": N_("Related articles"),
    "not_found": N_("Article not found"),
    "not_found_text": N_("No article has this address. The help center's search can find what you need."),
    "back": N_("Back to the help center"),
}


def translator(locale: str) -> Callable[..., Markup]:
    """``t(key, **values)`` for templates: the page string in ``locale``, escaped, values filled in."""

    def t(key: str, **values: object) -> Markup:
        return Markup.escape(gettext(locale, PAGE_STRINGS[key])).format(**values)

    return t
