"""Quantity search parameters: (system, code, unit, value) rows.

Indexed: Quantity (and its profiles Age, Duration, Distance, Count, SimpleQuantity) and Money (currency as code).
Query: `[prefix]number`, `[prefix]number|system|code`, `[prefix]number||code` (code or unit); number prefixes and
precision as for number parameters; `:missing`.
Not supported: unit conversion (UCUM canonical forms) — `1000|…|mg` does not find `1|…|g`; SampledData values.
"""

from __future__ import annotations

from typing import Any

from dermfhir.store.search.date import split_prefix
from dermfhir.store.search.number import extract as extract_number
from dermfhir.store.search.number import number_predicate, parse_decimal
from dermfhir.store.search.string import clip

Row = tuple[str | None, str | None, str | None, float]


def extract(value: Any) -> list[Row]:
    if not isinstance(value, dict):
        return []
    number = extract_number(value.get("value"))
    if not number:
        return []
    if "currency" in value:
        return [("urn:iso:std:iso:4217", _text(value.get("currency")), None, number[0][0])]
    return [(_text(value.get("system")), _text(value.get("code")), _text(value.get("unit")), number[0][0])]


def _text(value: Any) -> str | None:
    return clip(value) if isinstance(value, str) and value else None


def predicate(value: str, parameter: str, column: str = "") -> tuple[str, list[Any]]:
    from dermfhir.store.errors import InvalidSearch

    parts = value.split("|")
    if len(parts) not in (1, 3):
        raise InvalidSearch(parameter, f"'{value}' is not [prefix]number[|system|code]")
    prefix, text = split_prefix(parts[0])
    number = parse_decimal(text)
    if number is None:
        raise InvalidSearch(parameter, f"'{value}' does not start with a number (or it is out of range)")
    sql, params = number_predicate(prefix, number, f"{column}value")
    if len(parts) == 3:
        system, code = parts[1], parts[2]
        if system and code:
            sql, params = f"({sql} AND {column}system = ? AND {column}code = ?)", [*params, clip(system), clip(code)]
        elif code:
            sql, params = f"({sql} AND ({column}code = ? OR {column}unit = ?))", [*params, clip(code), clip(code)]
        elif system:
            sql, params = f"({sql} AND {column}system = ?)", [*params, clip(system)]
    return sql, params
