"""Score what the service returned against the labels: the figures (per kind, language and
golden split), the failure classes, the confidence calibration and the threshold sweep.

Search figures are on in-scope queries: lenient top-1 (the first result is any acceptable
article), strict top-1 (it is the best one), MRR@5 on the rank of the first acceptable article,
and zero results. Answer figures: in-scope answered, answer article right (in scope), intent
right (every query; out of scope expects none), out-of-scope declined, and generic refund
questions followed up (the expected article *and* a follow-up).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import LabelError
from ..service import KnowledgeBase
from .labels import Case, LabelledSet
from .runners import Observation, Runner


@dataclass(frozen=True)
class Outcome:
    case: Case
    seen: Observation

    @property
    def rank(self) -> int | None:
        """1-based rank of the first acceptable article among the results, None if absent."""
        for number, article_id in enumerate(self.seen.ranked, 1):
            if article_id in self.case.articles:
                return number
        return None

    @property
    def first(self) -> str | None:
        return self.seen.ranked[0] if self.seen.ranked else None

    @property
    def answered(self) -> bool:
        return self.seen.answer_article is not None

    @property
    def article_right(self) -> bool:
        return self.seen.answer_article == self.case.answer_article

    @property
    def intent_right(self) -> bool:
        return self.seen.intent == self.case.intent


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    applies: Callable[[Case], bool]  # which queries the figure is over
    score: Callable[[Outcome], float]  # 0..1 per query; the figure is the mean
    percent: bool = True


def _in_scope(case: Case) -> bool:
    return case.in_scope


METRICS = [
    Metric("top1_lenient", "search top-1 (any acceptable)", _in_scope, lambda o: float(o.rank == 1)),
    Metric("top1_strict", "search top-1 (the best)", _in_scope, lambda o: float(o.first == o.case.articles[0])),
    Metric("mrr5", "search MRR@5", _in_scope, lambda o: 1 / o.rank if o.rank and o.rank <= 5 else 0.0, False),
    Metric("zero_results", "search zero results", _in_scope, lambda o: float(o.seen.total == 0)),
    Metric("answered", "answered (in scope)", _in_scope, lambda o: float(o.answered)),
    Metric("answer_article", "answer article right", _in_scope, lambda o: float(o.article_right)),
    Metric("intent", "intent right", lambda _: True, lambda o: float(o.intent_right)),
    Metric(
        "declined_out_of_scope", "declined (out of scope)", lambda c: not c.in_scope, lambda o: float(not o.answered)
    ),
    Metric(
        "followed_up",
        "generic refund followed up",
        lambda c: c.follow_up,
        lambda o: float(o.article_right and o.seen.follow_up),
    ),
]


def evaluate(runner: Runner, labelled: LabelledSet) -> list[Outcome]:
    """Run every case of the set through ``runner``; a label naming an article the service does
    not have is a ``LabelError`` (it would only ever count as a miss)."""
    unknown = labelled.article_ids() - runner.article_ids()
    if unknown:
        raise LabelError(f"{labelled.path}: unknown article id(s) {sorted(unknown)} at {runner.where}")
    return [Outcome(case, runner.observe(case)) for case in labelled.cases]


def summary(outcomes: list[Outcome]) -> dict[str, Any]:
    """``queries``, and each metric as ``{"value": mean or None, "n": how many queries it is over}``."""
    figures: dict[str, Any] = {"queries": len(outcomes)}
    for metric in METRICS:
        over = [o for o in outcomes if metric.applies(o.case)]
        value = round(sum(metric.score(o) for o in over) / len(over), 4) if over else None
        figures[metric.name] = {"value": value, "n": len(over)}
    return figures


def breakdown(outcomes: list[Outcome]) -> dict[str, list[Outcome]]:
    """Outcomes under ``all``, ``lang/<lang>``, ``kind/<kind>`` and (golden) ``split/<split>``."""
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        case = outcome.case
        keys = ["all", f"lang/{case.lang}", f"kind/{case.kind}"]
        if case.split:
            keys += [f"split/{case.split}", f"split/{case.split}/{case.lang}"]
        for key in keys:
            groups[key].append(outcome)
    return dict(groups)


# -- failure classes ---------------------------------------------------------------------------
FAILURE_CLASSES: list[tuple[str, Callable[[Outcome], bool]]] = [
    ("wrong first result", lambda o: o.case.in_scope and o.seen.total > 0 and o.rank != 1),
    ("zero results", lambda o: o.case.in_scope and o.seen.total == 0),
    ("declined in scope", lambda o: o.case.in_scope and not o.answered),
    ("answered out of scope", lambda o: not o.case.in_scope and o.answered),
    ("wrong article", lambda o: o.case.in_scope and o.answered and not o.article_right),
    ("missing follow-up", lambda o: o.case.follow_up and o.answered and not o.seen.follow_up),
    ("unexpected follow-up", lambda o: not o.case.follow_up and o.seen.follow_up),
    ("wrong intent", lambda o: not o.intent_right),
]


def failures_by_class(outcomes: list[Outcome]) -> dict[str, list[Outcome]]:
    """Failing outcomes under each class that describes them (a query may be in several)."""
    return {name: [o for o in outcomes if failed(o)] for name, failed in FAILURE_CLASSES}


def describe(outcome: Outcome) -> str:
    """One line: the query, its labels, and what came back."""
    case, seen = outcome.case, outcome.seen
    where = "/".join(p for p in (case.split, case.kind, case.writer) if p)
    expected = f"{'|'.join(case.articles) or 'out of scope'} → {case.answer_article}/{case.intent}"
    expected += " +follow-up" if case.follow_up else ""
    got = f"first {outcome.first} (rank {outcome.rank}) → {seen.answer_article}/{seen.intent}"
    got += " +follow-up" if seen.follow_up else ""
    return f"{case.q!r} ({case.locale}, {where}) expected {expected}; got {got} at {seen.confidence:.2f}"


# -- calibration -------------------------------------------------------------------------------
BUCKETS = 10


@dataclass
class Bucket:
    low: float
    high: float
    given: int = 0
    right: int = 0
    confidence_sum: float = 0.0
    declined_answerable: int = 0  # in-scope questions declined at this confidence

    def as_dict(self) -> dict[str, Any]:
        return {
            "low": self.low,
            "high": self.high,
            "given": self.given,
            "right": self.right,
            "mean_confidence": round(self.confidence_sum / self.given, 4) if self.given else None,
            "declined_answerable": self.declined_answerable,
        }


def calibration(outcomes: list[Outcome]) -> dict[str, Any]:
    """Answers given, by confidence bucket: how many, how many right (in scope and the expected
    article), and in-scope questions declined; with the expected calibration error of the
    answers given (the given-weighted mean gap between confidence and accuracy)."""
    buckets = [Bucket(round(i / BUCKETS, 1), round((i + 1) / BUCKETS, 1)) for i in range(BUCKETS)]
    for outcome in outcomes:
        bucket = buckets[min(int(outcome.seen.confidence * BUCKETS), BUCKETS - 1)]
        if outcome.answered:
            bucket.given += 1
            bucket.right += outcome.case.in_scope and outcome.article_right
            bucket.confidence_sum += outcome.seen.confidence
        elif outcome.case.in_scope:
            bucket.declined_answerable += 1
    given = sum(b.given for b in buckets)
    ece = (
        sum(abs(b.right - b.confidence_sum) for b in buckets) / given  # Σ n_b/N · |acc_b − conf_b|
        if given
        else None
    )
    return {
        "buckets": [b.as_dict() for b in buckets],
        "answers_given": given,
        "ece": None if ece is None else round(ece, 4),
    }


# -- answer threshold trade-off (in process) ---------------------------------------------------
def sweep_thresholds(kb: KnowledgeBase, cases: list[Case], thresholds: list[float]) -> list[dict[str, Any]]:
    """The answer trade-off at each confidence threshold: in-scope questions answered correctly,
    answered wrongly or left unanswered, and out-of-scope questions answered (wrongly)."""
    view = kb.current()  # one generation for the whole sweep
    rows = []
    for threshold in thresholds:
        counts = {"threshold": threshold, "correct": 0, "wrong": 0, "unanswered": 0, "out_of_scope_answered": 0}
        for case in cases:
            response = view.answer(case.q, case.locale, threshold=threshold)
            got = response.answer.article_id if response.answer else None
            if not case.in_scope:
                counts["out_of_scope_answered"] += got is not None
            elif got is None:
                counts["unanswered"] += 1
            elif got == case.answer_article and (response.follow_up is not None) == case.follow_up:
                counts["correct"] += 1
            else:
                counts["wrong"] += 1
        rows.append(counts)
    return rows
