"""Conformance at the door (422), $validate, terminology operations and the capability statement."""

from __future__ import annotations

from tests.server.conftest import FHIR
from tests.server.resources import ANNOTATION, annotation, observation, patient

GUIDE = "https://annotatemd.com/fhir/ig/"
ISIC = GUIDE + "CodeSystem/isic-diagnosis"


def test_conforming_annotation_is_stored(client) -> None:
    response = client.post("/Observation", json=annotation(), headers=FHIR)
    assert response.status_code == 201, response.text


def test_nonconforming_writes_are_422(client) -> None:
    broken = annotation()
    broken["status"] = "bogus"
    response = client.post("/Observation", json=broken, headers=FHIR)
    assert response.status_code == 422
    assert any(issue["severity"] == "error" for issue in response.json()["issue"])
    assert client.put("/Patient/x", json=patient(id="x", gender="robot"), headers=FHIR).status_code == 422


def test_annotation_category_imposes_the_profile(client) -> None:
    resource = annotation()
    resource["meta"] = {}
    resource["component"] = []  # the profile requires components; base Observation does not
    response = client.post("/Observation", json=resource, headers=FHIR)
    assert response.status_code == 422, response.text
    plain = observation("Patient/p")
    assert client.post("/Observation", json=plain, headers=FHIR).status_code == 201


def test_validate_operation(client) -> None:
    good = client.post("/Observation/$validate", json=annotation(), headers=FHIR)
    assert good.status_code == 200
    assert not [i for i in good.json()["issue"] if i["severity"] in ("error", "fatal")]
    broken = annotation()
    broken["status"] = "bogus"
    bad = client.post(
        "/Observation/$validate",
        json={
            "resourceType": "Parameters",
            "parameter": [{"name": "resource", "resource": broken}, {"name": "profile", "valueUri": ANNOTATION}],
        },
        headers=FHIR,
    )
    assert bad.status_code == 200
    assert [i for i in bad.json()["issue"] if i["severity"] == "error"]
    stored = client.post("/Patient", json=patient(), headers=FHIR).json()["id"]
    instance = client.get(f"/Patient/{stored}/$validate")
    assert instance.status_code == 200 and instance.json()["resourceType"] == "OperationOutcome"
    assert client.post("/Patient/$validate", json=annotation(), headers=FHIR).status_code == 400


def test_expand(client) -> None:
    response = client.get(f"/ValueSet/$expand?url={GUIDE}ValueSet/qa-review-status")
    assert response.status_code == 200
    codes = {item["code"] for item in response.json()["expansion"]["contains"]}
    assert {"approved", "rejected"} <= codes
    by_id = client.get("/ValueSet/qa-review-status/$expand?filter=approved").json()
    assert [item["code"] for item in by_id["expansion"]["contains"]] == ["approved"]
    paged = client.get(f"/ValueSet/$expand?url={GUIDE}ValueSet/qa-review-status&count=2&offset=1").json()
    assert len(paged["expansion"]["contains"]) == 2
    assert client.get("/ValueSet/$expand?url=http://example.org/none").status_code == 404
    assert client.get("/ValueSet/$expand").status_code == 400


def test_validate_code(client) -> None:
    url = f"{GUIDE}ValueSet/qa-review-status"
    system = f"{GUIDE}CodeSystem/qa-review-status"
    valid = client.get(f"/ValueSet/$validate-code?url={url}&system={system}&code=approved").json()
    assert valid["parameter"][0] == {"name": "result", "valueBoolean": True}
    invalid = client.get(f"/ValueSet/$validate-code?url={url}&system={system}&code=nope").json()
    assert invalid["parameter"][0]["valueBoolean"] is False
    coding = {
        "resourceType": "Parameters",
        "parameter": [
            {"name": "url", "valueUri": url},
            {"name": "coding", "valueCoding": {"system": system, "code": "approved", "display": "QA Approved"}},
        ],
    }
    assert client.post("/ValueSet/$validate-code", json=coding, headers=FHIR).json()["parameter"][0]["valueBoolean"]
    in_system = client.get(f"/CodeSystem/$validate-code?url={system}&code=pending").json()
    assert in_system["parameter"][0]["valueBoolean"] is True


