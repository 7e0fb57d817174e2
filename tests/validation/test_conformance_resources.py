"""Rules on conformance resources themselves: StructureDefinition differentials, SearchParameters,
CapabilityStatement search parameters, unknown target profiles."""

from __future__ import annotations

import copy

from dermfhir.definitions import Definitions
from dermfhir.validation import Validator
from tests.validation.conftest import error_locations, errors

BASE = "http://hl7.org/fhir/StructureDefinition/"


def structure(elements: list[dict], resource_type: str = "Patient", base: str | None = None) -> dict:
    return {
        "resourceType": "StructureDefinition",
        "url": "http://example.org/fhir/StructureDefinition/test",
        "name": "Test",
        "status": "draft",
        "kind": "complex-type" if resource_type == "Extension" else "resource",
        "abstract": False,
        "type": resource_type,
        "baseDefinition": base or BASE + resource_type,
        "derivation": "constraint",
        "differential": {"element": elements},
        **({"context": [{"type": "element", "expression": "Patient"}]} if resource_type == "Extension" else {}),
    }


def test_differential_in_base_order_is_valid(validator: Validator) -> None:
    sd = structure(
        [
            {"id": "Patient.identifier", "path": "Patient.identifier", "min": 1},
            {"id": "Patient.birthDate", "path": "Patient.birthDate", "min": 1},
        ]
    )
    assert errors(validator, sd) == []


def test_differential_out_of_order_is_unmatched(validator: Validator) -> None:
    sd = structure(
        [
            {"id": "Patient.birthDate", "path": "Patient.birthDate", "min": 1},
            {"id": "Patient.identifier", "path": "Patient.identifier", "min": 1},
        ]
    )
    assert error_locations(validator, sd) == ["StructureDefinition.differential.element[0]", "StructureDefinition"]


def test_differential_unknown_element_is_unmatched(validator: Validator) -> None:
    sd = structure([{"id": "Patient.shoeSize", "path": "Patient.shoeSize", "min": 1}])
    assert error_locations(validator, sd) == ["StructureDefinition.differential.element[0]", "StructureDefinition"]


def test_slices_and_their_children_follow_the_sliced_element(validator: Validator) -> None:
    sd = structure(
        [
            {
                "id": "Patient.identifier",
                "path": "Patient.identifier",
                "slicing": {"discriminator": [{"type": "value", "path": "system"}], "rules": "open"},
            },
            {"id": "Patient.identifier:mrn", "path": "Patient.identifier", "sliceName": "mrn"},
            {"id": "Patient.identifier:mrn.system", "path": "Patient.identifier.system", "fixedUri": "urn:x"},
            {"id": "Patient.identifier:ssn", "path": "Patient.identifier", "sliceName": "ssn"},
            {"id": "Patient.name", "path": "Patient.name", "min": 1},
        ]
    )
    assert errors(validator, sd) == []


def test_binding_needs_a_bindable_type(validator: Validator) -> None:
    binding = {"strength": "required", "valueSet": "http://hl7.org/fhir/ValueSet/administrative-gender"}
    good = structure(
        [{"id": "Patient.gender", "path": "Patient.gender", "type": [{"code": "code"}], "binding": binding}]
    )
    assert errors(validator, good) == []
    bad = structure(
        [{"id": "Patient.birthDate", "path": "Patient.birthDate", "type": [{"code": "date"}], "binding": binding}]
    )
    assert error_locations(validator, bad) == ["StructureDefinition.differential.element[0]"]


def test_no_slicing_at_the_root(validator: Validator) -> None:
    sd = structure(
        [
            {
                "id": "Extension",
                "path": "Extension",
                "slicing": {"discriminator": [{"type": "value", "path": "url"}], "rules": "open"},
            },
            {"id": "Extension.url", "path": "Extension.url", "fixedUri": "http://example.org/x"},
        ],
        "Extension",
    )
    found = errors(validator, sd)
    assert ("StructureDefinition.differential.element[0]", "Slicing is not allowed at the root of a profile") in found
    assert any(location == "StructureDefinition" and "slicing at the root" in message for location, message in found)


def test_type_specific_choice_name_must_name_a_type(validator: Validator) -> None:
    good = structure(
        [{"id": "Observation.valueQuantity", "path": "Observation.valueQuantity", "min": 1}], "Observation"
    )
    assert errors(validator, good) == []
    bad = structure([{"id": "Observation.valueBla", "path": "Observation.valueBla"}], "Observation")
    assert len(errors(validator, bad)) == 1
    assert "Error generating Snapshot" in errors(validator, bad)[0][1]


