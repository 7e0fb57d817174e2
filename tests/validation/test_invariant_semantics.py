"""Invariants whose FHIRPath needs more than paths: Quantities (rng-2), dates (per-1), `resolve()` across contained
resources and Bundle entries, `conformsTo()` and `memberOf()` in a profile's own invariants."""

from __future__ import annotations

import pytest

from dermfhir.validation import Validator
from tests.validation.test_profiles import profile

UCUM = "http://unitsofmeasure.org"


def _observation(**values: object) -> dict:
    return {"resourceType": "Observation", "status": "final", "code": {"text": "size"}, **values}


def _keys(validator: Validator, resource: dict, profiles: list[str] | None = None) -> list[str]:
    """The invariant keys reported as errors, and any invariant that could not be evaluated."""
    found = []
    for issue in validator.issues(resource, profiles):
        if issue.message_id == "FHIRPATH_EVALUATION_FAILED":
            found.append("not-evaluated: " + issue.message)
        elif issue.is_error and issue.code == "invariant":
            found.append(issue.message.split(":")[1].strip())
    return found


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        ({"value": 5, "system": UCUM, "code": "mm"}, {"value": 3, "system": UCUM, "code": "mm"}, ["rng-2"]),
        ({"value": 5, "system": UCUM, "code": "mm"}, {"value": 1, "system": UCUM, "code": "cm"}, []),
        ({"value": 5, "system": UCUM, "code": "cm"}, {"value": 10, "system": UCUM, "code": "mm"}, ["rng-2"]),
        ({"value": 5, "system": UCUM, "code": "mm"}, {"value": 1, "system": UCUM, "code": "mg"}, []),  # empty
    ],
)
def test_rng2(validator: Validator, low: dict, high: dict, expected: list[str]) -> None:
    assert _keys(validator, _observation(valueRange={"low": low, "high": high})) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2024-03-01T10:00:00+02:00", "2024-03-01T09:00:00Z", []),
        ("2024-03-01T10:00:00Z", "2024-03-01T09:00:00Z", ["per-1"]),
        ("2024", "2024-03", []),
        ("2025", "2024-03", ["per-1"]),
    ],
)
def test_per1(validator: Validator, start: str, end: str, expected: list[str]) -> None:
    assert _keys(validator, _observation(effectivePeriod={"start": start, "end": end})) == expected


PROFILE = "http://example.org/fhir/StructureDefinition/subject-is-active-patient"


@pytest.fixture(scope="module")
def profiled(core) -> Validator:
    subject_active = profile(
        PROFILE,
        "Observation",
        [
            {
                "id": "Observation",
                "path": "Observation",
                "constraint": [
                    {
                        "key": "test-resolve",
                        "severity": "error",
                        "human": "The subject resolves to an active Patient",
                        "expression": "subject.resolve().active = true",
                    },
                    {
                        "key": "test-member",
                        "severity": "error",
                        "human": "The status is one of the observation statuses",
                        "expression": "status.memberOf('http://hl7.org/fhir/ValueSet/observation-status')",
                    },
                ],
            }
        ],
    )
    return Validator(core.with_resources([subject_active]))


def _with_contained(active: bool) -> dict:
    return _observation(
        meta={"profile": [PROFILE]},
        contained=[{"resourceType": "Patient", "id": "p", "active": active}],
        subject={"reference": "#p"},
    )


def test_resolve_contained(profiled: Validator) -> None:
    assert _keys(profiled, _with_contained(True)) == []
    assert _keys(profiled, _with_contained(False)) == ["test-resolve"]


def test_resolve_in_a_bundle(profiled: Validator) -> None:
    def bundle(active: bool) -> dict:
        observation = _observation(meta={"profile": [PROFILE]}, subject={"reference": "Patient/p"})
        return {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [
                {"fullUrl": "http://example.org/fhir/Observation/o", "resource": {**observation, "id": "o"}},
                {
                    "fullUrl": "http://example.org/fhir/Patient/p",
                    "resource": {"resourceType": "Patient", "id": "p", "active": active},
                },
            ],
        }

    assert _keys(profiled, bundle(True)) == []
    assert _keys(profiled, bundle(False)) == ["test-resolve"]


def test_unresolvable_reference_leaves_the_invariant_undecided(profiled: Validator) -> None:
    observation = _observation(meta={"profile": [PROFILE]}, subject={"reference": "Patient/elsewhere"})
    assert _keys(profiled, observation) == []  # `{} = true` is empty: not a failure


def test_conforms_to(core) -> None:
    inner = "http://example.org/fhir/StructureDefinition/active-patient"
    outer = "http://example.org/fhir/StructureDefinition/obs-with-conforming-subject"
    active = profile(inner, "Patient", [{"id": "Patient.active", "path": "Patient.active", "min": 1}])
    rule = profile(
        outer,
        "Observation",
        [
            {
                "id": "Observation",
                "path": "Observation",
                "constraint": [
                    {
                        "key": "test-conforms",
                        "severity": "error",
                        "human": "The subject conforms to the active-patient profile",
                        "expression": f"subject.resolve().conformsTo('{inner}')",
                    }
                ],
            }
        ],
    )
    validator = Validator(core.with_resources([active, rule]))

    def observation(patient: dict) -> dict:
        return _observation(meta={"profile": [outer]}, contained=[patient], subject={"reference": "#p"})

    assert _keys(validator, observation({"resourceType": "Patient", "id": "p", "active": True})) == []
    no_active = {"resourceType": "Patient", "id": "p", "gender": "male"}
    assert _keys(validator, observation(no_active)) == ["test-conforms"]


def test_member_of(profiled: Validator) -> None:
    resource = _with_contained(True)
    assert "test-member" not in _keys(profiled, resource)
    resource["status"] = "not-a-status"
    assert "test-member" in _keys(profiled, resource)


def test_que7_holds_for_a_boolean_exists_condition(validator: Validator) -> None:
    def questionnaire(answer: dict) -> dict:
        condition = {"question": "seen", "operator": "exists", **answer}
        items = [
            {"linkId": "seen", "text": "Lesion seen?", "type": "boolean"},
            {"linkId": "size", "text": "Size", "type": "decimal", "enableWhen": [condition]},
        ]
        return {"resourceType": "Questionnaire", "status": "active", "item": items}

    assert _keys(validator, questionnaire({"answerBoolean": True})) == []
    assert _keys(validator, questionnaire({"answerString": "yes"})) == ["que-7"]


QUANTITY_PROFILE = "http://example.org/fhir/StructureDefinition/lesion-at-most-two-centimetres"


def test_profile_invariant_with_a_quantity_literal(core) -> None:
    rule = profile(
        QUANTITY_PROFILE,
        "Observation",
        [
            {
                "id": "Observation",
                "path": "Observation",
                "constraint": [
                    {
                        "key": "test-size",
                        "severity": "error",
                        "human": "The lesion is at most 2 cm across",
                        "expression": "value.exists() implies value <= 2 'cm'",
                    }
                ],
            }
        ],
    )
    validator = Validator(core.with_resources([rule]))

    def observation(value: float, code: str) -> dict:
        return _observation(
            meta={"profile": [QUANTITY_PROFILE]}, valueQuantity={"value": value, "system": UCUM, "code": code}
        )

    assert _keys(validator, observation(15, "mm")) == []
    assert _keys(validator, observation(25, "mm")) == ["test-size"]
    assert _keys(validator, observation(0.5, "[in_i]")) == []  # 1.27 cm
    assert _keys(validator, observation(1, "[in_i]")) == ["test-size"]  # 2.54 cm
