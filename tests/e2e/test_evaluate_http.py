"""`kb evaluate --base-url`: labelled sets run over HTTP against a real uvicorn server give the
same observations as the in-process run; an unreachable or rate-limiting server is handled."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from kb.errors import EvaluationServerError
from kb.evaluation import HttpRunner, InProcessRunner, LabelledSet, evaluate, load_set
from kb.service import KnowledgeBase

from ..helpers import free_port
from ..test_cli import BLIND_LABELS, kb
from .conftest import ROOT, Server, running_server

GOLDEN = ROOT / "tests" / "golden" / "queries.yaml"


def test_the_golden_set_over_http_sees_what_the_in_process_run_sees(
    server: Server, knowledge_base: KnowledgeBase
) -> None:
    golden = load_set(GOLDEN)
    with HttpRunner(server.url) as http:
        over_http = evaluate(http, golden)
    in_process = evaluate(InProcessRunner(knowledge_base), golden)
    assert len(over_http) == len(golden.cases)
    differing = [(a.case.q, a.seen, b.seen) for a, b in zip(over_http, in_process, strict=True) if a.seen != b.seen]
    assert not differing


def test_the_cli_runs_several_sets_over_http(server: Server, tmp_path: Path) -> None:
    blind = tmp_path / "blind-9.yaml"
    blind.write_text(BLIND_LABELS, encoding="utf-8")
    result = kb("evaluate", str(GOLDEN), str(blind), "--base-url", server.url + "/", "--json", "--calibration")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert list(report) == ["golden", "blind-9"]
    assert report["blind-9"]["evaluated_at"] == server.url
    assert report["blind-9"]["groups"]["all"]["followed_up"] == {"value": 1.0, "n": 1}
    assert report["golden"]["calibration"]["answers_given"] > 200


def test_an_unreachable_server_is_a_clear_error() -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    started = time.monotonic()
    result = kb("evaluate", str(GOLDEN), "--base-url", url)
    assert result.returncode == 6
    assert f"cannot reach {url}/v1/articles" in result.stderr and "Traceback" not in result.stderr
    assert time.monotonic() - started < 60  # bounded, not a hang (the real bound is the connect timeout)


@pytest.mark.slow
def test_a_rate_limited_server_is_waited_for_as_it_asks_within_a_bound(tmp_path: Path) -> None:
    golden = load_set(GOLDEN)
    # 31 queries = 63 requests with the article list: 3 past a 60-per-minute client's minute,
    # told to retry when the sliding window lets one more through (up to a minute for the first).
    small = LabelledSet(golden.name, golden.path, golden.cases[:31])
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    with running_server(tmp_path, KB_RATE_LIMIT_PER_MINUTE="60") as limited:
        with HttpRunner(limited.url, sleep=sleep, longest_wait=61) as http:
            outcomes = evaluate(http, small)
        assert len(outcomes) == 31 and waits and all(0 < w <= 61 for w in waits)
        with (
            HttpRunner(limited.url, longest_wait=0.5) as impatient,
            pytest.raises(EvaluationServerError, match=r"429.*KB_RATE_LIMIT_PER_MINUTE=0"),
        ):
            evaluate(impatient, golden)
