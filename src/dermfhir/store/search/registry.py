"""The search parameters in force, taken from every SearchParameter of a `Definitions`.

Each parameter is registered per base resource type (`Resource`-level ones such as `_tag` once, for every type);
its expression is cut down to the union terms that concern that base. When two SearchParameters share a code on
the same base (a guide redefining a core parameter), the first one loaded wins.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property

from dermfhir.definitions import Definitions
from dermfhir.store.search.expression import Expression, compile_expression, split_union

#: Parameter types with an index table of their own.
INDEXED_TYPES = ("token", "string", "reference", "date", "number", "quantity", "uri")
#: Base types whose parameters apply to every resource type.
ABSTRACT_BASES = ("Resource", "DomainResource")
#: Parameters answered from the resource table rather than an index table.
COLUMN_PARAMETERS = ("_id", "_lastUpdated")
_FHIR_SD = "http://hl7.org/fhir/StructureDefinition/"


def param_key(base: str, code: str) -> int:
    """A stable 62-bit key for (base, code): index rows carry it instead of the parameter's name."""
    digest = hashlib.blake2b(f"{base}.{code}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True) >> 2


@dataclass(frozen=True)
class Component:
    """One component of a composite parameter: its type, its expression relative to the composite's node."""

    type: str
    expression: str
    key: int

    @cached_property
    def compiled(self) -> Expression:
        return compile_expression(self.expression)


@dataclass(frozen=True)
class SearchParam:
    """A search parameter for one base type."""

    code: str
    type: str
    base: str
    url: str
    expression: str | None
    targets: tuple[str, ...] = ()
    components: tuple[Component, ...] = field(default=())

    @cached_property
    def key(self) -> int:
        return param_key(self.base, self.code)

    @cached_property
    def identifier_key(self) -> int:
        """Key of the token rows holding `Reference.identifier` (the `:identifier` modifier)."""
        return param_key(self.base, self.code + ":identifier")

    @cached_property
    def compiled(self) -> Expression | None:
        return compile_expression(self.expression) if self.expression else None

    @property
    def supported(self) -> bool:
        """Whether the store indexes and searches it (special and expression-less parameters are not)."""
        if self.code in COLUMN_PARAMETERS:
            return True
        if self.type == "composite":
            return bool(self.components) and all(c.type in INDEXED_TYPES for c in self.components)
        return self.type in INDEXED_TYPES and self.expression is not None


class SearchRegistry:
    """Search parameters by resource type and code, and the resource types the definitions know."""

    def single_valued(self, param: SearchParam) -> bool:
        """True when a resource can hold at most one value of `param`: its expression is one top-level element of
        the base type with cardinality at most 1 (`Observation.subject`). False when unsure."""
        found = self._single.get(param.key)
        if found is None:
            found = self._single[param.key] = self._single_valued(param)
        return found

    def _single_valued(self, param: SearchParam) -> bool:
        expression = (param.expression or "").strip()
        head, dot, element = expression.partition(".")
        if head != param.base or not dot or not element.isidentifier():
            return False
        definition = self.definitions.resolve(f"http://hl7.org/fhir/StructureDefinition/{param.base}") or {}
        for item in (definition.get("snapshot") or {}).get("element", []):
            if item.get("path") == expression:
                return item.get("max") in ("0", "1")
        return False

    def __init__(self, definitions: Definitions) -> None:
        self.definitions = definitions
        self._single: dict[int, bool] = {}
        self.resource_types = frozenset(_resource_types(definitions))
        self._by_base: dict[str, dict[str, SearchParam]] = {}
        for resource in definitions.resources("SearchParameter"):
            for base in resource.get("base") or []:
                self._add(resource, base)
        self._merged: dict[str, dict[str, SearchParam]] = {}

    def _add(self, resource: dict, base: str) -> None:
        code = resource.get("code")
        if not code or (base not in self.resource_types and base not in ABSTRACT_BASES):
            return
        key_base = "Resource" if base in ABSTRACT_BASES else base
        params = self._by_base.setdefault(key_base, {})
        if code in params:
            return
        components: tuple[Component, ...] = ()
        if resource.get("type") == "composite":
            components = tuple(
                self._component(key_base, code, index, item)
                for index, item in enumerate(resource.get("component") or [])
            )
        params[code] = SearchParam(
            code=code,
            type=resource.get("type", ""),
            base=key_base,
            url=resource.get("url", ""),
            expression=_expression_for(resource.get("expression"), base),
            targets=tuple(t for t in resource.get("target") or [] if t in self.resource_types),
            components=components,
        )

    def _component(self, base: str, code: str, index: int, item: dict) -> Component:
        definition = self.definitions.resolve(item.get("definition", "")) or {}
        return Component(
            type=definition.get("type", ""),
            expression=item.get("expression", ""),
            key=param_key(base, f"{code}${index}"),
        )

    def params(self, resource_type: str | None) -> dict[str, SearchParam]:
        """Every parameter that applies to `resource_type` (None: the `Resource`-level ones), by code."""
        name = resource_type or "Resource"
        merged = self._merged.get(name)
        if merged is None:
            merged = dict(self._by_base.get("Resource", {}))
            if resource_type:
                merged.update(self._by_base.get(resource_type, {}))
            self._merged[name] = merged
        return merged

    def param(self, resource_type: str | None, code: str) -> SearchParam | None:
        return self.params(resource_type).get(code)

    def indexed(self, resource_type: str) -> list[SearchParam]:
        """The parameters whose values are extracted into index tables for `resource_type`."""
        return [p for p in self.params(resource_type).values() if p.supported and p.code not in COLUMN_PARAMETERS]


def _expression_for(expression: str | None, base: str) -> str | None:
    """The union terms of `expression` that start at `base` (all of them when none does)."""
    if not expression:
        return None
    terms = split_union(expression)
    mine = [term for term in terms if _root(term) in (base, "Resource", "DomainResource")]
    return " | ".join(mine) if mine else expression


def _root(term: str) -> str:
    term = term.lstrip("( ")
    end = 0
    while end < len(term) and (term[end].isalnum() or term[end] == "_"):
        end += 1
    return term[:end]


def _resource_types(definitions: Definitions) -> set[str]:
    found = set()
    for package in definitions.packages:
        for entry in package.index:
            if entry.get("resourceType") != "StructureDefinition" or entry.get("kind") != "resource":
                continue
            kind = entry.get("type")
            if kind and entry.get("url") == _FHIR_SD + kind and kind not in ABSTRACT_BASES:
                found.add(kind)
    return found
