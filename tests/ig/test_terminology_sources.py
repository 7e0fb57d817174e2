"""No SNOMED CT, LOINC or DICOM code enters the guide without a source: each appears in the collected terminology
notes (../shared/data/terminology.md) or the published guide's own facts (../shared/spec/IG.md)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from dermfhir.definitions import Package

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
SOURCES = [SHARED / "data" / "terminology.md", SHARED / "spec" / "IG.md"]
SYSTEMS = {
    "http://snomed.info/sct": "SNOMED CT",
    "http://loinc.org": "LOINC",
    "http://dicom.nema.org/resources/ontology/DCM": "DICOM",
}


def _coded(node: object) -> Iterator[tuple[str, str]]:
    """(system, code) pairs anywhere in a resource: codings, ValueSet includes, ConceptMap groups."""
    if isinstance(node, list):
        for item in node:
            yield from _coded(item)
        return
    if not isinstance(node, dict):
        return
    system = node.get("system")
    if system in SYSTEMS:
        if isinstance(node.get("code"), str):  # a Coding
            yield system, node["code"]
        for concept in node.get("concept", []):  # a ValueSet include
            yield system, concept["code"]
    if "element" in node:  # a ConceptMap group
        for element in node["element"]:
            if node.get("source") in SYSTEMS:
                yield node["source"], element["code"]
            if node.get("target") in SYSTEMS:
                yield from ((node["target"], t["code"]) for t in element.get("target", []) if "code" in t)
    for value in node.values():
        yield from _coded(value)


@pytest.mark.skipif(not all(p.is_file() for p in SOURCES), reason="../shared terminology sources are absent")
def test_every_external_code_has_a_source(guide: Package) -> None:
    text = "\n".join(path.read_text() for path in SOURCES)
    sourced = set(re.findall(r"[A-Za-z0-9.\-]+", text))
    unsourced = sorted(
        {
            (SYSTEMS[system], code, resource.get("id"))
            for resource in guide.resources()
            for system, code in _coded(resource)
            if code not in sourced
        }
    )
    assert not unsourced, unsourced
