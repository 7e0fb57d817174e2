"""Search over HTTP: parameter types, prefixes, modifiers, chains, _has, includes, sorting, paging, summaries."""

from __future__ import annotations

import pytest

from tests.server.conftest import FHIR
from tests.server.resources import AIAST, examples, observation, patient


@pytest.fixture
def loaded(client):
    """The guide's examples plus two patients with observations, stored through one transaction."""
    resources = [
        *examples(),
        patient("Alpha", id="pa", identifier=[{"system": "urn:mrn", "value": "A1"}]),
        patient("Beta", id="pb", gender="female", birthDate="1990-06-15"),
        observation("Patient/pa", 3.0, id="oa1", effectiveDateTime="2023-01-10"),
        observation(
            "Patient/pa",
            8.0,
            id="oa2",
            effectiveDateTime="2024-05-10",
            meta={"security": [AIAST], "tag": [{"system": "urn:tags", "code": "triage"}]},
        ),
        observation("Patient/pb", 5.5, id="ob1", effectiveDateTime="2024-07-01"),
    ]
    entries = [
        {
            "fullUrl": f"{r['resourceType']}/{r['id']}",
            "resource": r,
            "request": {"method": "PUT", "url": f"{r['resourceType']}/{r['id']}"},
        }
        for r in resources
    ]
    response = client.post("/", json={"resourceType": "Bundle", "type": "transaction", "entry": entries}, headers=FHIR)
    assert response.status_code == 200, response.text
    return client


def ids(response) -> list[str]:
    assert response.status_code == 200, response.text
    bundle = response.json()
    assert bundle["type"] == "searchset"
    return [e["resource"]["id"] for e in bundle.get("entry", []) if e["search"]["mode"] == "match"]


def test_parameter_types(loaded) -> None:
    assert ids(loaded.get("/Patient?family=alp")) == ["pa"]  # string: starts with, case-insensitive
    assert ids(loaded.get("/Patient?family:exact=Alpha")) == ["pa"]
    assert ids(loaded.get("/Patient?family:contains=et")) == ["pb"]
    assert ids(loaded.get("/Patient?identifier=urn:mrn|A1")) == ["pa"]  # token
    assert set(ids(loaded.get("/Patient?gender:not=female&_id=pa,pb"))) == {"pa"}
    assert sorted(ids(loaded.get("/Observation?subject=Patient/pa"))) == ["oa1", "oa2"]  # reference
    assert ids(loaded.get("/Observation?date=gt2024-06-01&subject=Patient/pb")) == ["ob1"]  # date prefix
    assert sorted(ids(loaded.get("/Observation?value-quantity=ge5||mm&_id=oa1,oa2,ob1"))) == ["oa2", "ob1"]
    assert ids(loaded.get("/Patient?birthdate=1990")) == ["pb"]
    assert ids(loaded.get("/Observation?code=http://loinc.org|8302-2&value-quantity=lt4")) == ["oa1"]


def test_guide_parameters_profile_security_tag(loaded) -> None:
    derived = ids(loaded.get("/Observation?derived-from=DocumentReference/ExampleClinicalPhoto"))
    assert "ExampleMelanomaAnnotation" in derived
    annotations = ids(
        loaded.get(
            "/Observation?_profile=https://annotatemd.com/fhir/ig/StructureDefinition/dermatology-image-annotation"
        )
    )
    assert "ExampleMelanomaAnnotation" in annotations and "oa1" not in annotations
    labelled = ids(loaded.get("/Observation?_security=http://terminology.hl7.org/CodeSystem/v3-ObservationValue|AIAST"))
    assert "oa2" in labelled and "oa1" not in labelled
    assert ids(loaded.get("/Observation?_tag=urn:tags|triage")) == ["oa2"]
    assert ids(loaded.get("/Observation?_id=oa1&_lastUpdated=gt2000-01-01")) == ["oa1"]


