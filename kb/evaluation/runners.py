"""Run labelled queries through search and answer: in this process over an index folder, or
over HTTP against a running server (``GET /v1/search`` and ``GET /v1/answer``), reducing each
response to the few fields the scoring reads."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from ..errors import EvaluationServerError
from ..service import KnowledgeBase
from .labels import Case

SEARCH_LIMIT = 10  # deep enough for MRR@5 and the rank of a near miss
HTTP_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
RATE_LIMIT_RETRIES = 5
LONGEST_RETRY_WAIT = 30.0  # seconds; a longer Retry-After means the server is not set up for evaluation


@dataclass(frozen=True)
class Observation:
    """What the service returned for one query."""

    ranked: tuple[str, ...]  # article ids of the first search results, best first
    total: int
    answer_article: str | None
    intent: str | None
    follow_up: bool
    confidence: float

    @classmethod
    def from_json(cls, search: dict[str, Any], answer: dict[str, Any]) -> Observation:
        """From the JSON bodies of ``/v1/search`` and ``/v1/answer`` (what the API and
        ``KnowledgeBase`` both produce)."""
        given = answer.get("answer")
        return cls(
            ranked=tuple(hit["article_id"] for hit in search["results"]),
            total=int(search["total"]),
            answer_article=given["article_id"] if given else None,
            intent=answer.get("intent"),
            follow_up=answer.get("follow_up") is not None,
            confidence=float(answer["confidence"]),
        )


class Runner(Protocol):
    where: str

    def article_ids(self) -> set[str]: ...

    def observe(self, case: Case) -> Observation: ...


class InProcessRunner:
    """Search and answer through a ``KnowledgeBase`` in this process."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self.where = str(kb.index_dir)

    def article_ids(self) -> set[str]:
        return set(self.kb.engine.locales_of)

    def observe(self, case: Case) -> Observation:
        search = self.kb.search(case.q, case.locale, limit=SEARCH_LIMIT)
        answer = self.kb.answer(case.q, case.locale)
        return Observation.from_json(search.model_dump(mode="json"), answer.model_dump(mode="json"))


class HttpRunner:
    """Search and answer through a running server's public API, with the entry's locale."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: httpx.Timeout = HTTP_TIMEOUT,
        sleep: Callable[[float], None] = time.sleep,
        longest_wait: float = LONGEST_RETRY_WAIT,
    ):
        self.where = base_url.rstrip("/")
        self._client = httpx.Client(base_url=self.where, timeout=timeout, headers={"Accept": "application/json"})
        self._sleep = sleep
        self._longest_wait = longest_wait

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _get(self, path: str, params: dict[str, str | int]) -> dict[str, Any]:
        for _ in range(RATE_LIMIT_RETRIES + 1):
            try:
                response = self._client.get(path, params=params)
            except httpx.TransportError as exc:  # connection refused, timeouts, resets
                raise EvaluationServerError(f"cannot reach {self.where}{path}: {type(exc).__name__}: {exc}") from exc
            if response.status_code != 429:
                break
            wait = _retry_after(response)
            if wait > self._longest_wait:
                break
            self._sleep(wait)
        if response.status_code != 200:
            hint = " (set KB_RATE_LIMIT_PER_MINUTE=0 on the server you evaluate)" if response.status_code == 429 else ""
            raise EvaluationServerError(
                f"{self.where}{path} answered {response.status_code} for {params}: {_error_message(response)}{hint}"
            )
        try:
            body = response.json()
        except ValueError as exc:
            raise EvaluationServerError(f"{self.where}{path} did not answer JSON (is it this service?)") from exc
        if not isinstance(body, dict):
            raise EvaluationServerError(f"{self.where}{path} answered unexpected JSON (is it this service?)")
        return body

    def article_ids(self) -> set[str]:
        listing = self._get("/v1/articles", {"locale": "en"})
        try:
            return {item["article_id"] for item in listing["articles"]}
        except (KeyError, TypeError) as exc:
            raise EvaluationServerError(f"{self.where}/v1/articles: unexpected JSON (is it this service?)") from exc

    def observe(self, case: Case) -> Observation:
        search = self._get("/v1/search", {"q": case.q, "locale": case.locale, "limit": SEARCH_LIMIT})
        answer = self._get("/v1/answer", {"q": case.q, "locale": case.locale})
        try:
            return Observation.from_json(search, answer)
        except (KeyError, TypeError, ValueError) as exc:
            raise EvaluationServerError(f"{self.where}: unexpected JSON for {case.q!r}: {exc!r}") from exc


def _retry_after(response: httpx.Response) -> float:
    try:
        return max(0.0, float(response.headers.get("Retry-After", "1")))
    except ValueError:
        return 1.0


def _error_message(response: httpx.Response) -> str:
    try:
        return str(response.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return response.text[:200]
