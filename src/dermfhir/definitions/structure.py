"""Typed, read-only views of StructureDefinition snapshots and their ElementDefinitions.

The views wrap the FHIR JSON (no copy) and add what a validator or builder asks for again and again: elements by
path or id, direct children, slices, and the `[x]` choice names.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any


@dataclass(frozen=True)
class TypeRef:
    """One entry of ElementDefinition.type."""

    code: str
    profiles: tuple[str, ...] = ()
    target_profiles: tuple[str, ...] = ()


class ElementDefinition:
    """An element of a snapshot."""

    __slots__ = ("__dict__", "json")

    def __init__(self, json: dict) -> None:
        self.json = json

    @property
    def id(self) -> str:
        return str(self.json.get("id") or self.json["path"])

    @property
    def path(self) -> str:
        return str(self.json["path"])

    @property
    def name(self) -> str:
        """The last step of the path (`value[x]`, `component`)."""
        return self.path.rsplit(".", 1)[-1]

    @property
    def min(self) -> int:
        return int(self.json.get("min", 0))

    @property
    def max(self) -> int | None:
        """The maximum cardinality; None for `*`."""
        value = self.json.get("max", "*")
        return None if value == "*" else int(value)

    @property
    def slice_name(self) -> str | None:
        return self.json.get("sliceName")

    @property
    def slicing(self) -> dict | None:
        return self.json.get("slicing")

    @property
    def binding(self) -> dict | None:
        return self.json.get("binding")

    @property
    def constraints(self) -> list[dict]:
        return list(self.json.get("constraint", []))

    @property
    def is_modifier(self) -> bool:
        return bool(self.json.get("isModifier"))

    @property
    def content_reference(self) -> str | None:
        return self.json.get("contentReference")

    @cached_property
    def types(self) -> tuple[TypeRef, ...]:
        return tuple(
            TypeRef(
                code=_type_code(item),
                profiles=tuple(item.get("profile", [])),
                target_profiles=tuple(item.get("targetProfile", [])),
            )
            for item in self.json.get("type", [])
        )

    @property
    def is_choice(self) -> bool:
        return self.path.endswith("[x]")

    def fixed(self) -> tuple[str, Any] | None:
        """(`fixedX` key, value) when the element has a fixed value."""
        return self._prefixed("fixed")

    def pattern(self) -> tuple[str, Any] | None:
        """(`patternX` key, value) when the element has a pattern."""
        return self._prefixed("pattern")

    def _prefixed(self, prefix: str) -> tuple[str, Any] | None:
        for key, value in self.json.items():
            if key.startswith(prefix) and key[len(prefix) : len(prefix) + 1].isupper():
                return key, value
        return None

    def __repr__(self) -> str:
        return f"ElementDefinition({self.id})"


class StructureDefinition:
    """A StructureDefinition with its snapshot indexed by element id and path."""

    def __init__(self, json: dict) -> None:
        if "snapshot" not in json:
            raise ValueError(f"StructureDefinition {json.get('url')} has no snapshot")
        self.json = json
        self.elements = [ElementDefinition(item) for item in json["snapshot"]["element"]]
        self._by_id = {element.id: element for element in self.elements}
        self._children: dict[str, list[ElementDefinition]] = {}
        for element in self.elements:
            parent = _parent_id(element.id)
            if parent is not None:
                self._children.setdefault(parent, []).append(element)

    url = property(lambda self: str(self.json["url"]))
    name = property(lambda self: str(self.json.get("name", "")))
    type = property(lambda self: str(self.json["type"]))
    kind = property(lambda self: str(self.json.get("kind", "")))
    derivation = property(lambda self: self.json.get("derivation"))
    base_definition = property(lambda self: self.json.get("baseDefinition"))
    abstract = property(lambda self: bool(self.json.get("abstract")))

    @property
    def root(self) -> ElementDefinition:
        return self.elements[0]

    def element(self, element_id: str) -> ElementDefinition | None:
        """The element with this id (`Observation.component:skinFinding.code`), or None."""
        return self._by_id.get(element_id)

    def children(self, element_id: str) -> list[ElementDefinition]:
        """Direct children of an element id, slices excluded (`Observation.component` → its sub-elements)."""
        return [child for child in self._children.get(element_id, []) if ":" not in child.id.rsplit(".", 1)[-1]]

    def slices(self, element_id: str) -> list[ElementDefinition]:
        """The slices defined on an element id, in order (`Observation.category` → `:imaging`, …)."""
        prefix = element_id + ":"
        return [
            element
            for element in self.elements
            if element.id.startswith(prefix) and "." not in element.id[len(prefix) :]
        ]

    def __repr__(self) -> str:
        return f"StructureDefinition({self.url})"


def _type_code(item: dict) -> str:
    code = str(item.get("code", ""))
    if code.startswith("http://hl7.org/fhirpath/System."):
        # primitive `value` elements: the extension structuredefinition-fhir-type names the FHIR type
        for extension in item.get("extension", []):
            if extension.get("url", "").endswith("structuredefinition-fhir-type"):
                return str(extension.get("valueUrl") or extension.get("valueUri"))
    return code


def _parent_id(element_id: str) -> str | None:
    """`Observation.component:a.code` → `Observation.component:a`; the root has no parent."""
    head, dot, _ = element_id.rpartition(".")
    return head if dot else None
