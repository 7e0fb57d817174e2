"""Slicing by type (R4 profiling.html#discriminator): the type of a choice element is the one its name carries, and
`ofType(T)` in a discriminator path selects only values of type T."""

from __future__ import annotations

import pytest

from dermfhir.validation import Validator
from dermfhir.validation.context import Frame
from dermfhir.validation.slicing import select
from tests.validation.test_profiles import profile

QUANTITY_COMPONENT = profile(
    "http://example.org/fhir/StructureDefinition/quantity-component",
    "Observation",
    [
        {
            "id": "Observation.component",
            "path": "Observation.component",
            "slicing": {"discriminator": [{"type": "type", "path": "value"}], "rules": "closed"},
        },
        {"id": "Observation.component:size", "path": "Observation.component", "sliceName": "size", "min": 1},
        {
            "id": "Observation.component:size.value[x]",
            "path": "Observation.component.value[x]",
            "type": [{"code": "Quantity"}],
        },
    ],
)


@pytest.fixture(scope="module")
def profiled(core) -> Validator:  # type: ignore[no-untyped-def]
    return Validator(core.with_resources([QUANTITY_COMPONENT]))


def _issues(validator: Validator, component: dict) -> list[tuple[str, str]]:
    observation = {"resourceType": "Observation", "status": "final", "code": {"text": "x"}, "component": [component]}
    found = validator.issues(observation, [QUANTITY_COMPONENT["url"]])
    return [(issue.location, issue.message_id) for issue in found if issue.is_error]


def test_a_choice_value_of_the_slice_type_matches(profiled: Validator) -> None:
    assert _issues(profiled, {"code": {"text": "size"}, "valueQuantity": {"value": 4}}) == []


def test_a_choice_value_of_another_type_matches_no_slice(profiled: Validator) -> None:
    locations = [location for location, _ in _issues(profiled, {"code": {"text": "size"}, "valueString": "4 mm"})]
    assert locations == ["Observation.component[0]", "Observation"]  # closed slicing; the required slice is missing


def test_of_type_selects_only_values_of_that_type() -> None:
    component = {"code": {"text": "size"}, "valueString": "4 mm"}
    frame = Frame({"resourceType": "Observation"}, "Observation")
    assert select(None, [component], "value.ofType(Quantity)", frame) == []  # type: ignore[arg-type]
    assert select(None, [component], "value.ofType(string)", frame) == ["4 mm"]  # type: ignore[arg-type]
    entry = {"resource": {"resourceType": "Patient", "id": "p"}}
    assert select(None, [entry], "resource.ofType(Patient).id", frame) == ["p"]  # type: ignore[arg-type]
    assert select(None, [entry], "resource.ofType(Practitioner)", frame) == []  # type: ignore[arg-type]
