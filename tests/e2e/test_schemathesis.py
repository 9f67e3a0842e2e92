"""Schemathesis against a real uvicorn server over an index built from content/: every check,
every phase (examples, coverage, fuzzing, stateful), a fixed seed and bounded examples
(tests/e2e/schemathesis.toml), the admin token set and the rate limit off.

One check is configured off, ``positive_data_acceptance``, and replaced by the same check
except for the two 422 rules the OpenAPI document cannot express, each confirmed by the check
itself (tests/e2e/schemathesis_checks.py): a ``locale`` of the declared grammar that names no
locale Babel knows (``xx``), and ``GET /v1/answer`` with neither ``q`` nor ``article_id``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ..helpers import ROOT
from .conftest import running_server

CONFIG = Path(__file__).with_name("schemathesis.toml")
TOKEN = "schemathesis-admin-token-0123456789"
SEED = 20261204


def schemathesis_command() -> list[str]:
    beside = Path(sys.executable).with_name("schemathesis")
    if not beside.exists():
        pytest.fail("schemathesis is not installed beside this interpreter (pip install -e '.[test]')")
    return [str(beside)]


@pytest.mark.slow
def test_schemathesis_finds_nothing_wrong(tmp_path: Path) -> None:
    report = tmp_path / "schemathesis.json"
    with running_server(tmp_path, KB_ADMIN_TOKEN=TOKEN) as server:
        done = subprocess.run(
            [
                *schemathesis_command(), "--config-file", str(CONFIG), "run", f"{server.url}/openapi.json",
                "--no-color", "--report", "json", "--report-json-path", str(report),
            ],
            cwd=ROOT,  # the hooks module is imported as tests.e2e.schemathesis_checks
            env={**os.environ, "KB_TEST_ADMIN_TOKEN": TOKEN},
            capture_output=True,
            text=True,
            timeout=900,
        )
    assert done.returncode == 0, done.stdout[-30_000:] + done.stderr[-5_000:]
    result = json.loads(report.read_text(encoding="utf-8"))
    assert result["seed"] == SEED and result["complete"], result["stop_reason"]
    assert result["operations"]["tested"] == result["operations"]["total"] >= 13
    assert {name: phase["status"] for name, phase in result["phases"].items()} == dict.fromkeys(
        ("examples", "coverage", "fuzzing", "stateful"), "success"
    )
    assert result["test_cases"]["generated"] >= 2000
    assert result["failures"] == [] and result["errors"] == []
