"""The patch interaction (https://hl7.org/fhir/R4/http.html#patch) over HTTP, on SQLite and PostgreSQL: JSON Patch and
FHIRPath Patch (https://hl7.org/fhir/R4/fhirpatch.html), conditional patch, If-Match, validation of the result, the
review workflow's rules, audit, and PATCH entries in transactions and batches."""

from __future__ import annotations

import base64
import json

from tests.review.case import NEVUS, base_resources, prediction
from tests.server.conftest import FHIR
from tests.server.test_review_workflow import rule_of
from tests.server.test_security import ADMIN, PATIENT_APP, secured, tokens_file  # noqa: F401 (fixtures)

JSON_PATCH = {"Content-Type": "application/json-patch+json"}


def _put(client, resource: dict) -> dict:
    response = client.put(f"/{resource['resourceType']}/{resource['id']}", json=resource, headers=FHIR)
    assert response.status_code in (200, 201), response.text
    return response.json()


def _json_patch(client, url: str, operations: list, **headers: str):
    return client.patch(url, content=json.dumps(operations), headers={**JSON_PATCH, **headers})


def operation(kind: str, path: str, **parts: object) -> dict:
    """One FHIRPath Patch operation parameter; `parts` values are (value[x] name, value) or a list of parts."""
    found = [{"name": "type", "valueCode": kind}, {"name": "path", "valueString": path}]
    for name, value in parts.items():
        if name in ("index", "source", "destination"):
            found.append({"name": name, "valueInteger": value})
        elif name == "name":
            found.append({"name": "name", "valueString": value})
        elif isinstance(value, list):
            found.append({"name": "value", "part": value})
        else:
            key, item = value  # type: ignore[misc]
            found.append({"name": "value", key: item})
    return {"name": "operation", "part": found}


def fhirpath_patch(*operations: dict) -> dict:
    return {"resourceType": "Parameters", "parameter": list(operations)}


def _patient(**extra: object) -> dict:
    return {"resourceType": "Patient", "id": "p1", "name": [{"family": "Alpha", "given": ["Ann", "Bea"]}], **extra}


def test_json_patch_makes_a_new_version(client) -> None:
    _put(client, _patient())
    response = _json_patch(
        client,
        "/Patient/p1",
        [
            {"op": "test", "path": "/name/0/family", "value": "Alpha"},
            {"op": "add", "path": "/birthDate", "value": "1990-05-01"},
            {"op": "remove", "path": "/name/0/given/1"},
            {"op": "add", "path": "/identifier", "value": [{"system": "urn:x", "value": "1"}]},
        ],
    )
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == 'W/"2"'
    stored = client.get("/Patient/p1").json()
    assert stored["birthDate"] == "1990-05-01" and stored["name"] == [{"family": "Alpha", "given": ["Ann"]}]
    assert stored["identifier"] == [{"system": "urn:x", "value": "1"}]
    assert stored["meta"]["versionId"] == "2"
    assert client.get("/Patient/p1/_history/1").json()["name"][0]["given"] == ["Ann", "Bea"]
    failed = _json_patch(client, "/Patient/p1", [{"op": "test", "path": "/birthDate", "value": "2000-01-01"}])
    assert failed.status_code == 422 and failed.json()["resourceType"] == "OperationOutcome"
    assert client.get("/Patient/p1").json()["meta"]["versionId"] == "2"


def test_if_match(client) -> None:
    _put(client, _patient())
    change = [{"op": "add", "path": "/active", "value": True}]
    assert _json_patch(client, "/Patient/p1", change, **{"If-Match": 'W/"7"'}).status_code == 412
    assert client.get("/Patient/p1").json()["meta"]["versionId"] == "1"
    assert _json_patch(client, "/Patient/p1", change, **{"If-Match": 'W/"1"'}).status_code == 200
    assert client.get("/Patient/p1").json()["active"] is True


def test_fhirpath_patch_operations(client) -> None:
    _put(client, _patient(identifier=[{"value": "a"}, {"value": "b"}, {"value": "c"}], gender="male"))
    patch = fhirpath_patch(
        operation("add", "Patient", name="birthDate", value=("valueDate", "1930-01-01")),
        operation(
            "add",
            "Patient",
            name="contact",
            value=[
                {"name": "name", "part": [{"name": "text", "valueString": "Mum"}]},
                {
                    "name": "telecom",
                    "part": [{"name": "system", "valueCode": "phone"}, {"name": "value", "valueString": "1"}],
                },
            ],
        ),
        operation("insert", "Patient.name.given", index=0, value=("valueString", "Zoe")),
        operation("delete", "Patient.name.where(family = 'Alpha').given[2]"),
        operation("replace", "Patient.gender", value=("valueCode", "female")),
        operation("move", "Patient.identifier", source=2, destination=0),
        operation("delete", "Patient.deceased"),  # not there: nothing to delete
    )
    response = client.patch("/Patient/p1", json=patch, headers=FHIR)
    assert response.status_code == 200, response.text
    stored = client.get("/Patient/p1").json()
    stored.pop("meta")
    assert stored == {
        "resourceType": "Patient",
        "id": "p1",
        "name": [{"family": "Alpha", "given": ["Zoe", "Ann"]}],
        "identifier": [{"value": "c"}, {"value": "a"}, {"value": "b"}],
        "gender": "female",
        "birthDate": "1930-01-01",
        "contact": [{"name": {"text": "Mum"}, "telecom": [{"system": "phone", "value": "1"}]}],
    }


