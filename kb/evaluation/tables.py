"""Plain-text reports of evaluated sets: the figures side by side (one column per set), the
failures grouped by class, and the calibration table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .labels import LabelledSet
from .scoring import METRICS, Outcome, breakdown, calibration, describe, failures_by_class, summary

LABEL_WIDTH = 34
CELL_WIDTH = 18
GROUP_ORDER = ("all", "lang/", "kind/", "split/")


@dataclass(frozen=True)
class EvaluatedSet:
    labelled: LabelledSet
    where: str  # the index folder or the server's URL
    outcomes: list[Outcome]

    @property
    def name(self) -> str:
        return self.labelled.name

    def as_json(self, *, with_failures: bool, with_calibration: bool) -> dict[str, Any]:
        data: dict[str, Any] = {
            "source": str(self.labelled.path),
            "evaluated_at": self.where,
            "groups": {name: summary(group) for name, group in _ordered(breakdown(self.outcomes))},
        }
        if with_calibration:
            data["calibration"] = calibration(self.outcomes)
        if with_failures:
            data["failures"] = {
                name: [describe(o) for o in failing] for name, failing in failures_by_class(self.outcomes).items()
            }
        return data


def _ordered(groups: dict[str, list[Outcome]]) -> list[tuple[str, list[Outcome]]]:
    return sorted(
        groups.items(), key=lambda kv: (next(i for i, p in enumerate(GROUP_ORDER) if kv[0].startswith(p)), kv[0])
    )


def _cell(figure: dict[str, Any], percent: bool) -> str:
    if figure["value"] is None:
        return "–"
    value = f"{figure['value'] * 100:.1f} %" if percent else f"{figure['value']:.3f}"
    return f"{value} ({figure['n']})"


def side_by_side(evaluated: list[EvaluatedSet]) -> str:
    """Every group's figures, one column per set; a row only where some set has a figure."""
    per_set = [{name: summary(group) for name, group in breakdown(e.outcomes).items()} for e in evaluated]
    names = {name for groups in per_set for name in groups}
    lines = [f"{'':<{LABEL_WIDTH}}" + "".join(f"{e.name:>{CELL_WIDTH}}" for e in evaluated)]
    for group in [g for g, _ in _ordered({name: [] for name in names})]:
        counts = "".join(
            f"{(str(groups[group]['queries']) + ' queries') if group in groups else '–':>{CELL_WIDTH}}"
            for groups in per_set
        )
        lines.append(f"{group:<{LABEL_WIDTH}}{counts}")
        for metric in METRICS:
            figures = [groups.get(group, {}).get(metric.name, {"value": None}) for groups in per_set]
            if all(f["value"] is None for f in figures):
                continue
            cells = "".join(f"{_cell(f, metric.percent):>{CELL_WIDTH}}" for f in figures)
            lines.append(f"  {metric.label:<{LABEL_WIDTH - 2}}{cells}")
    lines.append("(n) = queries the figure is over: in scope for search, answered and article; all for intent")
    return "\n".join(lines)


def failures_text(evaluated: EvaluatedSet) -> str:
    """The set's failing queries under each failure class, largest class first."""
    classes = sorted(failures_by_class(evaluated.outcomes).items(), key=lambda kv: -len(kv[1]))
    lines = [f"failures of {evaluated.name} ({len(evaluated.outcomes)} queries), by class:"]
    for name, failing in classes:
        if failing:
            lines.append(f"  {name} ({len(failing)})")
            lines.extend(f"    {describe(o)}" for o in failing)
    if len(lines) == 1:
        lines.append("  none")
    return "\n".join(lines)


def calibration_text(evaluated: EvaluatedSet) -> str:
    """Answers given by confidence bucket, how many were right, and answerable ones declined."""
    table = calibration(evaluated.outcomes)
    ece = "–" if table["ece"] is None else f"{table['ece']:.3f}"
    lines = [
        f"calibration of {evaluated.name}: {table['answers_given']} answers given, expected calibration error {ece}",
        f"{'confidence':<12}{'given':>7}{'right':>7}{'right %':>9}{'mean conf':>11}{'declined in scope':>19}",
    ]
    for b in table["buckets"]:
        share = f"{100 * b['right'] / b['given']:.1f}" if b["given"] else "–"
        mean = "–" if b["mean_confidence"] is None else f"{b['mean_confidence']:.2f}"
        lines.append(
            f"{b['low']:.1f}–{b['high']:.1f}{'':<5}{b['given']:>7}{b['right']:>7}{share:>9}{mean:>11}"
            f"{b['declined_answerable']:>19}"
        )
    return "\n".join(lines)
