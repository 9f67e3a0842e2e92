"""Analyzer equivalences: what customers type must meet what authors wrote."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.analysis import fold, sanitize, stems, words
from kb.vocabulary import Vocabulary, edit_distance, max_edits

SAME_STEMS = [
    ("fr", "désactiver", "desactiver"),
    ("fr", "désactiver", "Désactivez"),
    ("fr", "l'abonnement", "abonnements"),
    ("fr", "l’abonnement", "abonnement"),
    ("fr", "remboursement", "remboursements"),
    ("fr", "d'achat", "achats"),
    ("fr", "qu'un remboursement", "remboursement"),
    ("fr", "RÉSILIER", "résilier"),
    ("en", "refunds", "refunded"),
    ("en", "refund", "refunding"),
    ("en", "renewal", "renewals"),
    ("en", "subscriptions", "subscription"),
    ("en", "café", "cafe"),
]


@pytest.mark.parametrize(("lang", "a", "b"), SAME_STEMS, ids=[f"{lang}:{a}={b}" for lang, a, b in SAME_STEMS])
def test_forms_share_a_stem(lang: str, a: str, b: str) -> None:
    assert stems(a, lang) == stems(b, lang)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("l'abonnement d'achat", ["abonnement", "achat"]),
        ("jusqu'à lorsqu'il", ["a", "il"]),
        ("Cœur Æon", ["coeur", "aeon"]),
        ("auto-renewal", ["auto", "renewal"]),
    ],
)
def test_words_fold_and_strip_elisions(text: str, expected: list[str]) -> None:
    assert words(text) == expected


def test_stop_words_are_dropped_in_both_accent_forms() -> None:
    assert stems("le la les été ete", "fr") == []
    assert stems("the and of", "en") == []


def test_sanitize_removes_controls_invisibles_and_surrogates() -> None:
    assert sanitize("a\x00b\u200bc\u202ed\ud800e  f") == "a bcd?e f"
    assert sanitize("x" * 5000, max_chars=10) == "x" * 10


@settings(deadline=None, max_examples=300, derandomize=True)
@given(st.text())
def test_analysis_never_fails_on_any_text(text: str) -> None:
    clean = sanitize(text)
    for lang in ("fr", "en"):
        stems(clean, lang)
    words(clean)
    fold(clean)


@pytest.mark.parametrize(
    ("typo", "word"),
    [
        ("remboursment", "remboursement"),
        ("refudn", "refund"),
        ("renouvelement", "renouvellement"),
        ("abonement", "abonnement"),
        ("supprt", "support"),
        ("desactvier", "desactiver"),
    ],
)
def test_typos_within_the_allowed_edits_are_corrected(typo: str, word: str) -> None:
    vocab = Vocabulary(
        dict.fromkeys(
            ["remboursement", "refund", "renouvellement", "abonnement", "support", "desactiver", "refunds"], 1
        )
    )
    assert vocab.corrections(typo)[0][0] == word


def test_edit_budget_grows_with_length_and_swaps_count_once() -> None:
    assert [max_edits("abc"), max_edits("abcd"), max_edits("abcdefg"), max_edits("abcdefgh")] == [0, 1, 1, 2]
    assert edit_distance("refudn", "refund", 2) == 1
    assert edit_distance("abcdef", "badcfe", 5) == 3
    vocab = Vocabulary({"cat": 1, "cart": 1})
    assert vocab.corrections("cst") == []  # three letters: no correction
