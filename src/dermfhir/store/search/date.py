"""Date search parameters: every value indexed as a [low, high) range in epoch microseconds (UTC).

A value's range follows its precision (`2020` → the year, `2020-03-04T10:00:00Z` → that second); Period →
[start, end) with open ends unbounded; Timing → each event. Values without a time zone are taken as UTC.
Query prefixes with FHIR's range semantics: eq (value range inside the search range), ne, gt, lt, ge, le, sa, eb,
ap (ranges overlap once the search range is widened by 10% of its distance from now); `:missing`.
Not supported: `Timing.repeat` bounds.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

#: Stand-ins for -∞ / +∞ (open Period ends).
LOW_OPEN = -(2**62)
HIGH_OPEN = 2**62
PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
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


def micros_to_instant(micros: int) -> str:
    """Epoch µs → FHIR instant text (`2024-05-01T12:00:00.123456Z`)."""
    moment = _EPOCH + timedelta(microseconds=micros)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def now_micros() -> int:
    return time.time_ns() // 1000


_cached_range = lru_cache(maxsize=65536)(parse_range)


def extract(value: Any) -> list[tuple[int, int]]:
    """(low, high) rows for one value."""
    parse_range = _cached_range
    if isinstance(value, str):
        found = parse_range(value)
        return [found] if found else []
    if not isinstance(value, dict):
        return []
    if "start" in value or "end" in value:  # Period
        start = parse_range(value["start"]) if isinstance(value.get("start"), str) else None
        end = parse_range(value["end"]) if isinstance(value.get("end"), str) else None
        if start is None and end is None:
            return []
        return [(start[0] if start else LOW_OPEN, end[1] if end else HIGH_OPEN)]
    if "event" in value:  # Timing
        return [found for event in value.get("event") or [] if (found := parse_range(event)) is not None]
    return []


def split_prefix(value: str) -> tuple[str, str]:
    """`ge2020` → ("ge", "2020"); no prefix → ("eq", value)."""
    if len(value) > 2 and value[:2] in PREFIXES and not value[2:3].isalpha():
        return value[:2], value[2:]
    return "eq", value


def range_predicate(prefix: str, low: int, high: int, lo: str, hi: str) -> tuple[str, list[Any]]:
    """SQL condition for a stored range [lo, hi) against the search range [low, high) under `prefix`."""
    if prefix == "eq":  # `lo < high` is implied (ranges are not empty) and lets an index on lo bound the scan
        return f"({lo} >= ? AND {lo} < ? AND {hi} <= ?)", [low, high, high]
    if prefix == "ne":
        return f"({lo} < ? OR {hi} > ?)", [low, high]
    if prefix == "gt":
        return f"{hi} > ?", [high]
    if prefix == "lt":
        return f"{lo} < ?", [low]
    if prefix == "ge":
        return f"({hi} > ? OR ({lo} >= ? AND {hi} <= ?))", [high, low, high]
    if prefix == "le":
        return f"({lo} < ? OR ({lo} >= ? AND {hi} <= ?))", [low, low, high]
    if prefix == "sa":
        return f"{lo} >= ?", [high]
    if prefix == "eb":
        return f"{hi} <= ?", [low]
    # ap: overlap with the search range widened by 10% of its distance from now
    margin = max(abs(now_micros() - low), abs(now_micros() - high)) // 10
    return f"({lo} < ? AND {hi} > ?)", [high + margin, low - margin]


def predicate(value: str, parameter: str, column: str = "") -> tuple[str, list[Any]]:
    """SQL condition on the date index columns (`low`, `high`) for one search value."""
    from dermfhir.store.errors import InvalidSearch

    prefix, text = split_prefix(value)
    found = parse_range(text)
    if found is None:
        raise InvalidSearch(parameter, f"'{value}' is not a FHIR date, dateTime or instant")
    return range_predicate(prefix, found[0], found[1], f"{column}low", f"{column}high")
