"""Measure search relevance and answer quality on labelled query sets.

load_set(path)                      -> LabelledSet   golden or blind labels, validated
InProcessRunner(kb), HttpRunner(url)                 where the queries are run
evaluate(runner, labelled)          -> [Outcome]     every query through search and answer
summary(outcomes), breakdown(outcomes)               figures; groups by language, kind, split
failures_by_class(outcomes), calibration(outcomes)   what fails, and how confidence relates to it
side_by_side(...), failures_text(...), calibration_text(...)   the text reports of ``kb evaluate``
"""

from .labels import Case, LabelledSet, load_set
from .runners import HttpRunner, InProcessRunner, Observation, Runner
from .scoring import (
    FAILURE_CLASSES,
    METRICS,
    Outcome,
    breakdown,
    calibration,
    describe,
    evaluate,
    failures_by_class,
    summary,
    sweep_thresholds,
)
from .tables import EvaluatedSet, calibration_text, failures_text, side_by_side

__all__ = [
    "FAILURE_CLASSES",
    "METRICS",
    "Case",
    "EvaluatedSet",
    "HttpRunner",
    "InProcessRunner",
    "LabelledSet",
    "Observation",
    "Outcome",
    "Runner",
    "breakdown",
    "calibration",
    "calibration_text",
    "describe",
    "evaluate",
    "failures_by_class",
    "failures_text",
    "load_set",
    "side_by_side",
    "summary",
    "sweep_thresholds",
]
