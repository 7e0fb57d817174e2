"""CodeSystem lookup, hierarchy, inactive flags, case sensitivity and `knows_system`."""

from __future__ import annotations

import pytest

from dermfhir.terminology import Terminology

from .conftest import DIAGNOSIS, FLAT, PARTIAL, SITE

OBSERVATION_STATUS = "http://hl7.org/fhir/observation-status"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
ROLE_CODE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"


def test_lookup_core_concept(terminology: Terminology) -> None:
    concept = terminology.lookup(OBSERVATION_STATUS, "final")
    assert concept is not None
    assert concept.display == "Final"
    assert concept.definition
    assert concept.version == "4.0.1"
    assert terminology.lookup(OBSERVATION_STATUS, "bogus") is None


def test_lookup_version_not_loaded_falls_back(terminology: Terminology) -> None:
    assert terminology.lookup(OBSERVATION_STATUS, "final", version="3.0.2") is not None
    assert terminology.code_system(f"{OBSERVATION_STATUS}|3.0.2") is None
    assert terminology.code_system(f"{OBSERVATION_STATUS}|4.0.1") is not None


def test_nested_hierarchy_of_v3_code_system(terminology: Terminology) -> None:
    index = terminology.code_system(ACT_CODE)
    assert index is not None
    assert "AMB" in index.descendants("_ActEncounterCode")
    assert "_ActEncounterCode" in index.ancestors("AMB")
    amb = index.concept("AMB")
    assert amb is not None and amb.parents == ("_ActEncounterCode",)
    encounter = index.concept("_ActEncounterCode")
    assert encounter is not None and encounter.abstract


def test_child_property_adds_a_second_parent(terminology: Terminology) -> None:
    index = terminology.code_system(ROLE_CODE)
    assert index is not None
    adopted = index.concept("DAUADOPT")
    assert adopted is not None
    assert "DAUC" in adopted.parents  # given by DAUC's `child` property, not by nesting
    assert index.subsumes("FAMMEMB", "DAUADOPT")


def test_parent_property_hierarchy(local: Terminology) -> None:
    index = local.code_system(FLAT)
    assert index is not None
    assert index.descendants("root") == {"left", "right", "left-leaf"}
    assert index.ancestors("left-leaf") == {"left", "root"}


def test_inline_hierarchy_and_designations(local: Terminology) -> None:
    index = local.code_system(DIAGNOSIS)
    assert index is not None
    assert len(index) == 13
    assert index.descendants("malignant") == {"melanoma", "melanoma-in-situ", "invasive-melanoma", "bcc", "scc"}
    melanoma = local.lookup(DIAGNOSIS, "melanoma")
    assert melanoma is not None
    assert melanoma.children == ("melanoma-in-situ", "invasive-melanoma")
    assert [d.value for d in melanoma.designations] == ["Malignant melanoma"]
    assert melanoma.displays() == ["Melanoma", "Malignant melanoma"]


def test_inactive_and_deprecated_flags(terminology: Terminology, local: Terminology) -> None:
    retired = local.lookup(DIAGNOSIS, "old-code")
    assert retired is not None and retired.inactive and not retired.deprecated
    deprecated = terminology.lookup("http://terminology.hl7.org/CodeSystem/v2-0003", "A18")
    assert deprecated is not None and deprecated.inactive and deprecated.deprecated
    assert deprecated.property_values("status") == ["deprecated"]
    check = terminology.validate_coding_in_system("http://terminology.hl7.org/CodeSystem/v2-0003", "A18")
    assert check.result == "valid" and check.inactive


def test_case_insensitive_code_system(local: Terminology) -> None:
    assert local.lookup(SITE, "head") is not None
    assert local.lookup(SITE, "HEAD").code == "Head"  # type: ignore[union-attr]
    assert local.validate_coding_in_system(SITE, "tRuNk").result == "valid"
    assert local.lookup(DIAGNOSIS, "Melanoma") is None  # case-sensitive system


@pytest.mark.parametrize(
    ("system", "known"),
    [
        (OBSERVATION_STATUS, True),
        (ACT_CODE, True),
        ("http://snomed.info/sct", False),
        ("http://loinc.org", False),
        ("http://unitsofmeasure.org", False),
        ("urn:ietf:bcp:47", False),
        ("urn:iso:std:iso:3166", False),
        ("http://hl7.org/fhir/sid/icd-10", False),
        ("http://terminology.hl7.org/CodeSystem/insurance-plan-type", False),  # content fragment
        ("http://hl7.org/fhir/CodeSystem/example-supplement", False),
        ("http://example.org/nothing", False),
    ],
)
def test_knows_system(terminology: Terminology, system: str, known: bool) -> None:
    assert terminology.knows_system(system) is known


def test_supplements_are_not_code_systems(local: Terminology) -> None:
    assert local.code_system("http://example.org/fhir/CodeSystem/diagnosis-supplement") is None
    assert local.lookup(DIAGNOSIS, "melanoma").designations[0].value == "Malignant melanoma"  # type: ignore[union-attr]


def test_validate_coding_in_system(terminology: Terminology) -> None:
    good = terminology.validate_coding_in_system(OBSERVATION_STATUS, "final", "final")
    assert (good.result, good.display_ok, good.system_known) == ("valid", True, True)
    wrong = terminology.validate_coding_in_system(OBSERVATION_STATUS, "final", "Done")
    assert wrong.result == "valid" and wrong.display_ok is False and wrong.expected_display == "Final"
    assert wrong.message == (f"Wrong Display Name 'Done' for {OBSERVATION_STATUS}#final. Valid display is 'Final'")
    bad = terminology.validate_coding_in_system(OBSERVATION_STATUS, "xyz")
    assert bad.result == "invalid"
    assert bad.message == f"Unknown code 'xyz' in the CodeSystem '{OBSERVATION_STATUS}' version '4.0.1'"


def test_display_normalisation(terminology: Terminology) -> None:
    check = terminology.validate_coding_in_system(OBSERVATION_STATUS, "entered-in-error", "  entered IN\terror ")
    assert check.display_ok is True


def test_unjudgeable_systems_are_unknown(terminology: Terminology, local: Terminology) -> None:
    snomed = terminology.validate_coding_in_system("http://snomed.info/sct", "404684003", "Clinical finding")
    assert snomed.result == "unknown" and snomed.reason and snomed.display_ok is None
    assert terminology.validate_coding_in_system("http://loinc.org", "8480-6").result == "unknown"
    assert local.validate_coding_in_system(PARTIAL, "a").result == "valid"
    fragment = local.validate_coding_in_system(PARTIAL, "zzz")
    assert fragment.result == "unknown" and "fragment" in (fragment.reason or "")


def test_ucum_syntax(terminology: Terminology) -> None:
    assert terminology.validate_coding_in_system("http://unitsofmeasure.org", "mg/dL").result == "unknown"
    broken = terminology.validate_coding_in_system("http://unitsofmeasure.org", "mg/(dL")
    assert broken.result == "invalid" and "open" in (broken.message or "")


def test_complete_code_system_without_concepts_is_not_trusted(terminology: Terminology) -> None:
    assert not terminology.knows_system("http://hl7.org/fhir/message-events")
    check = terminology.validate_coding_in_system("http://hl7.org/fhir/message-events", "patient-link")
    assert check.result == "unknown" and "lists no concepts" in (check.reason or "")
