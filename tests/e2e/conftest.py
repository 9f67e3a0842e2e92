"""Fixtures for the browser tests: a real uvicorn server on a free port over a freshly built
index, and Debian's Chromium driven by Playwright, with a watcher that records console errors,
page errors, CSP violations and every request the page makes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from ..helpers import ROOT, free_port, run_kb, wait_until_ready

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("KB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHANNELS_FILE = Path(__file__).with_name("channels.yaml")
# Pages name this address, never the one the browser used (the Host header).
PUBLIC_BASE_URL = "https://help.example.com"




@dataclass
class Server:
    url: str
    log: Path

    def get(self, path: str, **params: str) -> httpx.Response:
        return httpx.get(self.url + path, params=params, timeout=10)


@contextmanager
def running_server(tmp: Path, **extra_env: str) -> Iterator[Server]:
    """uvicorn serving api.app:app over an index built by `kb reindex` from content/, on a
    database made by `kb db upgrade` (as scripts/serve does), in ``tmp``;
    ``extra_env`` adds or overrides ``KB_*`` variables."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "KB_CONTENT_DIR": str(ROOT / "content"),
        "KB_INDEX_DIR": str(tmp / "index"),
        "KB_DATABASE_URL": f"sqlite:///{tmp / 'kb.sqlite3'}",
        "KB_CHANNELS_FILE": str(CHANNELS_FILE),
        "KB_CORS_ORIGINS": json.dumps([url]),
        "KB_PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "KB_RATE_LIMIT_PER_MINUTE": "0",
        "KB_ACCESS_LOG": "false",
        **extra_env,
    }
    for step in (["reindex"], ["db", "upgrade"]):
        done = run_kb(*step, env=env)
        assert done.returncode == 0, f"kb {' '.join(step)} failed:\n{done.stdout}\n{done.stderr}"
    log = tmp / "uvicorn.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "api.app:app", "--host", "127.0.0.1",
             "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_ready(url, proc, lambda: log.read_text(errors="replace"))
        yield Server(url, log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """uvicorn serving api.app:app over an index built by `kb reindex` from content/."""
    with running_server(tmp_path_factory.mktemp("e2e-server")) as started:
        yield started


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM} (scripts/test installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Watch:
    """What a page did: console errors, uncaught errors, CSP violations, requests by URL."""

    origin: str
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    posts: list[tuple[str, str | None]] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)

    def allow(self, fragment: str) -> None:
        """Tolerate console errors containing ``fragment`` (a test that provokes an error)."""
        self.allowed.append(fragment)

    def foreign_requests(self) -> list[str]:
        return [
            u for u in self.requests
            if urlsplit(u).scheme not in ("data", "blob") and not u.startswith(self.origin + "/")
        ]

    def assert_clean(self) -> None:
        errors = [e for e in self.errors if not any(a in e for a in self.allowed)]
        assert not errors, "console errors / CSP violations:\n" + "\n".join(errors)
        assert not self.foreign_requests(), f"requests to other hosts: {self.foreign_requests()}"


# Runs before any page script; init scripts are injected by the browser, not subject to the CSP.
_CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
  console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI);
}, true);
"""


@pytest.fixture
def open_page(browser, server: Server):  # type: ignore[no-untyped-def]
    """A factory of pages in fresh browser contexts: ``page, watch = open_page(locale="fr-FR")``."""
    contexts = []

    def make(locale: str = "en-US", **options: object):  # type: ignore[no-untyped-def]
        context = browser.new_context(locale=locale, base_url=server.url, **options)  # type: ignore[attr-defined]
        contexts.append(context)
        context.add_init_script(_CSP_LISTENER)
        page = context.new_page()
        page.set_default_timeout(15_000)
        watch = Watch(server.url)

        def on_console(msg) -> None:  # type: ignore[no-untyped-def]
            if msg.type == "error":
                where = msg.location.get("url", "") if isinstance(msg.location, dict) else ""
                watch.errors.append(f"{msg.text} ({where})")

        def on_request(request) -> None:  # type: ignore[no-untyped-def]
            watch.requests.append(request.url)
            if request.method == "POST":
                watch.posts.append((request.url, request.post_data))

        page.on("console", on_console)
        page.on("pageerror", lambda exc: watch.errors.append(f"page error: {exc}"))
        page.on("request", on_request)
        # Anything bound elsewhere is refused, so a stray request cannot leave the machine.
        page.route(
            lambda url: not url.startswith(server.url + "/") and not url.startswith("data:"),
            lambda route: route.abort(),
        )
        return page, watch

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def axe_source() -> Path:
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `npm ci` (scripts/test does) to install axe-core")
    return AXE_JS
