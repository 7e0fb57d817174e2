"""The review workflow over HTTP (SQLite, and PostgreSQL when configured): queue, claim, confirm, correct, reject,
QA, amend, and every illegal transition refused with an OperationOutcome naming its rule."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from dermfhir.validation import Validator
from tests.review.case import MELANOMA, NEVUS, SEBK, base_resources, expert_annotation, parameters, prediction
from tests.server.conftest import FHIR

AIAST = ("http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "AIAST")
LABEL_AT = "https://annotatemd.com/fhir/ig/StructureDefinition/label-available-at"


def seed(client, predictions: list[str]) -> None:
    for resource in base_resources():
        assert client.put(f"/{resource['resourceType']}/{resource['id']}", json=resource, headers=FHIR).status_code in (
            200,
            201,
        )
    for number, name in enumerate(predictions):
        finding = [MELANOMA, NEVUS, SEBK][number % 3]
        response = client.put(f"/Observation/{name}", json=prediction(name, finding), headers=FHIR)
        assert response.status_code == 201, response.text


def rule_of(response) -> str:
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    issue = body["issue"][0]
    assert issue["severity"] == "error"
    return issue["details"]["text"]


def task_of(client, prediction_id: str) -> dict:
    found = client.get(f"/Task?focus=Observation/{prediction_id}").json()
    assert found["total"] == 1
    return found["entry"][0]["resource"]


def assert_valid(validator: Validator, resource: dict) -> None:
    outcome = validator.validate(resource)
    errors = [i for i in outcome.get("issue", []) if i["severity"] in ("error", "fatal")]
    assert errors == [], (resource["resourceType"], errors)


def post(client, path: str, body: dict):
    return client.post(path, content=json.dumps(body), headers=FHIR)


def entries(response) -> list[dict]:
    assert response.status_code == 200, response.text
    bundle = response.json()
    assert (bundle["resourceType"], bundle["type"]) == ("Bundle", "transaction-response")
    return bundle["entry"]


def test_queue_claim_release(client) -> None:
    seed(client, ["pa", "pb"])
    queue = client.get("/Task?status=requested&_sort=authored-on").json()
    assert queue["total"] == 2
    focuses = sorted(e["resource"]["focus"]["reference"] for e in queue["entry"])
    assert focuses == ["Observation/pa", "Observation/pb"]
    task = task_of(client, "pa")
    assert task["for"]["reference"] == "Patient/p1"
    assert task["businessStatus"]["coding"][0]["code"] == "awaiting-review"
    # a second write of the prediction does not queue it twice
    assert client.put("/Observation/pa", json=prediction("pa"), headers=FHIR).status_code == 200
    assert client.get("/Task?focus=Observation/pa").json()["total"] == 1

    claimed = post(client, f"/Task/{task['id']}/$claim", parameters("Practitioner/clin"))
    assert claimed.status_code == 200, claimed.text
    assert (claimed.json()["status"], claimed.json()["owner"]["reference"]) == ("in-progress", "Practitioner/clin")
    assert client.get("/Task?status=requested").json()["total"] == 1
    other = post(client, f"/Task/{task['id']}/$claim", parameters("Practitioner/derm"))
    assert other.status_code == 409 and rule_of(other) == "review-task-transition"
    early = post(client, f"/Task/{task['id']}/$release", parameters("Practitioner/derm"))
    assert early.status_code == 409 and rule_of(early) == "review-task-owner"
    # the claimed task is someone else's: confirming it is refused
    taken = post(client, "/Observation/pa/$confirm", parameters("Practitioner/derm"))
    assert taken.status_code == 409 and rule_of(taken) == "review-task-owner"
    released = post(client, f"/Task/{task['id']}/$release", parameters("Practitioner/clin"))
    assert released.status_code == 200 and released.json()["status"] == "requested"
    assert "owner" not in released.json()


def test_confirm_correct_reject(client, validator: Validator) -> None:
    seed(client, ["p1", "p2", "p3"])
    before = client.get("/Observation/p1").json()

    written = entries(post(client, "/Observation/p1/$confirm", parameters("Practitioner/clin")))
    assert [e["response"]["status"] for e in written] == ["201 Created", "201 Created", "200 OK"]
    annotation, provenance, task = (e["resource"] for e in written)
    assert annotation["method"]["coding"][0]["code"] == "ai-assisted-confirmed"
    assert annotation["status"] == "final"
    assert AIAST in {(s["system"], s["code"]) for s in annotation["meta"]["security"]}
    assert [d["reference"] for d in annotation["derivedFrom"]] == ["DocumentReference/img1", "Observation/p1"]
    assert annotation["performer"] == [{"reference": "Practitioner/clin"}]
    assert annotation["_effectiveDateTime"]["extension"][0]["url"] == LABEL_AT
    finding = next(c for c in annotation["component"] if c["code"]["coding"][0]["code"] == "106076001")
    assert finding["valueCodeableConcept"]["coding"][0]["code"] == "372244006"
    agents = {a["type"]["coding"][0]["code"]: a["who"]["reference"] for a in provenance["agent"]}
    assert agents == {"verifier": "Practitioner/clin", "informant": "Device/model1"}
    assert {"role": "derivation", "what": {"reference": "Observation/p1"}} in provenance["entity"]
    assert provenance["target"] == [{"reference": f"Observation/{annotation['id']}"}]
    assert (task["status"], task["businessStatus"]["coding"][0]["code"]) == ("completed", "confirmed")
    assert task["output"][0]["valueReference"]["reference"] == f"Observation/{annotation['id']}"
    assert client.get("/Observation/p1").json() == before  # the AI's original is unchanged
    for resource in (annotation, provenance, task):
        assert_valid(validator, resource)
        assert client.get(f"/{resource['resourceType']}/{resource['id']}").json() == resource

    again = post(client, "/Observation/p1/$confirm", parameters("Practitioner/derm"))
    assert again.status_code == 409 and rule_of(again) == "one-review-per-prediction"

    region = [
        {"name": "boundingBox", "valueString": "110 130 190 170"},
        {"name": "polygon", "valueString": "110 130 300 130 300 300"},
    ]
    body = parameters("Practitioner/clin", finding=("valueCodeableConcept", SEBK), region=region)
    annotation2, provenance2, task2 = (e["resource"] for e in entries(post(client, "/Observation/p2/$correct", body)))
    assert annotation2["method"]["coding"][0]["code"] == "ai-assisted-corrected"
    codes = [c["code"]["coding"][0]["code"] for c in annotation2["component"]]
    assert codes[0] == "106076001" and "polygon" in codes
    assert annotation2["component"][0]["valueCodeableConcept"]["coding"][0]["code"] == "25499005"
    box = next(c for c in annotation2["component"] if c["code"]["coding"][0]["code"] == "bounding-boxes")
    assert box["valueSampledData"]["data"] == "110 130 190 170"
    assert task2["businessStatus"]["coding"][0]["code"] == "corrected"
    for resource in (annotation2, provenance2, task2):
        assert_valid(validator, resource)
    same = parameters("Practitioner/clin", finding=("valueCodeableConcept", SEBK))  # p3 predicted SEBK
    unchanged = post(client, "/Observation/p3/$correct", same)
    assert unchanged.status_code == 400 and rule_of(unchanged) == "review-input"
    assert client.get("/Observation?method=ai-assisted-corrected").json()["total"] == 1  # nothing half-written

    rejected = entries(
        post(client, "/Observation/p3/$reject", parameters("Practitioner/clin", reason=("valueString", "blurred")))
    )
    cancelled, provenance3, task3 = (e["resource"] for e in rejected)
    assert (cancelled["status"], cancelled["meta"]["versionId"]) == ("cancelled", "2")
    assert provenance3["activity"]["coding"][0]["code"] == "UPDATE"
    assert provenance3["entity"][0]["role"] == "revision"
    assert (task3["businessStatus"]["coding"][0]["code"], task3["statusReason"]["text"]) == ("rejected", "blurred")
    assert "output" not in task3
    for resource in (cancelled, provenance3, task3):
        assert_valid(validator, resource)
    assert client.get("/Task?status=requested").json()["total"] == 0


def test_qa_and_amend(client, validator: Validator) -> None:
    seed(client, ["q1", "q2"])
    first = entries(post(client, "/Observation/q1/$confirm", parameters("Practitioner/clin")))[0]["resource"]
    second = entries(post(client, "/Observation/q2/$confirm", parameters("Practitioner/clin")))[0]["resource"]

    own = post(
        client,
        f"/Observation/{first['id']}/$qa-review",
        parameters("Practitioner/clin", result=("valueCode", "approve")),
    )
    assert own.status_code == 403 and rule_of(own) == "qa-not-annotator"
    low = post(
        client,
        f"/Observation/{first['id']}/$qa-review",
        parameters("Practitioner/junior", result=("valueCode", "approve")),
    )
    assert low.status_code == 403 and rule_of(low) == "qa-credential-ordinal"
    bad = post(
        client, f"/Observation/{first['id']}/$qa-review", parameters("Practitioner/derm", result=("valueCode", "ok"))
    )
    assert bad.status_code == 400 and rule_of(bad) == "qa-result"

    approved, qa_provenance = (
        e["resource"]
        for e in entries(
            post(
                client,
                f"/Observation/{first['id']}/$qa-review",
                parameters("Practitioner/derm", result=("valueCode", "approve")),
            )
        )
    )
    assert (approved["status"], approved["meta"]["versionId"]) == ("final", "2")
    qa = next(c for c in approved["component"] if c["code"]["coding"][0]["code"] == "qa-review-status")
    assert qa["valueCodeableConcept"]["coding"][0]["code"] == "approved"
    assert qa_provenance["agent"][0]["who"]["reference"] == "Practitioner/derm"
    assert qa_provenance["entity"][0]["what"]["reference"] == f"Observation/{first['id']}/_history/1"
    assert_valid(validator, approved)
    assert_valid(validator, qa_provenance)

    body = parameters(
        "Practitioner/derm", result=("valueCode", "request-changes"), comment=("valueString", "box too small")
    )
    needs = entries(post(client, f"/Observation/{second['id']}/$qa-review", body))[0]["resource"]
    assert needs["note"][0]["text"] == "box too small"
    # the annotator amends through plain REST: a new version, status amended
    amended = json.loads(json.dumps(needs))
    amended["status"] = "amended"
    for component in amended["component"]:
        if component["code"]["coding"][0]["code"] == "bounding-boxes":
            component["valueSampledData"]["data"] = "90 100 240 220"
    stale_final = {**amended, "status": "final"}
    refused = client.put(f"/Observation/{second['id']}", json=stale_final, headers=FHIR)
    assert refused.status_code == 409 and rule_of(refused) == "annotation-amend-after-final"
    stored = client.put(f"/Observation/{second['id']}", json=amended, headers=FHIR)
    assert stored.status_code == 200, stored.text
    assert (stored.json()["status"], stored.json()["meta"]["versionId"]) == ("amended", "3")
    back = client.put(f"/Observation/{second['id']}", json={**amended, "status": "final"}, headers=FHIR)
    assert back.status_code == 409 and rule_of(back) == "annotation-status-order"
    prelim = client.put(f"/Observation/{second['id']}", json={**amended, "status": "preliminary"}, headers=FHIR)
    assert prelim.status_code == 409 and rule_of(prelim) == "annotation-status-order"


def test_rest_writes_obey_the_rules(make_client) -> None:
    client = make_client()
    unchecked = make_client(validate=False)  # the rules hold even when profile validation is off
    seed(client, ["r1"])
    final = {**prediction("r1"), "status": "final"}
    response = client.put("/Observation/r1", json=final, headers=FHIR)
    assert response.status_code in (409, 422)
    assert "aipred-not-final" in response.text or "ai-prediction-not-final" in response.text
    unprofiled = {**final, "meta": {"security": final["meta"]["security"]}}
    response = unchecked.put("/Observation/r1", json=unprofiled, headers=FHIR)
    assert response.status_code == 409 and rule_of(response) == "ai-prediction-not-final"
    edited = prediction("r1", NEVUS)
    response = client.put("/Observation/r1", json=edited, headers=FHIR)
    assert response.status_code == 409 and rule_of(response) == "ai-prediction-unchanged"
    transaction = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [{"resource": unprofiled, "request": {"method": "PUT", "url": "Observation/r1"}}],
    }
    response = unchecked.post("/", content=json.dumps(transaction), headers=FHIR)
    assert response.status_code == 409 and rule_of(response) == "ai-prediction-not-final"
    assert client.get("/Observation/r1").json()["meta"]["versionId"] == "1"
    # a finished review task never changes
    task = task_of(client, "r1")
    entries(
        post(client, "/Observation/r1/$reject", parameters("Practitioner/clin", reason=("valueString", "wrong image")))
    )
    done = task_of(client, "r1")
    reopened = {**done, "status": "requested"}
    response = client.put(f"/Task/{task['id']}", json=reopened, headers=FHIR)
    assert response.status_code == 409 and rule_of(response) == "review-task-transition"
    # a transaction creating a prediction queues it
    new = prediction("r2")
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [{"fullUrl": "urn:uuid:1", "resource": new, "request": {"method": "POST", "url": "Observation"}}],
    }
    response = client.post("/", content=json.dumps(bundle), headers=FHIR)
    assert response.status_code == 200, response.text
    location = response.json()["entry"][0]["response"]["location"]
    created = location.split("/")[1]
    assert client.get(f"/Task?focus=Observation/{created}").json()["total"] == 1


def test_concurrent_reviews_one_wins(client) -> None:
    seed(client, ["c1"])
    results: list[int] = []
    barrier = threading.Barrier(2)

    def review(reviewer: str) -> None:
        barrier.wait()
        results.append(post(client, "/Observation/c1/$confirm", parameters(reviewer)).status_code)

    threads = [threading.Thread(target=review, args=(who,)) for who in ("Practitioner/clin", "Practitioner/derm")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results)[0] == 200 and sorted(results)[1] in (409, 412)
    assert client.get("/Observation?method=ai-assisted-confirmed").json()["total"] == 1
    assert client.get("/Provenance").json()["total"] == 1


REVIEWER, READER = "v" * 32, "w" * 32


@pytest.fixture
def secured(make_client, tmp_path: Path):
    tokens = tmp_path / "tokens.yaml"
    scope = "user/Observation.cruds user/Task.cruds user/Provenance.cruds user/Practitioner.rs user/Patient.cruds"
    tokens.write_text(
        json.dumps(
            {
                "tokens": [
                    {"token": REVIEWER, "subject": "Practitioner/clin", "scope": scope},
                    {"token": READER, "subject": "Practitioner/derm", "scope": "user/Observation.rs user/Task.rs"},
                    {"token": "s" * 32, "subject": "admin", "scope": "system/*.cruds"},
                ]
            }
        )
    )
    return make_client(auth="token", tokens_file=tokens)


def test_reviewer_scopes_and_identity(secured) -> None:
    admin = {"Authorization": f"Bearer {'s' * 32}", **FHIR}
    for resource in base_resources():
        secured.put(f"/{resource['resourceType']}/{resource['id']}", json=resource, headers=admin)
    assert secured.put("/Observation/t1", json=prediction("t1"), headers=admin).status_code == 201
    reader = {"Authorization": f"Bearer {READER}", **FHIR}
    response = secured.post(
        "/Observation/t1/$confirm", content=json.dumps(parameters("Practitioner/derm")), headers=reader
    )
    assert response.status_code == 403 and rule_of(response) == "reviewer-scope"
    reviewer = {"Authorization": f"Bearer {REVIEWER}", **FHIR}
    response = secured.post(
        "/Observation/t1/$confirm", content=json.dumps(parameters("Practitioner/derm")), headers=reviewer
    )
    assert response.status_code == 403 and rule_of(response) == "reviewer-is-caller"
    response = secured.post(
        "/Observation/t1/$confirm", content=json.dumps(parameters("Practitioner/clin")), headers=reviewer
    )
    assert response.status_code == 200, response.text


def test_performance_covers_only_what_the_caller_may_search(make_client, tmp_path: Path) -> None:
    """A patient-scoped token gets the model's figures over its own patient's predictions only: the figures of
    other patients' predictions are data it may not read."""
    own = "p" * 32
    tokens = tmp_path / "tokens.yaml"
    tokens.write_text(
        json.dumps(
            {
                "tokens": [
                    {"token": "s" * 32, "subject": "admin", "scope": "system/*.cruds"},
                    {"token": own, "subject": "app", "scope": "patient/*.rs", "patient": "p1"},
                ]
            }
        )
    )
    secured = make_client(auth="token", tokens_file=tokens)
    admin = {"Authorization": f"Bearer {'s' * 32}", **FHIR}
    for resource in base_resources():
        assert secured.put(f"/{resource['resourceType']}/{resource['id']}", json=resource, headers=admin).is_success
    other = {**base_resources()[0], "id": "p2"}
    assert secured.put("/Patient/p2", json=other, headers=admin).is_success
    for name, subject in (("t1", "Patient/p1"), ("t2", "Patient/p2"), ("t3", "Patient/p2")):
        resource = {**prediction(name), "subject": {"reference": subject}}
        assert secured.put(f"/Observation/{name}", json=resource, headers=admin).status_code == 201

    def predictions(headers: dict) -> int:
        response = secured.get("/Device/model1/$performance", headers=headers)
        assert response.status_code == 200, response.text
        return next(p["valueInteger"] for p in response.json()["parameter"] if p["name"] == "predictions")

    assert predictions(admin) == 3
    assert predictions({"Authorization": f"Bearer {own}", **FHIR}) == 1


