"""Static checks of the widget's files (no browser): size budget, and nothing that a strict CSP
forbids or that would put untrusted text into markup."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WIDGET = ROOT / "api" / "static" / "widget"
sys.path.insert(0, str(ROOT / "bench"))
import widget_size  # noqa: E402

SCRIPTS = sorted(WIDGET.glob("*.js"))
STYLES = sorted(WIDGET.glob("*.css"))
# Markup sinks and code-from-text: none of them may appear in the widget.
FORBIDDEN_JS = [
    r"\.innerHTML\b", r"\.outerHTML\b", r"insertAdjacentHTML", r"document\.write", r"\beval\(",
    r"new Function\(", r"setTimeout\(\s*['\"]", r"""setAttribute\(\s*['"]style""", r"\.cssText\b",
    r"\bon\w+\s*=\s*['\"]",
]
# URLs a widget file may name: links the customer may follow, and the SVG namespace.
ALLOWED_URLS = {"https://twitter.com/", "http://www.w3.org/2000/svg"}


def test_size_budget() -> None:
    table = widget_size.sizes()
    total = sum(gz for _, gz in table.values())
    assert total <= widget_size.TOTAL_BUDGET, table
    assert table["loader.js"][1] < widget_size.LOADER_BUDGET, table


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.name)
def test_scripts_have_no_markup_sinks(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    found = [pattern for pattern in FORBIDDEN_JS if re.search(pattern, text)]
    assert not found, f"{path.name}: {found}"


@pytest.mark.parametrize("path", SCRIPTS + STYLES, ids=lambda p: p.name)
def test_no_other_host_is_named(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    urls = set(re.findall(r"https?://[^\s'\")]+", text))
    assert urls <= ALLOWED_URLS, urls - ALLOWED_URLS
    assert "@import" not in text and "<style" not in text
