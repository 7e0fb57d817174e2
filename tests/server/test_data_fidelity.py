"""Data comes back as it was sent: decimals with their exact digits, dates up to 9999-12-31, NUL and any valid
Unicode, on both backends; nesting and parameter limits answer 400 rather than failing."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from tests.server.conftest import FHIR

DECIMALS = ["1.10", "1E+2", "0.000", "1.0e-3", "123456789012345678901234567890", "0.12345678901234567890123", "100"]


def _observation(value: str) -> bytes:
    text = (
        '{"resourceType":"Observation","status":"final","code":{"text":"x"},'
        f'"valueQuantity":{{"value":{value},"unit":"mm","system":"http://unitsofmeasure.org","code":"mm"}}}}'
    )
    return text.encode()


@pytest.mark.parametrize("value", DECIMALS)
def test_decimals_keep_their_digits(client, value: str) -> None:
    created = client.post("/Observation", content=_observation(value), headers=FHIR)
    assert created.status_code == 201, created.text
    assert f'"value":{value},' in created.text
    read = client.get(f"/Observation/{created.json()['id']}")
    assert f'"value":{value},' in read.text
    found = client.get(f"/Observation?_id={created.json()['id']}")
    assert f'"value":{value},' in found.text
    history = client.get(f"/Observation/{created.json()['id']}/_history")
    assert f'"value":{value},' in history.text


def test_decimal_searches_by_value(client) -> None:
    created = client.post("/Observation", content=_observation("1.10"), headers=FHIR).json()
    assert client.get(f"/Observation?_id={created['id']}&value-quantity=1.1").json()["total"] == 1
    assert client.get(f"/Observation?_id={created['id']}&value-quantity=gt2").json()["total"] == 0


@pytest.mark.parametrize(
    "value",
    [
        "9999-12-31",
        "9999-12-31T23:59:59Z",
        "9999-12-31T23:59:59.999+14:00",
        "9999",
        "9999-12",
        "0001-01-01",
        "0001-01-01T00:00:00-12:00",
        "2024-02-29T10:00:00.123456789Z",
    ],
)
def test_dates_round_trip_and_search(client, value: str) -> None:
    body = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"text": "x"},
        "effectiveDateTime": value,
        "component": [{"code": {"text": "period"}, "valuePeriod": {"start": "0001-01-01", "end": value}}],
    }
    created = client.post("/Observation", json=body, headers=FHIR)
    assert created.status_code == 201, created.text
    resource_id = created.json()["id"]
    read = client.get(f"/Observation/{resource_id}").json()
    assert read["effectiveDateTime"] == value and read["component"] == body["component"]
    found = client.get(f"/Observation?_id={resource_id}&date=ap{quote(value)}")
    assert found.status_code == 200 and found.json()["total"] == 1, found.text
    assert client.get(f"/Observation?_id={resource_id}&date=gt9999-12-31").json()["total"] == 0


@pytest.mark.parametrize("text", ["a\x00b", "\x00", "\ud7ff\ue000\U0010ffff", "z\u0301\u200d🙂", "\x01\x1f\x7f"])
def test_any_valid_unicode_is_stored(client, text: str) -> None:
    body = {"resourceType": "Patient", "name": [{"family": text, "given": [text]}], "identifier": [{"value": text}]}
    content = json.dumps(body, ensure_ascii=True).encode()
    created = client.post("/Patient", content=content, headers=FHIR)
    assert created.status_code in (201, 422), created.text
    if created.status_code == 201:
        read = client.get(f"/Patient/{created.json()['id']}").json()
        assert read["name"][0]["family"] == text


def test_nul_in_a_search_is_a_400(client) -> None:
    assert client.get("/Patient?name=a%00b").status_code == 400


@pytest.mark.parametrize("depth", [120, 300, 1000, 5000])
def test_deep_nesting_is_a_400(client, depth: int) -> None:
    inner = '{"url":"http://x","extension":[' * depth + '{"url":"http://y","valueString":"z"}' + "]}" * depth
    content = ('{"resourceType":"Patient","extension":[' + inner + "]}").encode()
    answer = client.post("/Patient", content=content, headers=FHIR)
    assert answer.status_code == 400, answer.text[:300]
    assert answer.json()["resourceType"] == "OperationOutcome"


@pytest.mark.parametrize(
    "query",
    [
        "&".join(["name=a"] * 500),
        "&".join(f"name{i}=a" for i in range(200)),
        "subject:Patient.link:Patient.link:Patient.link:Patient.link:Patient.link:Patient.name=x",
        "_has:Observation:subject:_has:Observation:subject:_has:Observation:subject:_has:Observation:subject:code=x",
        "_count=%C2%B2",
        "_count=99999999999",
    ],
)
def test_costly_searches_are_refused_with_400(client, query: str) -> None:
    answer = client.get(f"/Observation?{query}" if "subject:" in query else f"/Patient?{query}")
    assert answer.status_code == 400, answer.text[:300]
    assert answer.json()["resourceType"] == "OperationOutcome"
