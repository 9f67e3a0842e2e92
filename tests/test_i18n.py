"""The product's own strings: every message translated, compiled catalogs up to date, plurals by CLDR."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from kb.i18n import LOCALE_DIR, gettext, ngettext

from .conftest import ROOT

KEYWORDS = {"N_": None, "gettext": (2,), "ngettext": (2, 3)}


def catalog(lang: str):  # type: ignore[no-untyped-def]
    with open(LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=lang)


def source_messages() -> set[str]:
    found: set[str] = set()
    for folder in ("kb", "api"):
        for _, _, message, _, _ in extract_from_dir(ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_catalog_has_every_marked_string() -> None:
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog("fr") if m.id}
    missing = source_messages() - ids
    assert not missing, f"run scripts/i18n and translate: {sorted(missing)}"


def test_every_message_is_translated_to_french() -> None:
    untranslated = [
        m.id for m in catalog("fr") if m.id and not (m.string if isinstance(m.string, str) else all(m.string))
    ]
    assert not untranslated


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_compiled_catalog_matches_the_po_file(lang: str) -> None:
    po = catalog(lang)
    with open(Path(LOCALE_DIR) / lang / "LC_MESSAGES" / "messages.mo", "rb") as handle:
        mo = read_mo(handle)

    def norm(value: object) -> tuple[str, ...]:
        return tuple(value) if isinstance(value, list | tuple) else (str(value),)

    for message in po:
        if message.id and any(norm(message.string)) and not message.fuzzy:
            compiled = mo.get(message.id, context=message.context)
            assert compiled is not None, f"missing in .mo: run scripts/i18n compile ({message.id})"
            assert norm(compiled.string) == norm(message.string), f"stale .mo: run scripts/i18n compile ({message.id})"


def test_translations_and_plural_rules() -> None:
    assert gettext("fr", "Where did you buy your subscription?") == "Où avez-vous acheté votre abonnement ?"
    assert gettext("en", "Where did you buy your subscription?") == "Where did you buy your subscription?"
    assert ngettext("en", "{count} result", "{count} results", 1) == "1 result"
    assert ngettext("en", "{count} result", "{count} results", 2) == "2 results"
    # French (CLDR): 0 and 1 are singular.
    assert ngettext("fr", "{count} result", "{count} results", 0).startswith("0 ")
    assert ngettext("fr", "{count} result", "{count} results", 0) == ngettext(
        "fr", "{count} result", "{count} results", 1
    ).replace("1", "0")
