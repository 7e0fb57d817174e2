"""What the page of each kind of resource shows: the template to use and the rows of its tables.

Profiles and extensions: key elements (constrained or must-support), the differential and the snapshot with flags,
cardinality, types, bindings and fixed or pattern values; the bindings, invariants and slicings on their own.
CodeSystems: the concept hierarchy. ValueSets: the logical definition and the expansion (`dermfhir.terminology`).
ConceptMaps: one table row per source → target. Everything else: the generated narrative and the JSON.
"""

from __future__ import annotations

from dermfhir.definitions import Definitions
from dermfhir.site.links import Linker, anchor
from dermfhir.terminology import Terminology

#: FHIR's own invariants, present in every snapshot; the profile pages list only the guide's
CORE_CONSTRAINT_PREFIXES = ("ele-", "dom-", "ext-", "obs-", "sdf-", "ref-", "qty-", "ctm-", "per-", "rng-", "att-")


def context(resource: dict, definitions: Definitions, terminology: Terminology, linker: Linker) -> dict:
    """Template name and values for the page of `resource`."""
    kind = resource["resourceType"]
    if kind == "StructureDefinition":
        return _structure_definition(resource, linker)
    if kind == "CodeSystem":
        return {"template": "codesystem.html.j2", "title": _title(resource), "concepts": _concepts(resource)}
    if kind == "ValueSet":
        return _value_set(resource, terminology, linker)
    if kind == "ConceptMap":
        return {"template": "conceptmap.html.j2", "title": _title(resource), "rows": _map_rows(resource)}
    return {"template": "resource.html.j2", "title": _title(resource)}


def _title(resource: dict) -> str:
    return str(resource.get("title") or resource.get("name") or f"{resource['resourceType']}/{resource['id']}")


# -- profiles and extensions ------------------------------------------------------------------------------------


def _structure_definition(resource: dict, linker: Linker) -> dict:
    snapshot = resource.get("snapshot", {}).get("element", [])
    differential = resource.get("differential", {}).get("element", [])
    constrained = {e["id"] for e in differential}
    snapshot_rows = [_element_row(e, linker, constrained) for e in snapshot]
    key_rows = [row for row in snapshot_rows if row["constrained"] or row["must_support"]]
    own_key = _own_constraint_keys(resource)
    invariants = []
    seen = set()
    for element in snapshot:
        for constraint in element.get("constraint", []):
            key = constraint.get("key", "")
            if key in own_key and key not in seen:
                seen.add(key)
                invariants.append({**constraint, "path": element["id"]})
    bindings = [
        {"id": row["id"], "anchor": row["anchor"], **row["binding"]}
        for row in snapshot_rows
        if row["binding"] and row["constrained"]
    ]
    slicings = [
        {
            "id": e["id"],
            "anchor": "snap-" + anchor(e["id"]),
            "discriminator": ", ".join(f"{d['type']} @ {d['path']}" for d in e["slicing"].get("discriminator", [])),
            "rules": e["slicing"].get("rules", ""),
            "slices": [
                {"name": s.get("sliceName"), "card": f"{s.get('min', '')}..{s.get('max', '')}"}
                for s in snapshot
                if s.get("sliceName") and s["id"] == f"{e['id']}:{s.get('sliceName')}"
            ],
        }
        for e in snapshot
        if "slicing" in e
    ]
    return {
        "template": "profile.html.j2",
        "title": _title(resource),
        "is_extension": resource.get("type") == "Extension",
        "base": resource.get("baseDefinition", ""),
        "key_rows": key_rows,
        "differential_rows": [_element_row(e, linker, constrained, prefix="diff-") for e in differential],
        "snapshot_rows": snapshot_rows,
        "bindings": bindings,
        "invariants": invariants,
        "slicings": slicings,
    }


def _own_constraint_keys(resource: dict) -> set[str]:
    """Keys of the invariants the guide adds (declared in the differential, not FHIR's own)."""
    keys = set()
    for element in resource.get("differential", {}).get("element", []):
        for constraint in element.get("constraint", []):
            if not str(constraint.get("key", "")).startswith(CORE_CONSTRAINT_PREFIXES):
                keys.add(constraint["key"])
    return keys


