"""The error map: every library error and every code has its one answer."""

from __future__ import annotations

import inspect
import json

import pytest

import kb.errors
from api.errors import KB_ERRORS, STATUS, ErrorCode, kb_error_response


def test_every_code_has_one_status() -> None:
    assert set(STATUS) == set(ErrorCode)
    assert all(400 <= status < 600 for status in STATUS.values())


# Raised by `kb evaluate` only, never while serving: the KBError row answers them if that changes.
EVALUATION_ONLY = {kb.errors.LabelError, kb.errors.EvaluationServerError}
LIBRARY_ERRORS = [
    cls
    for _, cls in inspect.getmembers(kb.errors, inspect.isclass)
    if issubclass(cls, kb.errors.KBError) and cls not in EVALUATION_ONLY
]


@pytest.mark.parametrize("error_type", LIBRARY_ERRORS, ids=lambda cls: cls.__name__)
def test_every_library_error_has_its_own_row(error_type: type[kb.errors.KBError]) -> None:
    assert error_type in KB_ERRORS


def test_a_library_error_is_answered_with_its_code_status_and_field() -> None:
    response = kb_error_response(kb.errors.ArticleNotFoundError("nope"))
    assert response.status_code == 404
    assert json.loads(response.body) == {
        "error": {"code": "article_not_found", "message": "no article with id 'nope'", "field": "article_id"}
    }
    content = kb.errors.ContentError([kb.errors.ContentProblem("fr/a.md", 3, "no title")])
    problems = kb_error_response(content)
    assert problems.status_code == 422
    assert json.loads(problems.body)["error"]["problems"] == [{"path": "fr/a.md", "line": 3, "message": "no title"}]


def test_an_unmapped_library_error_is_an_internal_error() -> None:
    class Unexpected(kb.errors.KBError):
        pass

    response = kb_error_response(Unexpected("boom"))
    assert response.status_code == 500 and b'"code":"internal_error"' in response.body
