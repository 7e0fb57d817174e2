"""The FHIRPath wrapper: caching, variables, hasValue(), errors as exceptions of one kind."""

from __future__ import annotations

import pytest

from dermfhir import fhirpath

PATIENT = {"resourceType": "Patient", "id": "p", "name": [{"family": "Doe", "given": ["Jane"]}], "active": True}


def test_compile_is_cached():
    assert fhirpath.compile("name.family") is fhirpath.compile("name.family")


def test_evaluate_on_resource():
    assert fhirpath.evaluate(PATIENT, "name.family") == ["Doe"]


def test_evaluate_at_element_with_resource_variables():
    name = PATIENT["name"][0]
    assert fhirpath.evaluate(name, "given.exists() and %resource.id = 'p'", "HumanName", PATIENT) == [True]
    assert fhirpath.evaluate(name, "%context.family", "HumanName", PATIENT) == ["Doe"]


def test_has_value():
    assert fhirpath.evaluate(PATIENT, "active.hasValue()") == [True]
    assert fhirpath.evaluate(PATIENT, "name.hasValue()") == [False]


def test_errors_are_fhirpath_errors():
    with pytest.raises(fhirpath.FhirPathError):
        fhirpath.evaluate(PATIENT, "name.unknownFn()")
    with pytest.raises(fhirpath.FhirPathError):
        fhirpath.evaluate(
            {"resourceType": "Patient", "name": [{"family": "a"}, {"family": "b"}]}, "name.family as string"
        )


def test_truthy():
    assert fhirpath.truthy([]) is None
    assert fhirpath.truthy([False]) is False
    assert fhirpath.truthy([True]) is True


def test_does_not_modify_input():
    copy = {"resourceType": "Patient", "name": [{"family": "Doe"}]}
    fhirpath.evaluate(copy, "name.family")
    assert copy == {"resourceType": "Patient", "name": [{"family": "Doe"}]}


OBSERVATION = {
    "resourceType": "Observation",
    "status": "final",
    "code": {"text": "lesion diameter"},
    "valueQuantity": {"value": 5, "system": "http://unitsofmeasure.org", "code": "mm"},
}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        # FHIRPath: Quantities with comparable units compare after conversion; incomparable units give empty
        ("1 'm' > 50 'cm'", [True]),
        ("1 'm' = 100 'cm'", [True]),
        ("1 'mg/dL' = 10 'mg/L'", [True]),
        ("2 'cm' < 1 '[in_i]'", [True]),
        ("1 'kg' <= 999 'g'", [False]),
        ("1 'm' > 1 'kg'", []),
        ("value > 4 'mm'", [True]),
        ("value < 1 'cm'", [True]),
        ("value >= 0.6 'cm'", [False]),
        ("value = 0.5 'cm'", [True]),
        # calendar durations keep their own rules
        ("7 days = 1 week", [True]),
    ],
)
def test_quantity_comparison_with_ucum_units(expression: str, expected: list) -> None:
    assert fhirpath.evaluate(OBSERVATION, expression) == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("@2012 < @2013-01", [True]),
        ("@2012 = @2012-01", []),  # different precision: undecided
        ("@2012-01 < @2012-01-15", []),
        ("@2012-01-01T10:00:00+02:00 = @2012-01-01T08:00:00Z", [True]),
    ],
)
def test_dates_with_partial_precision(expression: str, expected: list) -> None:
    assert fhirpath.evaluate(OBSERVATION, expression) == expected


def test_system_type_names_match_fhir_primitives():
    condition = {"question": "q", "operator": "exists", "answerBoolean": True}
    questionnaire = {"resourceType": "Questionnaire", "status": "active", "item": [{"enableWhen": [condition]}]}
    assert fhirpath.evaluate(questionnaire, "item.enableWhen.answer is Boolean") == [True]
    assert fhirpath.evaluate(questionnaire, "item.enableWhen.answer is boolean") == [True]
    assert fhirpath.evaluate(questionnaire, "item.enableWhen.answer is String") == [False]
    assert fhirpath.evaluate(questionnaire, "(item.enableWhen.answer as Boolean) = true") == [True]
    assert fhirpath.evaluate(PATIENT, "name.family is String") == [True]
    assert fhirpath.evaluate(PATIENT, "name is String") == [False]
