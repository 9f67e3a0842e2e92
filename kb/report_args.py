"""Arguments of the content-gap report, read the same way by ``kb report`` and
``GET /v1/admin/report``: when the period starts (:func:`parse_since`) and which locale
(:func:`report_locale`).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from .locales import negotiate, parse_tag

__all__ = ["parse_since", "report_locale"]

_DURATION = re.compile(r"^\s*(\d{1,6})\s*([smhdw])\s*$", re.IGNORECASE)
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
    match = _DURATION.match(text)
    if match:
        amount, unit = int(match.group(1)), match.group(2).lower()
        try:
            return now - timedelta(**{_UNITS[unit]: amount})
        except OverflowError:  # 999999w reaches before year 1
            raise ValueError(f"{text!r} reaches back before the calendar starts") from None
    cleaned = text.strip()
    try:
        if len(cleaned) == 10:
            day = date.fromisoformat(cleaned)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        moment = datetime.fromisoformat(cleaned.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"{text!r} is neither a duration (7d, 12h, 90m, 2w) nor an ISO date (2025-03-01, 2025-03-01T08:00)"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


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
