"""scripts/kb: the project's `kb` from any folder, with the project's folders as defaults, also
through a symlink on the PATH (what the README tells users to do)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from kb.content import load_content
from kb.indexing import build_index

from .conftest import CONTENT_DIR, ROOT


def test_kb_search_from_another_folder_through_a_symlink(tmp_path: Path) -> None:
    # A copy of the project's layout: scripts/kb and what it sources, content/, and the index
    # where scripts/serve builds it (var/index); the virtualenv is the one running the tests.
    project = tmp_path / "project"
    (project / "scripts").mkdir(parents=True)
    for name in ("kb", "_paths.sh"):
        shutil.copy2(ROOT / "scripts" / name, project / "scripts" / name)
    shutil.copytree(CONTENT_DIR, project / "content")
    build_index(load_content(project / "content"), project / "var" / "index")
    bin_dir, elsewhere = tmp_path / "bin", tmp_path / "elsewhere"
    bin_dir.mkdir()
    elsewhere.mkdir()
    (bin_dir / "kb").symlink_to(project / "scripts" / "kb")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    env.update(KB_VENV=str(Path(sys.executable).parent.parent), PATH=f"{bin_dir}{os.pathsep}{env['PATH']}")

    found = subprocess.run(["kb", "search", "remboursement"], cwd=elsewhere, env=env,
                           capture_output=True, text=True, timeout=120)

    assert found.returncode == 0, found.stderr
    assert "[refund-policy ·" in found.stdout.splitlines()[0]
    assert not (elsewhere / "var").exists()  # nothing made in the folder it ran from


def test_without_the_virtualenv_it_says_what_to_run(tmp_path: Path) -> None:
    env = {**os.environ, "KB_VENV": str(tmp_path / "no-venv")}
    done = subprocess.run([str(ROOT / "scripts" / "kb"), "--help"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "run" in done.stderr and "scripts/serve" in done.stderr
