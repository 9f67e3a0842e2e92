"""Static checks of the widget's files (no browser): size budget, types (TypeScript's checker over
the JSDoc types and the loader contract), and nothing that a strict CSP forbids or that would put
untrusted text into markup."""

from __future__ import annotations

import re
import subprocess
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
ALLOWED_URLS = {"https://x.com/", "http://www.w3.org/2000/svg"}


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


def test_scripts_type_check() -> None:
    """`// @ts-check` means something: tsc (npm, pinned) checks both files and contract.d.ts in
    strict mode, against the ES2020 library (a newer built-in would be an error)."""
    tsc = ROOT / "node_modules" / "typescript" / "bin" / "tsc"
    if not tsc.exists():
        pytest.fail(f"{tsc} is missing: run `npm ci` (scripts/test does) to install TypeScript")
    for path in SCRIPTS:
        assert path.read_text(encoding="utf-8").count("// @ts-check") == 1, path.name
    checked = subprocess.run(
        ["node", str(tsc), "-p", str(ROOT / "tsconfig.json")], capture_output=True, text=True, timeout=300
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
