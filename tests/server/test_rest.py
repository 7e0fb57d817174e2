"""FHIR REST interactions over HTTP: create, read, vread, update, delete, history, conditional forms, headers."""

from __future__ import annotations

from tests.server.conftest import FHIR
from tests.server.resources import observation, patient


def test_create_read_vread_update_delete(client) -> None:
    created = client.post("/Patient", json=patient(id="ignored"), headers=FHIR)
    assert created.status_code == 201
    body = created.json()
    pid = body["id"]
    assert pid != "ignored"
    assert created.headers["location"].endswith(f"/Patient/{pid}/_history/1")
    assert created.headers["etag"] == 'W/"1"'
    assert created.headers["content-type"].startswith("application/fhir+json")

    read = client.get(f"/Patient/{pid}")
    assert read.status_code == 200 and read.json()["name"][0]["family"] == "Chalmers"
    assert "last-modified" in read.headers

    changed = {**read.json(), "gender": "female"}
    updated = client.put(f"/Patient/{pid}", json=changed, headers=FHIR)
    assert updated.status_code == 200 and updated.json()["meta"]["versionId"] == "2"

    assert client.get(f"/Patient/{pid}/_history/1").json()["gender"] == "male"
    assert client.get(f"/Patient/{pid}/_history/2").json()["gender"] == "female"
    assert client.get(f"/Patient/{pid}/_history/9").status_code == 404

    deleted = client.delete(f"/Patient/{pid}")
    assert deleted.status_code == 200 and deleted.json()["resourceType"] == "OperationOutcome"
    gone = client.get(f"/Patient/{pid}")
    assert gone.status_code == 410 and gone.json()["issue"][0]["code"] == "deleted"
    assert client.delete(f"/Patient/{pid}").status_code == 200  # deleting again is fine
    history = client.get(f"/Patient/{pid}/_history").json()
    assert history["type"] == "history" and history["total"] == 3
    assert [e["request"]["method"] for e in history["entry"]] == ["DELETE", "PUT", "POST"]
    assert "resource" not in history["entry"][0]


def test_unknown_resources(client) -> None:
    assert client.get("/Patient/nope").status_code == 404
    assert client.delete("/Patient/nope").status_code == 404
    response = client.get("/Unicorn/1")
    assert response.status_code == 404 and response.json()["resourceType"] == "OperationOutcome"


def test_update_creates_and_if_match(client) -> None:
    created = client.put("/Patient/p-1", json=patient(id="p-1"), headers=FHIR)
    assert created.status_code == 201 and created.json()["id"] == "p-1"
    stale = client.put("/Patient/p-1", json=patient(id="p-1"), headers={**FHIR, "If-Match": 'W/"7"'})
    assert stale.status_code == 412 and stale.json()["resourceType"] == "OperationOutcome"
    fresh = client.put("/Patient/p-1", json=patient(id="p-1"), headers={**FHIR, "If-Match": 'W/"1"'})
    assert fresh.status_code == 200 and fresh.headers["etag"] == 'W/"2"'
    assert client.delete("/Patient/p-1", headers={"If-Match": 'W/"1"'}).status_code == 412


def test_update_checks_id(client) -> None:
    assert client.put("/Patient/a", json=patient(id="b"), headers=FHIR).status_code == 400
    assert client.put("/Patient/a", json=patient(), headers=FHIR).status_code == 400
    assert client.put("/Patient/a", json=observation("Patient/a") | {"id": "a"}, headers=FHIR).status_code == 400


def test_prefer_return(client) -> None:
    minimal = client.post("/Patient", json=patient(), headers={**FHIR, "Prefer": "return=minimal"})
    assert minimal.status_code == 201 and minimal.content == b"" and "location" in minimal.headers
    outcome = client.post("/Patient", json=patient(), headers={**FHIR, "Prefer": "return=OperationOutcome"})
    assert outcome.json()["resourceType"] == "OperationOutcome"


def test_conditional_create(client) -> None:
    mrn = {"identifier": [{"system": "urn:mrn", "value": "42"}]}
    headers = {**FHIR, "If-None-Exist": "identifier=urn:mrn|42"}
    first = client.post("/Patient", json=patient(**mrn), headers=headers)
    second = client.post("/Patient", json=patient(**mrn), headers=headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    client.post("/Patient", json=patient(**mrn), headers=FHIR)
    assert client.post("/Patient", json=patient(**mrn), headers=headers).status_code == 412


def test_conditional_update_and_delete(client) -> None:
    mrn = {"identifier": [{"system": "urn:mrn", "value": "7"}]}
    created = client.put("/Patient?identifier=urn:mrn|7", json=patient(**mrn), headers=FHIR)
    assert created.status_code == 201
    pid = created.json()["id"]
    updated = client.put("/Patient?identifier=urn:mrn|7", json=patient("Other", **mrn), headers=FHIR)
    assert updated.status_code == 200 and updated.json()["id"] == pid
    assert client.delete("/Patient?identifier=urn:mrn|7").status_code == 200
    assert client.get(f"/Patient/{pid}").status_code == 410
    assert client.delete("/Patient?identifier=urn:mrn|7").status_code == 200  # nothing left to delete


def test_conditional_read(client) -> None:
    pid = client.post("/Patient", json=patient(), headers=FHIR).json()["id"]
    assert client.get(f"/Patient/{pid}", headers={"If-None-Match": 'W/"1"'}).status_code == 304
    assert client.get(f"/Patient/{pid}", headers={"If-None-Match": 'W/"2"'}).status_code == 200


def test_summary_elements_format_pretty(client) -> None:
    pid = client.post("/Patient", json=patient(), headers=FHIR).json()["id"]
    elements = client.get(f"/Patient/{pid}?_elements=gender").json()
    assert "gender" in elements and "name" not in elements
    assert elements["meta"]["tag"][0]["code"] == "SUBSETTED"
    assert client.get(f"/Patient/{pid}?_format=json").status_code == 200
    assert client.get(f"/Patient/{pid}?_format=application/fhir+json").status_code == 200
    xml = client.get(f"/Patient/{pid}?_format=xml")
    assert xml.status_code == 406 and xml.json()["resourceType"] == "OperationOutcome"
    assert client.get(f"/Patient/{pid}", headers={"Accept": "application/fhir+xml"}).status_code == 406
    assert b"\n  " in client.get(f"/Patient/{pid}?_pretty=true").content


def test_history_type_and_system(client) -> None:
    for family in ("A", "B", "C"):
        client.post("/Patient", json=patient(family), headers=FHIR)
    page = client.get("/Patient/_history?_count=2").json()
    assert page["total"] == 3 and len(page["entry"]) == 2
    assert any(link["relation"] == "next" for link in page["link"])
    system = client.get("/_history").json()
    assert system["total"] >= 3  # AuditEvents are history too


def test_method_not_allowed(client) -> None:
    assert client.patch("/metadata", json={}).status_code == 405
    assert client.post("/Patient/x", json=patient(), headers=FHIR).status_code == 405
