"""JSON text (R4 json.html): syntax errors, duplicate names, wrong JSON kinds, empty and null values — each an issue
with the line and column of its element; no input text makes validation raise."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dermfhir.validation import Validator
from dermfhir.validation.jsonsource import load, locate, parse_location
from dermfhir.validation.stream import validate_text

TEXT = """{
  "resourceType": "Patient",
  "active": "true",
  "name": {"family": "x"},
  "telecom": [],
  "gender": "",
  "birthDate": null,
  "address": [{}],
  "fhir_comments": ["old style"]
}
"""


def test_each_json_problem_is_an_error_at_its_line_and_column(validator: Validator) -> None:
    result = validate_text(validator, TEXT, "patient.json")
    found = {(issue.location, issue.line, issue.column) for issue in result.issues if issue.is_error}
    assert found == {
        ("Patient.active", 3, 13),  # a string where a boolean is due
        ("Patient.name", 4, 11),  # an object where an array is due
        ("Patient.telecom", 5, 14),  # an empty array
        ("Patient.gender", 6, 13),  # an empty string
        ("Patient.birthDate", 7, 16),  # null
        ("Patient.address[0]", 8, 15),  # an empty object
        ("Patient.fhir_comments", 9, 20),
    }


def test_syntax_error_is_one_fatal_issue_with_position() -> None:
    value, issues = load('{"resourceType": "Patient",\n  "active": tru\n}')
    assert value is None
    assert [(i.severity, i.line, i.column) for i in issues] == [("fatal", 2, 13)]


def test_duplicate_names_keep_the_first_value() -> None:
    value, issues = load('{"resourceType": "Patient", "gender": "male",\n "gender": "female"}')
    assert value == {"resourceType": "Patient", "gender": "male"}
    assert [(i.message_id, i.location, i.line, i.column) for i in issues] == [
        ("DUPLICATE_JSON_PROPERTY", "Patient", 2, 2)
    ]


def test_nested_duplicate_is_located_in_its_object() -> None:
    _, issues = load('{"resourceType": "Patient", "name": [{"family": "a"}, {"family": "b", "family": "c"}]}')
    assert [i.location for i in issues] == ["Patient.name[1]"]


def test_not_utf8_is_fatal() -> None:
    value, issues = load(b'{"resourceType": "Patient", "name": [{"family": "\xff"}]}')
    assert value is None and issues[0].severity == "fatal"


def test_location_parsing_and_nearest_position() -> None:
    assert parse_location("Patient.name[0].given[1]") == ("name", 0, "given", 1)
    text = '{"resourceType": "Patient",\n "name": [{"given": ["a"]}]}'
    from dermfhir.validation.outcome import Issue

    (located,) = locate(text, [Issue("error", "x", "m", "Patient.name[0].family")])
    assert (located.line, located.column) == (2, 11)  # the name object: `family` is absent


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.binary(max_size=200), st.text(alphabet='{}[]":,0123456789.-eE truefalsn\\\n', max_size=120)))
def test_no_text_makes_validation_raise(validator: Validator, data: bytes | str) -> None:
    result = validate_text(validator, data, "fuzz.json")
    value, problems = load(data)
    if problems and problems[0].severity == "fatal":
        assert result.errors >= 1 and result.issues[0].severity == "fatal"
    elif not isinstance(value, dict):
        assert result.errors >= 1  # JSON, but not a resource


def test_json_that_is_not_an_object_is_an_error(validator: Validator) -> None:
    for text in ("null", "[]", '"Patient"', "3"):
        assert validate_text(validator, text, "x.json").errors >= 1, text