def test_series_of_another_patients_lesion_is_refused(make_client, tmp_path: Path) -> None:
    """`$series` with a patient-scoped token: another patient's lesion is as unknown as one never stored, and
    nothing is written; the token's own patient's lesion is served."""
    tokens = tmp_path / "tokens.yaml"
    tokens.write_text(
        json.dumps(
            {
                "tokens": [
                    {"token": "s" * 32, "subject": "admin", "scope": "system/*.cruds"},
                    {"token": "a" * 32, "subject": "app", "scope": "patient/*.cruds", "patient": "p2"},
                    {"token": "b" * 32, "subject": "app", "scope": "patient/*.cruds", "patient": "p1"},
                ]
            }
        )
    )
    secured = make_client(auth="token", tokens_file=tokens)
    admin = {"Authorization": f"Bearer {'s' * 32}", **FHIR}
    for resource in base_resources():
        assert secured.put(f"/{resource['resourceType']}/{resource['id']}", json=resource, headers=admin).is_success
    for name, when in (("g1", "2025-01-01T00:00:00Z"), ("g2", "2025-06-01T00:00:00Z")):
        resource = expert_annotation(name, when, NEVUS, (100, 100, 100, 100))
        assert secured.put(f"/Observation/{name}", json=resource, headers=admin).status_code == 201
    body = json.dumps({"resourceType": "Parameters"})

    def series_count() -> int:
        found = secured.get("/Observation?focus=BodyStructure/l1&_summary=count", headers=admin).json()
        return found["total"] - 2  # the two annotations focus on the lesion too

    other = secured.post(
        "/BodyStructure/l1/$series", content=body, headers={"Authorization": f"Bearer {'a' * 32}", **FHIR}
    )
    unknown = secured.post(
        "/BodyStructure/nowhere/$series", content=body, headers={"Authorization": f"Bearer {'a' * 32}", **FHIR}
    )
    assert other.status_code == unknown.status_code == 404, other.text
    assert other.json()["issue"][0]["details"]["text"] == "review-target"
    assert series_count() == 0
    own = secured.post(
        "/BodyStructure/l1/$series", content=body, headers={"Authorization": f"Bearer {'b' * 32}", **FHIR}
    )
    assert own.status_code == 200, own.text
    assert series_count() == 1


