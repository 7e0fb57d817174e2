"""JSON rules, cardinality, types, choice elements, fixed/pattern values: one valid and one invalid case each."""

from __future__ import annotations

from tests.validation.conftest import error_locations, errors

OBSERVATION = {
    "resourceType": "Observation",
    "status": "final",
    "code": {"coding": [{"system": "http://loinc.org", "code": "8302-2"}]},
    "valueQuantity": {"value": 180, "unit": "cm", "system": "http://unitsofmeasure.org", "code": "cm"},
    "component": [
        {"code": {"text": "a"}, "valueString": "x"},
        {"code": {"text": "b"}, "valueQuantity": {"value": 1.5}},
    ],
}


def test_valid_observation_has_no_errors(validator):
    assert errors(validator, OBSERVATION) == []


def test_unknown_property_is_reported_on_its_parent(validator):
    resource = {**OBSERVATION, "colour": "red"}
    assert errors(validator, resource) == [("Observation", "Unrecognized property 'colour'")]


def test_missing_required_element(validator):
    resource = {key: value for key, value in OBSERVATION.items() if key != "code"}
    ((location, message),) = errors(validator, resource)
    assert location == "Observation"
    assert message.startswith("Observation.code: minimum required = 1, but only found 0")


def test_min_on_choice_element(validator):
    resource = {"resourceType": "MedicationRequest", "status": "active", "intent": "order", "subject": {"display": "x"}}
    ((location, message),) = errors(validator, resource)
    assert location == "MedicationRequest"
    assert message.startswith("MedicationRequest.medication[x]: minimum required = 1")


def test_array_expected(validator):
    resource = {**OBSERVATION, "category": {"text": "vital"}}
    assert error_locations(validator, resource) == ["Observation.category"]


def test_single_value_expected(validator):
    resource = {**OBSERVATION, "status": ["final"]}
    assert "Observation.status" in error_locations(validator, resource)


def test_empty_array_and_object_and_string(validator):
    resource = {**OBSERVATION, "category": [], "method": {}, "language": ""}
    assert sorted(error_locations(validator, resource)) == [
        "Observation.category",
        "Observation.language",
        "Observation.method",
    ]


def test_null_is_not_allowed(validator):
    assert error_locations(validator, {**OBSERVATION, "issued": None}) == ["Observation.issued"]


def test_nested_location_of_a_primitive_problem(validator):
    resource = {
        **OBSERVATION,
        "component": [OBSERVATION["component"][0], {"code": {"text": "b"}, "valueQuantity": {"value": "1.5"}}],
    }
    assert error_locations(validator, resource) == ["Observation.component[1].valueQuantity.value"]


def test_choice_with_unknown_type(validator):
    resource = {**OBSERVATION, "valueFoo": 1}
    del resource["valueQuantity"]
    assert error_locations(validator, resource) == ["Observation"]


def test_two_choice_values_exceed_max(validator):
    resource = {**OBSERVATION, "valueString": "x"}
    ((location, message),) = errors(validator, resource)
    assert location == "Observation" and "max allowed = 1" in message


def test_primitive_extension_sibling(validator):
    good = {"resourceType": "Patient", "birthDate": "1970-01-01", "_birthDate": {"id": "a"}}
    bad = {"resourceType": "Patient", "_birthDate": {"unknown": 1}}
    assert errors(validator, good) == []
    assert error_locations(validator, bad) == ["Patient.birthDate"]


def test_resource_type_missing_and_unknown(validator):
    assert error_locations(validator, {"id": "x"}) == [""]
    assert errors(validator, {"resourceType": "Banana"})[0][1] == "Unknown resource type 'Banana'"


def test_never_raises_on_any_json(validator):
    for value in (None, 1, "x", [], [1, 2], {"resourceType": 3}, {"resourceType": "Patient", "name": [None]}):
        validator.validate(value)


def test_nesting_depth_is_bounded(validator):
    extension: dict = {"url": "http://example.org/x", "valueString": "v"}
    for _ in range(200):
        extension = {"url": "http://example.org/x", "extension": [extension]}
    outcome = validator.validate({"resourceType": "Patient", "extension": [extension]})
    assert any(issue["severity"] == "fatal" for issue in outcome["issue"])


def test_outcome_shape(validator):
    outcome = validator.validate({**OBSERVATION, "colour": "red"})
    issue = outcome["issue"][0]
    assert outcome["resourceType"] == "OperationOutcome"
    assert issue["severity"] == "error" and issue["code"] == "structure"
    assert issue["expression"] == ["Observation"] and issue["details"]["text"]
    assert issue["details"]["coding"][0]["code"] == "Unrecognized_property"
