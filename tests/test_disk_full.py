"""A full disk during a reindex, on a real size-limited tmpfs: one clear line and exit code 6 from
`kb reindex`, the previous generation still current and intact, nothing half-written left, and
every file closed so that the space comes back at once."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kb.content import load_content
from kb.errors import InsufficientStorageError
from kb.generations import GENERATIONS, current_generation_path, verify
from kb.indexing import build_index
from kb.service import KnowledgeBase

from .conftest import CONTENT_DIR, make_settings
from .test_cli import kb

TMPFS_BYTES = 8 * 1024 * 1024
# Free space left for the second build, chosen (on the shipped content) so that it runs out at
# different steps of Whoosh's writer: the first file, the term tables, the segment's flush, the
# assembly of the compound segment file.
FREE_BYTES = [0, 128 * 1024, 276 * 1024, 400 * 1024]


@pytest.fixture
def small_disk() -> Iterator[Path]:
    """A freshly mounted tmpfs of 8 MiB, unmounted at the end."""
    if os.geteuid() != 0:
        pytest.skip("mounting a size-limited tmpfs needs root (CI runs the tests as root)")
    mount_point = Path(tempfile.mkdtemp(prefix="kb-test-full-disk-"))
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={TMPFS_BYTES},mode=0755", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        mount_point.rmdir()
        pytest.skip(f"this machine refuses to mount a tmpfs even as root: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)
        shutil.rmtree(mount_point, ignore_errors=True)


def free_bytes(path: Path) -> int:
    stats = os.statvfs(path)
    return stats.f_bavail * stats.f_frsize


def fill(disk: Path, leave: int) -> Path:
    """Take all the free space of ``disk`` but ``leave`` bytes."""
    filler = disk / "filler"
    with open(filler, "wb") as out:
        out.truncate(0)
        os.posix_fallocate(out.fileno(), 0, max(free_bytes(disk) - leave, 1))
    return filler


def open_files_under(path: Path) -> list[str]:
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(path)):
            found.append(target)
    return found


def kb_reindex(index: Path) -> subprocess.CompletedProcess[str]:
    return kb("reindex", "--quiet", "--content-dir", str(CONTENT_DIR), "--index-dir", str(index))


def assert_previous_generation_intact(index: Path, before: Path | None) -> None:
    assert current_generation_path(index) == before
    assert before is not None
    verify(before)
    assert not [p.name for p in (index / GENERATIONS).iterdir() if p.resolve() != before]
    assert KnowledgeBase(index, cache_size=0).search("remboursement", "fr").results


@pytest.mark.parametrize("leave", FREE_BYTES, ids=[f"{n // 1024}KiB-free" for n in FREE_BYTES])
def test_kb_reindex_on_a_full_disk_says_so_in_one_line_and_exits_6(small_disk: Path, leave: int) -> None:
    index = small_disk / "index"
    first = kb_reindex(index)
    assert first.returncode == 0, first.stderr
    before = current_generation_path(index)
    fill(small_disk, leave)
    second = kb_reindex(index)
    assert second.returncode == 6, (second.stdout, second.stderr)
    lines = second.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in second.stderr, second.stderr
    assert lines[0].startswith("error: no space left on device while writing "), lines[0]
    assert str(index) in lines[0]
    print(lines[0])  # where it ran out, for `pytest -s`
    assert_previous_generation_intact(index, before)


def test_a_failed_build_closes_its_files_and_gives_the_space_back(small_disk: Path) -> None:
    index = small_disk / "index"
    content = load_content(CONTENT_DIR)
    build_index(content, index)
    before = current_generation_path(index)
    filler = fill(small_disk, 128 * 1024)
    with pytest.raises(InsufficientStorageError, match="no space left on device while writing"):
        build_index(content, index)
    assert open_files_under(small_disk) == []
    filler.unlink()
    free_after_failure = free_bytes(small_disk)
    report = build_index(content, index)  # with room again, the next build succeeds
    assert current_generation_path(index) == Path(report.path).resolve() != before
    assert free_bytes(small_disk) < free_after_failure
    verify(Path(report.path))


def test_admin_reindex_on_a_full_disk_is_507_and_the_previous_index_keeps_serving(
    small_disk: Path, tmp_path: Path
) -> None:
    index = small_disk / "index"
    token = "disk-full-admin-token-0123456789"
    settings = make_settings(index, tmp_path, admin_token=token)
    build_index(load_content(CONTENT_DIR), index)
    with TestClient(create_app(settings)) as client:
        serving = client.get("/v1/search", params={"q": "refund"}).json()["generation"]
        fill(small_disk, 128 * 1024)
        response = client.post("/v1/admin/reindex", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 507, response.text
        error = response.json()["error"]
        assert error["code"] == "insufficient_storage"
        assert error["message"].startswith("no space left on device while writing the new index")
        assert str(small_disk) not in response.text  # the path stays in the server's log
        after = client.get("/v1/search", params={"q": "refund"})
        assert after.status_code == 200 and after.json()["generation"] == serving
        assert [p for p in open_files_under(small_disk) if GENERATIONS in p and ".building-" in p] == []
