"""Extracting a resource's search index rows with its parameters' expressions, split by parameter type.

`extract(registry, resource)` returns, per index table, rows `(key, grp, *columns)`: `key` names the parameter
(see `registry.param_key`), `grp` is 0 except for composite parameters, whose components share a `grp` per
matched element so that a search can ask for both halves on the same element.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dermfhir.store.search import date, number, quantity, reference, string, token, uri
from dermfhir.store.search.registry import SearchParam, SearchRegistry

#: Index table per parameter type, and the columns each row carries after (rid, key, grp).
TABLES: dict[str, tuple[str, ...]] = {
    "token": ("system", "code", "text"),
    "string": ("norm", "exact"),
    "reference": ("ref_type", "ref_id", "url"),
    "date": ("low", "high"),
    "number": ("value",),
    "quantity": ("system", "code", "unit", "value"),
    "uri": ("uri",),
}

EXTRACTORS: dict[str, Callable[[Any], list]] = {
    "token": token.extract,
    "string": string.extract,
    "reference": reference.extract,
    "date": date.extract,
    "number": number.extract,
    "quantity": quantity.extract,
    "uri": uri.extract,
}

IndexRows = dict[str, list[tuple]]


def extract(registry: SearchRegistry, resource: dict) -> IndexRows:
    """Index rows of `resource` for every indexed parameter of its type."""
    rows: dict[str, dict[tuple, None]] = {table: {} for table in TABLES}
    for param in registry.indexed(resource["resourceType"]):
        if param.type == "composite":
            _composite(param, resource, rows)
            continue
        compiled = param.compiled
        if compiled is None:
            continue
        try:
            items = compiled.evaluate(resource)
        except Exception:  # a malformed resource must not make the store fail; the validator reports it
            continue
        extractor, table = EXTRACTORS[param.type], rows[param.type]
        for item in items:
            for row in extractor(item.value):
                table[(param.key, 0, *row)] = None
            if param.type == "reference" and (found := reference.identifier(item.value)) is not None:
                for row in token.extract(found):
                    rows["token"][(param.identifier_key, 0, *row)] = None
    return {table: list(found) for table, found in rows.items() if found}


def _composite(param: SearchParam, resource: dict, rows: dict[str, dict[tuple, None]]) -> None:
    compiled = param.compiled
    if compiled is None:
        return
    try:
        nodes = [item.value for item in compiled.evaluate(resource) if isinstance(item.value, dict)]
    except Exception:
        return
    for group, node in enumerate(nodes, start=1):
        found: list[tuple[str, tuple]] = []
        for component in param.components:
            try:
                items = component.compiled.evaluate(node)
            except Exception:
                items = []
            values = [row for item in items for row in EXTRACTORS[component.type](item.value)]
            if not values:
                break
            found.extend((component.type, (component.key, group, *row)) for row in values)
        else:
            for table, row in found:
                rows[table][row] = None