def test_fhirpath_patch_refusals(client) -> None:
    _put(client, _patient())
    cases = {
        "two elements": operation("replace", "Patient.name.given", value=("valueString", "x")),
        "no element": operation("replace", "Patient.birthDate", value=("valueDate", "2000-01-01")),
        "add an existing single element": operation("add", "Patient", name="gender", value=("valueCode", "male"))
        if False
        else operation("add", "Patient.name[0]", name="family", value=("valueString", "B")),
        "not an element": operation("add", "Patient", name="colour", value=("valueString", "red")),
        "index out of range": operation(
            "insert", "Patient.name", index=5, value=[{"name": "family", "valueString": "C"}]
        ),
        "move out of range": operation("move", "Patient.name.given", source=0, destination=9),
    }
    for why, item in cases.items():
        response = client.patch("/Patient/p1", json=fhirpath_patch(item), headers=FHIR)
        assert response.status_code == 422, f"{why}: {response.status_code} {response.text[:200]}"
    unsupported = operation("delete", "Patient.name.resolve()")
    assert client.patch("/Patient/p1", json=fhirpath_patch(unsupported), headers=FHIR).status_code == 400
    assert client.get("/Patient/p1").json()["meta"]["versionId"] == "1"


def test_a_patch_keeps_type_and_id_and_must_validate(client) -> None:
    _put(client, _patient())
    for change in (
        [{"op": "replace", "path": "/id", "value": "p2"}],
        [{"op": "remove", "path": "/id"}],
        [{"op": "replace", "path": "/resourceType", "value": "Practitioner"}],
        [{"op": "replace", "path": "", "value": {"resourceType": "Patient", "id": "p9"}}],
    ):
        response = _json_patch(client, "/Patient/p1", change)
        assert response.status_code == 422, f"{change}: {response.text[:200]}"
    invalid = _json_patch(client, "/Patient/p1", [{"op": "add", "path": "/gender", "value": "sometimes"}])
    assert invalid.status_code == 422 and invalid.json()["resourceType"] == "OperationOutcome"
    assert client.get("/Patient/p2").status_code == 404
    assert client.get("/Patient/p1").json()["meta"]["versionId"] == "1"


def test_formats_and_shapes(client) -> None:
    _put(client, _patient())
    change = json.dumps([{"op": "add", "path": "/active", "value": True}])
    assert client.patch("/Patient/p1", content=change, headers={"Content-Type": "text/plain"}).status_code == 415
    assert client.patch("/Patient/p1", content=change, headers=FHIR).status_code == 400  # not a Parameters
    assert client.patch("/Patient/p1", content=b"{", headers=JSON_PATCH).status_code == 400
    assert client.patch("/Patient/p1", content=b'{"op": "add"}', headers=JSON_PATCH).status_code == 400
    assert client.patch("/Patient/p1", content=b'[{"op": "jump", "path": "/a"}]', headers=JSON_PATCH).status_code == 400
    assert client.patch("/Patient/nope", content=change, headers=JSON_PATCH).status_code == 404
    assert client.delete("/Patient/p1").status_code in (200, 204)
    assert client.patch("/Patient/p1", content=change, headers=JSON_PATCH).status_code == 410


def test_conditional_patch(client) -> None:
    for number in (1, 2, 3):
        _put(
            client,
            {
                "resourceType": "Patient",
                "id": f"c{number}",
                "identifier": [{"system": "urn:c", "value": "x" if number < 3 else "y"}],
            },
        )
    change = [{"op": "add", "path": "/active", "value": True}]
    assert _json_patch(client, "/Patient?identifier=urn:c|x", change).status_code == 412
    assert _json_patch(client, "/Patient?identifier=urn:c|none", change).status_code == 404
    assert _json_patch(client, "/Patient", change).status_code == 400
    response = _json_patch(client, "/Patient?identifier=urn:c|y", change)
    assert response.status_code == 200 and response.json()["id"] == "c3"
    assert client.get("/Patient/c3").json()["active"] is True
    assert all("active" not in client.get(f"/Patient/c{n}").json() for n in (1, 2))


def _binary(operations: list) -> dict:
    data = base64.b64encode(json.dumps(operations).encode()).decode()
    return {"resourceType": "Binary", "contentType": "application/json-patch+json", "data": data}


