"""Number search parameters: one `value` column (double precision).

A search value's precision sets its range (`100` → [99.5, 100.5), `1e2` → [50, 150)). Prefixes: eq and ne use
that range; gt lt ge le compare with the value itself; sa/eb are gt/lt; ap is within 10%. `:missing` supported.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from dermfhir.store.search.date import split_prefix

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?$")
#: Magnitudes beyond this are refused (they do not survive a round trip through double precision).
LIMIT = 1e300


def extract(value: Any) -> list[tuple[float]]:
    if isinstance(value, bool):
        return []
    if isinstance(value, int | float) and math.isfinite(value) and abs(value) <= LIMIT:
        return [(float(value),)]
    if isinstance(value, str):
        parsed = parse_decimal(value)
        return [(float(parsed),)] if parsed is not None else []
    return []


def parse_decimal(text: str) -> Decimal | None:
    if not _NUMBER.match(text.strip()):
        return None
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        return None
    if not number.is_finite() or abs(number) > Decimal(LIMIT):
        return None
    return number


def number_predicate(prefix: str, number: Decimal, column: str) -> tuple[str, list[Any]]:
    """SQL condition for the stored number `column` against `number` under `prefix`."""
    exponent = number.as_tuple().exponent
    half = Decimal(5).scaleb(int(exponent) - 1) if isinstance(exponent, int) else Decimal(0)
    value, low, high = float(number), float(number - half), float(number + half)
    if prefix == "eq":
        return f"({column} >= ? AND {column} < ?)", [low, high]
    if prefix == "ne":
        return f"({column} < ? OR {column} >= ?)", [low, high]
    if prefix in ("gt", "sa"):
        return f"{column} > ?", [value]
    if prefix in ("lt", "eb"):
        return f"{column} < ?", [value]
    if prefix == "ge":
        return f"{column} >= ?", [value]
    if prefix == "le":
        return f"{column} <= ?", [value]
    margin = abs(value) * 0.1
    return f"({column} >= ? AND {column} <= ?)", [value - margin, value + margin]


def predicate(value: str, parameter: str, column: str = "") -> tuple[str, list[Any]]:
    from dermfhir.store.errors import InvalidSearch

    prefix, text = split_prefix(value)
    number = parse_decimal(text)
    if number is None:
        raise InvalidSearch(parameter, f"'{value}' is not a number (or is out of range)")
    return number_predicate(prefix, number, f"{column}value")
