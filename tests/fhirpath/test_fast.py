"""The direct evaluator of the FHIRPath subset gives fhirpathpy's answers: every invariant of the guide's profiles,
on the guide's examples and on randomly altered copies of them."""

from __future__ import annotations

import copy
import random

import pytest

from dermfhir.definitions import guide_package
from dermfhir.fhirpath import engine, fast, truthy

GUIDE = guide_package()
EXAMPLES = [r for r in GUIDE.resources("Observation")]
INVARIANTS = sorted(
    {
        constraint["expression"]
        for definition in GUIDE.resources("StructureDefinition")
        if definition.get("type") == "Observation"
        for element in definition.get("snapshot", {}).get("element", [])
        if element.get("path") == "Observation"
        for constraint in element.get("constraint", [])
        if constraint.get("expression") and constraint.get("source", "").startswith("https://annotatemd.com/")
    }
)
VALUES = [None, 0, 1, -1, 0.5, 1.7, 4, "", "x", "final", True, False, {}, [], {"value": 2}, "1 2 3 4", "10 20 30 40"]


def _altered(resource: dict, rng: random.Random) -> dict:
    result = copy.deepcopy(resource)
    for _ in range(rng.randint(1, 3)):
        holder, key = result, None
        for _ in range(rng.randint(1, 6)):
            current = holder[key] if key is not None else holder
            if isinstance(current, dict) and current:
                holder, key = current, rng.choice(list(current))
            elif isinstance(current, list) and current:
                holder, key = current, rng.randrange(len(current))
            else:
                break
        if key is not None:
            holder[key] = copy.deepcopy(rng.choice(VALUES))
    return result


def _corpus() -> list[dict]:
    rng = random.Random(7)
    return EXAMPLES + [_altered(example, rng) for example in EXAMPLES for _ in range(40)]


def test_the_guide_invariants_are_in_the_subset() -> None:
    outside = [expression for expression in INVARIANTS if fast.compile(expression) is None]
    assert not outside


@pytest.mark.parametrize("expression", INVARIANTS, ids=lambda e: e[:60])
def test_same_answers_as_fhirpathpy(expression: str) -> None:
    program = fast.compile(expression)
    assert program is not None
    compared = 0
    for resource in _corpus():
        if resource.get("resourceType") != "Observation":
            continue  # fhirpathpy types the root by its resourceType; the validator never evaluates such resources
        variables = {"resource": resource, "rootResource": resource, "context": resource}
        try:
            ours = program.evaluator("Observation")([resource], variables)
        except fast.Fallback:
            continue
        try:
            theirs = list(engine.compile(expression)._function(resource, variables))
        except Exception:
            continue  # fhirpathpy fails on some altered resources; the subset answers them
        assert truthy(ours) == truthy(theirs), (expression, resource)
        compared += 1
    assert compared  # (comparisons of strings, e.g. dates, are left to fhirpathpy)


@pytest.mark.parametrize(
    ("expression", "data", "expected"),
    [
        ("status = 'final' implies performer.exists()", {"status": "final"}, [False]),
        ("status = 'final' implies performer.exists()", {"status": "draft"}, [True]),
        ("status = 'final' implies performer.exists()", {}, []),
        ("component.all(value.value >= 0)", {"component": [{"valueQuantity": {"value": -1}}]}, [False]),
        ("component.all(value.value >= -1)", {"component": [{"valueQuantity": {"value": -1}}]}, [True]),
        ("component.where(value.value mod 1 = 0).count()", {"component": [{"valueQuantity": {"value": 3}}]}, [1]),
        ("(status = 'final').not()", {"status": "final"}, [False]),
        ("value.data.matches('^[0-9]+$')", {"valueSampledData": {"data": "12"}}, [True]),
        ("code.exists() or value.empty()", {}, [True]),
    ],
)
def test_semantics(expression: str, data: dict, expected: list) -> None:
    program = fast.compile(expression)
    assert program is not None
    assert program.evaluator(None)([data], {"resource": data, "rootResource": data, "context": data}) == expected


@pytest.mark.parametrize(
    ("expression", "data"),
    [
        ("status = 1", {"status": "final"}),  # mixed types
        ("status and true", {"status": "final"}),  # a non-boolean operand
        ("status.exists()", {"_status": {"extension": []}}),  # a primitive with extensions only
        ("value.value mod 1 = 0", {"valueQuantity": {"value": -2.5}}),  # a negative decimal mod
    ],
)
def test_fallback_to_fhirpathpy(expression: str, data: dict) -> None:
    program = fast.compile(expression)
    assert program is not None
    with pytest.raises(fast.Fallback):
        program.evaluator(None)([data], {"resource": data, "rootResource": data, "context": data})


@pytest.mark.parametrize("expression", ["descendants().count() > 0", "value as Quantity", "a.b.aggregate($this)"])
def test_outside_the_subset(expression: str) -> None:
    assert fast.compile(expression) is None
