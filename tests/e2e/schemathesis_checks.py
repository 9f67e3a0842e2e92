"""Loaded by the schemathesis run of test_schemathesis.py (``hooks`` in schemathesis.toml).

Schemathesis's ``positive_data_acceptance`` check is off there and replaced by
:func:`positive_data_accepted_but_for_documented_rules`: the same check, except for a 422 that
follows one of the two documented rules the OpenAPI document cannot express, each confirmed
here independently of the server:

1. A ``locale`` of the declared grammar that names no locale Babel knows (``xx``, ``fr-XY``) is
   422 ``invalid_parameter`` on ``locale``: a JSON-schema pattern cannot list what Babel knows.
2. ``GET /v1/answer`` needs ``q`` (not only spaces) or ``article_id``: OpenAPI cannot make one of
   two query parameters required (the JSON body of ``POST /v1/answer`` says it with ``anyOf``,
   and is checked in full).

Every other refusal of schema-valid data still fails the run.
"""

from __future__ import annotations

import re
from typing import Any

import schemathesis
from schemathesis.specs.openapi.checks import positive_data_acceptance

from kb.errors import LocaleError
from kb.locales import parse_tag


def _unknown_locale(tag: object) -> bool:
    """Rule 1: a tag of the grammar that Babel does not know."""
    if not isinstance(tag, str):
        return False
    try:
        parse_tag(tag)
    except LocaleError as exc:
        return "not a known language" in str(exc)
    return False


def _documented_rule(case: Any, error: dict[str, Any]) -> bool:
    if error.get("code") != "invalid_parameter":
        return False
    sent = {**(case.query or {}), **(case.body if isinstance(case.body, dict) else {})}
    if error.get("field") == "locale":
        return _unknown_locale(sent.get("locale"))
    if case.operation.label == "GET /v1/answer" and error.get("field") == "q":
        return not re.search(r"\S", str(sent.get("q") or "")) and not sent.get("article_id")
    return False


@schemathesis.check
def positive_data_accepted_but_for_documented_rules(ctx: Any, response: Any, case: Any) -> bool | None:
    """``positive_data_acceptance``, but for the two documented rules above."""
    if response.status_code == 422:
        try:
            error = response.json()["error"]
        except (ValueError, KeyError, TypeError):
            error = {}
        if _documented_rule(case, error):
            return None
    return positive_data_acceptance(ctx, response, case)