def test_fixed_value_must_not_contradict_the_base(validator: Validator, core) -> None:
    base = structure(
        [{"id": "Extension.url", "path": "Extension.url", "fixedUri": "http://example.org/base"}], "Extension"
    )
    base["url"] = "http://example.org/base"
    derived = structure(
        [{"id": "Extension.url", "path": "Extension.url", "fixedUri": "http://example.org/derived"}],
        "Extension",
        base="http://example.org/base",
    )
    with_base = Validator(core.with_resources([base]))
    assert error_locations(with_base, derived) == ["StructureDefinition.differential.element[0]"]
    same = copy.deepcopy(derived)
    same["differential"]["element"][0]["fixedUri"] = "http://example.org/base"
    assert errors(with_base, same) == []


def test_unknown_base_is_only_a_warning(validator: Validator) -> None:
    sd = structure([{"id": "Extension.url", "path": "Extension.url"}], "Extension", base="http://example.org/none")
    assert errors(validator, sd) == []
    assert any(i.message_id == "UNABLE_TO_FIND_BASE__FOR_" for i in validator.issues(sd))


def sliced_extensions(second_slicing: dict | None, discriminator_path: str = "url") -> dict:
    slice_element: dict = {
        "id": "Patient.extension:a",
        "path": "Patient.extension",
        "sliceName": "a",
        "type": [{"code": "Extension", "profile": [BASE + "patient-birthPlace"]}],
    }
    if second_slicing is not None:
        slice_element["slicing"] = second_slicing
    return structure(
        [
            {
                "id": "Patient.extension",
                "path": "Patient.extension",
                "slicing": {
                    "discriminator": [{"type": "value", "path": discriminator_path}],
                    "ordered": False,
                    "rules": "open",
                },
            },
            slice_element,
        ]
    )


def test_slicing_restated_by_a_slice_must_agree(validator: Validator) -> None:
    assert errors(validator, sliced_extensions(None)) == []
    same = {"discriminator": [{"type": "value", "path": "url"}], "rules": "open"}
    assert errors(validator, sliced_extensions(same)) == []
    other = {"discriminator": [{"type": "value", "path": "value"}], "rules": "open"}
    assert error_locations(validator, sliced_extensions(other)) == ["StructureDefinition"]


def test_discriminator_path_must_exist_in_the_sliced_type(validator: Validator) -> None:
    bad = sliced_extensions(None, discriminator_path="type")
    assert error_locations(validator, bad) == ["StructureDefinition.differential.element[0].slicing.discriminator[0]"]
    for good in ("value", "url", "extension('http://example.org/x').value", "$this"):
        assert errors(validator, sliced_extensions(None, discriminator_path=good)) == [], good


SEARCH = {
    "resourceType": "SearchParameter",
    "url": "http://example.org/fhir/SearchParameter/org-name",
    "name": "OrgName",
    "status": "active",
    "description": "d",
    "code": "name",
    "base": ["Organization"],
    "type": "string",
    "expression": "Organization.name | Organization.alias",
    "derivedFrom": "http://hl7.org/fhir/SearchParameter/Organization-name",
}


def test_search_parameter_derived_from(validator: Validator) -> None:
    assert errors(validator, SEARCH) == []
    wrong_type = dict(SEARCH, type="token")
    assert error_locations(validator, wrong_type) == ["SearchParameter"]
    wrong_base = dict(SEARCH, base=["Patient"])
    assert sorted(error_locations(validator, wrong_base)) == ["SearchParameter", "SearchParameter.expression"]


def test_search_parameter_expression_starts_from_a_base(validator: Validator) -> None:
    own = dict(SEARCH, expression="Organization.name")
    del own["derivedFrom"]
    assert errors(validator, own) == []
    other = dict(own, expression="Patient.name")
    assert error_locations(validator, other) == ["SearchParameter.expression"]


def test_composite_search_parameter_needs_components(validator: Validator) -> None:
    composite = dict(SEARCH, type="composite", expression="Organization")
    del composite["derivedFrom"]
    assert error_locations(validator, composite) == ["SearchParameter"]
    composite["component"] = [
        {"definition": "http://hl7.org/fhir/SearchParameter/Organization-name", "expression": "name"},
        {"definition": "http://hl7.org/fhir/SearchParameter/Organization-type", "expression": "type"},
    ]
    assert errors(validator, composite) == []


def capability(kind: str) -> dict:
    return {
        "resourceType": "CapabilityStatement",
        "status": "draft",
        "date": "2024-01-01",
        "kind": "requirements",
        "description": "d",
        "fhirVersion": "4.0.1",
        "format": ["json"],
        "rest": [
            {
                "mode": "server",
                "resource": [
                    {
                        "type": "AllergyIntolerance",
                        "searchParam": [
                            {
                                "name": "clinical-status",
                                "definition": "http://hl7.org/fhir/SearchParameter/AllergyIntolerance-clinical-status",
                                "type": kind,
                            }
                        ],
                    }
                ],
            }
        ],
    }


