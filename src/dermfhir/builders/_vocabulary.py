"""Codes and displays taken from the guide's package: profile patterns, CodeSystems, ValueSets and ConceptMaps.

Nothing here re-types a code of the guide: fixed codings are read from the profiles' snapshot patterns, displays
from the loaded CodeSystems (or, for SNOMED CT, from the guide's value sets and concept maps).

Not handled: codes of systems that are neither loaded nor listed in a value set or concept map of the guide keep
no display; translation never follows ConceptMap `dependsOn` / `product`.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any

import orjson

from dermfhir.definitions import Definitions
from dermfhir.terminology import Terminology, Translation

BASE = "https://annotatemd.com/fhir/ig"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"

#: ConceptMap equivalences under which a SNOMED CT target may be added to a source code automatically; narrower
#: targets cover only part of the source class (the guide's mapping policy says not to translate them automatically).
SAFE_EQUIVALENCES = frozenset({"equal", "equivalent", "wider", "subsumes"})


def canonical(kind: str, name: str) -> str:
    """The guide's canonical URL of `kind` (CodeSystem, ValueSet, StructureDefinition, ConceptMap) `name`."""
    return f"{BASE}/{kind}/{name}"


def code_system(name: str) -> str:
    return canonical("CodeSystem", name)


def profile(name: str) -> str:
    return canonical("StructureDefinition", name)


def concept_map(name: str) -> str:
    return canonical("ConceptMap", name)


@lru_cache(maxsize=1)
def terminology() -> Terminology:
    """The terminology of the R4 core package and the guide (loaded once per process)."""
    return Terminology.default()


@lru_cache(maxsize=1)
def _definitions() -> Definitions:
    return Definitions.default()


@cache
def _patterns(profile_id: str) -> dict[str, Any]:
    definition = _definitions().resolve(profile(profile_id))
    if definition is None:
        raise LookupError(f"the guide has no profile {profile_id!r}")
    found: dict[str, Any] = {}
    for element in definition["snapshot"]["element"]:
        for key, value in element.items():
            if key.startswith(("pattern", "fixed")):
                found[element["id"]] = value
    return found


def pattern(profile_id: str, element_id: str) -> Any:
    """A copy of the pattern (or fixed value) of `element_id` in the profile, with displays added to codings."""
    return orjson.loads(_pattern_json(profile_id, element_id))  # a copy; JSON data only, ~10x faster than deepcopy


@cache
def _pattern_json(profile_id: str, element_id: str) -> bytes:
    """The pattern with displays added, serialised once (each caller gets its own copy by parsing it)."""
    try:
        value = _patterns(profile_id)[element_id]
    except KeyError:
        raise LookupError(f"profile {profile_id!r} has no pattern on {element_id!r}") from None
    value = orjson.loads(orjson.dumps(value))
    if isinstance(value, dict):
        for item in value.get("coding", [value] if "system" in value and "code" in value else []):
            name = display(item["system"], item["code"])
            if name and "display" not in item:
                item["display"] = name
    return orjson.dumps(value)


@cache
def _value_set_displays() -> dict[tuple[str, str], str]:
    """Displays of SNOMED CT and DICOM codes as the guide's value sets and concept maps give them."""
    found: dict[tuple[str, str], str] = {}
    for name in ("body-sites-skin", "dermatology-findings", "dermatology-imaging-modality"):
        for item in terminology().expand(canonical("ValueSet", name)):
            if item.display:
                found.setdefault((item.system, item.code), item.display)
    for resource in _definitions().resources("ConceptMap"):
        if not str(resource.get("url", "")).startswith(BASE):
            continue
        for group in resource.get("group", []):
            for element in group.get("element", []):
                for target in element.get("target", []):
                    if target.get("code") and target.get("display"):
                        found.setdefault((group.get("target", ""), target["code"]), target["display"])
    return found


@lru_cache(maxsize=4096)
def display(system: str, code: str) -> str | None:
    """The display of (system, code) from the loaded code systems, else from the guide's value sets."""
    concept = terminology().lookup(system, code)
    if concept is not None and concept.display:
        return concept.display
    return _value_set_displays().get((system, code))


@lru_cache(maxsize=4096)
def known(system: str, code: str) -> bool | None:
    """True / False when the loaded CodeSystem `system` has / lacks `code`; None when the system is not loaded."""
    if not terminology().knows_system(system):
        return None
    return terminology().lookup(system, code) is not None


