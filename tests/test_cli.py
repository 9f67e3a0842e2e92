"""The `kb` command through its real console-script entry point, in subprocesses."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import CONTENT_DIR, ROOT


def kb(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("kb")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "kb.cli"]
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT, env={**os.environ, **(env or {})}
    )


@pytest.fixture()
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