def test_lookup(client) -> None:
    response = client.get(f"/CodeSystem/$lookup?system={GUIDE}CodeSystem/qa-review-status&code=approved")
    assert response.status_code == 200
    parameters = {p["name"]: p for p in response.json()["parameter"]}
    assert parameters["display"]["valueString"] == "QA Approved"
    assert client.get(f"/CodeSystem/$lookup?system={GUIDE}CodeSystem/qa-review-status&code=zz").status_code == 404


def test_translate_isic_to_snomed(client) -> None:
    response = client.get(
        f"/ConceptMap/$translate?system={ISIC}&code=Seborrheic keratosis&targetsystem=http://snomed.info/sct"
    )
    assert response.status_code == 200
    parameters = response.json()["parameter"]
    assert parameters[0] == {"name": "result", "valueBoolean": True}
    match = next(p for p in parameters if p["name"] == "match")
    concept = next(part for part in match["part"] if part["name"] == "concept")["valueCoding"]
    assert concept == {"system": "http://snomed.info/sct", "code": "25499005", "display": "Seborrheic keratosis"}
    by_id = client.get(f"/ConceptMap/isic-diagnosis-to-snomed/$translate?system={ISIC}&code=Benign").json()
    assert by_id["parameter"][0]["valueBoolean"] is False  # mapped as unmatched, honestly
    assert client.get("/ConceptMap/$translate?system=x").status_code == 400


def test_unknown_operation(client) -> None:
    response = client.get("/Patient/$everything")
    assert response.status_code == 404 and response.json()["issue"][0]["code"] == "not-supported"
    assert client.get("/Patient/$expand").status_code == 400


def test_capability_statement(client) -> None:
    response = client.get("/metadata")
    assert response.status_code == 200
    statement = response.json()
    assert statement["resourceType"] == "CapabilityStatement" and statement["kind"] == "instance"
    assert statement["fhirVersion"] == "4.0.1"
    assert statement["instantiates"] == [f"{GUIDE}CapabilityStatement/annotatemd-server"]
    rest = statement["rest"][0]
    assert {i["code"] for i in rest["interaction"]} >= {"transaction", "batch"}
    observation_entry = next(r for r in rest["resource"] if r["type"] == "Observation")
    assert f"{GUIDE}StructureDefinition/dermatology-image-annotation" in observation_entry["supportedProfile"]
    names = {p["name"] for p in observation_entry["searchParam"]}
    assert {"derived-from", "method", "subject", "code", "value-quantity"} <= names
    assert observation_entry["conditionalCreate"] is True
    assert {o["name"] for o in rest["operation"]} >= {"validate", "expand", "lookup", "translate", "validate-code"}


def test_review_operations_are_declared_with_their_definitions(client) -> None:
    from dermfhir.definitions import Definitions
    from dermfhir.server.operations import OPERATIONS

    definitions = {d["url"]: d for d in Definitions.default().resources("OperationDefinition") if "url" in d}
    guide = {url: d for url, d in definitions.items() if url.startswith(f"{GUIDE}OperationDefinition/")}
    declared = {}
    for entry in client.get("/metadata").json()["rest"][0]["resource"]:
        for operation in entry.get("operation", []):
            if operation["definition"].startswith(GUIDE):
                declared[operation["definition"]] = (entry["type"], operation["name"])
    assert set(declared) == set(guide) and len(guide) == 9
    for url, (resource_type, name) in declared.items():
        definition = guide[url]
        assert definition["code"] == name and definition["resource"] == [resource_type]
        handler_types = OPERATIONS[name][1]
        assert handler_types is not None and resource_type in handler_types
        outcome = client.post("/OperationDefinition/$validate", json=definition, headers=FHIR).json()
        assert [i for i in outcome["issue"] if i["severity"] in ("error", "fatal")] == [], url
