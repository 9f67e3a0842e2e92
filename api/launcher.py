"""What ``scripts/serve`` runs: uvicorn with the operator's arguments, after a banner.

``python -m api.launcher api.app:app [uvicorn options]`` reads the options with uvicorn's own
parser (its ``UVICORN_*`` and ``WEB_CONCURRENCY`` variables included), so the banner prints the
address uvicorn really binds, not a guess. With more than one worker it sets up
prometheus-client's multiprocess folder (unless ``PROMETHEUS_MULTIPROC_DIR`` is set) and warns
when the rate limit counts in each worker's memory (``KB_RATE_LIMIT_STORAGE=memory://``).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

import click
import uvicorn

from kb.config import Settings

MULTIPROC_DIR = Path("var/prometheus-multiproc")


def listen_address(params: dict[str, Any]) -> str:
    """Where uvicorn listens, from its parsed options."""
    if params.get("uds"):
        return f"unix socket {params['uds']}"
    if params.get("fd") is not None:
        return f"file descriptor {params['fd']}"
    host, port = str(params["host"]), int(params["port"])
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}" if port else f"http://{shown} on a port the system picks (see uvicorn's line)"


def worker_count(params: dict[str, Any]) -> int:
    """uvicorn's rule: --workers, else $WEB_CONCURRENCY, else 1."""
    return int(params.get("workers") or os.environ.get("WEB_CONCURRENCY") or 1)


def banner(params: dict[str, Any], settings: Settings) -> list[str]:
    """The lines printed before uvicorn starts: the address, and warnings about the setup."""
    workers = worker_count(params)
    lines = [f"==> serving on {listen_address(params)}  (demo page: /, API docs: /docs)"]
    if workers > 1:
        lines.append(f"==> {workers} workers; metrics of all workers in {os.environ['PROMETHEUS_MULTIPROC_DIR']}")
        if settings.rate_limit_per_minute and settings.rate_limit_storage == "memory://":
            lines.append(
                f"==> warning: {workers} workers count the rate limit each in its own memory (memory://): a client "
                f"may get up to {workers} × {settings.rate_limit_per_minute} requests per minute. Set "
                "KB_RATE_LIMIT_STORAGE=async+redis://host:6379/0 for one limit (docs/operations.md)."
            )
    return lines


def prepare_metrics_folder(params: dict[str, Any]) -> None:
    """prometheus-client's multiprocess mode needs an empty folder per server, set before start."""
    if worker_count(params) > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        folder = MULTIPROC_DIR.resolve()
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)


def uvicorn_options(args: list[str]) -> dict[str, Any]:
    """uvicorn's options as uvicorn itself parses ``args`` (and its environment variables)."""
    return uvicorn.main.make_context("uvicorn", list(args)).params


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    try:
        params = uvicorn_options(args)
    except click.exceptions.Exit as done:  # --help, --version
        raise SystemExit(done.exit_code) from None
    except click.ClickException as exc:
        exc.show()
        raise SystemExit(exc.exit_code) from None
    try:
        settings = Settings()
    except Exception as exc:  # a bad KB_* variable: say so before uvicorn's workers each fail
        raise SystemExit(f"invalid configuration: {exc}") from None
    prepare_metrics_folder(params)
    for line in banner(params, settings):
        print(line, flush=True)
    uvicorn.main.main(args=list(args), prog_name="uvicorn")


if __name__ == "__main__":
    main()
