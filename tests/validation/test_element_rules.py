"""ElementDefinition rules at any depth (R4 ElementDefinition: minValue[x]/maxValue[x], maxLength, fixed[x],
pattern[x]): Quantities compared with their UCUM units, dates with their precision."""

from __future__ import annotations

import pytest

from dermfhir.validation import Validator
from tests.validation.test_profiles import profile

UCUM = "http://unitsofmeasure.org"
URL = "http://example.org/fhir/StructureDefinition/bounded-observation"


@pytest.fixture(scope="module")
def bounded(core) -> Validator:
    elements = [
        {
            "id": "Observation.valueQuantity",
            "path": "Observation.valueQuantity",
            "minValueQuantity": {"value": 1, "system": UCUM, "code": "mm"},
            "maxValueQuantity": {"value": 10, "system": UCUM, "code": "mm"},
        },
        {"id": "Observation.code.text", "path": "Observation.code.text", "maxLength": 5},
        {
            "id": "Observation.code.coding",
            "path": "Observation.code.coding",
            "patternCoding": {"system": "http://loinc.org"},
        },
        {"id": "Observation.effective[x]", "path": "Observation.effective[x]", "minValueDateTime": "2020-01-01"},
        {"id": "Observation.component.value[x]", "path": "Observation.component.value[x]", "maxValueInteger": 3},
        {
            "id": "Observation.component.code.coding.system",
            "path": "Observation.component.code.coding.system",
            "fixedUri": "http://snomed.info/sct",
        },
    ]
    return Validator(core.with_resources([profile(URL, "Observation", elements)]))


def _errors(validator: Validator, **values: object) -> list[str]:
    observation = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"text": "size", "coding": [{"system": "http://loinc.org", "code": "8302-2"}]},
        **values,
    }
    return [issue.location for issue in validator.issues(observation, [URL]) if issue.is_error]


@pytest.mark.parametrize(
    ("value", "errors"),
    [
        ({"value": 5, "system": UCUM, "code": "mm"}, []),
        ({"value": 11, "system": UCUM, "code": "mm"}, ["Observation.valueQuantity"]),
        ({"value": 2, "system": UCUM, "code": "cm"}, ["Observation.valueQuantity"]),  # 20 mm
        ({"value": 0.5, "system": UCUM, "code": "cm"}, []),  # 5 mm
        ({"value": 0.5, "system": UCUM, "code": "mm"}, ["Observation.valueQuantity"]),
        ({"value": 0.00005, "system": UCUM, "code": "m"}, ["Observation.valueQuantity"]),  # 0.05 mm
    ],
)
def test_quantity_bounds_convert_units(bounded: Validator, value: dict, errors: list[str]) -> None:
    assert _errors(bounded, valueQuantity=value) == errors


def test_quantity_bound_in_other_units_is_a_warning_not_a_silent_pass(bounded: Validator) -> None:
    observation = {"resourceType": "Observation", "status": "final", "code": {"text": "x"}}
    observation["valueQuantity"] = {"value": 5, "system": UCUM, "code": "mg"}
    issues = bounded.issues(observation, [URL])
    assert [i.message_id for i in issues if i.location == "Observation.valueQuantity"] == [
        "Type_Specific_Checks_DT_Quantity_Units",
        "Type_Specific_Checks_DT_Quantity_Units",
    ]


@pytest.mark.parametrize(
    ("effective", "errors"),
    [
        ("2020-06-01T10:00:00Z", []),
        ("2019-12-31", ["Observation.effectiveDateTime"]),
        ("2019", ["Observation.effectiveDateTime"]),
        ("2020", []),  # may be on or after 2020-01-01: not a certain breach
    ],
)
def test_date_bounds_with_partial_precision(bounded: Validator, effective: str, errors: list[str]) -> None:
    assert _errors(bounded, effectiveDateTime=effective) == errors


def test_rules_apply_at_every_depth(bounded: Validator) -> None:
    assert _errors(bounded, code={"text": "too long", "coding": [{"system": "http://loinc.org"}]}) == [
        "Observation.code.text"
    ]
    assert _errors(bounded, code={"coding": [{"system": "http://snomed.info/sct", "code": "1"}]}) == [
        "Observation.code.coding[0].system"
    ]
    component = {"code": {"coding": [{"system": "http://snomed.info/sct", "code": "1"}]}, "valueInteger": 4}
    assert _errors(bounded, component=[component]) == ["Observation.component[0].valueInteger"]
    component = {"code": {"coding": [{"system": "http://loinc.org", "code": "1"}]}, "valueInteger": 2}
    assert _errors(bounded, component=[component]) == ["Observation.component[0].code.coding[0].system"]
