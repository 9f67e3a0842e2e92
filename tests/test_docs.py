"""The README matches the code: every setting, error code and CLI command is documented."""

from __future__ import annotations

import re

from api.errors import ErrorCode
from kb.cli import main
from kb.config import Settings

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented() -> None:
    for name in Settings.model_fields:
        assert f"`KB_{name.upper()}`" in README, f"KB_{name.upper()} is not in the README"


def test_the_error_table_is_the_error_codes() -> None:
    """The README's table of error codes lists exactly :class:`api.errors.ErrorCode`, with each
    code's status."""
    section = README.split("### Errors", 1)[1].split("\n## ", 1)[0]
    documented = {code: int(status) for code, status in re.findall(r"^\| `(\w+)` \| (\d{3}) \|", section, re.M)}
    assert documented == {code.value: code.status for code in ErrorCode}


def test_where_things_go_names_every_module() -> None:
    """Each module and package of kb/ and api/ is named in its own paragraph of "Where things go"
    (routes by the routes/<area>.py pattern)."""
    block = README.split("## Where things go", 1)[1].split("```", 2)[1]
    paragraphs = dict(re.findall(r"^(\w+)/ +(.*?)(?=^\S|\Z)", block, re.M | re.S))
    for folder in ("kb", "api"):
        words = set(re.findall(r"\w+", paragraphs[folder]))
        for path in (ROOT / folder).iterdir():
            is_package = path.is_dir() and (path / "__init__.py").exists()
            if path.name.startswith("_") or not (path.suffix == ".py" or is_package):
                continue
            assert path.stem in words, f"{folder}/{path.name} is not in the README's 'Where things go'"


def test_every_cli_command_is_documented() -> None:
    for name in main.commands:
        assert f"`kb {name}" in README, name


def test_the_two_commands_exist() -> None:
    for script in ("scripts/serve", "scripts/test"):
        assert f"{script}" in README and (ROOT / script).exists()
    assert "scripts/test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_documented_way_to_start_the_server_turns_off_uvicorns_access_log_and_proxy_headers() -> None:
    """uvicorn's access log writes client addresses and query strings; its proxy headers let
    X-Forwarded-For rewrite the client address (docs/operations.md, "Run it")."""
    serve = (ROOT / "scripts" / "serve").read_text(encoding="utf-8")
    operations = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    starts = [line for line in serve.splitlines() if line.startswith("exec ") and "api.app:app" in line]
    starts += [line for text in (README, operations) for line in text.splitlines()
               if re.search(r"(^|/|=)uvicorn api\.app:app", line)]
    assert len(starts) >= 3  # scripts/serve, the hand-run line, the process-manager unit
    for line in starts:
        assert "--no-access-log" in line and "--no-proxy-headers" in line, line
