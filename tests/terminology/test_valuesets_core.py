"""Membership in value sets of the R4 core package, as the HL7 validator would judge it offline."""

from __future__ import annotations

import pytest

from dermfhir.definitions import Definitions, base_packages
from dermfhir.terminology import Terminology

VS = "http://hl7.org/fhir/ValueSet/"
OBSERVATION_STATUS = "http://hl7.org/fhir/observation-status"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
ROLE_CODE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
ENCOUNTER_CODES = "http://terminology.hl7.org/ValueSet/v3-ActEncounterCode"
LOCATION_TYPES = "http://terminology.hl7.org/ValueSet/v3-ServiceDeliveryLocationRoleType"


def test_observation_status_member(terminology: Terminology) -> None:
    check = terminology.validate_code(VS + "observation-status", OBSERVATION_STATUS, "final")
    assert check.result == "valid"
    assert check.system_known and not check.inactive
    assert check.display_ok is None and check.expected_display == "Final"
    assert check.message is None


def test_observation_status_non_member(terminology: Terminology) -> None:
    check = terminology.validate_code(VS + "observation-status", OBSERVATION_STATUS, "bogus")
    assert check.result == "invalid"
    assert check.message == (
        f"The code 'bogus' from system '{OBSERVATION_STATUS}' is not in the value set '{VS}observation-status' "
        f"(Unknown code 'bogus' in the CodeSystem '{OBSERVATION_STATUS}' version '4.0.1')"
    )


def test_versioned_value_set_url(terminology: Terminology) -> None:
    assert terminology.validate_code(VS + "observation-status|4.0.1", OBSERVATION_STATUS, "final").valid
    assert terminology.validate_code(VS + "observation-status|4.0", OBSERVATION_STATUS, "final").valid


def test_code_from_another_system_is_not_a_member(terminology: Terminology) -> None:
    check = terminology.validate_code(VS + "observation-status", "http://hl7.org/fhir/administrative-gender", "male")
    assert check.result == "invalid"
    assert "is not in the value set" in (check.message or "")


@pytest.mark.parametrize(
    ("code", "display", "display_ok"),
    [("male", "Male", True), ("female", " FEMALE", True), ("other", "Another", False), ("unknown", None, None)],
)
def test_administrative_gender_displays(
    terminology: Terminology, code: str, display: str | None, display_ok: bool | None
) -> None:
    check = terminology.validate_code(
        VS + "administrative-gender", "http://hl7.org/fhir/administrative-gender", code, display
    )
    assert check.result == "valid"
    assert check.display_ok is display_ok
    if display_ok is False:
        assert check.message and "Wrong Display Name 'Another'" in check.message and check.expected_display == "Other"


def test_code_without_system(terminology: Terminology) -> None:
    assert terminology.validate_code(VS + "administrative-gender", None, "female").result == "valid"
    check = terminology.validate_code(VS + "administrative-gender", None, "f")
    assert check.result == "invalid"
    assert check.message == f"The code 'f' is not in the value set '{VS}administrative-gender'"


def test_is_a_filter_on_v3_code_system(terminology: Terminology) -> None:
    expansion = terminology.expand(ENCOUNTER_CODES)
    assert expansion.complete
    assert (ACT_CODE, "AMB") in expansion and (ACT_CODE, "_ActEncounterCode") not in expansion
    assert terminology.validate_code(ENCOUNTER_CODES, ACT_CODE, "AMB", "ambulatory").display_ok is True
    excluded = terminology.validate_code(ENCOUNTER_CODES, ACT_CODE, "_ActEncounterCode")
    assert excluded.result == "invalid"
    elsewhere = terminology.validate_code(ENCOUNTER_CODES, ACT_CODE, "CASH")  # an ActCode outside the branch
    assert elsewhere.result == "invalid" and "Unknown code" not in (elsewhere.message or "")
    # v3-ActCode is a 2019 copy of a terminology.hl7.org code system: a code it lacks may have been added since
    unknown = terminology.validate_code(ENCOUNTER_CODES, ACT_CODE, "NOT-A-CODE")
    assert unknown.result == "unknown" and "maintained outside FHIR" in (unknown.reason or "")


def test_codes_added_to_external_code_systems_since_r4(terminology: Terminology) -> None:
    observation_value = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue"
    assert terminology.code_system(observation_value).dated_copy
    aiast = terminology.validate_coding_in_system(observation_value, "AIAST")
    assert aiast.result == "unknown" and "version 2018-08-12" in (aiast.reason or "")
    assert terminology.validate_coding_in_system(observation_value, "ABSTRED").result == "valid"
    # FHIR's own code systems are authoritative: a code they lack is wrong
    status = terminology.validate_coding_in_system("http://hl7.org/fhir/observation-status", "AIAST")
    assert status.result == "invalid"


def test_deep_is_a_filter(terminology: Terminology) -> None:
    assert terminology.validate_code(LOCATION_TYPES, ROLE_CODE, "RHPIH").valid  # five levels below the root
    assert terminology.validate_code(LOCATION_TYPES, ROLE_CODE, "HOSP", "Hospital").display_ok
    assert terminology.validate_code(LOCATION_TYPES, ROLE_CODE, "FAMMEMB").invalid


def test_value_set_import_and_concepts(terminology: Terminology) -> None:
    vs = VS + "yesnodontknow"
    assert terminology.validate_code(vs, "http://terminology.hl7.org/CodeSystem/v2-0136", "Y").valid
    dont_know = terminology.validate_code(
        vs, "http://terminology.hl7.org/CodeSystem/data-absent-reason", "asked-unknown", "Don't know"
    )
    assert dont_know.valid and dont_know.display_ok  # the value set's own display counts
    assert terminology.validate_code(vs, "http://terminology.hl7.org/CodeSystem/data-absent-reason", "masked").invalid


