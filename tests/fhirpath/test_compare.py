"""FHIRPath comparison semantics (FHIRPath N1 §6.1–6.2; FHIR R4 Quantity, date, dateTime, instant, time):
UCUM-aware Quantities, partial-precision dates (empty when undecided), and the functions that look outside the
focus (`resolve()`, `conformsTo()`, `memberOf()`) through the caller's services."""

from __future__ import annotations

from typing import Any

import pytest

from dermfhir import fhirpath
from dermfhir.fhirpath.compare import compare_quantities, compare_temporal, ucum

UCUM = "http://unitsofmeasure.org"


def q(value: float, code: str, system: str | None = UCUM) -> dict:
    quantity: dict[str, Any] = {"value": value, "code": code}
    if system is not None:
        quantity["system"] = system
    return quantity


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        (q(5, "mg"), q(3, "mg"), 1),
        (q(3, "mg"), q(3, "mg"), 0),
        (q(5, "mg"), q(0.004, "g"), 1),  # 5 mg > 4 mg
        (q(5, "mg"), q(0.006, "g"), -1),
        (q(1, "h"), q(60, "min"), 0),  # `h` is the hour, not the hecto prefix
        (q(2, "mg/dL"), q(20, "mg/L"), 0),
        (q(1, "kg.m/s2"), q(1000, "g.m.s-2"), 0),
        (q(1, "a"), q(12, "mo"), 0),
        (q(1, "mg"), q(1, "mL"), None),  # different dimensions: incomparable
        (q(1, "Cel"), q(300, "K"), None),  # offset units are not converted
        (q(1, "Cel"), q(2, "Cel"), -1),  # but equal units always compare
        (q(1, "tablet", "http://example.org/units"), q(2, "tablet", "http://example.org/units"), -1),
        (q(1, "tablet", "http://example.org/units"), q(2, "tablet", "http://other.org/units"), None),
        ({"value": 1, "unit": "tablet"}, {"value": 2, "unit": "tablet"}, -1),
        ({"value": 1, "comparator": "<", **q(1, "mg")}, q(2, "mg"), None),  # not a point value
        ({"code": "mg", "system": UCUM}, q(2, "mg"), None),  # no value
    ],
)
def test_quantity_comparison(left: dict, right: dict, expected: int | None) -> None:
    assert compare_quantities(left, right) == expected
    if expected is not None:
        assert compare_quantities(right, left) == -expected


def test_unknown_ucum_is_not_guessed() -> None:
    assert ucum("[iU]") is None and ucum("cd") is None and ucum("mg") is not None


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("2020", "2020-05", None),  # the year is equal, the month unknown on one side
        ("2021", "2020-05", 1),
        ("2020-05-01T10:00:00+02:00", "2020-05-01T09:00:00Z", -1),  # 08:00Z < 09:00Z
        ("2020-01-01T00:30:00+01:00", "2019-12-31T23:00:00Z", 1),  # crosses the year in UTC
        ("2020-05-02", "2020-05-01T09:00:00Z", 1),
        ("2020-05-01", "2020-05-01T09:00:00Z", None),
        ("2020-05-01T10:00:00", "2020-05-01T09:00:00Z", None),  # one without a timezone
        ("10:00:00", "10:00:00.000", 0),  # seconds and milliseconds are one precision
        ("10:00", "10:00:01", None),
        ("10:01", "10:00:59", 1),
        ("10:00", "2020-05-01", None),  # a time and a date do not compare
    ],
)
def test_temporal_comparison(left: str, right: str, expected: int | None) -> None:
    assert compare_temporal(left, right) == expected


RANGE = "low.empty() or high.empty() or (low <= high)"


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (q(5, "mg"), q(3, "mg"), [False]),
        (q(5, "mg"), q(1, "g"), [True]),
        (q(5, "mg"), q(1, "mL"), []),
        (q(2, "mg"), q(3, "mg"), [True]),
    ],
)
def test_rng2_evaluates_quantities(low: dict, high: dict, expected: list) -> None:
    assert fhirpath.evaluate({"low": low, "high": high}, RANGE, "Range") == expected


PERIOD = "start.hasValue().not() or end.hasValue().not() or (start <= end)"


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2020", "2020-05", []),
        ("2021", "2020-05", [False]),
        ("2020-05-01T10:00:00+02:00", "2020-05-01T09:00:00Z", [True]),
        ("2020-05-01T10:00:00Z", "2020-05-01T09:00:00Z", [False]),
    ],
)
def test_per1_evaluates_dates_with_precision(start: str, end: str, expected: list) -> None:
    assert fhirpath.evaluate({"start": start, "end": end}, PERIOD, "Period") == expected


def test_has_value_on_a_primitive_with_only_an_extension() -> None:
    period = {"_start": {"extension": [{"url": "http://example.org/x", "valueString": "y"}]}, "end": "2020"}
    assert fhirpath.evaluate(period, "start.hasValue()", "Period") == [False]
    assert fhirpath.evaluate(period, "end.hasValue()", "Period") == [True]


class FakeServices:
    def __init__(self) -> None:
        self.resources = {"Patient/1": {"resourceType": "Patient", "id": "1", "active": True}}

    def resolve(self, reference: str) -> dict | None:
        return self.resources.get(reference)

    def conforms_to(self, resource: Any, profile: str) -> bool | None:
        return None if profile.endswith("unknown") else resource.get("active") is True

    def member_of(self, value: Any, value_set: str) -> bool | None:
        return value.get("code") == "a" if isinstance(value, dict) else None


@pytest.fixture()
def services():
    token = fhirpath.SERVICES.set(FakeServices())
    yield
    fhirpath.SERVICES.reset(token)


def test_resolve_and_type(services) -> None:
    observation = {"resourceType": "Observation", "subject": {"reference": "Patient/1"}}
    assert fhirpath.evaluate(observation, "subject.resolve().active") == [True]
    assert fhirpath.evaluate(observation, "subject.resolve() is Patient") == [True]
    missing = {"resourceType": "Observation", "subject": {"reference": "Patient/2"}}
    assert fhirpath.evaluate(missing, "subject.resolve().exists()") == [False]


def test_conforms_to_and_member_of(services) -> None:
    patient = {"resourceType": "Patient", "active": True}
    assert fhirpath.evaluate(patient, "conformsTo('http://example.org/p')") == [True]
    assert fhirpath.evaluate(patient, "conformsTo('http://example.org/unknown')") == []
    coding = {"resourceType": "Basic", "code": {"coding": [{"system": "http://x", "code": "a"}]}}
    assert fhirpath.evaluate(coding, "code.coding.first().memberOf('http://example.org/vs')") == [True]


def test_without_services_the_functions_answer_empty() -> None:
    observation = {"resourceType": "Observation", "subject": {"reference": "Patient/1"}}
    assert fhirpath.evaluate(observation, "subject.resolve()") == []
