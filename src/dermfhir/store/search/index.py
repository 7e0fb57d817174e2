"""Extracting a resource's search index rows with its parameters' expressions, split by parameter type.

`extract(registry, resource)` returns, per index table, rows `(key, grp, *columns)`: `key` names the parameter
(see `registry.param_key`), `grp` is 0 except for composite parameters, whose components share a `grp` per
matched element so that a search can ask for both halves on the same element.

Extraction follows a plan made once per resource type (`Plan`): the parameters' simple paths with their root
checked in advance, and for each path the top-level element it starts from, so that a parameter whose elements
the resource does not have costs one set lookup. Expressions that need fhirpathpy are evaluated only when the
resource has an element the expression names; otherwise their (constant) result for an empty resource is reused.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from dermfhir.fhirpath.types import CHOICE_TYPES
from dermfhir.store.search import date, number, quantity, reference, string, token, uri
from dermfhir.store.search.expression import Expression, Step, walk_values
from dermfhir.store.search.registry import SearchRegistry

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

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: FHIRPath that reaches elements without naming them: such expressions are always evaluated.
_UNNAMED_ACCESS = ("descendants", "children", "repeat", "%", "trace", "$index")


@dataclass(frozen=True)
class _Source:
    """Where a parameter's values come from: simple paths (first field, remaining steps) or an expression."""

    paths: tuple[tuple[str | None, tuple[Step, ...]], ...] | None
    expression: Expression | None
    names: frozenset[str] | None  # for an expression: the identifiers it mentions (None: always evaluate)

    def values(self, node: dict, present: set[str], resource_type: str) -> list[Any]:
        if self.paths is not None:
            found: list[Any] = []
            for first, steps in self.paths:
                if first is not None and first not in present:
                    continue
                found.extend(walk_values(node, steps))
            return found
        assert self.expression is not None
        if self.names is not None and self.names.isdisjoint(present):
            return _constant(self.expression, resource_type)
        return [item.value for item in self.expression.evaluate(node)]


@dataclass(frozen=True)
class _Field:
    key: int
    table: str
    extract: Callable[[Any], list]
    source: _Source
    identifier_key: int | None  # reference parameters: where `Reference.identifier` tokens go


@dataclass(frozen=True)
class _Component:
    key: int
    table: str
    extract: Callable[[Any], list]
    source: _Source


@dataclass(frozen=True)
class _Composite:
    source: _Source
    components: tuple[_Component, ...]


@dataclass(frozen=True)
class Plan:
    """How to extract the index rows of one resource type."""

    resource_type: str
    fields: tuple[_Field, ...]
    composites: tuple[_Composite, ...]


def plan(registry: SearchRegistry, resource_type: str) -> Plan:
    """The extraction plan for `resource_type` (made once per registry and type)."""
    plans: dict[str, Plan] = registry.__dict__.setdefault("_extraction_plans", {})
    found = plans.get(resource_type)
    if found is None:
        found = plans[resource_type] = _make_plan(registry, resource_type)
    return found


def _make_plan(registry: SearchRegistry, resource_type: str) -> Plan:
    fields: list[_Field] = []
    composites: list[_Composite] = []
    for param in registry.indexed(resource_type):
        compiled = param.compiled
        if compiled is None:
            continue
        source = _source(compiled, resource_type)
        if source is None:
            continue
        if param.type == "composite":
            parts = []
            for component in param.components:
                inner = _source(component.compiled, None)
                if inner is None:
                    break
                parts.append(_Component(component.key, component.type, EXTRACTORS[component.type], inner))
            else:
                composites.append(_Composite(source, tuple(parts)))
            continue
        fields.append(
            _Field(
                param.key,
                param.type,
                EXTRACTORS[param.type],
                source,
                param.identifier_key if param.type == "reference" else None,
            )
        )
    return Plan(resource_type, tuple(fields), tuple(composites))


_SOURCES: dict[tuple[str, str | None], _Source | None] = {}


def _source(compiled: Expression, resource_type: str | None) -> _Source | None:
    """The source of an expression evaluated on a `resource_type` resource (None: on an element); None when
    no path of it can start at that type. One shared object per (expression, type): extraction memoises by it."""
    key = (compiled.text, resource_type)
    if key not in _SOURCES:
        _SOURCES[key] = _make_source(compiled, resource_type)
    return _SOURCES[key]


