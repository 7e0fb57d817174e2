"""Date search parameters: every value indexed as a [low, high) range in epoch microseconds (UTC).

A value's range follows its precision (`2020` → the year, `2020-03-04T10:00:00Z` → that second); Period →
[start, end) with open ends unbounded; Timing → each event. Values without a time zone are taken as UTC.
Query prefixes with FHIR's range semantics: eq (value range inside the search range), ne, gt, lt, ge, le, sa, eb,
ap (ranges overlap once the search range is widened by 10% of its distance from now); `:missing`.
Not supported: `Timing.repeat` bounds.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from dermfhir.fhirtime import parse_range

#: Stand-ins for -∞ / +∞ (open Period ends).
LOW_OPEN = -(2**62)
HIGH_OPEN = 2**62
PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


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
