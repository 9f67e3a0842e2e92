"""Arguments of the content-gap report, read the same way by ``kb report`` and
``GET /v1/admin/report``: when the period starts (:func:`parse_since`) and which locale
(:func:`report_locale`).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from .locales import negotiate, parse_tag

__all__ = ["DURATION_PATTERN", "parse_since", "report_locale"]

# A duration back from now: up to six digits of seconds, minutes or hours, five of days or weeks
# (99999 weeks is 1917 years: never before year 1). The API declares this pattern for `since`.
DURATION_PATTERN = r"^(?:[0-9]{1,6}[smhSMH]|[0-9]{1,5}[dwDW])$"
_DURATION = re.compile(DURATION_PATTERN)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(text: str | None, now: datetime | None = None) -> datetime | None:
    """The start of the report's period, timezone-aware (UTC); None for "since the beginning".

    ``text`` is a duration back from ``now`` (``90m``, ``12h``, ``7d``, ``2w``), an ISO date
    (``2025-03-01``, midnight UTC) or an ISO date and time (``2025-03-01T08:00``, UTC unless it
    names an offset: ``2025-03-01T08:00+01:00``). Raises ``ValueError`` with a readable message.
    """
    if text is None or not text.strip():
        return None
    now = now or datetime.now(UTC)
    cleaned = text.strip()
    if _DURATION.match(cleaned):
        amount, unit = int(cleaned[:-1]), cleaned[-1].lower()
        return now - timedelta(**{_UNITS[unit]: amount})
    try:
        if len(cleaned) == 10:
            day = date.fromisoformat(cleaned)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        moment = datetime.fromisoformat(cleaned.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"{text!r} is neither a duration (7d, 12h, 90m, 2w) nor an ISO date (2025-03-01, 2025-03-01T08:00)"
        ) from None
    try:
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+01:00 is before the calendar starts in UTC
        raise ValueError(f"{text!r} is outside the calendar in UTC") from None


def report_locale(tag: str | None, supported: tuple[str, ...] = ()) -> str | None:
    """The locale the log stores for ``tag``: negotiated against ``supported`` when it matches
    one (``fr-CA`` → ``fr``), else its language. None for every locale.
    Raises ``LocaleError`` for a tag Babel cannot parse."""
    if tag is None or not tag.strip():
        return None
    if supported:
        chosen = negotiate(tag, supported, supported[0])
        if not chosen.fallback:
            return chosen.locale
    return parse_tag(tag).language
