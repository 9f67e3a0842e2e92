"""What `kb status` prints: the generation a server would serve and why, and every generation
of the index directory checked against its checksums (as text, or as JSON with ``--json``)."""

from __future__ import annotations

import json
from pathlib import Path

from .generations import inspect_generations
from .serving import IndexStatus


def index_status(index_dir: Path, serving: IndexStatus, as_json: bool) -> str:
    generations = inspect_generations(index_dir)
    if as_json:
        body = {
            "index_dir": str(index_dir),
            "current": serving.current,
            "serving": serving.generation,
            "reason": serving.reason,
            "generations": [vars(g) for g in generations],
        }
        return json.dumps(body, ensure_ascii=False, indent=2)
    lines = [
        f"index:    {index_dir}",
        f"current:  {serving.current or '(no current link)'}",
        f"serving:  {serving.generation or '(none)'} — {serving.reason}",
        "generations, newest first:" if generations else "no generation built yet: run `kb reindex`",
    ]
    for g in generations:
        facts = f"{g.articles} articles, built {g.created_at}" if g.problem is None else f"refused: {g.problem}"
        lines.append(f"  {g.name}  {facts}")
    return "\n".join(lines)
