"""Index extraction by parameter type, and the expression fast path against fhirpathpy."""

from __future__ import annotations

import fhirpathpy
import orjson
import pytest
from fhirpathpy.models import models

from dermfhir.definitions import Definitions
from dermfhir.store.search import date, number, reference, string, token
from dermfhir.store.search.expression import compile_expression
from dermfhir.store.search.registry import SearchRegistry

from .resources import dataset


def test_date_ranges_follow_precision() -> None:
    year = date.parse_range("2021")
    day = date.parse_range("2021-03-04")
    second = date.parse_range("2021-03-04T10:30:00Z")
    assert year and day and second
    assert year[0] <= day[0] < day[1] <= year[1]
    assert second[1] - second[0] == 1_000_000
    assert date.parse_range("2021-03-04T11:30:00+01:00") == second
    assert date.parse_range("2020-02-30") is None and date.parse_range("soon") is None
    assert date.extract({"start": "2021-01-01"}) == [(date.parse_range("2021-01-01")[0], date.HIGH_OPEN)]  # type: ignore[index]


def test_string_normalisation() -> None:
    assert string.normalize("  Müller-Lüdenscheidt  ") == "muller-ludenscheidt"
    assert string.normalize("ÅNGSTRÖM") == "angstrom"
    rows = string.extract({"family": "Ng", "given": ["Ann", "Li"], "use": "official"})
    assert rows == [("ng", "Ng"), ("ann", "Ann"), ("li", "Li")]


def test_token_shapes() -> None:
    assert token.extract(True) == [(None, "true", None)]
    assert token.extract({"system": "urn:mrn", "value": "7"}) == [("urn:mrn", "7", None)]
    concept = {"coding": [{"system": "s", "code": "c", "display": "Dé"}], "text": "Tëxt"}
    assert token.extract(concept) == [("s", "c", "de"), (None, None, "text")]


def test_reference_forms() -> None:
    assert reference.parse_reference("Patient/1") == ("Patient", "1", None)
    assert reference.parse_reference("Patient/1/_history/3") == ("Patient", "1", None)
    assert reference.parse_reference("http://x.org/fhir/Patient/1") == ("Patient", None, "http://x.org/fhir/Patient/1")
    assert reference.parse_reference("urn:uuid:1234") == (None, None, "urn:uuid:1234")
    assert reference.parse_reference("#contained") is None


def test_number_precision() -> None:
    _, args = number.predicate("100", "n")
    assert args == [99.5, 100.5]
    with pytest.raises(Exception, match="'n'"):
        number.predicate("1e999", "n")


def _plain(value: object) -> object:
    return orjson.loads(orjson.dumps(value, default=float))


def test_fast_path_agrees_with_fhirpathpy(definitions: Definitions) -> None:
    """Every simple expression of the core parameters gives what fhirpathpy gives, on the test case."""
    registry = SearchRegistry(definitions)
    resources = dataset()
    checked = 0
    for resource in resources:
        for param in registry.indexed(resource["resourceType"]):
            text = param.expression or ""
            if param.compiled is None or not param.compiled.is_simple or "resolve()" in text:
                continue
            if text.startswith("Resource."):  # fhirpathpy finds nothing for `Resource.` on a concrete type
                continue
            ours = [item.value for item in param.compiled.evaluate(resource)]
            theirs = [_plain(value) for value in fhirpathpy.compile(param.expression, models["r4"])(resource)]
            assert ours == theirs, param.expression
            checked += 1
    assert checked > 100


def test_resolve_is_checks_the_reference_type() -> None:
    expression = compile_expression("Observation.subject.where(resolve() is Patient)")
    assert [
        i.value for i in expression.evaluate({"resourceType": "Observation", "subject": {"reference": "Group/1"}})
    ] == []
    assert len(expression.evaluate({"resourceType": "Observation", "subject": {"reference": "Patient/1"}})) == 1
    fallback = compile_expression("Observation.subject.where(resolve() is Patient).exists()")
    assert not fallback.is_simple
    assert [
        i.value for i in fallback.evaluate({"resourceType": "Observation", "subject": {"reference": "Patient/1"}})
    ] == [True]
