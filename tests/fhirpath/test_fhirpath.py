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