def _element_row(element: dict, linker: Linker, constrained: set[str], prefix: str = "snap-") -> dict:
    element_id = element["id"]
    depth = element_id.count(".")
    name = element_id.rsplit(".", 1)[-1]
    flags = []
    if element.get("mustSupport"):
        flags.append("MS")
    if element.get("isModifier"):
        flags.append("?!")
    if element.get("isSummary"):
        flags.append("Σ")
    if any(not str(c.get("key", "")).startswith(CORE_CONSTRAINT_PREFIXES) for c in element.get("constraint", [])):
        flags.append("I")
    types = []
    for item in element.get("type", []):
        targets = [
            {"href": linker.href(t), "title": linker.title(t) if linker.href(t) else t.rsplit("/", 1)[-1]}
            for t in item.get("targetProfile", []) + item.get("profile", [])
        ]
        types.append({"code": item.get("code", ""), "targets": targets})
    binding = None
    if "binding" in element and element["binding"].get("valueSet"):
        value_set = element["binding"]["valueSet"]
        binding = {
            "strength": element["binding"].get("strength", ""),
            "value_set": value_set,
            "href": linker.href(value_set),
            "title": linker.title(value_set),
        }
    values = [
        (key, value)
        for key, value in element.items()
        if key.startswith(("fixed", "pattern")) and not isinstance(value, dict | list)
    ]
    values += [
        (key, ", ".join(f"{c.get('system', '')}#{c.get('code', '')}" for c in value.get("coding", [value])))
        for key, value in element.items()
        if key.startswith(("fixed", "pattern")) and isinstance(value, dict)
    ]
    return {
        "id": element_id,
        "anchor": prefix + anchor(element_id),
        "depth": depth,
        "name": name,
        "flags": " ".join(flags),
        "card": f"{element.get('min', '')}..{element.get('max', '')}",
        "types": types,
        "short": element.get("short", ""),
        "binding": binding,
        "values": values,
        "must_support": bool(element.get("mustSupport")),
        "constrained": element_id in constrained,
    }


# -- code systems, value sets, concept maps ---------------------------------------------------------------------


def _concepts(resource: dict) -> list[dict]:
    """Concepts in hierarchy order with their level; anchors `{codesystem-id}-{code}` as on the published site."""
    rows: list[dict] = []

    def walk(concepts: list[dict], level: int) -> None:
        for concept in concepts:
            rows.append(
                {
                    "code": concept["code"],
                    "anchor": anchor(f"{resource['id']}-{concept['code']}"),
                    "display": concept.get("display", ""),
                    "definition": concept.get("definition", ""),
                    "level": level,
                    "children": len(concept.get("concept", [])),
                }
            )
            walk(concept.get("concept", []), level + 1)

    walk(resource.get("concept", []), 1)
    return rows


def _value_set(resource: dict, terminology: Terminology, linker: Linker) -> dict:
    includes = []
    for mode in ("include", "exclude"):
        for item in resource.get("compose", {}).get(mode, []):
            includes.append(
                {
                    "mode": mode,
                    "system": item.get("system", ""),
                    "system_href": linker.href(item.get("system", "")),
                    "concepts": item.get("concept", []),
                    "filters": item.get("filter", []),
                    "value_sets": item.get("valueSet", []),
                    "whole": not item.get("concept") and not item.get("filter"),
                }
            )
    expansion = terminology.expand_resource(resource)
    rows = [
        {
            "system": item.system,
            "code": item.code,
            "display": item.display or "",
            "inactive": item.inactive,
            "href": linker.code_href(item.system, item.code),
        }
        for item in expansion.contains
    ]
    return {
        "template": "valueset.html.j2",
        "title": _title(resource),
        "includes": includes,
        "expansion": rows,
        "expansion_complete": expansion.complete,
        "expansion_reasons": expansion.reasons,
    }


def _map_rows(resource: dict) -> list[dict]:
    rows = []
    for group in resource.get("group", []):
        for element in group.get("element", []):
            for target in element.get("target", []) or [{"equivalence": "unmatched"}]:
                rows.append(
                    {
                        "source_system": group.get("source", ""),
                        "source": element.get("code", ""),
                        "source_display": element.get("display", ""),
                        "equivalence": target.get("equivalence", ""),
                        "target_system": group.get("target", ""),
                        "target": target.get("code", ""),
                        "target_display": target.get("display", ""),
                        "comment": target.get("comment", ""),
                    }
                )
    return rows
