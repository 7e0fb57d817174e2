"""Hostile input: every bad request is a 4xx with an OperationOutcome, never a 500."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.server.conftest import FHIR
from tests.server.resources import patient

HOSTILE_VALUES = [
    "' OR 1=1 --",
    "x'); DROP TABLE resource; --",
    '" UNION SELECT * FROM resource_version --',
    "Observation.where(true).select(%resource)",
    "descendants().repeat(descendants())",
    "9" * 400,
    "1e999999",
    "-0.0e-99999",
    "gt99999-99-99",
    "2024-02-30",
    "lt0000-00-00T25:61:61Z",
    "%00",
    "\x00",
    "ge" + "9" * 50 + "||mm",
    "😀" * 50,
    "a|b|c|d",
    "Patient/../../etc/passwd",
    "$$$",
    "\\,\\,\\",
]
PARAMETERS = [
    "family",
    "birthdate",
    "identifier",
    "_id",
    "general-practitioner",
    "_lastUpdated",
    "_count",
    "_sort",
    "_include",
    "_has:Observation:subject:code",
    "organization.name",
    "_offset",
    "_elements",
]


def assert_outcome(response, allowed=range(400, 500)) -> None:
    assert response.status_code in allowed, (response.status_code, response.text[:300])
    if response.status_code >= 400:
        assert response.json()["resourceType"] == "OperationOutcome"


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_hostile_search_values(client, value: str) -> None:
    for name in PARAMETERS:
        response = client.get("/Patient", params={name: value})
        assert_outcome(response, allowed=(200, *range(400, 500)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.sampled_from([*PARAMETERS, "date", "value-quantity", "code", "subject:Patient.name"]),
    value=st.text(max_size=60),
)
def test_fuzzed_search_values(client, name: str, value: str) -> None:
    response = client.get("/Observation", params={name: value})
    assert_outcome(response, allowed=(200, *range(400, 500)))


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{",
        b"[]",
        b"null",
        b'"Patient"',
        b'{"resourceType": 5}',
        b'{"resourceType": "Patient", "active": [1]}',
        b"\xff\xfe\x00",
        b"[" * 5000 + b"]" * 5000,
        b'{"a":' * 3000 + b"1" + b"}" * 3000,
        b'{"resourceType":"Patient","birthDate":"2024-13-45"}',
        b'{"resourceType":"Patient","gender":{"$gt":""}}',
    ],
)
def test_malformed_bodies(client, body: bytes) -> None:
    assert_outcome(client.post("/Patient", content=body, headers=FHIR))
    assert_outcome(client.put("/Patient/x", content=body, headers=FHIR))
    assert_outcome(client.post("/", content=body, headers=FHIR))


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "text/plain",
        "application/xml",
        "application/fhir+xml",
        "multipart/form-data",
        "application/x-www-form-urlencoded",
    ],
)
def test_wrong_content_types(client, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post("/Patient", content=b'{"resourceType":"Patient"}', headers=headers)
    assert response.status_code == 415 and response.json()["resourceType"] == "OperationOutcome"


@pytest.mark.parametrize(
    "path",
    [
        "/Unicorn",
        "/Unicorn/1",
        "/patient/1",
        "/Patient/" + "x" * 200,
        "/Patient/a b",
        "/Patient/1/_history/abc",
        "/Patient/1/_history/99999999999999999999",
        "/Patient/1/2/3/4/5",
        "/%00",
        "/Patient/$nope",
        "/$",
    ],
)
def test_bad_paths(client, path: str) -> None:
    assert_outcome(client.get(path))


def test_oversized_body_is_413(make_client) -> None:
    client = make_client(max_body_bytes=10_000)
    response = client.post("/", content=b" " * 20_000, headers=FHIR)
    assert response.status_code == 413 and response.json()["resourceType"] == "OperationOutcome"


def test_hostile_resource_content(client) -> None:
    sneaky = patient(id="'; DROP TABLE resource; --")
    assert_outcome(client.put("/Patient/x", json=sneaky, headers=FHIR))
    stored = client.post("/Patient", json=patient("'); DROP TABLE resource; --"), headers=FHIR)
    assert stored.status_code == 201
    assert client.get("/Patient", params={"family": "'); DROP TABLE"}).json()["total"] == 1