def test_patch_in_transactions_and_batches(client) -> None:
    _put(client, _patient())
    _put(client, {"resourceType": "Patient", "id": "p2", "identifier": [{"system": "urn:c", "value": "z"}]})
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": "urn:uuid:6d2b4a3e-0000-4000-8000-000000000001",
                "resource": {"resourceType": "Organization", "name": "Clinic"},
                "request": {"method": "POST", "url": "Organization"},
            },
            {
                "resource": _binary(
                    [
                        {
                            "op": "add",
                            "path": "/managingOrganization",
                            "value": {"reference": "urn:uuid:6d2b4a3e-0000-4000-8000-000000000001"},
                        }
                    ]
                ),
                "request": {"method": "PATCH", "url": "Patient/p1", "ifMatch": 'W/"1"'},
            },
            {
                "resource": fhirpath_patch(operation("add", "Patient", name="active", value=("valueBoolean", True))),
                "request": {"method": "PATCH", "url": "Patient?identifier=urn:c|z"},
            },
        ],
    }
    response = client.post("/", json=bundle, headers=FHIR)
    assert response.status_code == 200, response.text
    entries = response.json()["entry"]
    organization = entries[0]["response"]["location"].split("/_history")[0]
    assert [entry["response"]["status"] for entry in entries] == ["201 Created", "200 OK", "200 OK"]
    assert client.get("/Patient/p1").json()["managingOrganization"] == {"reference": organization}
    assert client.get("/Patient/p2").json()["active"] is True
    # one failing PATCH entry undoes the whole transaction
    failing = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "resource": {"resourceType": "Organization", "name": "Other"},
                "request": {"method": "POST", "url": "Organization"},
            },
            {
                "resource": _binary([{"op": "remove", "path": "/birthDate"}]),
                "request": {"method": "PATCH", "url": "Patient/p1"},
            },
        ],
    }
    assert client.post("/", json=failing, headers=FHIR).status_code == 422
    assert client.get("/Organization?name=Other").json()["total"] == 0
    stale = {**bundle, "entry": bundle["entry"][1:2]}
    assert client.post("/", json=stale, headers=FHIR).status_code == 412  # ifMatch W/"1" is no longer current
    batch = {
        "resourceType": "Bundle",
        "type": "batch",
        "entry": [
            {
                "resource": _binary([{"op": "add", "path": "/gender", "value": "other"}]),
                "request": {"method": "PATCH", "url": "Patient/p1"},
            },
            {
                "resource": _binary([{"op": "add", "path": "/gender", "value": "other"}]),
                "request": {"method": "PATCH", "url": "Patient/none"},
            },
            {
                "resource": {"resourceType": "Binary", "contentType": "text/plain", "data": "eA=="},
                "request": {"method": "PATCH", "url": "Patient/p1"},
            },
        ],
    }
    answered = client.post("/", json=batch, headers=FHIR).json()["entry"]
    assert [entry["response"]["status"].split(" ")[0] for entry in answered] == ["200", "404", "400"]
    assert client.get("/Patient/p1").json()["gender"] == "other"


def test_patch_obeys_the_review_rules(make_client) -> None:
    client = make_client()
    unchecked = make_client(validate=False)
    for resource in base_resources():
        _put(client, resource)
    assert client.put("/Observation/r1", json=prediction("r1"), headers=FHIR).status_code == 201
    response = _json_patch(unchecked, "/Observation/r1", [{"op": "replace", "path": "/status", "value": "final"}])
    assert response.status_code == 409 and rule_of(response) == "ai-prediction-not-final"
    changed = prediction("r1", NEVUS)["component"]
    response = _json_patch(unchecked, "/Observation/r1", [{"op": "replace", "path": "/component", "value": changed}])
    assert response.status_code == 409 and rule_of(response) == "ai-prediction-unchanged"
    assert client.get("/Observation/r1").json()["meta"]["versionId"] == "1"


def test_patch_is_authorized_and_audited(secured) -> None:  # noqa: F811
    admin, app = {"Authorization": f"Bearer {ADMIN}"}, {"Authorization": f"Bearer {PATIENT_APP}"}
    move = [{"op": "replace", "path": "/subject/reference", "value": "Patient/pb"}]
    note = [{"op": "add", "path": "/note", "value": [{"text": "seen"}]}]
    assert _json_patch(secured, "/Observation/oa", move, **app).status_code == 403  # to another patient
    assert _json_patch(secured, "/Observation/ob", note, **app).status_code == 403  # another patient's
    assert _json_patch(secured, "/Observation?_id=ob", note, **app).status_code == 404  # hidden: no match
    before = secured.get("/AuditEvent?_summary=count", headers=admin).json()["total"]
    assert _json_patch(secured, "/Observation/oa", note, **app).status_code == 200
    events = secured.get("/AuditEvent?_sort=-_lastUpdated&_count=1", headers=admin).json()["entry"]
    assert secured.get("/AuditEvent?_summary=count", headers=admin).json()["total"] == before + 1
    assert events[0]["resource"]["action"] == "U"
    assert events[0]["resource"]["entity"][0]["what"]["reference"].startswith("Observation/oa")
    assert secured.get("/Observation/ob", headers=admin).json()["meta"]["versionId"] == "1"
    assert secured.get("/Observation/oa", headers=admin).json()["subject"]["reference"] == "Patient/pa"
