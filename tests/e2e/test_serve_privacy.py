"""The server started exactly as the README says (`scripts/serve`, two workers, a real port) is
sent personal data in every query parameter, path, body and header; none of it may appear in
what it prints. And X-Forwarded-For moves a client to a new rate-limit bucket only when the
peer is one of KB_TRUSTED_PROXIES. Nothing here asserts a duration."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, quote_plus

import httpx
import pytest

from ..helpers import ROOT, free_port, wait_until_ready

pytestmark = pytest.mark.slow

WAIT = 180.0  # seconds: generous on purpose (install check, reindex, two workers)
LIMIT = 60  # KB_RATE_LIMIT_PER_MINUTE for this server (per worker)
TRUSTED_PROXY = "127.0.0.3"  # in KB_TRUSTED_PROXIES
CUSTOMER = "127.0.0.4"  # the address the personal data comes from (a bucket of its own)

EMAIL = "jeanne.martin@example.com"
PHONE = "+33 6 12 34 56 78"
KEY = "AB1CD-2EF3G-H4IJ5-KL6MN-7OP8Q"
CARD = "4111 1111 1111 1111"
PERSONAL = (EMAIL, PHONE, KEY, CARD)
EVERYTHING = f"{EMAIL} {PHONE} {KEY} {CARD}"
# What must not appear in the output, in every form a request could carry it.
NEEDLES = sorted(
    {form for value in PERSONAL for form in (value, quote(value), quote_plus(value), quote(value, safe=""))}
    | {"jeanne.martin", "4111111111111111", "1111 1111", "1111+1111", "12 34 56 78", "12+34+56+78", "612345678",
       "2EF3G", "KL6MN", CUSTOMER}
)
HEADERS = {
    "User-Agent": f"Mozilla/5.0 ({EVERYTHING})",
    "Referer": f"https://shop.example/account?email={quote(EMAIL)}&card={quote(CARD)}",
    "Cookie": f"session={KEY}; email={EMAIL}",
    "Authorization": f"Bearer {KEY}",
    "X-Forwarded-For": f"{EMAIL}, 203.0.113.9",
    "X-Request-ID": CARD.replace(" ", ""),  # a "sane" id by its characters, and a card number
    "X-KB-Session": KEY,
    "Accept-Language": f"fr-FR, {EMAIL}",
    "X-Phone": PHONE,
}


@dataclass
class Served:
    url: str
    port: int
    out: Path
    err: Path

    def client(self, source: str) -> httpx.Client:
        """A client whose connections come from ``source`` (any 127.x address is this machine)."""
        return httpx.Client(base_url=self.url, timeout=30, transport=httpx.HTTPTransport(local_address=source))

    def output(self) -> str:
        return self.out.read_text(errors="replace") + self.err.read_text(errors="replace")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("serve-privacy")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_") and k != "PROMETHEUS_MULTIPROC_DIR"}
    env.update(
        KB_VENV=sys.prefix,  # the virtualenv running the tests, already installed
        KB_PORT=str(port),
        KB_INDEX_DIR=str(tmp / "index"),
        KB_DATABASE_URL=f"sqlite:///{tmp / 'kb.sqlite3'}",
        KB_RATE_LIMIT_PER_MINUTE=str(LIMIT),
        KB_TRUSTED_PROXIES=json.dumps([TRUSTED_PROXY]),
        PROMETHEUS_MULTIPROC_DIR=str(tmp / "metrics"),
        PYTHONUNBUFFERED="1",  # lines reach the files as they are written
    )
    (tmp / "metrics").mkdir()
    served = Served(f"http://127.0.0.1:{port}", port, tmp / "stdout.log", tmp / "stderr.log")
    with served.out.open("wb") as out, served.err.open("wb") as err:
        proc = subprocess.Popen(
            [str(ROOT / "scripts" / "serve"), "--workers", "2"],
            cwd=ROOT, env=env, stdout=out, stderr=err, start_new_session=True,
        )
    try:
        wait_until_ready(served.url, proc, served.output, WAIT)
        yield served
    finally:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(proc.pid, sig)
                proc.wait(timeout=30)
                break
            except ProcessLookupError:
                break
            except subprocess.TimeoutExpired:
                continue


def _requests(client: httpx.Client) -> list[httpx.Response]:
    """Every route, with personal data in each parameter, path segment, body field and header."""
    params = {"q": EVERYTHING, "locale": EMAIL, "limit": CARD, "offset": PHONE, "intent": KEY,
              "article_id": EMAIL, "since": CARD, "email": EMAIL}
    sent = [
        client.get("/v1/search", params=params, headers=HEADERS),
        client.get("/v1/search", params={"q": EVERYTHING, "locale": "fr"}, headers=HEADERS),
        client.get("/v1/answer", params=params, headers=HEADERS),
        client.get("/v1/answer", params={"q": f"refund {EVERYTHING}", "locale": "en"}, headers=HEADERS),
        client.post("/v1/answer", params=params, headers=HEADERS, json={"q": EVERYTHING, "locale": "fr"}),
        client.post("/v1/answer", headers=HEADERS, json={"q": EVERYTHING, "locale": EMAIL, "article_id": KEY}),
        client.get("/v1/articles", params=params, headers=HEADERS),
        client.get(f"/v1/articles/{quote(EMAIL)}", params=params, headers=HEADERS),
        client.get(f"/v1/articles/{quote(CARD)}", params={"locale": "fr"}, headers=HEADERS),
        client.get("/v1/locales", params=params, headers=HEADERS),
        client.get("/v1/ui-strings", params=params, headers=HEADERS),
        client.post("/v1/feedback", params=params, headers=HEADERS,
                    json={"article_id": "auto-renewal", "locale": "fr", "helpful": False,
                          "query": EVERYTHING, "comment": EVERYTHING}),
        client.post("/v1/feedback", headers=HEADERS, json={"article_id": EMAIL, "locale": PHONE, "helpful": CARD}),
        client.get("/v1/admin/report", params=params, headers=HEADERS),
        client.post("/v1/admin/reindex", params=params, headers=HEADERS),
        client.get(f"/{quote(KEY)}/{quote(PHONE)}", params=params, headers=HEADERS),
        client.get("/articles/fr/auto-renewal", params=params, headers=HEADERS),
        client.get("/", params=params, headers=HEADERS),
        client.get("/widget/loader.js", params=params, headers=HEADERS),
        client.get("/healthz", params=params, headers=HEADERS),
        client.get("/readyz", params=params, headers=HEADERS),
        client.get("/metrics", params=params, headers=HEADERS),
        client.request("OPTIONS", "/v1/search", params=params,
                       headers={**HEADERS, "Origin": f"https://{EMAIL.split('@')[1]}",
                                "Access-Control-Request-Method": "GET"}),
    ]
    return sent


def _malformed_request(served: Served) -> bytes:
    """A request uvicorn's parser refuses, with personal data in its request line and headers."""
    with socket.create_connection(("127.0.0.1", served.port), timeout=30, source_address=(CUSTOMER, 0)) as sock:
        sock.sendall(
            f"GET /v1/search?q={quote_plus(EVERYTHING)} HTTP/1.1\r\nHost: x\r\nX-Card: {CARD}\r\n"
            f"Bad header {EMAIL}\r\n\r\n".encode()
        )
        return sock.recv(4096)


