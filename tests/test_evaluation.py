"""The measuring stick: label schemas, the figures on small hand-made sets (observations built by
hand, and a real KnowledgeBase over the shipped content), failure classes and calibration."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from kb.errors import LabelError
from kb.evaluation import (
    Case,
    InProcessRunner,
    LabelledSet,
    Observation,
    Outcome,
    breakdown,
    calibration,
    evaluate,
    failures_by_class,
    load_set,
    summary,
)

BLIND_ENTRY: dict[str, Any] = {
    "q": "rembourser norton acheté chez fnac",
    "locale": "fr",
    "lang": "fr",
    "articles": ["refund-third-party", "refund-policy"],
    "intent": "refund",
    "answer_article": "refund-third-party",
    "follow_up": False,
    "kind": "purchase-channel",
    "persona": "France, hurried mobile typing",
    "writer": "w1",
}
OUT_OF_SCOPE: dict[str, Any] = {
    **BLIND_ENTRY,
    "q": "refund my netflix subscription",
    "locale": "en",
    "lang": "en",
    "articles": [],
    "intent": None,
    "answer_article": None,
    "kind": "out-of-scope",
}


def write_set(tmp_path: Path, entries: list[Any], name: str = "blind-test.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    return path


def case(articles: tuple[str, ...] = ("refund-policy",), **fields: Any) -> Case:
    values: dict[str, Any] = {
        "q": "q",
        "locale": "en",
        "lang": "en",
        "articles": articles,
        "answer_article": articles[0] if articles else None,
        "intent": "refund" if articles else None,
        "follow_up": False,
        "kind": "question",
    }
    return Case(**{**values, **fields})


def seen(ranked: tuple[str, ...] = (), answer: str | None = None, **fields: Any) -> Observation:
    values: dict[str, Any] = {
        "ranked": ranked,
        "total": len(ranked),
        "answer_article": answer,
        "intent": "refund" if answer else None,
        "follow_up": False,
        "confidence": 0.9 if answer else 0.2,
    }
    return Observation(**{**values, **fields})


# -- labels ------------------------------------------------------------------------------------
def test_a_blind_set_loads_with_its_acceptable_articles_and_writers(tmp_path: Path) -> None:
    labelled = load_set(write_set(tmp_path, [BLIND_ENTRY, OUT_OF_SCOPE]))
    assert labelled.name == "blind-test"
    first, second = labelled.cases
    assert first.articles == ("refund-third-party", "refund-policy") and first.answer_article == "refund-third-party"
    assert first.writer == "w1" and first.persona.startswith("France") and first.split is None
    assert not second.in_scope and second.answer_article is None


def test_a_golden_article_is_a_single_acceptable_article_and_answer_article_defaults_to_it() -> None:
    golden = load_set(Path(__file__).parent / "golden" / "queries.yaml")
    assert golden.name == "golden"
    first = golden.cases[0]
    assert first.articles == ("refund-policy",) and first.answer_article == "refund-policy"
    assert first.split in ("tune", "holdout") and first.writer is None
    assert all(c.answer_article is None for c in golden.cases if not c.in_scope)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"split": "tune"}, "split"),  # the golden split on a blind entry
        ({"kind": "weather"}, "kind"),
        ({"intent": "cancel"}, "intent"),
        ({"articles": ["Refund Policy"]}, "articles.0"),
        ({"articles": ["refund-policy", "refund-policy"]}, "twice"),
        ({"answer_article": None}, "answer_article"),
        ({"articles": [], "answer_article": None}, "out-of-scope entry expects no answer article, no intent"),
        ({"writer": None}, "writer"),
        ({"persona": ""}, "persona"),
        ({"q": ""}, "q"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_bad_blind_label_names_the_file_entry_and_field(tmp_path: Path, change: dict[str, Any], message: str) -> None:
    bad = {**BLIND_ENTRY, "q": "le deuxième", **change}
    path = write_set(tmp_path, [BLIND_ENTRY, bad])
    with pytest.raises(LabelError) as raised:
        load_set(path)
    text = str(raised.value)
    assert text.startswith(f"{path}: entry 2") and message in text
    if change.get("q") != "":
        assert "'le deuxième'" in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "non-empty YAML list"),
        ("q: a mapping\n", "non-empty YAML list"),
        ("- [unclosed\n", "cannot read the set"),
        ("- just a string\n", "entry 1: an entry must be a mapping"),
        ("- {q: x, locale: en, lang: en, intent: null, kind: keywords}\n", "needs `articles`"),
        ("- {q: x, locale: en, lang: en, article: refund-policy, intent: refund, kind: typo}\n", "split"),
    ],
)
def test_an_unreadable_or_shapeless_set_is_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LabelError, match=r"broken\.yaml") as raised:
        load_set(path)
    assert message in str(raised.value)


# -- figures on hand-made observations -----------------------------------------------------------
def test_lenient_and_strict_top1_mrr_and_zero_results() -> None:
    two = ("refund-third-party", "refund-policy")
    outcomes = [
        Outcome(case(two), seen(("refund-third-party", "refund-policy"))),  # best first: both count
        Outcome(case(two), seen(("refund-policy", "refund-third-party"))),  # acceptable first: lenient only
        Outcome(case(two), seen(("contact-support", "auto-renewal", "refund-policy"))),  # rank 3
        Outcome(case(two), seen(("contact-support",) * 6 + ("refund-policy",))),  # rank 7: beyond MRR@5
        Outcome(case(two), seen(())),  # nothing found
        Outcome(case(()), seen(("contact-support",))),  # out of scope: not in the search figures
    ]
    figures = summary(outcomes)
    assert figures["queries"] == 6
    assert figures["top1_lenient"] == {"value": 0.4, "n": 5}
    assert figures["top1_strict"] == {"value": 0.2, "n": 5}
    assert figures["mrr5"] == {"value": round((1 + 1 + 1 / 3) / 5, 4), "n": 5}
    assert figures["zero_results"] == {"value": 0.2, "n": 5}


def test_answer_figures() -> None:
    generic = case(("refund-policy",), follow_up=True)
    outcomes = [
        Outcome(generic, seen(answer="refund-policy", follow_up=True)),  # followed up
        Outcome(generic, seen(answer="refund-policy")),  # right article, no follow-up
        Outcome(case(("auto-renewal",), intent="auto_renew"), seen(answer="refund-policy")),  # wrong article, intent
        Outcome(case(("contact-support",), intent="contact"), seen()),  # declined in scope
        Outcome(case(()), seen()),  # declined out of scope
        Outcome(case(()), seen(answer="refund-app-store")),  # answered out of scope
    ]
    figures = summary(outcomes)
    assert figures["answered"] == {"value": 0.75, "n": 4}
    assert figures["answer_article"] == {"value": 0.5, "n": 4}
    assert figures["intent"] == {"value": 0.5, "n": 6}
    assert figures["declined_out_of_scope"] == {"value": 0.5, "n": 2}
    assert figures["followed_up"] == {"value": 0.5, "n": 2}
    assert summary([])["top1_lenient"] == {"value": None, "n": 0}


def test_breakdown_by_language_kind_and_golden_split() -> None:
    outcomes = [
        Outcome(case(lang="fr", kind="typo", split="tune"), seen()),
        Outcome(case(lang="en", kind="typo", split="holdout"), seen()),
        Outcome(case(lang="en", kind="charge", writer="w2"), seen()),
    ]
    groups = {name: len(items) for name, items in breakdown(outcomes).items()}
    assert groups == {
        "all": 3,
        "lang/fr": 1,
        "lang/en": 2,
        "kind/typo": 2,
        "kind/charge": 1,
        "split/tune": 1,
        "split/tune/fr": 1,
        "split/holdout": 1,
        "split/holdout/en": 1,
    }


def test_each_failure_class_catches_its_kind_of_miss() -> None:
    refund = case(("refund-policy",))
    misses = {
        "wrong first result": Outcome(refund, seen(("auto-renewal", "refund-policy"), answer="refund-policy")),
        "zero results": Outcome(refund, seen((), answer="refund-policy")),
        "declined in scope": Outcome(refund, seen(("refund-policy",), intent="refund")),
        "answered out of scope": Outcome(case(()), seen(answer="refund-policy", intent=None)),
        "wrong article": Outcome(refund, seen(("refund-policy",), answer="refund-app-store")),
        "missing follow-up": Outcome(case(follow_up=True), seen(("refund-policy",), answer="refund-policy")),
        "unexpected follow-up": Outcome(refund, seen(("refund-policy",), answer="refund-policy", follow_up=True)),
        "wrong intent": Outcome(refund, seen(("refund-policy",), answer="refund-policy", intent="contact")),
    }
    right = Outcome(refund, seen(("refund-policy",), answer="refund-policy"))
    classes = failures_by_class([*misses.values(), right])
    assert set(classes) == set(misses)
    for name, outcome in misses.items():
        assert outcome in classes[name], name
        assert right not in classes[name]
    assert classes["declined in scope"] == [misses["declined in scope"]]


def test_calibration_buckets_and_expected_calibration_error() -> None:
    refund = case(("refund-policy",))
    outcomes = [
        Outcome(refund, seen(answer="refund-policy", confidence=0.85)),
        Outcome(refund, seen(answer="refund-app-store", confidence=0.81)),
        Outcome(case(()), seen(answer="refund-policy", confidence=0.95)),  # out of scope: wrong
        Outcome(refund, seen(answer="refund-policy", confidence=1.0)),  # 1.0 belongs to the last bucket
        Outcome(refund, seen(confidence=0.42)),  # declined though answerable
        Outcome(case(()), seen(confidence=0.05)),  # declined out of scope: not counted
    ]
    table = calibration(outcomes)
    buckets = {b["low"]: b for b in table["buckets"]}
    assert len(buckets) == 10 and buckets[0.0]["high"] == 0.1 and buckets[0.9]["high"] == 1.0
    assert (buckets[0.8]["given"], buckets[0.8]["right"], buckets[0.8]["mean_confidence"]) == (2, 1, 0.83)
    assert (buckets[0.9]["given"], buckets[0.9]["right"]) == (2, 1)
    assert buckets[0.4]["declined_answerable"] == 1 and buckets[0.4]["given"] == 0
    assert sum(b["declined_answerable"] for b in buckets.values()) == 1
    assert table["answers_given"] == 4
    expected = (2 * abs(0.5 - 0.83) + 2 * abs(0.5 - 0.975)) / 4
    assert table["ece"] == pytest.approx(expected, abs=1e-4)
    assert calibration([])["ece"] is None


# -- a real knowledge base ---------------------------------------------------------------------
def test_a_small_blind_set_on_the_shipped_content(knowledge_base, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    remboursement = {
        **BLIND_ENTRY,
        "q": "je veux être remboursé",
        "articles": ["refund-policy"],
        "answer_article": "refund-policy",
        "follow_up": True,
        "kind": "question",
    }
    # Acceptable but not the best first: lenient top-1 counts it, strict does not.
    not_the_best = {**remboursement, "articles": ["refund-norton-store", "refund-policy"]}
    renew = {
        **BLIND_ENTRY,
        "q": "turn off auto renew",
        "locale": "en",
        "lang": "en",
        "articles": ["auto-renewal"],
        "answer_article": "auto-renewal",
        "intent": "auto_renew",
        "kind": "keywords",
    }
    labelled = load_set(write_set(tmp_path, [remboursement, not_the_best, renew, OUT_OF_SCOPE]))
    outcomes = evaluate(InProcessRunner(knowledge_base), labelled)
    assert [o.first for o in outcomes[:3]] == ["refund-policy", "refund-policy", "auto-renewal"]
    figures = summary(outcomes)
    assert figures["top1_lenient"]["value"] == 1.0
    assert figures["top1_strict"] == {"value": round(2 / 3, 4), "n": 3}
    assert figures["followed_up"] == {"value": 1.0, "n": 2}
    assert figures["declined_out_of_scope"] == {"value": 1.0, "n": 1}
    assert figures["intent"]["value"] == 1.0
    assert all(0 <= o.seen.confidence <= 1 for o in outcomes)


def test_a_label_naming_an_article_the_service_lacks_is_an_error(knowledge_base, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    typo = {**BLIND_ENTRY, "articles": ["refund-thrid-party"], "answer_article": "refund-thrid-party"}
    labelled: LabelledSet = load_set(write_set(tmp_path, [typo]))
    with pytest.raises(LabelError, match=r"unknown article id.*refund-thrid-party"):
        evaluate(InProcessRunner(knowledge_base), labelled)
