"""The `kb` command through its real console-script entry point, in subprocesses."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from .conftest import CONTENT_DIR
from .helpers import run_kb as kb


@pytest.fixture
def workspace(tmp_path: Path) -> dict[str, str]:
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    return {
        "KB_CONTENT_DIR": str(content),
        "KB_INDEX_DIR": str(tmp_path / "index"),
        "KB_CHANNELS_FILE": str(tmp_path / "none.yaml"),
    }


def test_reindex_prints_a_per_locale_summary(workspace: dict[str, str]) -> None:
    result = kb("reindex", env=workspace)
    assert result.returncode == 0, result.stderr
    assert "en: 7 articles" in result.stdout and "fr: 7 articles" in result.stdout
    assert "indexed 14 articles into generation" in result.stdout


def test_broken_file_fails_with_file_and_line_and_old_index_still_answers(workspace: dict[str, str]) -> None:
    assert kb("reindex", env=workspace).returncode == 0
    broken = Path(workspace["KB_CONTENT_DIR"]) / "fr" / "auto-renewal.md"
    broken.write_text(
        broken.read_text(encoding="utf-8").replace("intent: auto_renew", "intent: nope"), encoding="utf-8"
    )
    result = kb("reindex", env=workspace)
    assert result.returncode == 1
    assert "content/fr/auto-renewal.md:4: field 'intent'" in result.stderr
    search = kb("search", "désactiver le renouvellement", "--locale", "fr", env=workspace)
    assert search.returncode == 0 and "auto-renewal" in search.stdout.splitlines()[0]


def test_check_validates_without_touching_the_index(workspace: dict[str, str]) -> None:
    result = kb("check", env=workspace)
    assert result.returncode == 0 and "content OK: 7 articles in 2 locales" in result.stdout
    assert not Path(workspace["KB_INDEX_DIR"]).exists()


def test_search_json_is_the_api_shape(workspace: dict[str, str]) -> None:
    kb("reindex", "-q", env=workspace)
    result = kb("search", "remboursement", "--locale", "en", "--json", env=workspace)
    data = json.loads(result.stdout)
    assert data["locale"] == "en" and data["results"][0]["article_id"] == "refund-policy"
    assert {"query", "requested_locale", "total", "has_more", "suggestions", "results"} <= set(data)


def test_answer_prints_steps(workspace: dict[str, str]) -> None:
    kb("reindex", "-q", env=workspace)
    result = kb("answer", "turn off auto renew", "--locale", "en", env=workspace)
    assert result.returncode == 0 and "1. " in result.stdout and "auto-renewal" in result.stdout


def test_search_without_index_says_what_to_do(workspace: dict[str, str]) -> None:
    result = kb("search", "refund", env=workspace)
    assert result.returncode == 3 and "kb reindex" in result.stderr


def test_bad_arguments_are_clear_errors(workspace: dict[str, str]) -> None:
    assert kb("search", "x", "--limit", "0", env=workspace).returncode == 2
    result = kb("search", "x", "--locale", "../../etc", env=workspace)
    assert result.returncode in (1, 3) and "Traceback" not in result.stderr
    missing = kb("check", "--content-dir", "/nonexistent/dir", env=workspace)
    assert missing.returncode == 1 and "does not exist" in missing.stderr


BLIND_LABELS = """\
- q: "je veux être remboursé"
  locale: fr
  lang: fr
  articles: [refund-policy]
  intent: refund
  answer_article: refund-policy
  follow_up: true
  kind: question
  persona: France, hurried
  writer: w1
- q: "refund my netflix subscription"
  locale: en
  lang: en
  articles: []
  intent: null
  answer_article: null
  follow_up: false
  kind: out-of-scope
  persona: US, angry
  writer: w2
"""


def test_evaluate_puts_sets_side_by_side_with_calibration_and_failure_classes(
    workspace: dict[str, str], tmp_path: Path
) -> None:
    kb("reindex", "-q", env=workspace)
    blind = tmp_path / "blind-9.yaml"
    blind.write_text(BLIND_LABELS, encoding="utf-8")
    result = kb("evaluate", "tests/golden/queries.yaml", str(blind), "--calibration", "--failures", env=workspace)
    assert result.returncode == 0, result.stderr
    header = result.stdout.splitlines()[0].split()
    assert header == ["golden", "blind-9"]
    assert "split/holdout" in result.stdout and "kind/out-of-scope" in result.stdout
    top1 = next(line for line in result.stdout.splitlines() if "search top-1 (any acceptable)" in line)
    assert top1.rstrip().endswith("100.0 % (1)")  # blind-9's one in-scope query, found first
    assert "calibration of golden" in result.stdout and "calibration of blind-9" in result.stdout
    assert "expected calibration error" in result.stdout
    assert "failures of blind-9 (2 queries), by class:\n  none" in result.stdout


def test_evaluate_defaults_to_the_golden_set_and_prints_json(workspace: dict[str, str]) -> None:
    kb("reindex", "-q", env=workspace)
    result = kb("evaluate", "--json", "--failures", "--split", "holdout", env=workspace)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    golden = report["golden"]
    assert set(golden["groups"]) >= {"all", "lang/fr", "lang/en", "kind/typo", "split/holdout"}
    assert "split/tune" not in golden["groups"]
    assert golden["groups"]["all"]["queries"] == golden["groups"]["split/holdout"]["queries"]
    assert 0 <= golden["groups"]["all"]["top1_strict"]["value"] <= 1
    assert set(golden["failures"]) == {
        "wrong first result",
        "zero results",
        "declined in scope",
        "answered out of scope",
        "wrong article",
        "missing follow-up",
        "unexpected follow-up",
        "wrong intent",
    }
    assert "calibration" not in golden


def test_evaluate_rejects_a_bad_label_naming_the_entry(workspace: dict[str, str], tmp_path: Path) -> None:
    kb("reindex", "-q", env=workspace)
    blind = tmp_path / "blind-bad.yaml"
    blind.write_text(BLIND_LABELS.replace("kind: out-of-scope", "kind: weather"), encoding="utf-8")
    result = kb("evaluate", str(blind), env=workspace)
    assert result.returncode == 1
    assert "blind-bad.yaml: entry 2 ('refund my netflix subscription'): kind:" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--base-url", "ftp://example.org"], "http:// or https:// URL"),
        (["--sweep", "--base-url", "http://127.0.0.1:9"], "--sweep"),
        (["no-such-set.yaml"], "does not exist"),
    ],
)
def test_evaluate_refuses_bad_arguments(workspace: dict[str, str], args: list[str], message: str) -> None:
    result = kb("evaluate", *args, env=workspace)
    assert result.returncode == 2 and message in result.stderr
