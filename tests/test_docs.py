"""The README matches the code: every setting, error code and CLI command is documented."""

from __future__ import annotations

import re

import api.errors
from kb.cli import main
from kb.config import Settings

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented() -> None:
    for name in Settings.model_fields:
        assert f"`KB_{name.upper()}`" in README, f"KB_{name.upper()} is not in the README"


def test_every_error_code_is_documented() -> None:
    codes = set(re.findall(r"``(\w+)`` \(\d{3}\)", api.errors.__doc__ or ""))
    assert codes
    for code in codes:
        assert f"`{code}`" in README, code


def test_every_cli_command_is_documented() -> None:
    for name in main.commands:
        assert f"`kb {name}" in README, name


def test_the_two_commands_exist() -> None:
    for script in ("scripts/serve", "scripts/test"):
        assert f"{script}" in README and (ROOT / script).exists()
    assert "scripts/test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
