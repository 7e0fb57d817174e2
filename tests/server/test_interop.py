"""Third-party clients against a real server: fhirpy and fhirclient create, read, search and run a transaction;
`dermfhir load` posts NDJSON and Bundles with progress; `dermfhir serve` refuses unsafe bindings."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.server.conftest import LiveServer, start_server
from tests.server.resources import examples, observation, patient

pytestmark = pytest.mark.slow


@pytest.fixture
def server(live_db: str) -> Iterator[LiveServer]:
    started = start_server(live_db)
    try:
        yield started
    finally:
        started.stop()


def test_fhirpy(server: LiveServer) -> None:
    from fhirpy import SyncFHIRClient

    client = SyncFHIRClient(server.url)
    person = client.resource("Patient", **patient("Fhirpy"))
    person.save()
    assert person["id"]
    fetched = client.reference("Patient", person["id"]).to_resource()
    assert fetched["name"][0]["family"] == "Fhirpy"
    found = client.resources("Patient").search(family="fhirpy").fetch_all()
    assert [item["id"] for item in found] == [person["id"]]
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": "urn:uuid:7d2c2a2e-1111-4c3b-9b1e-0a1b2c3d4e5f",
                "resource": patient("FhirpyTx"),
                "request": {"method": "POST", "url": "Patient"},
            },
            {
                "resource": observation("urn:uuid:7d2c2a2e-1111-4c3b-9b1e-0a1b2c3d4e5f"),
                "request": {"method": "POST", "url": "Observation"},
            },
        ],
    }
    result = client.execute("/", method="post", data=bundle)
    assert result["type"] == "transaction-response"
    subject = client.resources("Observation").search(**{"subject:Patient.family": "FhirpyTx"}).fetch_all()
    assert len(subject) == 1


def test_fhirclient(server: LiveServer) -> None:
    from fhirclient import client as smart_client
    from fhirclient.models.observation import Observation
    from fhirclient.models.patient import Patient

    smart = smart_client.FHIRClient(settings={"app_id": "dermfhir-test", "api_base": server.url})
    created = Patient(patient("Fhirclient")).create(smart.server)
    patient_id = created["id"]
    read = Patient.read(patient_id, smart.server)
    assert read.name[0].family == "Fhirclient"
    found = list(Patient.where(struct={"family": "fhirclient"}).perform_resources_iter(smart.server))
    assert [item.id for item in found] == [patient_id]
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {"resource": observation(f"Patient/{patient_id}"), "request": {"method": "POST", "url": "Observation"}},
        ],
    }
    result = smart.server.post_json("", bundle).json()
    assert result["entry"][0]["response"]["status"] == "201 Created"
    search = Observation.where(struct={"subject": f"Patient/{patient_id}"})
    assert len(list(search.perform_resources_iter(smart.server))) == 1
    assert smart.server.capabilityStatement.fhirVersion == "4.0.1"  # the statement parses in fhirclient's models


def test_load_command(server: LiveServer, tmp_path: Path) -> None:
    ndjson = tmp_path / "patients.ndjson"
    ndjson.write_text("\n".join(json.dumps(patient("Loaded", id=f"load-{n}")) for n in range(25)) + "\n")
    folder = tmp_path / "examples"
    folder.mkdir()
    guide_examples = list(examples())
    for resource in guide_examples:
        (folder / f"{resource['resourceType']}-{resource['id']}.json").write_text(json.dumps(resource))
    definition = {"resourceType": "ValueSet", "id": "not-data", "status": "draft"}  # a definition: left out, said
    (folder / "ValueSet-not-data.json").write_text(json.dumps(definition))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "dermfhir.cli.main",
            "load",
            str(ndjson),
            str(folder),
            "--server",
            server.url,
            "--batch-size",
            "10",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    assert f"{25 + len(guide_examples)} resources loaded" in done.stdout
    assert "1 conformance resource(s) not loaded" in done.stdout
    assert httpx.get(f"{server.url}/Patient?family=Loaded&_summary=count").json()["total"] == 25
    assert httpx.get(f"{server.url}/Observation/ExampleMelanomaAnnotation").status_code == 200
    bad = tmp_path / "bad.ndjson"
    bad.write_text(json.dumps({"resourceType": "Patient", "gender": "robot"}) + "\n")
    refused = subprocess.run(
        [sys.executable, "-m", "dermfhir.cli.main", "load", str(bad), "--server", server.url, "--quiet"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode == 1 and "HTTP 422" in refused.stdout + refused.stderr


def test_serve_refuses_open_binding_without_auth(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "dermfhir.cli.main", "serve", "--db", str(tmp_path / "x.db"), "--host", "0.0.0.0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "Refusing" in done.stderr
