"""Batch and transaction Bundles: atomicity, urn:uuid rewriting, conditional references, processing order."""

from __future__ import annotations

from tests.server.conftest import FHIR
from tests.server.resources import observation, patient


def bundle(kind: str, *entries: dict) -> dict:
    return {"resourceType": "Bundle", "type": kind, "entry": list(entries)}


def post(url: str, resource: dict, full_url: str | None = None, **request: str) -> dict:
    entry: dict = {"resource": resource, "request": {"method": "POST", "url": url, **request}}
    if full_url:
        entry["fullUrl"] = full_url
    return entry


def test_transaction_rewrites_urn_uuid(client) -> None:
    uid = "urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a"
    response = client.post(
        "/",
        json=bundle(
            "transaction",
            post("Observation", observation(uid)),
            post("Patient", patient("Urn"), uid),
        ),
        headers=FHIR,
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["type"] == "transaction-response"
    assert [e["response"]["status"] for e in result["entry"]] == ["201 Created", "201 Created"]
    observation_ref = result["entry"][0]["response"]["location"]
    patient_id = result["entry"][1]["resource"]["id"]
    stored = client.get("/" + observation_ref.split("/_history")[0]).json()
    assert stored["subject"]["reference"] == f"Patient/{patient_id}"


def test_transaction_is_atomic(client) -> None:
    bad = observation("Patient/x")
    bad["status"] = "not-a-status"
    both = bundle("transaction", post("Patient", patient("Atomic")), post("Observation", bad))
    response = client.post("/", json=both, headers=FHIR)
    assert response.status_code == 422
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert any("Bundle.entry[1]" in str(issue) for issue in outcome["issue"])
    assert client.get("/Patient?family=Atomic&_summary=count").json()["total"] == 0


def test_transaction_conditional_create_and_reference(client) -> None:
    client.post("/Patient", json=patient("Known", identifier=[{"system": "urn:mrn", "value": "K"}]), headers=FHIR)
    uid = "urn:uuid:0f6ad7b6-0a8c-4a4b-8e7f-2d9d1c2a9f11"
    response = client.post(
        "/",
        json=bundle(
            "transaction",
            post(
                "Patient",
                patient("Known", identifier=[{"system": "urn:mrn", "value": "K"}]),
                uid,
                ifNoneExist="identifier=urn:mrn|K",
            ),
            post("Observation", observation(uid)),
            post("Observation", observation("Patient?identifier=urn:mrn|K")),
        ),
        headers=FHIR,
    )
    assert response.status_code == 200, response.text
    entries = response.json()["entry"]
    assert entries[0]["response"]["status"] == "200 OK"
    known = entries[0]["resource"]["id"]
    assert client.get(f"/Observation?subject=Patient/{known}&_summary=count").json()["total"] == 2
    assert client.get("/Patient?identifier=urn:mrn|K&_summary=count").json()["total"] == 1


def test_unresolvable_conditional_reference_fails(client) -> None:
    response = client.post(
        "/", json=bundle("transaction", post("Observation", observation("Patient?identifier=zz"))), headers=FHIR
    )
    assert response.status_code == 412


def test_processing_order(client) -> None:
    client.put("/Patient/ord", json=patient("Old", id="ord"), headers=FHIR)
    entries = [
        {"request": {"method": "GET", "url": "Patient/ord"}},
        {"resource": patient("New", id="ord"), "request": {"method": "PUT", "url": "Patient/ord"}},
        {"request": {"method": "DELETE", "url": "Patient/gone"}},
        post("Patient", patient("Posted")),
    ]
    client.put("/Patient/gone", json=patient("Gone", id="gone"), headers=FHIR)
    response = client.post("/", json=bundle("transaction", *entries), headers=FHIR)
    assert response.status_code == 200, response.text
    result = response.json()["entry"]
    assert result[0]["resource"]["name"][0]["family"] == "New"  # GET runs after PUT
    assert result[2]["response"]["status"].startswith("200")
    assert client.get("/Patient/gone").status_code == 410


def test_transaction_put_reports_created_or_updated(client) -> None:
    client.put("/Patient/tp-live", json=patient("Live", id="tp-live"), headers=FHIR)
    client.put("/Patient/tp-deleted", json=patient("Deleted", id="tp-deleted"), headers=FHIR)
    client.delete("/Patient/tp-deleted")
    entries = [
        {"resource": patient("Live", id="tp-live"), "request": {"method": "PUT", "url": "Patient/tp-live"}},
        {"resource": patient("Back", id="tp-deleted"), "request": {"method": "PUT", "url": "Patient/tp-deleted"}},
        {"resource": patient("New", id="tp-new"), "request": {"method": "PUT", "url": "Patient/tp-new"}},
    ]
    response = client.post("/", json=bundle("transaction", *entries), headers=FHIR)
    assert response.status_code == 200, response.text
    result = response.json()["entry"]
    assert [e["response"]["status"] for e in result] == ["200 OK", "201 Created", "201 Created"]
    assert [e["response"]["etag"] for e in result] == ['W/"2"', 'W/"3"', 'W/"1"']
    assert result[1]["resource"]["meta"]["versionId"] == "3"
    assert client.get("/Patient/tp-deleted").json()["meta"] == result[1]["resource"]["meta"]


def test_same_resource_twice_is_refused(client) -> None:
    entries = [
        {"resource": patient(id="dup"), "request": {"method": "PUT", "url": "Patient/dup"}},
        {"resource": patient(id="dup"), "request": {"method": "PUT", "url": "Patient/dup"}},
    ]
    assert client.post("/", json=bundle("transaction", *entries), headers=FHIR).status_code == 400


def test_transaction_if_match(client) -> None:
    client.put("/Patient/im", json=patient(id="im"), headers=FHIR)
    stale = {"resource": patient(id="im"), "request": {"method": "PUT", "url": "Patient/im", "ifMatch": 'W/"5"'}}
    assert client.post("/", json=bundle("transaction", stale), headers=FHIR).status_code == 412
    fresh = {"resource": patient(id="im"), "request": {"method": "PUT", "url": "Patient/im", "ifMatch": 'W/"1"'}}
    assert client.post("/", json=bundle("transaction", fresh), headers=FHIR).status_code == 200


def test_batch_entries_are_independent(client) -> None:
    bad = observation("Patient/x")
    bad["status"] = "nope"
    response = client.post(
        "/",
        json=bundle(
            "batch",
            post("Patient", patient("Batch")),
            post("Observation", bad),
            {"request": {"method": "GET", "url": "Patient/missing"}},
            {"request": {"method": "GET", "url": "Patient?family=Batch"}},
        ),
        headers=FHIR,
    )
    assert response.status_code == 200
    result = response.json()
    assert result["type"] == "batch-response"
    statuses = [e["response"]["status"] for e in result["entry"]]
    assert statuses[0] == "201 Created" and statuses[1].startswith("422") and statuses[2].startswith("404")
    assert result["entry"][1]["response"]["outcome"]["resourceType"] == "OperationOutcome"
    assert result["entry"][3]["resource"]["total"] == 1


def test_bundle_shape_errors(client) -> None:
    assert client.post("/", json={"resourceType": "Bundle", "type": "collection"}, headers=FHIR).status_code == 400
    assert client.post("/", json=patient(), headers=FHIR).status_code == 400
    broken = {"resourceType": "Bundle", "type": "transaction", "entry": [{"resource": patient()}]}
    assert client.post("/", json=broken, headers=FHIR).status_code == 400
    odd = bundle("transaction", {"request": {"method": "PATCH", "url": "Patient/x"}})
    assert client.post("/", json=odd, headers=FHIR).status_code == 400


def test_a_small_write_completes_while_a_large_transaction_is_prepared(make_client, monkeypatch) -> None:
    """Indexing a transaction's resources happens before its write lock: a create sent while the transaction is
    being indexed is written first. The transaction's indexing waits (at most a minute) for that create to finish;
    if the indexing held the write lock, the create could only finish after it, and the order would be reversed."""
    import threading

    from dermfhir.store import sql

    big, small = make_client(), make_client()
    order: list[str] = []
    indexing, small_written = threading.Event(), threading.Event()
    original = sql.extract

    def watched(registry, resource):
        if resource.get("name", [{}])[0].get("family") == "Big-0":
            indexing.set()
            small_written.wait(60)
            order.append("transaction indexed")
        return original(registry, resource)

    monkeypatch.setattr(sql, "extract", watched)
    entries = [post("Patient", patient(f"Big-{number}")) for number in range(300)]
    answers: dict[str, int] = {}

    def send_transaction() -> None:
        answers["transaction"] = big.post("/", json=bundle("transaction", *entries), headers=FHIR).status_code

    def send_create() -> None:
        assert indexing.wait(60)
        answers["create"] = small.post("/Patient", json=patient("Small"), headers=FHIR).status_code
        order.append("create written")
        small_written.set()

    threads = [threading.Thread(target=send_transaction), threading.Thread(target=send_create)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    assert answers == {"transaction": 200, "create": 201}
    assert order == ["create written", "transaction indexed"]
    assert big.get("/Patient?family=Big&_summary=count").json()["total"] == 300
    assert big.get("/Patient?family=Small&_summary=count").json()["total"] == 1
