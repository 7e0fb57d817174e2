"""FHIR Codings ↔ DICOM coded concepts: code systems to coding scheme designators and back.

SNOMED CT is `SCT`, DICOM's own codes `DCM`, LOINC `LN`, UCUM `UCUM` (PS3.16 Section 8). Any other FHIR system
(the guide's code systems, ISIC vocabularies) gets a private designator `99D` + 12 hex digits of its URL's SHA-1
(PS3.3 Section 8.2: designators starting with "99" are private) and an item of the Coding Scheme Identification
Sequence carrying the system URL (Coding Scheme URL, 0008,010E), so a reader maps it back exactly.

Not handled: Equivalent Code Sequence (a CodeableConcept keeps its first coding only), code values longer than
16 characters other than as Long Code Value.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from highdicom.sr import CodedConcept
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

STANDARD = {
    "http://snomed.info/sct": "SCT",
    "http://dicom.nema.org/resources/ontology/DCM": "DCM",
    "http://loinc.org": "LN",
    "http://unitsofmeasure.org": "UCUM",
}
_BACK = {designator: system for system, designator in STANDARD.items()} | {"SRT": "http://snomed.info/sct"}


def designator(system: str) -> str:
    """The coding scheme designator of a FHIR system URL."""
    return STANDARD.get(system) or "99D" + hashlib.sha1(system.encode()).hexdigest()[:12].upper()


def concept(coding: Mapping[str, Any]) -> CodedConcept:
    """A DICOM coded concept for a FHIR Coding (system and code required; display becomes the meaning)."""
    system, code = coding.get("system"), coding.get("code")
    if not system or not code:
        raise ValueError(f"a Coding needs a system and a code to go into DICOM, got {dict(coding)!r}")
    meaning = str(coding.get("display") or code)[:64]
    return CodedConcept(str(code), designator(str(system)), meaning)


def first_coding(value: Mapping[str, Any]) -> dict:
    """The Coding a CodeableConcept is written as: its SNOMED CT coding when present, else its first."""
    codings = [c for c in value.get("coding", []) if c.get("system") and c.get("code")]
    if not codings:
        raise ValueError(f"a CodeableConcept without a coded value cannot go into DICOM: {dict(value)!r}")
    return next((c for c in codings if c["system"] == "http://snomed.info/sct"), codings[0])


def identification(systems: Iterable[str]) -> Sequence:
    """Coding Scheme Identification Sequence items for the private designators of `systems`."""
    items = []
    for system in sorted(set(systems)):
        if system in STANDARD:
            continue
        item = Dataset()
        item.CodingSchemeDesignator = designator(system)
        item.CodingSchemeURL = system
        item.CodingSchemeURLType = "FHIR"
        items.append(item)
    return Sequence(items)


def systems_of(dataset: Dataset) -> dict[str, str]:
    """Designator → FHIR system URL: the standard ones and those the dataset identifies."""
    found = dict(_BACK)
    for item in dataset.get("CodingSchemeIdentificationSequence", []):
        url = item.get("CodingSchemeURL")
        if url:
            found[str(item.CodingSchemeDesignator)] = str(url)
    return found


def coding(item: Dataset, systems: Mapping[str, str]) -> dict:
    """The FHIR Coding of a code sequence item (unknown designators keep the designator as a `urn:` system)."""
    scheme = str(item.CodingSchemeDesignator)
    value = item.get("CodeValue") or item.get("LongCodeValue") or item.get("URNCodeValue")
    result = {"system": systems.get(scheme, f"urn:dicom:scheme:{scheme}"), "code": str(value)}
    if item.get("CodeMeaning") and str(item.CodeMeaning) != str(value):
        result["display"] = str(item.CodeMeaning)
    return result
