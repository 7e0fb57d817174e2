"""Compiled element trees of StructureDefinitions: what the instance walk is checked against.

A StructureDefinition with a snapshot is compiled from it; one with only a differential is compiled by applying the
differential to its base's tree (a small snapshot generator: paths, slices, re-slices, type-specific choice names,
cardinality, types, fixed/pattern, bindings, constraints, min/max values, maxLength). Children of complex-typed
elements that a snapshot leaves out are taken, lazily, from the data type's own tree. Not done: the full HL7
snapshot-generation rules (e.g. merging of constraints on profiled data types into the using element, checks that a
differential is legal against its base).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from dermfhir.definitions import Definitions
from dermfhir.validation.primitives import PRIMITIVE_TYPES

FHIR_SD = "http://hl7.org/fhir/StructureDefinition/"
_FHIR_TYPE_EXT = "http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type"
_SYSTEM_TYPES = {
    "http://hl7.org/fhirpath/System.String": "string",
    "http://hl7.org/fhirpath/System.Boolean": "boolean",
    "http://hl7.org/fhirpath/System.Integer": "integer",
    "http://hl7.org/fhirpath/System.Decimal": "decimal",
    "http://hl7.org/fhirpath/System.Date": "date",
    "http://hl7.org/fhirpath/System.DateTime": "dateTime",
    "http://hl7.org/fhirpath/System.Time": "time",
}

#: Invariant expressions of R4 4.0.1 that say less than their own rule, by (key, published expression): the
#: expression checked instead. que-12's human text and Questionnaire.item.enableBehavior's comment require the
#: behaviour "if more than one enableWhen value is provided"; the published expression counts more than two
#: (corrected to `enableWhen.count() > 1` in R4B, hl7.fhir.r4b.core 4.3.0).
INVARIANT_ERRATA = {
    ("que-12", "enableWhen.count() > 2 implies enableBehavior.exists()"): (
        "enableWhen.count() > 1 implies enableBehavior.exists()"
    ),
}


@dataclass(frozen=True, slots=True)
class Type:
    """One allowed type of an element, with its profiles and (for references) target profiles."""

    code: str
    profiles: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    aggregation: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Constraint:
    key: str
    severity: str
    human: str
    expression: str
    source: str


class Node:
    """One element of a compiled tree (a snapshot element, plus its children and slices)."""

    __slots__ = (
        "_key_map",
        "_required",
        "binding",
        "children",
        "constraints",
        "content_ref",
        "fixed",
        "id",
        "is_array",
        "is_choice",
        "is_modifier",
        "key",
        "max",
        "max_length",
        "max_value",
        "min",
        "min_value",
        "model",
        "must_support",
        "name",
        "path",
        "pattern",
        "slice_name",
        "slices",
        "slicing",
        "types",
    )

    def __init__(self, element: dict, model: StructureModel) -> None:
        self.model = model
        self.id: str = str(element.get("id") or element.get("path") or "")
        self.path: str = str(element.get("path") or "")
        self.name: str = self.path.rsplit(".", 1)[-1]
        self.is_choice = self.name.endswith("[x]")
        self.key = self.name[:-3] if self.is_choice else self.name
        self.slice_name: str | None = element.get("sliceName")
        self.min = _int(element.get("min"), 0)
        self.max = _max(element.get("max"))
        base = element.get("base") or {}
        base_max = _max(base.get("max", element.get("max")))
        self.is_array = base_max is None or base_max > 1
        self.types: tuple[Type, ...] = tuple(
            _type(item) for item in element.get("type") or [] if isinstance(item, dict)
        )
        self.fixed: tuple[str, Any] | None = None
        self.pattern: tuple[str, Any] | None = None
        self.min_value: tuple[str, Any] | None = None
        self.max_value: tuple[str, Any] | None = None
        self.binding: dict | None = None
        self.slicing: dict | None = None
        self.constraints: list[Constraint] = []
        self.max_length: int | None = None
        self.content_ref: str | None = None
        self.is_modifier = False
        self.must_support = False
        self.children: dict[str, Node] = {}
        self.slices: list[Node] = []
        self._key_map: dict[str, tuple[Node, str | None]] | None = None
        self._required: tuple[Node, ...] | None = None
        self.apply(element)

    def apply(self, element: dict) -> None:
        """Merge the properties of a (snapshot or differential) element into this node."""
        if "min" in element:
            self.min = _int(element["min"], self.min)
        if "max" in element:
            self.max = _max(element["max"])
        if element.get("type"):
            self.types = tuple(_type(item) for item in element["type"] if isinstance(item, dict))
        for key, value in element.items():
            if key.startswith("fixed") and key[5:6].isupper():
                self.fixed = (key[5:], value)
            elif key.startswith("pattern") and key[7:8].isupper():
                self.pattern = (key[7:], value)
            elif key.startswith("minValue") and key[8:9].isupper():
                self.min_value = (key[8:], value)
            elif key.startswith("maxValue") and key[8:9].isupper():
                self.max_value = (key[8:], value)
        if "binding" in element:
            self.binding = element["binding"]
        if "slicing" in element:
            self.slicing = element["slicing"]
        if "maxLength" in element:
            self.max_length = _int(element["maxLength"], 0) or None
        if "contentReference" in element:
            self.content_ref = element["contentReference"]
        if "isModifier" in element:
            self.is_modifier = bool(element["isModifier"])
        if "mustSupport" in element:
            self.must_support = bool(element["mustSupport"])
        known = {constraint.key for constraint in self.constraints}
        for item in element.get("constraint") or []:
            if isinstance(item, dict) and item.get("key") not in known:
                key, expression = str(item.get("key", "")), str(item.get("expression", ""))
                self.constraints.append(
                    Constraint(
                        key,
                        str(item.get("severity", "error")),
                        str(item.get("human", "")),
                        INVARIANT_ERRATA.get((key, expression), expression),
                        str(item.get("source", "")),
                    )
                )

    def clone(self, model: StructureModel | None = None) -> Node:
        """A deep copy (children and slices copied too) for a derived profile to modify."""
        other = copy.copy(self)
        other.model = model or self.model
        other.constraints = list(self.constraints)
        other.children = {key: child.clone(model) for key, child in self.children.items()}
        other.slices = [item.clone(model) for item in self.slices]
        other._key_map = None
        other._required = None
        return other

    @property
    def type_codes(self) -> tuple[str, ...]:
        return tuple(item.code for item in self.types)

    def key_map(self) -> dict[str, tuple[Node, str | None]]:
        """JSON property name → (child, type code for choice elements)."""
        if self._key_map is None:
            mapping: dict[str, tuple[Node, str | None]] = {}
            for child in self.children.values():
                if child.is_choice:
                    for item in child.types:
                        mapping[child.key + item.code[:1].upper() + item.code[1:]] = (child, item.code)
                else:
                    mapping[child.key] = (child, None)
            self._key_map = mapping
        return self._key_map

    def required_children(self) -> tuple[Node, ...]:
        """The children that must be present: min > 0, or one of their slices has min > 0.

        Computed on first use, which is after the tree is compiled (differentials change min while compiling)."""
        if self._required is None:
            self._required = tuple(
                child for child in self.children.values() if child.min > 0 or any(item.min > 0 for item in child.slices)
            )
        return self._required

    def __repr__(self) -> str:
        return f"Node({self.id})"


class StructureModel:
    """A compiled StructureDefinition: its root node and what the validator needs to know about it."""

    def __init__(self, json: dict) -> None:
        self.json = json
        self.url: str = str(json.get("url", ""))
        self.version: str = str(json.get("version", ""))
        self.type: str = str(json.get("type", ""))
        self.kind: str = str(json.get("kind", ""))
        self.abstract = bool(json.get("abstract"))
        self.derivation = json.get("derivation")
        self.base_definition = json.get("baseDefinition")
        self.context: list[dict] = [item for item in json.get("context") or [] if isinstance(item, dict)]
        self.root: Node | None = None
        self.by_id: dict[str, Node] = {}
        self.errors: list[str] = []

    @property
    def label(self) -> str:
        return f"{self.url}|{self.version}" if self.version else self.url

    def find(self, element_id: str) -> Node | None:
        return self.by_id.get(element_id)


class Models:
    """Compiles StructureDefinitions on first use and keeps them (one per canonical URL)."""

    def __init__(self, definitions: Definitions) -> None:
        self.definitions = definitions
        self._models: dict[str, StructureModel | None] = {}
        self._building: set[str] = set()
        self._resource_types: dict[str, bool] = {}
        self._type_roots: dict[str, Node] = {}
        #: (node, holder) → the constraints evaluated as FHIRPath there (filled by invariants.py)
        self.invariants: dict[tuple[Node, Node], tuple[Constraint, ...]] = {}
        #: (slice, discriminator path) → the element the path points to (filled by slicing.py)
        self.slice_paths: dict[tuple[Node, str], Node | None] = {}
        #: node → the resource types its reference target profiles allow (filled by references.py)
        self.reference_types: dict[Node, frozenset[str] | None] = {}
        self._global_profiles: dict[str, tuple[str, ...]] | None = None

    def global_profiles(self, resource_type: str) -> tuple[str, ...]:
        """The profiles every resource of `resource_type` must conform to, by the loaded ImplementationGuides (R4
        ImplementationGuide.global: "a set of profiles that all resources covered by this implementation guide must
        conform to"); read from the guides on first use."""
        if self._global_profiles is None:
            found: dict[str, list[str]] = {}
            guides = [
                package.load(entry["filename"])
                for package in self.definitions.packages
                for entry in package.index
                if entry["resourceType"] == "ImplementationGuide"
                and package.may_mention(entry["filename"], b'"global"')
            ]
            for guide in guides:
                entries = guide.get("global")
                for entry in entries if isinstance(entries, list) else []:
                    if not isinstance(entry, dict):
                        continue
                    kind, profile = entry.get("type"), entry.get("profile")
                    if isinstance(kind, str) and isinstance(profile, str) and profile not in found.get(kind, []):
                        found.setdefault(kind, []).append(profile)
            self._global_profiles = {kind: tuple(profiles) for kind, profiles in found.items()}
        return self._global_profiles.get(resource_type, ())

    def get(self, url_or_type: str) -> StructureModel | None:
        """The compiled model of a canonical URL (`url|version` allowed) or core type name."""
        if not isinstance(url_or_type, str) or not url_or_type:
            return None
        key = url_or_type if ":" in url_or_type else FHIR_SD + url_or_type
        if key in self._models:
            return self._models[key]
        if key in self._building:
            return None
        self._building.add(key)
        try:
            model = self._compile(key)
        except Exception:  # a broken definition must not break validation of everything else
            model = None
        finally:
            self._building.discard(key)
        self._models[key] = model
        return model

    def _compile(self, key: str) -> StructureModel | None:
        json = self.definitions.resolve(key)
        if json is None and "|" in key:
            json = self.definitions.resolve(key.partition("|")[0])
        if not isinstance(json, dict) or json.get("resourceType") != "StructureDefinition":
            return None
        model = StructureModel(json)
        snapshot = (json.get("snapshot") or {}).get("element")
        if snapshot:
            _build_snapshot(model, snapshot)
        else:
            base = self.get(str(json.get("baseDefinition") or ""))
            if base is None or base.root is None:
                return None
            _build_differential(model, base, (json.get("differential") or {}).get("element") or [], self)
        return model if model.root is not None else None

    def is_resource_type(self, code: str) -> bool:
        """Whether `code` names a resource type (not a profile); asked for every complex value, so remembered."""
        known = self._resource_types.get(code)
        if known is None:
            model = self.get(code)
            known = model is not None and model.kind == "resource" and model.derivation != "constraint"
            self._resource_types[code] = known
        return known

    def type_root(self, code: str) -> Node | None:
        root = self._type_roots.get(code)
        if root is None:
            model = self.get(code)
            root = model.root if model else None
            if root is not None:  # not while the type is being compiled (get gives None then)
                self._type_roots[code] = root
        return root

    def children(self, node: Node, type_code: str | None = None) -> Node | None:
        """The node whose children apply to a value of `node` (itself, its content reference, or its type's root)."""
        if node.children:
            return node
        if node.content_ref:
            target = node.model.find(node.content_ref.lstrip("#").rpartition("#")[2])
            if target is None and node.content_ref.startswith("#"):
                target = node.model.find(node.content_ref[1:])
            if target is not None:
                return target
        code = type_code or (node.types[0].code if len(node.types) == 1 else None)
        if code is None:
            return None
        for item in node.types:
            if item.code == code and item.profiles and code not in ("Reference", "canonical", "Extension"):
                for profile in item.profiles:
                    model = self.get(profile)
                    if model is not None and model.root is not None:
                        return model.root
        return self.type_root(code)


def _build_snapshot(model: StructureModel, elements: list) -> None:
    for element in elements:
        if not isinstance(element, dict) or not isinstance(element.get("path"), str):
            continue
        node = Node(element, model)
        if model.root is None:
            node.is_array = False
            model.root = node
            model.by_id[node.id] = node
            continue
        _attach(model, node)


def _attach(model: StructureModel, node: Node) -> None:
    parent_id, _, last = node.id.rpartition(".")
    name, colon, slice_part = last.partition(":")
    if colon:
        holder_id = parent_id + "." + name
        if "/" in slice_part:
            holder_id += ":" + slice_part.rsplit("/", 1)[0]
        holder = model.by_id.get(holder_id)
        if holder is not None:
            holder.slices.append(node)
    else:
        parent = model.by_id.get(parent_id)
        if parent is not None:
            parent.children[node.key] = node
    model.by_id[node.id] = node


def _build_differential(model: StructureModel, base: StructureModel, elements: list, models: Models) -> None:
    assert base.root is not None
    model.root = base.root.clone(model)
    _index(model, model.root, model.root.id)
    root_path = model.root.path
    for element in elements:
        if not isinstance(element, dict) or not isinstance(element.get("path"), str):
            continue
        element_id = str(element.get("id") or _id_from_path(element))
        steps = element_id.split(".")
        if not steps or steps[0].partition(":")[0] not in (root_path, model.type):
            model.errors.append(f"element {element_id} is not in {root_path}")
            continue
        node: Node | None = model.root
        current_id = model.root.id
        if ":" in steps[0]:
            model.errors.append("Slicing is not allowed at the root of a profile")
            continue
        for step in steps[1:]:
            if node is None:
                break
            node, current_id = _step(model, node, current_id, step, models)
        if node is None:
            model.errors.append(f"No match found for {element_id} in the base")
            continue
        node.id = current_id  # the differential's id (a slice's includes its name), not the base element's
        patch = {key: value for key, value in element.items() if key not in ("id", "path", "sliceName")}
        node.apply(patch)
        node._key_map = None
        node._required = None


def _step(model: StructureModel, node: Node, current_id: str, step: str, models: Models) -> tuple[Node | None, str]:
    name, colon, slice_part = step.partition(":")
    holder = _expand(node, models, model)
    if holder is None:
        return None, current_id
    child = holder.children.get(name[:-3] if name.endswith("[x]") else name)
    if child is None:
        # a type-specific choice name: valueQuantity → value[x] restricted to Quantity
        for candidate in holder.children.values():
            if candidate.is_choice and name.startswith(candidate.key):
                suffix = name[len(candidate.key) :]
                matches = [item for item in candidate.types if item.code[:1].upper() + item.code[1:] == suffix]
                if matches:
                    candidate.types = tuple(matches)
                    holder._key_map = None
                    child = candidate
                break
    if child is None:
        return None, current_id
    child_id = f"{current_id}.{child.name}"
    if not colon:
        return child, child_id
    for part in slice_part.split("/"):
        found = next((item for item in child.slices if item.slice_name == part), None)
        if found is None:
            found = child.clone(model)
            found.slicing = None
            found.slices = []
            found.slice_name = part
            found.min = 0  # a new slice is optional unless the differential says otherwise
            found.id = f"{child_id}:{part}"
            child.slices.append(found)
        child_id += ":" + part
        child = found
    return child, child_id


def _expand(node: Node, models: Models, model: StructureModel) -> Node | None:
    """Make a node's children explicit (copied from its type) so a differential can constrain them."""
    if node.children:
        return node
    source = models.children(node)
    if source is None or source is node:
        return node if node.children else None
    node.children = {key: child.clone(model) for key, child in source.children.items()}
    if source.slicing is None and source is not node:
        pass
    node._key_map = None
    node._required = None
    return node


def _index(model: StructureModel, node: Node, node_id: str) -> None:
    model.by_id[node_id] = node
    for child in node.children.values():
        _index(model, child, f"{node_id}.{child.name}")
    for item in node.slices:
        _index(model, item, f"{node_id}:{item.slice_name}")


def _id_from_path(element: dict) -> str:
    path = str(element["path"])
    if element.get("sliceName"):
        return f"{path}:{element['sliceName']}"
    return path


def _type(item: dict) -> Type:
    code = str(item.get("code", ""))
    if code in _SYSTEM_TYPES or code.startswith("http://hl7.org/fhirpath/System."):
        for extension in item.get("extension") or []:
            if isinstance(extension, dict) and extension.get("url") == _FHIR_TYPE_EXT:
                code = str(extension.get("valueUrl") or extension.get("valueUri") or code)
                break
        else:
            code = _SYSTEM_TYPES.get(code, "string")
    return Type(
        code=code,
        profiles=tuple(str(p) for p in item.get("profile") or [] if isinstance(p, str)),
        targets=tuple(str(p) for p in item.get("targetProfile") or [] if isinstance(p, str)),
        aggregation=tuple(str(p) for p in item.get("aggregation") or [] if isinstance(p, str)),
    )


def _int(value: object, default: int) -> int:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return default


def _max(value: object) -> int | None:
    if value is None or value == "*":
        return None
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def is_primitive(code: str) -> bool:
    return code in PRIMITIVE_TYPES


def walk(node: Node) -> Iterator[Node]:
    """Every node below and including `node` (explicit children and slices)."""
    yield node
    for child in node.children.values():
        yield from walk(child)
    for item in node.slices:
        yield from walk(item)


__all__ = ["Constraint", "Models", "Node", "StructureModel", "Type"]