def test_chain_has_include_revinclude(loaded) -> None:
    assert sorted(ids(loaded.get("/Observation?subject:Patient.identifier=urn:mrn|A1"))) == ["oa1", "oa2"]
    assert ids(loaded.get("/Patient?_has:Observation:subject:value-quantity=gt7&_id=pa,pb")) == ["pa"]
    bundle = loaded.get("/Observation?_id=oa1&_include=Observation:subject").json()
    modes = {(e["resource"]["resourceType"], e["search"]["mode"]) for e in bundle["entry"]}
    assert modes == {("Observation", "match"), ("Patient", "include")}
    rev = loaded.get("/Patient?_id=pb&_revinclude=Observation:subject").json()
    assert {e["resource"]["id"] for e in rev["entry"]} == {"pb", "ob1"}
    iterate = loaded.get(
        "/Observation?_id=ExampleMelanomaAnnotation&_include=Observation:derived-from"
        "&_include:iterate=DocumentReference:subject"
    ).json()
    included = {f"{e['resource']['resourceType']}/{e['resource']['id']}" for e in iterate["entry"]}
    assert "DocumentReference/ExampleClinicalPhoto" in included
    assert "Patient/example-patient" in included


def test_sort_count_paging(loaded) -> None:
    first = loaded.get("/Observation?subject=Patient/pa,Patient/pb&_sort=-date&_count=2").json()
    assert [e["resource"]["id"] for e in first["entry"]] == ["ob1", "oa2"]
    assert first["total"] == 3
    following = next(link["url"] for link in first["link"] if link["relation"] == "next")
    second = loaded.get(following.removeprefix("http://testserver")).json()
    assert [e["resource"]["id"] for e in second["entry"]] == ["oa1"]
    assert any(link["relation"] == "previous" for link in second["link"])
    assert not any(link["relation"] == "next" for link in second["link"])


def test_summary_count_and_elements(loaded) -> None:
    count = loaded.get("/Observation?subject=Patient/pa&_summary=count").json()
    assert count["total"] == 2 and "entry" not in count
    shaped = loaded.get("/Observation?_id=oa1&_elements=status").json()["entry"][0]["resource"]
    assert "status" in shaped and "valueQuantity" not in shaped


def test_post_search_and_system_search(loaded) -> None:
    posted = loaded.post("/Patient/_search", data={"family": "beta"})
    assert ids(posted) == ["pb"]
    everything = loaded.get("/?_type=Patient,Practitioner&_count=100").json()
    kinds = {e["resource"]["resourceType"] for e in everything["entry"]}
    assert kinds == {"Patient", "Practitioner"}
    assert loaded.post("/Patient/_search", content=b'{"a":1}', headers=FHIR).status_code == 400


def test_lenient_handling_reports_ignored_parameters(loaded) -> None:
    response = loaded.get("/Patient?family=alpha&_unknownOption=count", headers={"Prefer": "handling=lenient"})
    assert response.status_code == 200
    entries = response.json()["entry"]
    assert [e["resource"]["id"] for e in entries if e["search"]["mode"] == "match"] == ["pa"]
    outcome = next(e["resource"] for e in entries if e["search"]["mode"] == "outcome")
    assert "_unknownOption" in outcome["issue"][0]["diagnostics"]
    assert loaded.get("/Patient?family=alpha&_unknownOption=count").status_code == 400
    # a parameter well-known clients add on their own (fhirpy's _totalMethod) is dropped and reported even when strict
    convenience = loaded.get("/Patient?family=alpha&_totalMethod=count").json()
    outcome = next(e["resource"] for e in convenience["entry"] if e["search"]["mode"] == "outcome")
    assert "_totalMethod" in outcome["issue"][0]["diagnostics"]


@pytest.mark.parametrize(
    "query",
    [
        "/Patient?unknown=1",
        "/Patient?family:below=x",
        "/Observation?date=not-a-date",
        "/Observation?value-quantity=gtabc",
        "/Patient?_sort=nonsense",
        "/Patient?_count=-1",
        "/Patient?_include=Nope:x",
        "/Patient?_summary=maybe",
        "/Patient?_text=foo",
    ],
)
def test_bad_searches_are_400(loaded, query: str) -> None:
    response = loaded.get(query)
    assert response.status_code == 400, response.text
    assert response.json()["resourceType"] == "OperationOutcome"
