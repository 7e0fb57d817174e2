"""Hostile search input: SQL and FHIRPath fragments, huge numbers, bad dates → InvalidSearch or a plain result."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dermfhir.store import InvalidSearch, Store

from .resources import dataset

FRAGMENTS = [
    "' OR 1=1 --",
    "1; DROP TABLE resource; --",
    '" OR ""="',
    "%' UNION SELECT content FROM resource_version --",
    "?",
    "%s",
    "\\",
    "\x00",
    "Observation.subject.resolve()",
    "where(true)|descendants()",
    "9" * 400,
    "-" + "9" * 400,
    "1e308",
    "1e-400",
    "gt" + "9" * 60,
    "2021-99-99",
    "99999-01-01",
    "2021-02-29",
    "0000-01-01",
    "ge2021-01-01T25:61:61Z",
    "Patient/../../etc/passwd",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "a" * 5000,
    "$$$",
    "|||",
]
PARAMETERS = [
    ("Observation", "code"),
    ("Observation", "code:text"),
    ("Observation", "code:not"),
    ("Patient", "name"),
    ("Patient", "family:exact"),
    ("Patient", "name:contains"),
    ("Observation", "date"),
    ("Observation", "value-quantity"),
    ("RiskAssessment", "probability"),
    ("Observation", "subject"),
    ("Observation", "subject.name"),
    ("Device", "url:below"),
    ("Device", "url:above"),
    ("Patient", "_id"),
    ("Observation", "_lastUpdated"),
    ("Observation", "code-value-quantity"),
    ("Observation", "_sort"),
    ("Observation", "_include"),
    ("Observation", "_count"),
    ("Patient", "_has:Observation:subject:code"),
    ("Observation", "subject:missing"),
    ("Observation", "_security"),
]


@pytest.fixture
def case(store: Store) -> Store:
    store.load(dataset())
    return store


def attempt(store: Store, resource_type: str, name: str, value: str) -> None:
    try:
        result = store.search(resource_type, [(name, value)])
    except InvalidSearch as error:
        assert name.split(":")[0].split(".")[0] in str(error) or "_" in str(error)
        return
    assert isinstance(result.resources, list)


@pytest.mark.parametrize(("resource_type", "name"), PARAMETERS)
def test_fragments(case: Store, resource_type: str, name: str) -> None:
    for value in FRAGMENTS:
        attempt(case, resource_type, name, value)
    assert case.search("Patient").total == 3  # nothing was dropped


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pick=st.sampled_from(PARAMETERS),
    value=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60),
)
def test_random_values(case: Store, pick: tuple[str, str], value: str) -> None:
    attempt(case, pick[0], pick[1], value)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(min_size=1, max_size=30), value=st.text(max_size=20))
def test_random_names(case: Store, name: str, value: str) -> None:
    with contextlib.suppress(InvalidSearch):
        case.search("Observation", [(name, value)])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    number=st.one_of(
        st.integers(min_value=-(10**30), max_value=10**30), st.floats(allow_nan=False, allow_infinity=False)
    )
)
def test_numbers_round_trip(case: Store, number: float) -> None:
    prefixes = ["", "gt", "lt", "ge", "le", "ne", "ap", "sa", "eb"]
    for prefix in prefixes:
        attempt(case, "RiskAssessment", "probability", f"{prefix}{number}")
        attempt(case, "Observation", "value-quantity", f"{prefix}{number}||mm")
