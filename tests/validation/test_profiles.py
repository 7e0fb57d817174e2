"""Profiles given as differentials: cardinality, fixed/pattern, slicing, type constraints, extensions."""

from __future__ import annotations

import pytest

from dermfhir.validation import Validator
from tests.validation.conftest import error_locations, errors

BASE = "http://hl7.org/fhir/StructureDefinition/"


def profile(url: str, resource_type: str, elements: list[dict]) -> dict:
    return {
        "resourceType": "StructureDefinition",
        "url": url,
        "name": url.rsplit("/", 1)[-1],
        "status": "active",
        "kind": "resource",
        "abstract": False,
        "type": resource_type,
        "baseDefinition": BASE + resource_type,
        "derivation": "constraint",
        "differential": {"element": elements},
    }


SKIN = profile(
    "http://example.org/fhir/StructureDefinition/skin-observation",
    "Observation",
    [
        {
            "id": "Observation.category",
            "path": "Observation.category",
            "min": 1,
            "slicing": {"discriminator": [{"type": "pattern", "path": "$this"}], "rules": "open"},
        },
        {
            "id": "Observation.category:imaging",
            "path": "Observation.category",
            "sliceName": "imaging",
            "min": 1,
            "max": "1",
            "patternCodeableConcept": {
                "coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "imaging"}]
            },
        },
        {
            "id": "Observation.component",
            "path": "Observation.component",
            "slicing": {"discriminator": [{"type": "pattern", "path": "code"}], "rules": "closed"},
        },
        {
            "id": "Observation.component:size",
            "path": "Observation.component",
            "sliceName": "size",
            "min": 1,
            "max": "1",
        },
        {
            "id": "Observation.component:size.code",
            "path": "Observation.component.code",
            "patternCodeableConcept": {"coding": [{"system": "http://loinc.org", "code": "21889-1"}]},
        },
        {
            "id": "Observation.component:size.value[x]",
            "path": "Observation.component.value[x]",
            "min": 1,
            "type": [{"code": "Quantity"}],
        },
        {
            "id": "Observation.component:size.value[x].value",
            "path": "Observation.component.value[x].value",
            "min": 1,
            "maxValueDecimal": 500,
        },
        {
            "id": "Observation.subject",
            "path": "Observation.subject",
            "min": 1,
            "type": [{"code": "Reference", "targetProfile": [BASE + "Patient"]}],
        },
        {"id": "Observation.status", "path": "Observation.status", "fixedCode": "final"},
        {
            "id": "Observation.extension",
            "path": "Observation.extension",
            "slicing": {"discriminator": [{"type": "value", "path": "url"}], "rules": "open"},
        },
        {
            "id": "Observation.extension:site",
            "path": "Observation.extension",
            "sliceName": "site",
            "min": 0,
            "max": "1",
            "type": [{"code": "Extension", "profile": ["http://example.org/fhir/StructureDefinition/site"]}],
        },
    ],
)
SITE = {
    "resourceType": "StructureDefinition",
    "url": "http://example.org/fhir/StructureDefinition/site",
    "name": "Site",
    "status": "active",
    "kind": "complex-type",
    "abstract": False,
    "context": [{"type": "element", "expression": "Observation"}],
    "type": "Extension",
    "baseDefinition": BASE + "Extension",
    "derivation": "constraint",
    "differential": {
        "element": [
            {"id": "Extension", "path": "Extension", "max": "1"},
            {
                "id": "Extension.url",
                "path": "Extension.url",
                "fixedUri": "http://example.org/fhir/StructureDefinition/site",
            },
            {"id": "Extension.value[x]", "path": "Extension.value[x]", "min": 1, "type": [{"code": "string"}]},
        ]
    },
}
GOOD = {
    "resourceType": "Observation",
    "meta": {"profile": [SKIN["url"]]},
    "extension": [{"url": SITE["url"], "valueString": "left forearm"}],
    "status": "final",
    "category": [
        {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "imaging"}]}
    ],
    "code": {"text": "lesion"},
    "subject": {"reference": "Patient/p1"},
    "component": [
        {
            "code": {"coding": [{"system": "http://loinc.org", "code": "21889-1"}]},
            "valueQuantity": {"value": 4, "unit": "mm", "system": "http://unitsofmeasure.org", "code": "mm"},
        }
    ],
}


@pytest.fixture(scope="module")
def profiled(core) -> Validator:
    return Validator(core.with_resources([SKIN, SITE]))