def test_capability_statement_search_parameter_type(validator: Validator) -> None:
    assert errors(validator, capability("token")) == []
    assert error_locations(validator, capability("date")) == ["CapabilityStatement.rest[0].resource[0].searchParam[0]"]


def test_unknown_target_profile_does_not_restrict_the_type(validator: Validator, core) -> None:
    profile = structure(
        [
            {
                "id": "Observation.subject",
                "path": "Observation.subject",
                "type": [{"code": "Reference", "targetProfile": ["http://example.org/fhir/StructureDefinition/x-pat"]}],
            }
        ],
        "Observation",
    )
    checked = Validator(core.with_resources([profile]))
    observation = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"text": "x"},
        "subject": {"reference": "Patient/1"},
    }
    assert errors(checked, observation, [profile["url"]]) == []
    profile["differential"]["element"][0]["type"][0]["targetProfile"] = [BASE + "Group"]
    checked = Validator(core.with_resources([profile]))
    assert error_locations(checked, observation, [profile["url"]]) == ["Observation.subject"]


def document(section_references: list[str], versions: tuple[str, ...] = ("1",)) -> dict:
    observations = [
        {
            "fullUrl": "http://example.org/Observation/o1",
            "resource": {
                "resourceType": "Observation",
                "id": "o1",
                "meta": {"versionId": version},
                "status": "final",
                "code": {"text": "x"},
            },
        }
        for version in versions
    ]
    return {
        "resourceType": "Bundle",
        "type": "document",
        "identifier": {"system": "urn:ietf:rfc:3986", "value": "urn:uuid:0c3a7e2e-0d6f-4c5e-9a2b-6e0b8f3c1d11"},
        "timestamp": "2024-01-01T00:00:00Z",
        "entry": [
            {
                "fullUrl": "http://example.org/Composition/c1",
                "resource": {
                    "resourceType": "Composition",
                    "id": "c1",
                    "status": "final",
                    "type": {"text": "note"},
                    "date": "2024-01-01",
                    "author": [{"display": "someone"}],
                    "title": "t",
                    "section": [{"title": "s", "entry": [{"reference": r} for r in section_references]}],
                },
            },
            *observations,
        ],
    }


def test_document_section_entries_resolve_in_the_bundle(validator: Validator) -> None:
    assert errors(validator, document(["Observation/o1", "Observation/o1/_history/1"])) == []
    missing = document(["Observation/o1/_history/3"])
    assert error_locations(validator, missing) == ["Bundle.entry[0].resource.section[0].entry[0]"]


def test_document_section_entry_matching_two_entries(validator: Validator) -> None:
    twice = document(["Observation/o1"], versions=("1", "2"))
    found = errors(validator, twice)
    assert [location for location, _ in found] == ["Bundle.entry[0].resource.section[0].entry[0]"] * 2
    assert any("(Section Entry)" in message for _, message in found)


def test_resolved_target_must_conform_to_a_target_profile(validator: Validator, core) -> None:
    patient_profile = structure([{"id": "Patient.identifier", "path": "Patient.identifier", "min": 1}])
    patient_profile["url"] = "http://example.org/fhir/StructureDefinition/identified-patient"
    observation_profile = structure(
        [
            {
                "id": "Observation.subject",
                "path": "Observation.subject",
                "type": [{"code": "Reference", "targetProfile": [patient_profile["url"]]}],
            }
        ],
        "Observation",
    )
    checked = Validator(core.with_resources([patient_profile, observation_profile]))
    observation = {
        "resourceType": "Observation",
        "meta": {"profile": [observation_profile["url"]]},
        "status": "final",
        "code": {"text": "x"},
        "subject": {"reference": "Patient/p1"},
    }
    patient = {"resourceType": "Patient", "id": "p1", "identifier": [{"value": "1"}]}
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": "http://example.org/Observation/o1", "resource": observation},
            {"fullUrl": "http://example.org/Patient/p1", "resource": patient},
        ],
    }
    assert errors(checked, bundle) == []
    del patient["identifier"]
    assert error_locations(checked, bundle) == ["Bundle.entry[0].resource.subject"]


def test_canonical_url_types_are_those_whose_url_is_an_absolute_uri(validator: Validator) -> None:
    """The resources whose `url` R4 defines as "An absolute URI that is used to identify this …"."""
    from dermfhir.validation.conformance_resources import CANONICAL_URL_TYPES

    found = set()
    for sd in validator.definitions.resources("StructureDefinition"):
        if sd.get("kind") != "resource" or sd.get("derivation") != "specialization":
            continue
        for element in sd["snapshot"]["element"]:
            if element["path"] == sd["type"] + ".url" and element["definition"].startswith("An absolute URI"):
                found.add(sd["type"])
    assert found == CANONICAL_URL_TYPES