def test_end_to_end(client, validator: Validator) -> None:
    """Import predictions, queue, claim, confirm, correct, reject, QA, amend, agreement, series, performance."""
    from dermfhir.builders import transaction
    from dermfhir.ingest import Options, predictions
    from tests.conftest import FIXTURES

    for resource in base_resources():
        client.put(f"/{resource['resourceType']}/{resource['id']}", json=resource, headers=FHIR)
    imported = predictions.read(
        [FIXTURES / "predictions.csv"],
        Options(recorded="2026-01-15T09:05:00Z"),
        model_name="TestNet",
        model_version="1.0",
    )
    response = client.post("/", content=json.dumps(transaction(imported.resources)), headers=FHIR)
    assert response.status_code == 200, response.text
    queue = client.get("/Task?status=requested&_sort=authored-on&_count=50").json()
    assert queue["total"] == 3  # the importer's Tasks; the server added none twice
    ids = sorted(e["resource"]["focus"]["reference"].split("/")[1] for e in queue["entry"])
    device = client.get(f"/Observation/{ids[0]}").json()["device"]["reference"]
    task = task_of(client, ids[0])
    assert post(client, f"/Task/{task['id']}/$claim", parameters("Practitioner/clin")).status_code == 200

    confirmed = entries(post(client, f"/Observation/{ids[0]}/$confirm", parameters("Practitioner/clin")))[0]["resource"]
    predicted = client.get(f"/Observation/{ids[1]}").json()["component"][0]["valueCodeableConcept"]["coding"][0]["code"]
    nevus = ("valueCodeableConcept", next(c for c in (NEVUS, SEBK) if c["coding"][0]["code"] != predicted))
    corrected = entries(post(client, f"/Observation/{ids[1]}/$correct", parameters("Practitioner/clin", finding=nevus)))
    corrected_annotation = corrected[0]["resource"]
    entries(
        post(
            client,
            f"/Observation/{ids[2]}/$reject",
            parameters("Practitioner/clin", reason=("valueString", "no lesion")),
        )
    )
    for prediction_id in ids:
        assert client.get(f"/Task?focus=Observation/{prediction_id}&status=completed").json()["total"] == 1
    assert client.get("/Task?status=requested").json()["total"] == 0
    approve = parameters("Practitioner/derm", result=("valueCode", "approve"))
    approved = entries(post(client, f"/Observation/{confirmed['id']}/$qa-review", approve))[0]["resource"]
    assert approved["meta"]["versionId"] == "2"
    changes = parameters("Practitioner/derm", result=("valueCode", "request-changes"))
    needs = entries(post(client, f"/Observation/{corrected_annotation['id']}/$qa-review", changes))[0]["resource"]
    amended = client.put(f"/Observation/{needs['id']}", json={**needs, "status": "amended"}, headers=FHIR).json()
    assert (amended["status"], amended["meta"]["versionId"]) == ("amended", "3")
    for resource in (approved, amended):
        assert_valid(validator, resource)
        assert AIAST in {(s["system"], s["code"]) for s in resource["meta"]["security"]}

    # a second annotator on the two images the clinician labelled: agreement, written into the annotations
    images = [r for r in (client.get(f"/Observation/{i}").json()["derivedFrom"][0]["reference"] for i in ids[:2])]
    for number, (image, finding) in enumerate(zip(images, [MELANOMA, SEBK], strict=True)):
        expert = {
            **confirmed,
            "id": f"expert-{number}",
            "method": {
                "coding": [
                    {
                        "system": "https://annotatemd.com/fhir/ig/CodeSystem/annotation-method",
                        "code": "expert-annotation",
                    }
                ]
            },
            "performer": [{"reference": "Practitioner/derm"}],
            "derivedFrom": [{"reference": image}],
            "component": [{**confirmed["component"][0], "valueCodeableConcept": finding}],
        }
        expert.pop("meta")
        expert.pop("_effectiveDateTime")
        assert client.put(f"/Observation/expert-{number}", json=expert, headers=FHIR).status_code == 201
    body = {
        "resourceType": "Parameters",
        "parameter": [{"name": "image", "valueReference": {"reference": i}} for i in images],
    }
    result = client.post("/Observation/$agreement", content=json.dumps(body), headers=FHIR)
    assert result.status_code == 200, result.text
    figures = {p["name"]: next(v for k, v in p.items() if k.startswith("value")) for p in result.json()["parameter"]}
    labels_a = [confirmed, amended]
    from dermfhir.review.agreement import cohen_kappa
    from dermfhir.review.resources import finding_code

    expected = cohen_kappa(
        [finding_code(a) for a in labels_a],
        [
            finding_code({"component": [{**confirmed["component"][0], "valueCodeableConcept": f}]})
            for f in (MELANOMA, SEBK)
        ],
    )
    assert (figures["method"], figures["images"], figures["annotators"], figures["updated"]) == ("cohen", 2, 2, 4)
    assert figures["kappa"] == pytest.approx(expected.kappa, abs=1e-6)
    stored = client.get(f"/Observation/{confirmed['id']}").json()
    agreement = next(c for c in stored["component"] if c["code"]["coding"][0]["code"] == "inter-annotator-agreement")
    assert agreement["valueQuantity"]["value"] == pytest.approx(expected.kappa, abs=1e-4)
    assert stored["status"] == "final"

    # a lesion series with a detected change: two expert annotations of lesion l1, the box grew
    grown = (("g1", "2025-01-01T00:00:00Z", (100, 100, 100, 100)), ("g2", "2025-06-01T00:00:00Z", (100, 100, 150, 150)))
    for name, when, box in grown:
        resource = expert_annotation(name, when, NEVUS, box)
        assert client.put(f"/Observation/{name}", json=resource, headers=FHIR).status_code == 201, name
    series = entries(
        client.post("/BodyStructure/l1/$series", content=json.dumps({"resourceType": "Parameters"}), headers=FHIR)
    )
    built = series[0]["resource"]
    assert [m["reference"] for m in built["hasMember"]] == ["Observation/g1", "Observation/g2"]
    kinds = [c["valueCodeableConcept"]["coding"][0]["code"] for c in built["component"] if "valueCodeableConcept" in c]
    assert kinds == ["size-increase"]
    assert_valid(validator, built)

    report = client.get(f"/{device}/$performance").json()
    values = {p["name"]: p for p in report["parameter"]}
    assert values["predictions"]["valueInteger"] == 3 and values["labelled"]["valueInteger"] == 2
    assert values["overrideRate"]["valueDecimal"] == pytest.approx(2 / 3)
    before = client.get(f"/{device}/$performance?cutoff=2020-01-01T00:00:00Z").json()
    assert {p["name"]: p for p in before["parameter"]}["labelled"]["valueInteger"] == 0