def coding(system: str, code: str) -> dict[str, str]:
    """A Coding with the display the guide (or the core package) gives.

    Raises ValueError for a code the guide's own CodeSystem `system` does not define (other systems are taken as
    given: e.g. DICOM DMS is newer than the DCM version in the R4 core package).
    """
    if system.startswith(BASE) and known(system, code) is False:
        raise ValueError(f"Code {code!r} is not defined in the CodeSystem {system}.")
    result = {"system": system, "code": code}
    name = display(system, code)
    if name:
        result["display"] = name
    return result


@lru_cache(maxsize=4096)
def translations(map_name: str, system: str, code: str) -> tuple[Translation, ...]:
    """Targets of (system, code) in the guide's ConceptMap `map_name` (all equivalences, unmatched included)."""
    return tuple(terminology().translate(concept_map(map_name), system, code))


@cache
def _morphologies() -> frozenset[tuple[str, str]]:
    """The morphologic-abnormality concepts of the guide (skin-lesion-morphology): they describe a lesion, not a
    finding, so they go to BodyStructure.morphology and never into a skin-finding value."""
    return frozenset(
        (item.system, item.code) for item in terminology().expand(canonical("ValueSet", "skin-lesion-morphology"))
    )


def _snomed(targets: tuple[Translation, ...] | list[Translation], morphology: bool) -> list[dict[str, str]]:
    result = []
    for target in targets:
        if not target.code or target.equivalence not in SAFE_EQUIVALENCES or target.system != SNOMED:
            continue
        if ((SNOMED, target.code) in _morphologies()) is not morphology:
            continue
        item = {"system": SNOMED, "code": target.code}
        if target.display:
            item["display"] = target.display
        if item not in result:
            result.append(item)
    return result


def snomed_codings(map_name: str, system: str, code: str) -> list[dict[str, str]]:
    """SNOMED CT codings for (system, code) through the ConceptMap: targets of a safe equivalence that are not
    morphologic abnormalities (those are the lesion's: `morphology_of`)."""
    return _snomed(translations(map_name, system, code), morphology=False)


@lru_cache(maxsize=4096)
def _morphology_codings(system: str, code: str) -> tuple[dict[str, str], ...]:
    return tuple(_snomed(terminology().translate(None, system, code, SNOMED), morphology=True))


def morphology_of(concept: dict | None) -> dict | None:
    """The lesion morphology a finding implies: the morphologic-abnormality targets (skin-lesion-morphology) of a
    safe equivalence that the guide's ConceptMaps give for the concept's dataset codes, or None.

    >>> morphology_of(mapped_concept("ham10000-dx-to-snomed", code_system("ham10000-dx"), "nv"))["coding"][0]["code"]
    '1163403006'
    """
    codings: list[dict[str, str]] = []
    for item in (concept or {}).get("coding", []):
        system, code = item.get("system"), item.get("code")
        if isinstance(system, str) and system.startswith(BASE) and isinstance(code, str):
            for found in _morphology_codings(system, code):
                if found not in codings:
                    codings.append(dict(found))
    if not codings:
        return None
    return {"coding": codings, "text": codings[0].get("display", codings[0]["code"])}


def codes_of(system: str) -> list[str]:
    """Every code of the loaded CodeSystem `system`, in definition order (used to build and check Enums)."""
    index = terminology().code_system(system)
    if index is None:
        raise LookupError(f"CodeSystem {system} is not loaded")
    return index.codes()


def mapped_concept(map_name: str, system: str, code: str) -> dict:
    """A CodeableConcept holding the SNOMED CT target(s) of a safe equivalence first, then the source code itself.

    Morphologic-abnormality targets are left out: they describe the lesion (`morphology_of`), not a finding.

    >>> concept = mapped_concept("ham10000-dx-to-snomed", code_system("ham10000-dx"), "mel")
    >>> [c["code"] for c in concept["coding"]], concept["text"]
    (['372244006', 'mel'], 'Melanoma')
    """
    source = coding(system, code)
    concept: dict[str, Any] = {"coding": [*snomed_codings(map_name, system, code), source]}
    concept["text"] = source.get("display", code)
    return concept


def source_code(concept: dict | None, system: str) -> str | None:
    """The code of `system` in a CodeableConcept, or None."""
    for item in (concept or {}).get("coding", []):
        if item.get("system") == system:
            return item.get("code")
    return None
