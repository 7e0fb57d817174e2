"""FHIR date, dateTime and instant texts as ranges of instants: `parse_range` gives the [low, high) range a value
covers at its precision, in epoch microseconds (UTC; a value without a time zone is taken as UTC). Shared by date
search (`store.search.date`) and the validator's comparison of answers with their bounds; kept apart from both so
that neither imports the other (the store's import costs the validator's start-up).

Hand-written: Python's `datetime.fromisoformat` takes no partial dates (`2020`, `2020-03`), gives no precision and
no range, and FHIR's offsets are limited to ±14:00.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

_PATTERN = re.compile(
    r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
    r"(Z|[+-]\d{2}:\d{2})?)?)?)?$"
)


def parse_range(text: str) -> tuple[int, int] | None:
    """The [low, high) range of a FHIR date, dateTime or instant in epoch µs; None when malformed."""
    match = _PATTERN.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        offset = _offset(zone)
        start = datetime(
            int(year),
            int(month or 1),
            int(day or 1),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0")[:6].ljust(6, "0")),
        )
    except (ValueError, OverflowError):
        return None
    low = _micros(start)
    if month is None:
        high = _month_micros(start, 12)
    elif day is None:
        high = _month_micros(start, 1)
    elif hour is None:
        high = low + _DAY
    elif second is None:
        high = low + 60 * _SECOND
    elif fraction is None:
        high = low + _SECOND
    else:
        high = low + max(1, 10 ** (6 - min(len(fraction), 6)))
    return low - offset, high - offset


_SECOND = 1_000_000
_DAY = 86_400 * _SECOND
_NAIVE_EPOCH = datetime(1970, 1, 1)


def _offset(zone: str | None) -> int:
    """A time zone's offset from UTC in µs (no zone: UTC); ValueError beyond ±14:00 or with minutes ≥ 60."""
    if zone is None or zone == "Z":
        return 0
    sign = 1 if zone[0] == "+" else -1
    hours, minutes = int(zone[1:3]), int(zone[4:6])
    if hours > 14 or minutes >= 60:
        raise ValueError(zone)
    return sign * (hours * 3600 + minutes * 60) * _SECOND


def _month_micros(start: datetime, months: int) -> int:
    """The (naive) start plus whole months, in µs; past year 9999 the end of year 9999."""
    month = start.month - 1 + months
    year = start.year + month // 12
    if year > 9999:
        return _micros(datetime.max) + 1
    return _micros(start.replace(year=year, month=month % 12 + 1))


def _micros(moment: datetime) -> int:
    """A naive datetime (read as UTC) in epoch µs."""
    return (moment - _NAIVE_EPOCH) // timedelta(microseconds=1)
