"""URI search parameters: one `uri` column.

Query: exact match by default; `:below` (the stored URI starts with the value), `:above` (the stored URI is the
value or one of its `/`-separated ancestors), `:missing`. Canonical versions (`url|1.0`) are compared as written.
Not supported: `:contains` (not defined for uri in R4).
"""

from __future__ import annotations

from typing import Any

from dermfhir.store.search.string import TOP, clip


def extract(value: Any) -> list[tuple[str]]:
    if isinstance(value, str) and value:
        return [(clip(value),)]
    if isinstance(value, dict):  # a Reference used where a uri parameter looks (rare)
        reference = value.get("reference")
        if isinstance(reference, str) and reference:
            return [(clip(reference),)]
    return []


def ancestors(value: str) -> list[str]:
    """`http://a.org/fhir/ValueSet/x` → itself and every `/`-separated prefix of it past the authority."""
    found = [value]
    scheme, sep, rest = value.partition("://")
    if not sep:
        return found
    parts = rest.split("/")
    for end in range(len(parts) - 1, 0, -1):
        found.append(scheme + "://" + "/".join(parts[:end]))
    return found


def predicate(value: str, modifier: str | None, column: str = "") -> tuple[str, list[Any]]:
    if modifier == "below":
        return f"({column}uri >= ? AND {column}uri < ?)", [clip(value), clip(value) + TOP]
    if modifier == "above":
        found = [clip(item) for item in ancestors(value)]
        return f"{column}uri IN ({', '.join('?' * len(found))})", found
    return f"{column}uri = ?", [clip(value)]
