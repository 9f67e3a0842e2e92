"""Measure search relevance and answer quality on a labelled query set (``tests/golden``).

Search: top-1, MRR@5, recall@3 and the zero-result rate of in-scope queries. Answers: intent
accuracy, article accuracy (with the follow-up expected on generic refund questions) and the
share of out-of-scope questions left unanswered. Every figure is given per split (``tune``,
``holdout``) and per query language, so tuning on one half can be checked on the other.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict

from .service import KnowledgeBase


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: str
    locale: str
    lang: str
    article: str | None
    intent: str | None
    answer_article: str | None = None
    follow_up: bool = False
    kind: str
    split: str

    @property
    def expected_answer(self) -> str | None:
        return self.answer_article if "answer_article" in self.model_fields_set else self.article


def load_cases(path: Path) -> list[Case]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return [Case.model_validate(item) for item in data]


@dataclass
class Outcome:
    case: Case
    rank: int | None  # 1-based rank of the expected article in search, None if absent
    results: int
    answer_article: str | None
    answer_intent: str | None
    follow_up: bool

    @property
    def answer_ok(self) -> bool:
        if self.case.article is None:
            return self.answer_article is None
        return self.answer_article == self.case.expected_answer and self.follow_up == self.case.follow_up

    @property
    def intent_ok(self) -> bool:
        return self.answer_intent == self.case.intent


@dataclass
class Metrics:
    outcomes: list[Outcome] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        scoped = [o for o in self.outcomes if o.case.article is not None]
        unscoped = [o for o in self.outcomes if o.case.article is None]

        def share(items: list[Outcome], ok: Any) -> float | None:
            return round(sum(1 for o in items if ok(o)) / len(items), 4) if items else None

        return {
            "queries": len(self.outcomes),
            "in_scope": len(scoped),
            "top1": share(scoped, lambda o: o.rank == 1),
            "mrr5": round(sum(1 / o.rank for o in scoped if o.rank and o.rank <= 5) / len(scoped), 4)
            if scoped
            else None,
            "recall3": share(scoped, lambda o: o.rank is not None and o.rank <= 3),
            "zero_result_rate": share(scoped, lambda o: o.results == 0),
            "intent_accuracy": share(self.outcomes, lambda o: o.intent_ok),
            "answer_accuracy": share(scoped, lambda o: o.answer_ok),
            "out_of_scope_unanswered": share(unscoped, lambda o: o.answer_article is None),
        }


def evaluate(kb: KnowledgeBase, cases: list[Case]) -> dict[str, Metrics]:
    """Run every case through search and answer; group outcomes by split, language and both."""
    groups: dict[str, Metrics] = defaultdict(Metrics)
    for case in cases:
        search = kb.search(case.q, case.locale, limit=10)
        ids = [r.article_id for r in search.results]
        rank = ids.index(case.article) + 1 if case.article in ids else None
        answer = kb.answer(case.q, case.locale)
        outcome = Outcome(
            case=case,
            rank=rank,
            results=search.total,
            answer_article=answer.answer.article_id if answer.answer else None,
            answer_intent=answer.intent,
            follow_up=answer.follow_up is not None,
        )
        for key in ("all", case.split, f"{case.split}/{case.lang}", f"lang/{case.lang}"):
            groups[key].outcomes.append(outcome)
    return dict(groups)


def failures(metrics: Metrics) -> list[str]:
    """One line per case that missed search top-1 or the expected answer."""
    lines = []
    for o in metrics.outcomes:
        problems = []
        if o.case.article is not None and o.rank != 1:
            problems.append(f"search rank {o.rank}")
        if not o.answer_ok or not o.intent_ok:
            problems.append(f"answer {o.answer_article} intent {o.answer_intent} follow_up {o.follow_up}")
        if problems:
            lines.append(
                f"[{o.case.split}/{o.case.kind}] {o.case.q!r} ({o.case.locale}) expected "
                f"{o.case.article}/{o.case.intent}: " + "; ".join(problems)
            )
    return lines


def sweep_thresholds(kb: KnowledgeBase, cases: list[Case], thresholds: list[float]) -> list[dict[str, Any]]:
    """The answer trade-off at each confidence threshold: in-scope questions answered correctly,
    answered wrongly or left unanswered, and out-of-scope questions answered (wrongly)."""
    answerer = kb._answerer
    assert answerer is not None
    saved = answerer.threshold
    rows = []
    try:
        for threshold in thresholds:
            answerer.threshold = threshold
            counts = {"threshold": threshold, "correct": 0, "wrong": 0, "unanswered": 0, "out_of_scope_answered": 0}
            for case in cases:
                response = kb.answer(case.q, case.locale)
                got = response.answer.article_id if response.answer else None
                if case.article is None:
                    counts["out_of_scope_answered"] += got is not None
                elif got is None:
                    counts["unanswered"] += 1
                elif got == case.expected_answer and (response.follow_up is not None) == case.follow_up:
                    counts["correct"] += 1
                else:
                    counts["wrong"] += 1
            rows.append(counts)
    finally:
        answerer.threshold = saved
    return rows
