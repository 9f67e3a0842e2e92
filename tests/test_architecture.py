"""The shape of the code: `api` depends on `kb`, never the reverse; `kb` has an explicit public API."""

from __future__ import annotations

import ast
from pathlib import Path

import kb

from .conftest import ROOT

FORBIDDEN_IN_KB = {"api", "fastapi", "starlette", "uvicorn"}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_kb_never_imports_the_web_layer() -> None:
    for path in (ROOT / "kb").rglob("*.py"):
        assert not imports_of(path) & FORBIDDEN_IN_KB, path


def test_kb_public_api_is_explicit_and_importable() -> None:
    assert kb.__all__
    for name in kb.__all__:
        assert getattr(kb, name) is not None, name


def test_api_uses_only_the_public_names_or_documented_modules() -> None:
    allowed_modules = {
        "kb",
        "kb.config",
        "kb.errors",
        "kb.service",
        "kb.view",
        "kb.models",
        "kb.locales",
        "kb.i18n",
        "kb.content",
        "kb.markup",
        "kb.article_body",
        "kb.indexing",
        "kb.storage",
        "kb.migrate",
        "kb.search_log",
        "kb.report",
        "kb.privacy",
        "kb.redaction",
        "kb.analysis",
    }
    for path in (ROOT / "api").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("kb"):
                assert node.module in allowed_modules, f"{path}: imports {node.module}"


def test_nothing_in_api_imports_the_app_module() -> None:
    """``api.app`` builds an app when imported: modules reach the services through ``api.deps``."""
    for path in (ROOT / "api").rglob("*.py"):
        package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                base = package.rsplit(".", node.level - 1)[0] if node.level else ""
                module = ".".join(p for p in (base, node.module or "") if p)
                imported = {module} | {f"{module}.{alias.name}" for alias in node.names}
            elif isinstance(node, ast.Import):
                imported = {alias.name for alias in node.names}
            else:
                continue
            assert "api.app" not in imported, f"{path}:{node.lineno} imports the app module"


def test_routes_reach_state_through_dependencies_only() -> None:
    for path in (ROOT / "api").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "app.state" not in text.replace("``app.state``", ""), f"{path} reads app.state"


# Callees whose positional arguments are items of one list (a table's columns), not parameters.
VARIADIC_CALLEES = {"sa.Table", "op.create_table"}


def test_no_call_relays_six_or_more_positional_arguments() -> None:
    """Six positional arguments are a record passed in pieces: pass keywords, or the record."""
    for folder in ("kb", "api"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and len(node.args) >= 6:
                    callee = ast.unparse(node.func)
                    assert callee in VARIADIC_CALLEES, f"{path}:{node.lineno}: {callee}, {len(node.args)} positional"


def test_modules_stay_small() -> None:
    for folder in ("kb", "api"):
        for path in (ROOT / folder).rglob("*.py"):
            lines = len(path.read_text(encoding="utf-8").splitlines())
            assert lines <= 400, f"{path} has {lines} lines: split it by job"
