"""`_elements` and `_summary`: cutting a resource down to what a client asked for (marked SUBSETTED).

`apply_elements(resource, ["status", "value"])` keeps those top-level elements (choice names such as `value`
cover `valueQuantity`…), plus resourceType, id and meta. `apply_summary(resource, mode, definitions)` applies
`_summary=true|text|data` from the StructureDefinition's `isSummary` flags.
Not supported: `_elements` paths below the top level (`code.coding`).
"""

from __future__ import annotations

from dermfhir.definitions import Definitions

SUBSETTED = {"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "code": "SUBSETTED"}
_ALWAYS = ("resourceType", "id", "meta")


def _mark(resource: dict) -> dict:
    meta = dict(resource.get("meta") or {})
    tags = [tag for tag in meta.get("tag", []) if tag.get("code") != "SUBSETTED"]
    meta["tag"] = [*tags, dict(SUBSETTED)]
    return {**resource, "meta": meta}


def _keeps(key: str, names: set[str]) -> bool:
    bare = key.lstrip("_")
    if bare in names:
        return True
    return any(bare.startswith(name) and bare[len(name) : len(name) + 1].isupper() for name in names)


def apply_elements(resource: dict, elements: list[str]) -> dict:
    """The resource with only the listed top-level elements (and resourceType, id, meta), tagged SUBSETTED."""
    names = {
        element.split(".")[-1] if "." in element and element.split(".")[0][:1].isupper() else element
        for element in elements
    }
    kept = {key: value for key, value in resource.items() if key in _ALWAYS or _keeps(key, names)}
    return _mark(kept)


def summary_elements(definitions: Definitions, resource_type: str) -> set[str]:
    """Top-level element names marked isSummary in the type's StructureDefinition."""
    structure = definitions.structure_definition(resource_type)
    if structure is None:
        return set()
    found = set()
    for element in structure.elements:
        parts = element.path.split(".")
        if len(parts) == 2 and element.json.get("isSummary"):
            found.add(parts[1].removesuffix("[x]"))
    return found


def apply_summary(resource: dict, mode: str, definitions: Definitions) -> dict:
    """`_summary=true` (summary elements), `text` (text, id, meta, mandatory elements), `data` (all but text)."""
    if mode in ("false", ""):
        return resource
    if mode == "data":
        return _mark({key: value for key, value in resource.items() if key != "text"})
    if mode == "text":
        structure = definitions.structure_definition(resource["resourceType"])
        mandatory = {
            e.path.split(".")[1].removesuffix("[x]")
            for e in (structure.elements if structure else [])
            if e.path.count(".") == 1 and e.min > 0
        }
        return _mark(
            {key: value for key, value in resource.items() if key in _ALWAYS or key == "text" or _keeps(key, mandatory)}
        )
    if mode == "true":
        names = summary_elements(definitions, resource["resourceType"])
        return _mark({key: value for key, value in resource.items() if key in _ALWAYS or _keeps(key, names)})
    raise ValueError(f"Unknown _summary mode {mode!r}")