def test_conforming_instance(profiled):
    assert errors(profiled, GOOD) == []


def test_fixed_value(profiled):
    assert error_locations(profiled, {**GOOD, "status": "preliminary"}) == ["Observation.status"]


def test_required_slice_missing(profiled):
    resource = {**GOOD, "category": [{"text": "other"}]}
    ((location, message),) = errors(profiled, resource)
    assert location == "Observation" and "Observation.category:imaging" in message


def test_closed_slicing_rejects_unmatched_item(profiled):
    resource = {**GOOD, "component": [*GOOD["component"], {"code": {"text": "other"}, "valueString": "x"}]}
    assert error_locations(profiled, resource) == ["Observation.component[1]"]


def test_slice_constraints_apply_to_matched_items(profiled):
    component = {**GOOD["component"][0], "valueQuantity": {"value": 900}}
    assert error_locations(profiled, {**GOOD, "component": [component]}) == [
        "Observation.component[0].valueQuantity.value"
    ]


def test_slice_type_restriction(profiled):
    component = {"code": GOOD["component"][0]["code"], "valueString": "4 mm"}
    locations = error_locations(profiled, {**GOOD, "component": [component]})
    assert "Observation.component[0].valueString" in locations


def test_reference_target_type(profiled):
    resource = {**GOOD, "subject": {"reference": "Group/g1"}}
    assert error_locations(profiled, resource) == ["Observation.subject"]


def test_profile_passed_explicitly(profiled):
    resource = {key: value for key, value in GOOD.items() if key != "meta"}
    assert errors(profiled, {**resource, "status": "amended"}) == []
    assert error_locations(profiled, {**resource, "status": "amended"}, [SKIN["url"]]) == ["Observation.status"]


def test_extension_value_type(profiled):
    resource = {**GOOD, "extension": [{"url": SITE["url"], "valueInteger": 3}]}
    assert "Observation.extension[0].valueInteger" in error_locations(profiled, resource)


def test_extension_context(profiled):
    resource = {"resourceType": "Patient", "extension": [{"url": SITE["url"], "valueString": "x"}]}
    assert error_locations(profiled, resource) == ["Patient.extension[0]"]


def test_unknown_extension(validator):
    url = "http://dermatology.example.net/fhir/StructureDefinition/unknown"
    resource = {"resourceType": "Patient", "extension": [{"url": url, "valueString": "x"}]}
    ((location, message),) = errors(validator, resource)
    assert location == "Patient.extension[0]" and "could not be found" in message


def test_extension_needs_url_and_not_both_value_and_extensions(validator):
    resource = {"resourceType": "Patient", "extension": [{"valueString": "x"}]}
    assert "Patient.extension[0]" in error_locations(validator, resource)


def test_unknown_profile_is_an_error_when_asked_for(validator):
    ((location, message),) = errors(validator, {"resourceType": "Patient"}, ["http://example.org/none"])
    assert location == "Patient" and "could not be found" in message


NAMED_PATIENT = profile(
    "http://example.org/fhir/StructureDefinition/named-patient",
    "Patient",
    [{"id": "Patient", "path": "Patient"}, {"id": "Patient.name", "path": "Patient.name", "min": 1}],
)

GUIDE = {
    "resourceType": "ImplementationGuide",
    "url": "http://example.org/fhir/ImplementationGuide/named",
    "name": "Named",
    "status": "active",
    "packageId": "example.named",
    "fhirVersion": ["4.0.1"],
    "global": [{"type": "Patient", "profile": NAMED_PATIENT["url"]}],
}


def test_global_profiles_of_a_loaded_guide_apply_to_every_resource_of_their_type(core):
    """R4 ImplementationGuide.global: "a set of profiles that all resources covered by this implementation guide must
    conform to", whatever the resources declare."""
    guided = Validator(core.with_resources([NAMED_PATIENT, GUIDE]))
    assert errors(guided, {"resourceType": "Patient", "name": [{"family": "Doe"}]}) == []
    assert error_locations(guided, {"resourceType": "Patient", "gender": "other"}) == ["Patient"]
    contained = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"text": "x"},
        "subject": {"reference": "#p"},
        "contained": [{"resourceType": "Patient", "id": "p"}],
    }
    assert error_locations(guided, contained) == ["Observation.contained[0]"]
    # without the guide the profile is only there to be asked for
    unguided = Validator(core.with_resources([NAMED_PATIENT]))
    assert errors(unguided, {"resourceType": "Patient", "gender": "other"}) == []