def test_snomed_value_set_is_never_invalid(terminology: Terminology) -> None:
    expansion = terminology.expand(VS + "body-site")
    assert not expansion.complete and expansion.reasons
    for code in ("404684003", "not-a-snomed-code", "1"):
        check = terminology.validate_code(VS + "body-site", "http://snomed.info/sct", code, "Whatever")
        assert check.result == "unknown"
        assert check.reason and "snomed" in check.reason
        assert check.display_ok is None and not check.system_known


def test_body_site_code_from_another_system_is_invalid(terminology: Terminology) -> None:
    check = terminology.validate_code(VS + "body-site", "http://hl7.org/fhir/administrative-gender", "male")
    assert check.result == "invalid"


def test_languages_enumerated_list(terminology: Terminology) -> None:
    vs = VS + "languages"
    english = terminology.validate_code(vs, "urn:ietf:bcp:47", "en", "Engels")  # a designation of the value set
    assert english.valid and english.display_ok and not english.system_known
    assert terminology.validate_code(vs, "urn:ietf:bcp:47", "de-CH").valid
    # the R4 value set lists its codes, so an unlisted tag is not a member
    assert terminology.validate_code(vs, "urn:ietf:bcp:47", "xx-YY").invalid


def test_all_languages_cannot_be_judged(terminology: Terminology) -> None:
    check = terminology.validate_code(VS + "all-languages", "urn:ietf:bcp:47", "xx-YY")
    assert check.result == "unknown" and "bcp:47" in (check.reason or "")


def test_mimetypes_cannot_be_judged(terminology: Terminology) -> None:
    assert terminology.validate_code(VS + "mimetypes", "urn:ietf:bcp:13", "image/png").result == "unknown"


def test_ucum_units(terminology: Terminology) -> None:
    vs = VS + "ucum-units"
    assert terminology.validate_code(vs, "http://unitsofmeasure.org", "mm").result == "unknown"
    assert terminology.validate_code(vs, "http://unitsofmeasure.org", "mg / dL").result == "invalid"
    assert terminology.validate_code(vs, "http://unitsofmeasure.org", "kg/(m.s)").result == "unknown"


def test_unknown_value_set(terminology: Terminology) -> None:
    check = terminology.validate_code("http://example.org/ValueSet/nope", "http://example.org/cs", "a")
    assert check.result == "unknown"
    assert check.reason == "ValueSet 'http://example.org/ValueSet/nope' is not loaded"
    expansion = terminology.expand("http://example.org/ValueSet/nope")
    assert not expansion.resolved and not expansion.complete


def test_fragment_code_system_is_unknown_not_invalid(terminology: Terminology) -> None:
    vs = VS + "insuranceplan-type"
    system = "http://terminology.hl7.org/CodeSystem/insurance-plan-type"
    assert terminology.validate_code(vs, system, "medical").valid
    check = terminology.validate_code(vs, system, "no-such-plan")
    assert check.result == "unknown" and "fragment" in (check.reason or "")


def test_inactive_value_set_flags_members(terminology: Terminology) -> None:
    expansion = terminology.expand(VS + "inactive")
    assert expansion.complete and len(expansion) > 0


def test_deprecated_member_is_flagged(terminology: Terminology) -> None:
    check = terminology.validate_code(
        "http://terminology.hl7.org/ValueSet/v2-0003", "http://terminology.hl7.org/CodeSystem/v2-0003", "A18"
    )
    assert check.valid and check.inactive


def test_expansions_are_cached(terminology: Terminology) -> None:
    assert terminology.expand(VS + "observation-status") is terminology.expand(VS + "observation-status")


def test_every_core_value_set_expands(terminology: Terminology) -> None:
    """No core value set makes expansion fail; the incomplete ones say why."""
    for resource in terminology.definitions.resources("ValueSet"):
        expansion = terminology.expand(resource["url"])
        assert expansion.resolved
        if not expansion.complete:
            assert expansion.reasons, resource["url"]


def test_current_editions_judge_codes_added_since_r4() -> None:
    """With HL7 Terminology's own package and DICOM's DCM loaded first, codes newer than the core copies are known."""
    terminology = Terminology(Definitions(base_packages()))
    observation_value = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue"
    index = terminology.code_system(observation_value)
    assert not index.dated_copy and index.version != "2018-08-12"
    aiast = terminology.validate_coding_in_system(observation_value, "AIAST", "Artificial Intelligence asserted")
    assert aiast.valid and aiast.display_ok
    # the current release is authoritative: a code it lacks is wrong, not "maybe newer"
    missing = terminology.validate_coding_in_system(observation_value, "NOT-A-CODE")
    assert missing.result == "invalid"
    dicom = "http://dicom.nema.org/resources/ontology/DCM"
    dms = terminology.validate_coding_in_system(dicom, "DMS", "Dermoscopy")
    assert dms.valid and dms.display_ok
    assert not terminology.validate_coding_in_system(dicom, "DMS", "Dermatology").display_ok
    # a DICOM edition ages too: a code missing from it is not called wrong, and the edition is named
    newer = terminology.validate_coding_in_system(dicom, "NOT-A-DCM-CODE")
    assert newer.result == "unknown" and f"version {terminology.code_system(dicom).version}" in (newer.reason or "")