def _code_system(url: str) -> dict:
    return {
        "resourceType": "CodeSystem",
        "id": "cs",
        "url": url,
        "name": "Test",
        "status": "draft",
        "content": "complete",
        "concept": [{"code": "a"}],
    }


def test_canonical_url_is_absolute(validator: Validator) -> None:
    for url in ("http://example.org/fhir/CodeSystem/cs", "urn:uuid:f3b2bd36-199b-4591-b4db-f49db0912b62"):
        assert errors(validator, _code_system(url)) == []
    assert error_locations(validator, _code_system("CodeSystem/cs")) == ["CodeSystem.url"]
    assert error_locations(validator, _code_system("#cs")) == ["CodeSystem.url"]


def test_canonical_url_of_a_contained_resource_is_absolute(validator: Validator) -> None:
    value_set = {
        "resourceType": "ValueSet",
        "url": "http://example.org/fhir/ValueSet/vs",
        "status": "draft",
        "contained": [_code_system("cs")],
        "compose": {"include": [{"system": "#cs"}]},
    }
    assert error_locations(validator, value_set) == ["ValueSet.contained[0].url"]
    value_set["contained"] = [_code_system("http://example.org/fhir/CodeSystem/cs")]
    assert errors(validator, value_set) == []


_BASE_CS = {
    "resourceType": "CodeSystem",
    "url": "http://example.org/fhir/CodeSystem/colours",
    "name": "Colours",
    "status": "draft",
    "content": "complete",
    "concept": [{"code": "red", "display": "Red"}, {"code": "blue", "display": "Blue"}],
}


def _supplement(*codes: str, supplements: str = "http://example.org/fhir/CodeSystem/colours") -> dict:
    return {
        "resourceType": "CodeSystem",
        "url": "http://example.org/fhir/CodeSystem/colours-de",
        "name": "ColoursGerman",
        "status": "draft",
        "content": "supplement",
        "supplements": supplements,
        "concept": [{"code": code, "designation": [{"language": "de", "value": code.upper()}]} for code in codes],
    }


def test_a_supplement_only_speaks_of_the_codes_of_its_code_system(core: Definitions) -> None:
    """R4 CodeSystem.content `supplement`: it adds designations and properties to another code system's concepts."""
    validator = Validator(core.with_resources([_BASE_CS]))
    assert errors(validator, _supplement("red", "blue")) == []
    assert error_locations(validator, _supplement("red", "green")) == ["CodeSystem.concept[1]"]
    # a code system that is not loaded cannot be judged
    assert errors(validator, _supplement("green", supplements="http://example.org/fhir/CodeSystem/other")) == []
    # LOINC is not loaded, but a code that has not the shape of a LOINC code is none of its codes
    assert errors(validator, _supplement("8867-4", supplements="http://loinc.org")) == []
    assert error_locations(validator, _supplement("pulse", supplements="http://loinc.org")) == ["CodeSystem.concept[0]"]


def test_a_supplement_is_never_the_system_of_a_coding(core: Definitions) -> None:
    validator = Validator(core.with_resources([_BASE_CS, _supplement("red")]))
    observation = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://example.org/fhir/CodeSystem/colours", "code": "red"}]},
    }
    assert errors(validator, observation) == []
    observation["code"]["coding"][0]["system"] = "http://example.org/fhir/CodeSystem/colours-de"
    assert error_locations(validator, observation) == ["Observation.code.coding[0]"]


def test_fhirpath_system_types_are_element_type_codes(validator: Validator) -> None:
    """R4's own snapshots type the `value` of a primitive with a FHIRPath system type (`System.String`): beside
    the FHIRDefinedType codes of the extensible binding of ElementDefinition.type.code, they are no finding."""
    string = copy.deepcopy(validator.definitions.resolve(BASE + "string"))
    codes = [
        (index, element["type"][0]["code"])
        for index, element in enumerate(string["snapshot"]["element"])
        if element.get("type") and element["type"][0]["code"].startswith("http://hl7.org/fhirpath/")
    ]
    assert codes, "R4's string has a value typed by a FHIRPath system type"

    def defined_type_warnings(resource: dict) -> list[str]:
        return [
            issue.location
            for issue in validator.issues(resource)
            if issue.severity == "warning" and "FHIRDefinedType" in issue.message
        ]

    assert defined_type_warnings(string) == []
    index = codes[0][0]
    string["snapshot"]["element"][index]["type"][0]["code"] = "http://hl7.org/fhirpath/System.Text"
    assert defined_type_warnings(string) == [f"StructureDefinition.snapshot.element[{index}].type[0].code"]
