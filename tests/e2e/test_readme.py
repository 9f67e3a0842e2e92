"""The README's curl examples, run as written (curl + jq) against a real uvicorn server."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..helpers import ROOT, free_port, run_kb, wait_until_ready

EXAMPLES = re.findall(r"^(curl .+)\n# → (.+)$", (ROOT / "README.md").read_text(encoding="utf-8"), re.M)




@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("readme")
    port = free_port()
    env = {**os.environ, "KB_INDEX_DIR": str(tmp / "index"), "KB_CONTENT_DIR": str(ROOT / "content"),
           "KB_DATABASE_URL": f"sqlite:///{tmp / 'kb.sqlite3'}", "KB_CHANNELS_FILE": str(tmp / "none.yaml"),
           "KB_ACCESS_LOG": "false", "KB_RATE_LIMIT_PER_MINUTE": "0"}
    bindir = Path(sys.executable).parent
    assert run_kb("reindex", "-q", env=env).returncode == 0
    assert run_kb("db", "upgrade", env=env).returncode == 0
    log = open(tmp / "server.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen([str(bindir / "uvicorn"), "api.app:app", "--port", str(port)], env=env, cwd=ROOT,
                              stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(url, server, (tmp / "server.log").read_text)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _normal(text: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text.strip()


def test_the_readme_has_examples_for_each_answer_kind() -> None:
    assert len(EXAMPLES) >= 8


@pytest.mark.skipif(not (shutil.which("curl") and shutil.which("jq")),
                    reason="curl and jq run the README's examples; scripts/test installs them")
@pytest.mark.parametrize(("command", "expected"), EXAMPLES, ids=[c.split("?")[1][:40] for c, _ in EXAMPLES])
def test_curl_example_prints_what_the_readme_shows(base_url: str, command: str, expected: str) -> None:
    result = subprocess.run(["bash", "-c", command.replace("http://127.0.0.1:8000", base_url)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert _normal(result.stdout) == _normal(expected)