def _make_source(compiled: Expression, resource_type: str | None) -> _Source | None:
    paths = compiled.paths
    if paths is None:
        text = compiled.text
        if resource_type is None or any(marker in text for marker in _UNNAMED_ACCESS):
            return _Source(None, compiled, None)
        return _Source(None, compiled, frozenset(_IDENTIFIER.findall(text)))
    kept: list[tuple[str | None, tuple[Step, ...]]] = []
    for path in paths:
        steps = list(path)
        if steps and steps[0][0] == "root":
            name = steps[0][1]
            if resource_type is not None and name not in (resource_type, "Resource", "DomainResource"):
                continue
            if resource_type is None:  # on an element, a root step never matches (as the walker does)
                continue
            steps = steps[1:]
        first = steps[0][1] if steps and steps[0][0] == "field" else None
        kept.append((first, tuple(steps)))
    if not kept:
        return None
    return _Source(tuple(kept), None, None)


_CONSTANTS: dict[tuple[str, str], list[Any]] = {}


def _constant(expression: Expression, resource_type: str) -> list[Any]:
    """The value of an expression on a resource with none of the elements it names."""
    key = (expression.text, resource_type)
    found = _CONSTANTS.get(key)
    if found is None:
        try:
            found = [item.value for item in expression.evaluate({"resourceType": resource_type})]
        except Exception:
            found = []
        _CONSTANTS[key] = found
    return found


def present_names(node: dict) -> set[str]:
    """The element names a node has, choice elements also under their base name (`valueQuantity` → `value`)."""
    names = set(node)
    for key in node:
        names.update(_choice_bases(key))
    return names


@lru_cache(maxsize=8192)
def _choice_bases(key: str) -> tuple[str, ...]:
    """`valueQuantity` → (`value`,): the choice elements' names a JSON property may stand for."""
    return tuple(key[:index] for index in range(1, len(key)) if key[index].isupper() and key[index:] in CHOICE_TYPES)


def extract(registry: SearchRegistry, resource: dict) -> IndexRows:
    """Index rows of `resource` for every indexed parameter of its type."""
    resource_type = resource["resourceType"]
    steps = plan(registry, resource_type)
    present = present_names(resource)
    rows: dict[str, dict[tuple, None]] = {}
    for item in steps.fields:
        try:
            values = item.source.values(resource, present, resource_type)
        except Exception:  # a malformed resource must not make the store fail; the validator reports it
            continue
        if not values:
            continue
        table = rows.get(item.table)
        if table is None:
            table = rows[item.table] = {}
        key = item.key
        for value in values:
            for row in item.extract(value):
                table[(key, 0, *row)] = None
            if item.identifier_key is not None and (found := reference.identifier(value)) is not None:
                tokens = rows.setdefault("token", {})
                for row in token.extract(found):
                    tokens[(item.identifier_key, 0, *row)] = None
    if steps.composites:
        _composites(steps, resource, present, rows)
    return {table: list(found) for table, found in rows.items() if found}


def _composites(steps: Plan, resource: dict, present: set[str], rows: dict[str, dict[tuple, None]]) -> None:
    memo: dict[tuple[int, int], list[tuple]] = {}  # (node, component source) → rows, shared by composites
    nodes_memo: dict[int, list[tuple[dict, set[str]]]] = {}
    for composite in steps.composites:
        nodes = nodes_memo.get(id(composite.source))
        if nodes is None:
            try:
                found = composite.source.values(resource, present, steps.resource_type)
            except Exception:
                found = []
            nodes = nodes_memo[id(composite.source)] = [
                (node, present_names(node)) for node in found if isinstance(node, dict)
            ]
        for group, (node, names) in enumerate(nodes, start=1):
            collected: list[tuple[str, tuple]] = []
            for component in composite.components:
                memo_key = (id(node), id(component.source))
                values = memo.get(memo_key)
                if values is None:
                    try:
                        items = component.source.values(node, names, steps.resource_type)
                    except Exception:
                        items = []
                    values = memo[memo_key] = [row for item in items for row in component.extract(item)]
                if not values:
                    break
                collected.extend((component.table, (component.key, group, *row)) for row in values)
            else:
                for table, row in collected:
                    rows.setdefault(table, {})[row] = None
