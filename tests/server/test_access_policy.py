"""Access policy details the matrix does not state: AuditEvents are append-only below a system scope, refusals
(inside batches too) are audited with what was asked, unauthenticated refusals are aggregated, 401 comes first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.server.conftest import FHIR
from tests.server.resources import observation, patient

SYSTEM, USER, APP = ("s" * 32, "u" * 32, "p" * 32)


@pytest.fixture
def secured(make_client, tmp_path: Path):
    path = tmp_path / "tokens.json"
    tokens = [
        {"token": SYSTEM, "subject": "system", "scope": "system/*.cruds"},
        {"token": USER, "subject": "user", "scope": "user/*.cruds"},
        {"token": APP, "subject": "app", "scope": "patient/*.cruds", "patient": "pa"},
    ]
    path.write_text(json.dumps({"tokens": tokens}))
    client = make_client(auth="token", tokens_file=path)
    admin = bearer(SYSTEM)
    assert client.put("/Patient/pa", json=patient("A", id="pa"), headers=admin).status_code == 201
    assert client.put("/Patient/pb", json=patient("B", id="pb"), headers=admin).status_code == 201
    assert client.put("/Observation/ob", json=observation("Patient/pb", id="ob"), headers=admin).status_code == 201
    return client


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}", **FHIR}


def _events(client, count: int) -> list[dict]:
    found = client.get(f"/AuditEvent?_sort=-_lastUpdated&_count={count}", headers=bearer(SYSTEM)).json()
    return [entry["resource"] for entry in found.get("entry", [])]


def test_audit_events_are_append_only_below_system_scopes(secured) -> None:
    event = _events(secured, 1)[0]
    user = bearer(USER)
    assert secured.get(f"/AuditEvent/{event['id']}", headers=user).status_code == 200
    assert secured.delete(f"/AuditEvent/{event['id']}", headers=user).status_code == 403
    assert secured.put(f"/AuditEvent/{event['id']}", json={**event, "outcome": "0"}, headers=user).status_code == 403
    assert secured.get(f"/AuditEvent/{event['id']}", headers=bearer(APP)).status_code == 403
    assert secured.get("/AuditEvent", headers=bearer(APP)).status_code == 403
    assert secured.delete(f"/AuditEvent/{event['id']}", headers=bearer(SYSTEM)).status_code == 200


def test_refusal_inside_a_batch_is_audited_with_what_was_asked(secured) -> None:
    batch = {
        "resourceType": "Bundle",
        "type": "batch",
        "entry": [{"request": {"method": "DELETE", "url": "Observation/ob"}}],
    }
    answer = secured.post("/", json=batch, headers=bearer(APP)).json()
    assert answer["entry"][0]["response"]["status"].startswith("403")
    event = _events(secured, 1)[0]
    assert event["outcome"] == "4" and event["agent"][0]["who"]["display"] == "app"
    assert event["outcomeDesc"].startswith("DELETE Observation/ob")
    assert event["entity"][0]["what"]["reference"] == "Observation/ob"
    assert secured.get("/Observation/ob", headers=bearer(SYSTEM)).status_code == 200


def test_refusal_records_the_request(secured) -> None:
    assert secured.get("/Observation/ob?_elements=status", headers=bearer(APP)).status_code == 403
    event = _events(secured, 1)[0]
    assert event["outcomeDesc"].startswith("GET Observation/ob?_elements=status")
    assert event["entity"][0]["what"]["reference"] == "Observation/ob"


def test_unauthenticated_refusals_are_aggregated(secured) -> None:
    total = secured.get("/AuditEvent?_summary=count", headers=bearer(SYSTEM)).json()["total"]
    for _ in range(20):
        assert secured.get("/Patient/pa").status_code == 401
    after = secured.get("/AuditEvent?_summary=count", headers=bearer(SYSTEM)).json()["total"]
    assert after == total + 1


def test_unauthenticated_is_401_before_406(secured) -> None:
    assert secured.get("/Patient/pa", headers={"Accept": "application/fhir+xml"}).status_code == 401
    assert secured.get("/Patient/pa?_format=xml").status_code == 401
    assert secured.get("/Patient/pa?_format=xml", headers=bearer(SYSTEM)).status_code == 406