def test_no_personal_data_in_what_the_server_prints(served: Served) -> None:
    with served.client(CUSTOMER) as client:
        responses = _requests(client)
    assert _malformed_request(served).startswith(b"HTTP/1.1 400")
    statuses = {response.request.url.path: response.status_code for response in responses}
    assert all(status < 500 for status in statuses.values()), statuses
    assert any(status == 200 for status in statuses.values()) and 429 not in statuses.values(), statuses
    ids = [response.headers["x-request-id"] for response in responses]
    assert HEADERS["X-Request-ID"] not in ids  # the client is no trusted proxy: its id is not taken

    def access_lines() -> list[dict[str, object]]:
        lines = [json.loads(line) for line in served.output().splitlines() if line.startswith('{"ts"')]
        return [line for line in lines if "request_id" in line]

    deadline = time.monotonic() + 30
    # Wait for every request's line (the readiness polls made lines of their own before them).
    while not set(ids) <= {line["request_id"] for line in access_lines()} and time.monotonic() < deadline:
        time.sleep(0.2)
    output = served.output()
    leaked = [needle for needle in NEEDLES if needle in output]
    assert not leaked, f"personal data in the server's output: {leaked}\n{output}"
    # Exactly one access line per request, the app's: no line from uvicorn's access log.
    lines = access_lines()
    for request_id in ids:
        assert [line["request_id"] for line in lines].count(request_id) == 1, (request_id, output)
    assert {frozenset(line) for line in lines} == {frozenset({"ts", "request_id", "method", "route", "status", "ms"})}
    assert "HTTP/1.1\"" not in output and " - \"GET" not in output, output
    assert "/v1/articles/{article_id}" in {line["route"] for line in lines}


def test_x_forwarded_for_does_not_reset_the_rate_limit(served: Served) -> None:
    """From 127.0.0.1 (uvicorn's default forwarded-allow-ips) and not a trusted proxy: a new
    X-Forwarded-For on every request is still one client, limited per worker."""
    with served.client("127.0.0.1") as client:
        statuses = [
            client.get("/v1/locales", headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code
            for i in range(3 * LIMIT)
        ]
    assert set(statuses) == {200, 429}
    assert statuses.count(200) <= 2 * LIMIT  # two workers, a bucket in each


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_bucket(served: Served) -> None:
    with served.client(TRUSTED_PROXY) as proxy:
        rotating = [
            proxy.get("/v1/locales", headers={"X-Forwarded-For": f"192.0.2.{i}"}).status_code
            for i in range(1, 3 * LIMIT)
        ]
        same = [
            proxy.get("/v1/locales", headers={"X-Forwarded-For": "198.51.100.77"}).status_code
            for _ in range(3 * LIMIT)
        ]
    assert set(rotating) == {200}
    assert 429 in same and same.count(200) <= 2 * LIMIT
