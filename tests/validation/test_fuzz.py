"""Robustness: the validator never raises, always answers with an OperationOutcome, flags what must be invalid and
bounds its work.

Inputs are the guide's example instances and a few core-shaped resources, mutated at random (deleted, duplicated or
retyped values, nulls, empty strings/objects/arrays, huge strings and numbers, NaN-like strings, unicode, deep
nesting, arrays and objects swapped, random keys, `resourceType` changes, contained and Bundle wrapping), and fully
random JSON values. The runs are derandomized, so a failure is reproducible and never flaky.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dermfhir.definitions import PackageNotFoundError, guide_package
from dermfhir.validation import Validator

SEVERITIES = frozenset({"fatal", "error", "warning", "information"})
FUZZ = settings(
    max_examples=500,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FEW = settings(FUZZ, max_examples=150)

GUIDE = guide_package()
EXAMPLES: dict[str, dict] = {
    f"{r['resourceType']}/{r['id']}": r
    for r in GUIDE.resources()
    if r["resourceType"]
    in ("Observation", "BodyStructure", "DocumentReference", "Device", "Patient", "Practitioner", "Provenance", "Task")
}

CORE_SHAPED: dict[str, dict] = {
    "Patient/core": {
        "resourceType": "Patient",
        "id": "p1",
        "meta": {"versionId": "2", "lastUpdated": "2024-01-02T03:04:05Z"},
        "identifier": [{"system": "urn:oid:1.2.3.4", "value": "MRN-1"}],
        "active": True,
        "name": [{"use": "official", "family": "Doe", "given": ["Jane", "Q"], "_given": [None, {"id": "g2"}]}],
        "telecom": [{"system": "phone", "value": "+1 555 0100", "use": "home"}],
        "gender": "female",
        "birthDate": "1970-01-31",
        "_birthDate": {
            "extension": [
                {
                    "url": "http://hl7.org/fhir/StructureDefinition/patient-birthTime",
                    "valueDateTime": "1970-01-31T10:00:00Z",
                }
            ]
        },
        "multipleBirthInteger": 2,
        "contact": [
            {
                "relationship": [
                    {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0131", "code": "C"}]}
                ],
                "name": {"text": "John Doe"},
            }
        ],
    },
    "Observation/contained": {
        "resourceType": "Observation",
        "id": "o1",
        "contained": [{"resourceType": "Patient", "id": "pat", "active": True}],
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}], "text": "Heart rate"},
        "subject": {"reference": "#pat"},
        "effectiveDateTime": "2024-05-06T07:08:09+02:00",
        "valueQuantity": {"value": 72.5, "unit": "beats/min", "system": "http://unitsofmeasure.org", "code": "/min"},
        "component": [
            {"code": {"text": "a"}, "valueInteger": 3},
            {"code": {"text": "b"}, "valueBoolean": False},
            {"code": {"text": "c"}, "valueString": "x"},
        ],
    },
    "Bundle/transaction": {
        "resourceType": "Bundle",
        "id": "b1",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": "urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a",
                "resource": {"resourceType": "Patient", "active": True},
                "request": {"method": "POST", "url": "Patient"},
            },
            {
                "fullUrl": "urn:uuid:88f151c0-a954-468a-88bd-5ae15c08e059",
                "resource": {
                    "resourceType": "Observation",
                    "status": "final",
                    "code": {"text": "t"},
                    "subject": {"reference": "urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a"},
                },
                "request": {"method": "POST", "url": "Observation"},
            },
        ],
    },
}
SEEDS: dict[str, dict] = {**EXAMPLES, **CORE_SHAPED}


@pytest.fixture(scope="module")
def validator() -> Validator:
    try:
        return Validator()
    except PackageNotFoundError as error:
        pytest.skip(f"R4 core package not installed: {error}")


# the outcome's shape -------------------------------------------------------------------------------------------------
def check_outcome(outcome: Any) -> list[dict]:
    """Assert the OperationOutcome shape; fail on an internal error; return its issues."""
    assert isinstance(outcome, dict)
    assert outcome.get("resourceType") == "OperationOutcome"
    issues = outcome.get("issue")
    assert isinstance(issues, list) and issues
    for issue in issues:
        assert issue["severity"] in SEVERITIES, issue
        assert isinstance(issue["code"], str) and issue["code"], issue
        assert isinstance(issue["details"]["text"], str) and issue["details"]["text"], issue
        expression = issue.get("expression", [])
        assert isinstance(expression, list) and all(isinstance(e, str) and e for e in expression), issue
        internal = issue["code"] == "exception" or issue["details"]["text"].startswith("Internal error")
        assert not internal, f"internal error of the validator: {issue['details']['text']}"
    return issues


def validate(validator: Validator, resource: Any) -> list[dict]:
    return check_outcome(validator.validate(resource))


def is_error(issue: dict) -> bool:
    return issue["severity"] in ("error", "fatal")


def fatal(issues: list[dict]) -> list[dict]:
    return [issue for issue in issues if issue["severity"] == "fatal"]


# JSON plumbing -------------------------------------------------------------------------------------------------------
Path = tuple[str | int, ...]


def paths(value: Any, prefix: Path = ()) -> list[Path]:
    """Every location below the root (object members and array items)."""
    found: list[Path] = []
    if isinstance(value, dict):
        for key, item in value.items():
            found.append((*prefix, key))
            found.extend(paths(item, (*prefix, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.append((*prefix, index))
            found.extend(paths(item, (*prefix, index)))
    return found


def get(value: Any, path: Path) -> Any:
    for step in path:
        value = value[step]
    return value


def put(root: Any, path: Path, new: Any) -> None:
    get(root, path[:-1])[path[-1]] = new


def delete(root: Any, path: Path) -> None:
    parent = get(root, path[:-1])
    if isinstance(parent, dict):
        parent.pop(path[-1])
    else:
        parent.pop(path[-1])


def nested(depth: int, leaf: Any = "x") -> Any:
    value = leaf
    for level in range(depth):
        value = [value] if level % 2 else {"a": value}
    return value


def is_property(root: Any, path: Path) -> bool:
    """Whether `path` names a property of the resource (not a `_name` primitive-extension sibling or its items)."""
    return not any(isinstance(step, str) and step.startswith("_") for step in path)


# values --------------------------------------------------------------------------------------------------------------
HUGE_STRING = "A" * 200_000
ODD_STRINGS = ["NaN", "-Infinity", "1e999", "0x1F", "null", "true", " padded ", "\u0000", "\ud7ff", "😀👍🏽", "\u202e"]
ODD_NUMBERS = [0, -1, 2**31, -(2**31) - 1, 2**63, 10**30, 10**400, 1e308, -1e-308, 0.1, 3.5, math.nan, math.inf, True]

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(ODD_STRINGS),
    st.sampled_from(ODD_NUMBERS),
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=25,
)
property_names = st.one_of(
    st.sampled_from(
        [
            "resourceType",
            "id",
            "meta",
            "extension",
            "modifierExtension",
            "contained",
            "text",
            "status",
            "code",
            "value",
            "valueQuantity",
            "valueString",
            "valueFoo",
            "component",
            "subject",
            "reference",
            "url",
            "system",
            "coding",
            "_status",
            "_id",
            "fhir_comments",
            "",
            "@",
            "ñ",
            "entry",
            "resource",
            "fullUrl",
        ]
    ),
    st.text(max_size=10),
)
resource_types = st.one_of(
    st.sampled_from(
        [
            "Patient",
            "Observation",
            "Bundle",
            "Resource",
            "DomainResource",
            "Element",
            "Extension",
            "Quantity",
            "OperationOutcome",
            "Parameters",
            "patient",
            "",
            " Patient",
            "StructureDefinition",
            "Questionnaire",
        ]
    ),
    st.text(max_size=12),
)


# mutations -----------------------------------------------------------------------------------------------------------
def mutate(data: st.DataObject, resource: dict) -> tuple[str, dict]:
    """One random mutation; returns its name and the mutated copy."""
    result = copy.deepcopy(resource)
    locations = paths(result)
    path = data.draw(st.sampled_from(locations), label="path")
    current = get(result, path)
    kind = data.draw(
        st.sampled_from(
            [
                "delete",
                "duplicate",
                "wrap-array",
                "unwrap-array",
                "object-to-array",
                "array-to-object",
                "to-string",
                "to-number",
                "to-bool",
                "random-value",
                "huge-string",
                "odd-string",
                "odd-number",
                "unicode",
                "deep",
                "huge-int",
                "random-key",
                "resource-type",
                "rename",
                "null",
                "empty-string",
                "empty-object",
                "empty-array",
            ]
        ),
        label="kind",
    )
    if kind == "delete":
        delete(result, path)
    elif kind == "duplicate":
        parent = get(result, path[:-1])
        if isinstance(parent, list):
            parent.insert(int(path[-1]), copy.deepcopy(current))
        else:
            parent[str(path[-1]) + "Copy"] = copy.deepcopy(current)
    elif kind == "wrap-array":
        put(result, path, [current])
    elif kind == "unwrap-array":
        put(result, path, current[0] if isinstance(current, list) and current else current)
    elif kind == "object-to-array":
        put(result, path, list(current.values()) if isinstance(current, dict) else [current, current])
    elif kind == "array-to-object":
        swapped = {str(i): item for i, item in enumerate(current)} if isinstance(current, list) else {"0": current}
        put(result, path, swapped)
    elif kind == "to-string":
        put(result, path, str(current)[:1000] if not isinstance(current, int) or abs(current) < 10**100 else "1e5000")
    elif kind == "to-number":
        put(result, path, data.draw(st.sampled_from([0, 1, -7, 2.5, 1e20])))
    elif kind == "to-bool":
        put(result, path, data.draw(st.booleans()))
    elif kind == "random-value":
        put(result, path, data.draw(json_values, label="value"))
    elif kind == "huge-string":
        put(result, path, HUGE_STRING)
    elif kind == "odd-string":
        put(result, path, data.draw(st.sampled_from(ODD_STRINGS)))
    elif kind == "odd-number":
        put(result, path, data.draw(st.sampled_from(ODD_NUMBERS)))
    elif kind == "huge-int":
        put(result, path, -(10**5000) if data.draw(st.booleans(), label="negative") else 10**5000)
    elif kind == "unicode":
        put(result, path, data.draw(st.text(min_size=1, max_size=20), label="text"))
    elif kind == "deep":
        put(result, path, nested(data.draw(st.integers(10, 400), label="depth"), current))
    elif kind == "random-key":
        target = current if isinstance(current, dict) else result
        target[data.draw(property_names, label="key")] = data.draw(json_values, label="value")
    elif kind == "resource-type":
        target = current if isinstance(current, dict) else result
        target["resourceType"] = data.draw(resource_types, label="type")
    elif kind == "rename":
        parent = get(result, path[:-1])
        if isinstance(parent, dict):
            parent[data.draw(property_names, label="key")] = parent.pop(path[-1])
    elif kind == "null":
        put(result, path, None)
    elif kind == "empty-string":
        put(result, path, "")
    elif kind == "empty-object":
        put(result, path, {})
    elif kind == "empty-array":
        put(result, path, [])
    return kind, result


# tests ---------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(SEEDS))
def test_seeds_are_accepted(validator: Validator, name: str) -> None:
    """The unmutated seeds validate without errors, so that the 'must be invalid' checks below mean something."""
    issues = validate(validator, copy.deepcopy(SEEDS[name]))
    assert not [issue for issue in issues if is_error(issue)], issues


@FUZZ
@given(data=st.data(), name=st.sampled_from(sorted(SEEDS)))
def test_mutated_resources_never_crash(validator: Validator, data: st.DataObject, name: str) -> None:
    resource = SEEDS[name]
    _, mutated = mutate(data, resource)
    for _ in range(data.draw(st.integers(0, 2), label="more")):
        _, mutated = mutate(data, mutated)
    validate(validator, mutated)


@FUZZ
@given(data=st.data(), name=st.sampled_from(sorted(SEEDS)))
def test_nulls_and_empty_values_are_errors(validator: Validator, data: st.DataObject, name: str) -> None:
    """A null, an empty string, an empty object or an empty array is never valid FHIR JSON, wherever it is put."""
    resource = copy.deepcopy(SEEDS[name])
    locations = [p for p in paths(resource) if is_property(resource, p)]
    path = data.draw(st.sampled_from(locations), label="path")
    if isinstance(path[-1], int) and path[-2:-1] and isinstance(path[-2], str):
        # a null array item is allowed when its `_name` partner carries an extension: remove the partner
        parent = get(resource, path[:-2])
        if isinstance(parent, dict):
            parent.pop("_" + path[-2], None)
    empty = data.draw(st.sampled_from([None, "", {}, []]), label="empty")
    put(resource, path, empty)
    issues = validate(validator, resource)
    assert [issue for issue in issues if is_error(issue)], (path, empty)


@FEW
@given(value=json_values)
def test_random_json_never_crashes(validator: Validator, value: Any) -> None:
    issues = validate(validator, value)
    assert [issue for issue in issues if is_error(issue)]  # nothing random is a resource


@FEW
@given(
    resource_type=resource_types,
    body=st.dictionaries(property_names, json_values, max_size=8),
)
def test_random_resources_never_crash(validator: Validator, resource_type: str, body: dict) -> None:
    validate(validator, {**body, "resourceType": resource_type})


@FEW
@given(data=st.data(), name=st.sampled_from(sorted(SEEDS)))
def test_wrapped_in_bundle_or_contained(validator: Validator, data: st.DataObject, name: str) -> None:
    _, mutated = mutate(data, SEEDS[name])
    bundle = {
        "resourceType": "Bundle",
        "type": data.draw(st.sampled_from(["collection", "transaction", "searchset", "document", "batch"])),
        "entry": [
            {"fullUrl": "urn:uuid:0f6c1e7a-3b55-4d4b-9d4e-1d7a6d8e1a01", "resource": mutated},
            {"fullUrl": "urn:uuid:0f6c1e7a-3b55-4d4b-9d4e-1d7a6d8e1a02", "resource": copy.deepcopy(SEEDS[name])},
        ],
    }
    validate(validator, bundle)
    container = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"text": "x"},
        "contained": [mutated],
        "subject": {"reference": "#" + str(mutated.get("id", "x"))},
    }
    validate(validator, container)


# bounded work --------------------------------------------------------------------------------------------------------
def _deep_extension(depth: int) -> dict:
    extension: dict = {"url": "http://example.org/leaf", "valueString": "x"}
    for _ in range(depth):
        extension = {"url": "http://example.org/nest", "extension": [extension]}
    return extension


DEEP: dict[str, Callable[[int], dict]] = {
    "extensions": lambda depth: {"resourceType": "Patient", "extension": [_deep_extension(depth)]},
    "unknown-property": lambda depth: {"resourceType": "Patient", "foo": nested(depth)},
    "contained": lambda depth: {
        "resourceType": "Observation",
        "status": "final",
        "code": {"text": "x"},
        "contained": [{"resourceType": "Patient", "id": "p", "extension": [_deep_extension(depth)]}],
        "subject": {"reference": "#p"},
    },
    "bundle": lambda depth: {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "fullUrl": "http://example.org/Patient/1",
                "resource": {"resourceType": "Patient", "id": "1", "extension": [_deep_extension(depth)]},
            }
        ],
    },
}


@pytest.mark.parametrize("shape", sorted(DEEP))
@pytest.mark.parametrize("depth", [200, 1_000, 100_000])
def test_nesting_deeper_than_max_depth_is_one_fatal_issue(validator: Validator, shape: str, depth: int) -> None:
    issues = validate(validator, DEEP[shape](depth))
    assert len(fatal(issues)) == 1, fatal(issues)
    assert "deep" in fatal(issues)[0]["details"]["text"]


def test_nesting_within_max_depth_is_not_fatal(validator: Validator) -> None:
    issues = validate(validator, DEEP["extensions"](10))
    assert not fatal(issues)


def test_max_depth_is_an_option(validator: Validator) -> None:
    shallow = validator.with_options(max_depth=4)
    issues = check_outcome(shallow.validate(DEEP["extensions"](10)))
    assert len(fatal(issues)) == 1


def test_oversized_input_is_one_fatal_issue(validator: Validator) -> None:
    small = validator.with_options(max_size=10_000)
    resource = {"resourceType": "Patient", "name": [{"family": "x" * 100} for _ in range(200)]}
    issues = check_outcome(small.validate(resource))
    assert len(issues) == 1 and issues[0]["severity"] == "fatal", issues
    assert "large" in issues[0]["details"]["text"]
    assert not fatal(validate(validator, resource))


def test_many_issues_are_capped(validator: Validator) -> None:
    capped = validator.with_options(max_issues=50)
    resource = {"resourceType": "Patient", **{f"unknown{i}": i for i in range(500)}}
    issues = check_outcome(capped.validate(resource))
    assert len(issues) <= 51


@pytest.mark.parametrize(
    "value",
    [
        None,
        0,
        "Patient",
        [],
        [{"resourceType": "Patient"}],
        {"resourceType": None},
        {"resourceType": ["Patient"]},
        {"resourceType": {}},
        {1: 2},
        {"resourceType": "Patient", 3: "x"},
        {"resourceType": "Patient", "id": 10**5000},
    ],
    ids=lambda value: type(value).__name__,
)
def test_not_a_resource(validator: Validator, value: Any) -> None:
    issues = validate(validator, value)
    assert [issue for issue in issues if is_error(issue)]
