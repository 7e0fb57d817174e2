"""The target of a canonical against its element's targetProfile (R4 ElementDefinition.type.targetProfile,
datatypes.html#canonical): checked when the URL resolves to a contained or loaded resource."""

from __future__ import annotations

from dermfhir.validation import Validator

WRONG_TYPE = "TYPE_SPECIFIC_CHECKS_DT_CANONICAL_TYPE"
VALUE_SET = "http://hl7.org/fhir/ValueSet/administrative-gender"
CODE_SYSTEM = "http://hl7.org/fhir/administrative-gender"


def _wrong_types(validator: Validator, resource: dict) -> list[tuple[str, str, str]]:
    return [
        (issue.severity, issue.location, issue.message)
        for issue in validator.issues(resource)
        if issue.message_id == WRONG_TYPE
    ]


def _response(questionnaire: str, **more: object) -> dict:
    return {"resourceType": "QuestionnaireResponse", "questionnaire": questionnaire, "status": "completed", **more}


def test_a_loaded_resource_of_another_type(validator: Validator) -> None:
    assert _wrong_types(validator, _response(VALUE_SET)) == [
        (
            "error",
            "QuestionnaireResponse.questionnaire",
            f"Canonical URL '{VALUE_SET}' refers to a resource that has the wrong type. Found ValueSet expecting one "
            "of ['Questionnaire']",
        )
    ]


def test_a_versioned_canonical(validator: Validator) -> None:
    found = _wrong_types(validator, _response(VALUE_SET + "|4.0.1"))
    assert [location for _, location, _ in found] == ["QuestionnaireResponse.questionnaire"]


def test_a_contained_target(validator: Validator) -> None:
    questionnaire = {"resourceType": "Questionnaire", "id": "q", "status": "active"}
    value_set = {"resourceType": "ValueSet", "id": "vs", "status": "active"}
    assert _wrong_types(validator, _response("#q", contained=[questionnaire])) == []
    found = _wrong_types(validator, _response("#vs", contained=[value_set]))
    assert [location for _, location, _ in found] == ["QuestionnaireResponse.questionnaire"]


def test_a_canonical_that_does_not_resolve_is_left_alone(validator: Validator) -> None:
    assert _wrong_types(validator, _response("http://dermatology.example.net/Questionnaire/intake")) == []


def test_value_set_include_names_a_value_set(validator: Validator) -> None:
    def value_set(included: str) -> dict:
        include = {"valueSet": [included]}
        return {"resourceType": "ValueSet", "status": "active", "compose": {"include": [include]}}

    assert _wrong_types(validator, value_set(VALUE_SET)) == []
    found = _wrong_types(validator, value_set(CODE_SYSTEM))
    assert [location for _, location, _ in found] == ["ValueSet.compose.include[0].valueSet[0]"]


def test_meta_profile_names_a_structure_definition(validator: Validator) -> None:
    patient = {"resourceType": "Patient", "meta": {"profile": ["http://hl7.org/fhir/StructureDefinition/Patient"]}}
    assert _wrong_types(validator, patient) == []
