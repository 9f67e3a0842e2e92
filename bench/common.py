"""Helpers shared by the benchmark scripts: percentiles, machine facts, JSON output, a small
reader of the article markdown format (for the FTS5 peer, which must not depend on ``kb``)."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of an already sorted sequence."""
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, round(p / 100.0 * len(sorted_values) + 0.5) - 1))
    return sorted_values[k]


def summarize_ms(samples_ms: Iterable[float]) -> dict[str, float]:
    """p50/p95/p99/mean/max (milliseconds, rounded to µs) and count of latency samples."""
    values = sorted(samples_ms)
    if not values:
        return {"n": 0}
    return {
        "n": len(values),
        "p50": round(percentile(values, 50), 3),
        "p95": round(percentile(values, 95), 3),
        "p99": round(percentile(values, 99), 3),
        "mean": round(sum(values) / len(values), 3),
        "max": round(values[-1], 3),
    }


def machine_info() -> dict[str, object]:
    """Cores, memory, CPU model, Python and OS: what a reader needs to compare figures."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {
        "cpu_model": cpu,
        "cores": os.cpu_count(),
        "memory_gib": mem_gib,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "os": f"{platform.system()} {platform.release()}",
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def write_json(path: Path | None, payload: dict) -> None:
    """Write ``payload`` as pretty JSON to ``path`` (creating folders), or to stdout if None."""
    text = json.dumps(payload, indent=2, ensure_ascii=False, default=str)
    if path is None:
        print(text)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n", encoding="utf-8")


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def dir_size_bytes(path: Path) -> int:
    """Bytes of regular files under ``path`` (symlinks not followed, each inode counted once)."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            st = os.lstat(os.path.join(dirpath, name))
            if (st.st_dev, st.st_ino) in seen or not os.path.isfile(os.path.join(dirpath, name)):
                continue
            seen.add((st.st_dev, st.st_ino))
            total += st.st_size
    return total


# --- a reader of the authoring format (docs/authoring.md), for the peer ---------------------

_HEADING = re.compile(r"^##\s+(.*?)\s*(?:\{#([a-z0-9-]+)\})?\s*$")
_STEP = re.compile(r"^\s{0,3}\d+[.)]\s+(.*)$")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_EMPH = re.compile(r"(\*\*|__|\*|_|`)(.+?)\1")


def plain(text: str) -> str:
    """Markdown emphasis and links reduced to their text."""
    return _EMPH.sub(r"\2", _LINK.sub(r"\1", text))


@dataclass
class Chunk:
    article_id: str
    locale: str
    title: str
    heading: str
    anchor: str
    body: str


def read_article(path: Path, locale: str) -> list[Chunk]:
    """Split one article into chunks: the introduction (with summary and keywords) and one
    chunk per ``## `` section. Steps stay in the body of their section."""
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        raise ValueError(f"{path}: no front matter")
    _, fm, body = text.split("---", 2)
    meta = yaml.safe_load(fm) or {}
    article_id = str(meta.get("id") or path.stem)
    title = plain(str(meta.get("title", "")))
    intro_extra = [str(meta.get("summary", ""))] + [str(k) for k in meta.get("keywords") or []]
    chunks = [Chunk(article_id, locale, title, "", "", "")]
    lines: list[str] = list(intro_extra)
    for raw in body.splitlines():
        m = _HEADING.match(raw)
        if m:
            chunks[-1].body = plain(" ".join(x.strip() for x in lines if x.strip()))
            heading = plain(m.group(1))
            chunks.append(Chunk(article_id, locale, title, heading, m.group(2) or "", ""))
            lines = []
            continue
        step = _STEP.match(raw)
        lines.append(step.group(1) if step else raw)
    chunks[-1].body = plain(" ".join(x.strip() for x in lines if x.strip()))
    return chunks


def read_content(content_dir: Path) -> list[Chunk]:
    """All chunks of ``<content_dir>/<locale>/*.md``."""
    out: list[Chunk] = []
    for loc_dir in sorted(p for p in content_dir.iterdir() if p.is_dir()):
        for md in sorted(loc_dir.glob("*.md")):
            out.extend(read_article(md, loc_dir.name))
    return out
