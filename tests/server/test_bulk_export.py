"""Bulk Data $export: asynchronous kick-off, status polling, NDJSON download and delete; system, Patient and
Group level; _type, _since, _typeFilter; everything scoped by the caller's token."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from dermfhir.server.bulk import dataset_group, jobs
from tests.server.conftest import FHIR
from tests.server.resources import observation, patient

ADMIN, PATIENT_A, OBSERVER, OTHER_ADMIN = ("a" * 32, "p" * 32, "o" * 32, "x" * 32)
ASYNC = {"Prefer": "respond-async", "Accept": "application/fhir+json"}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def bulk(make_client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DERMFHIR_BULK_DIR", str(tmp_path / "bulk"))
    tokens = tmp_path / "tokens.json"
    tokens.write_text(
        json.dumps(
            {
                "tokens": [
                    {"token": ADMIN, "subject": "admin", "scope": "system/*.cruds"},
                    {"token": OTHER_ADMIN, "subject": "other", "scope": "system/*.cruds"},
                    {"token": PATIENT_A, "subject": "app", "scope": "patient/*.rs", "patient": "pa"},
                    {"token": OBSERVER, "subject": "obs", "scope": "user/Observation.rs"},
                ]
            }
        )
    )
    client = make_client(auth="token", tokens_file=tokens)
    admin = {**bearer(ADMIN), **FHIR}
    for id, name in (("pa", "A"), ("pb", "B"), ("pc", "C")):
        assert client.put(f"/Patient/{id}", json=patient(name, id=id), headers=admin).status_code in (200, 201)
    for id, subject in (("oa", "pa"), ("oa2", "pa"), ("ob", "pb"), ("oc", "pc")):
        resource = observation(f"Patient/{subject}", id=id)
        assert client.put(f"/Observation/{id}", json=resource, headers=admin).status_code in (200, 201)
    group = dataset_group("HAM10000", ["pa", "pc"])
    assert client.put(f"/Group/{group['id']}", json=group, headers=admin).status_code in (200, 201)
    return client, group["id"], tmp_path / "bulk"


def _run(client, url: str, token: str = ADMIN, **params: str) -> dict[str, list[dict]]:
    """Kick off, poll to completion, download every file: resources by type."""
    response = client.get(url, params=params, headers={**ASYNC, **bearer(token)})
    assert response.status_code == 202, response.text
    status = response.headers["content-location"]
    assert "/bulk/status/" in status
    for _ in range(1200):  # up to a minute on a busy machine
        polled = client.get(status, headers=bearer(token))
        if polled.status_code != 202:
            break
        assert polled.headers["x-progress"]
        time.sleep(0.05)
    assert polled.status_code == 200, polled.text
    manifest = polled.json()
    assert manifest["requiresAccessToken"] is True and manifest["error"] == []
    assert manifest["request"].endswith(url) or "?" in manifest["request"]
    found: dict[str, list[dict]] = {}
    for output in manifest["output"]:
        file = client.get(output["url"], headers=bearer(token))
        assert file.headers["content-type"].startswith("application/fhir+ndjson")
        lines = [orjson.loads(line) for line in file.content.splitlines() if line]
        assert len(lines) == output["count"]
        assert all(item["resourceType"] == output["type"] for item in lines)
        found.setdefault(output["type"], []).extend(lines)
    return found


def _ids(found: dict[str, list[dict]], kind: str) -> list[str]:
    return sorted(item["id"] for item in found.get(kind, []))


def test_system_export_of_everything_and_of_types(bulk) -> None:
    client, group_id, _ = bulk
    found = _run(client, "/$export")
    assert _ids(found, "Patient") == ["pa", "pb", "pc"]
    assert _ids(found, "Observation") == ["oa", "oa2", "ob", "oc"]
    assert _ids(found, "Group") == [group_id]
    only = _run(client, "/$export", _type="Patient")
    assert list(only) == ["Patient"]


def test_since_and_type_filter(bulk) -> None:
    client, _, _ = bulk
    time.sleep(0.05)
    marker = datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    time.sleep(0.05)
    admin = {**bearer(ADMIN), **FHIR}
    client.put("/Observation/ob", json=observation("Patient/pb", id="ob", value=7), headers=admin)
    newer = _run(client, "/$export", _type="Observation,Patient", _since=marker)
    assert _ids(newer, "Observation") == ["ob"] and "Patient" not in newer
    filtered = _run(client, "/$export", _type="Observation", _typeFilter="Observation?subject=Patient/pa")
    assert _ids(filtered, "Observation") == ["oa", "oa2"]
    both = _run(
        client, "/$export", _typeFilter="Observation?subject=Patient/pa,Observation?_id=oc", _type="Observation"
    )
    assert _ids(both, "Observation") == ["oa", "oa2", "oc"]


def test_group_export_is_one_dataset(bulk) -> None:
    client, group_id, _ = bulk
    found = _run(client, f"/Group/{group_id}/$export")
    assert _ids(found, "Patient") == ["pa", "pc"]
    assert _ids(found, "Observation") == ["oa", "oa2", "oc"]
    observations = _run(client, f"/Group/{group_id}/$export", _type="Observation")
    assert list(observations) == ["Observation"]


def test_patient_export_and_patient_scoped_tokens(bulk) -> None:
    client, _, _ = bulk
    everyone = _run(client, "/Patient/$export")
    assert _ids(everyone, "Patient") == ["pa", "pb", "pc"]
    assert _ids(everyone, "Observation") == ["oa", "oa2", "ob", "oc"]
    mine = _run(client, "/$export", token=PATIENT_A)
    assert _ids(mine, "Patient") == ["pa"]
    assert _ids(mine, "Observation") == ["oa", "oa2"]
    limited = _run(client, "/$export", token=OBSERVER)
    assert list(limited) == ["Observation"]
    refused = client.get("/$export", params={"_type": "Patient"}, headers={**ASYNC, **bearer(OBSERVER)})
    assert refused.status_code == 403


def test_status_is_private_and_delete_removes_files(bulk) -> None:
    client, _, folder = bulk
    response = client.get("/$export", headers={**ASYNC, **bearer(ADMIN)})
    status = response.headers["content-location"]
    assert client.get(status, headers=bearer(OTHER_ADMIN)).status_code == 404
    assert client.get(status).status_code == 401
    for _ in range(1200):  # up to a minute on a busy machine
        if client.get(status, headers=bearer(ADMIN)).status_code == 200:
            break
        time.sleep(0.05)
    url = client.get(status, headers=bearer(ADMIN)).json()["output"][0]["url"]
    assert client.get(url, headers=bearer(OTHER_ADMIN)).status_code == 404
    assert any(folder.rglob("*.ndjson"))
    assert client.delete(status, headers=bearer(OTHER_ADMIN)).status_code == 404
    assert client.delete(status, headers=bearer(ADMIN)).status_code == 202
    assert client.get(status, headers=bearer(ADMIN)).status_code == 404
    assert client.get(url, headers=bearer(ADMIN)).status_code == 404
    assert not any(folder.rglob("*.ndjson"))


@pytest.mark.parametrize(
    ("url", "params", "headers"),
    [
        ("/$export", {}, {"Accept": "application/fhir+json"}),  # no Prefer: respond-async
        ("/$export", {"_type": "NoSuchType"}, ASYNC),
        ("/$export", {"_outputFormat": "text/csv"}, ASYNC),
        ("/$export", {"_since": "yesterday"}, ASYNC),
        ("/$export", {"_since": "2026-01-01"}, ASYNC),  # a date, not an instant
        ("/$export", {"_typeFilter": "Observation"}, ASYNC),
        ("/$export", {"_typeFilter": "Observation?_count=5"}, ASYNC),
        ("/$export", {"_elements": "id"}, ASYNC),
        ("/$export", {"bogus": "1"}, ASYNC),
        ("/Patient/$export", {"_type": "Practitioner"}, ASYNC),  # outside the Patient compartment
        ("/Observation/$export", {}, ASYNC),
    ],
)
def test_bad_kick_offs_are_refused_with_an_outcome(bulk, url: str, params: dict, headers: dict) -> None:
    client, _, _ = bulk
    response = client.get(url, params=params, headers={**headers, **bearer(ADMIN)})
    assert response.status_code == 400, response.text
    assert response.json()["resourceType"] == "OperationOutcome"


def test_unknown_group_and_job(bulk) -> None:
    client, _, _ = bulk
    assert client.get("/Group/nope/$export", headers={**ASYNC, **bearer(ADMIN)}).status_code == 404
    assert client.get("/bulk/status/nope", headers=bearer(ADMIN)).status_code == 404
    assert client.get("/bulk/files/nope/Patient-1.ndjson", headers=bearer(ADMIN)).status_code == 404


def test_dataset_group_shape() -> None:
    group = dataset_group("HAM10000", ["p1", "p2", "p1"])
    assert group["quantity"] == 2 and [m["entity"]["reference"] for m in group["member"]] == [
        "Patient/p1",
        "Patient/p2",
    ]
    with pytest.raises(ValueError, match="name"):
        dataset_group(" ", [])


def test_another_worker_answers_for_the_job(bulk, make_client, tmp_path: Path) -> None:
    client, _, folder = bulk
    other = make_client(auth="token", tokens_file=tmp_path / "tokens.json")  # a second worker of the same server
    response = client.get("/$export", params={"_type": "Patient"}, headers={**ASYNC, **bearer(ADMIN)})
    status = response.headers["content-location"]
    for _ in range(1200):  # up to a minute on a busy machine
        polled = other.get(status, headers=bearer(ADMIN))
        if polled.status_code == 200:
            break
        assert polled.status_code == 202
        time.sleep(0.05)
    (output,) = polled.json()["output"]
    assert output["count"] == 3
    assert len(other.get(output["url"], headers=bearer(ADMIN)).content.splitlines()) == 3
    assert other.get(status, headers=bearer(OTHER_ADMIN)).status_code == 404
    assert other.delete(status, headers=bearer(ADMIN)).status_code == 202
    assert client.get(status, headers=bearer(ADMIN)).status_code == 404
    assert not any(folder.rglob("*.ndjson"))


_STALLED_EXPORT = """
import sys, time
from pathlib import Path
from dermfhir.server.bulk.jobs import Jobs, Part

class Stalled:  # a store whose read never ends: the job is running when the process is killed
    def iter_current(self, kind, since):
        yield b'{"resourceType":"Patient","id":"x"}'
        time.sleep(3600)

job = Jobs(Stalled(), Path(sys.argv[1])).start("admin", "[base]/$export", [Part("Patient")], None)
print(job.id, flush=True)
time.sleep(3600)
"""


def _stalled_job(folder: Path) -> tuple[subprocess.Popen, str]:
    command = [sys.executable, "-c", _STALLED_EXPORT, str(folder)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def _stop(process: subprocess.Popen) -> None:
    process.kill()
    process.wait()
    assert process.stdout is not None
    process.stdout.close()


def test_a_job_whose_process_died_fails_with_an_outcome(bulk) -> None:
    client, _, folder = bulk
    process, job_id = _stalled_job(folder)
    try:
        assert client.get(f"/bulk/status/{job_id}", headers=bearer(ADMIN)).status_code == 202  # alive: running
    finally:
        _stop(process)
    polled = client.get(f"/bulk/status/{job_id}", headers=bearer(ADMIN))
    assert polled.status_code == 500
    outcome = polled.json()
    assert outcome["resourceType"] == "OperationOutcome" and outcome["issue"][0]["severity"] == "error"
    assert "ended before it finished" in outcome["issue"][0]["diagnostics"]
    assert orjson.loads((folder / job_id / "job.json").read_bytes())["state"] == "failed"  # every worker agrees
    assert client.get(f"/bulk/status/{job_id}", headers=bearer(OTHER_ADMIN)).status_code == 404  # still private
    assert client.delete(f"/bulk/status/{job_id}", headers=bearer(ADMIN)).status_code == 202
    assert not (folder / job_id).exists()


def test_a_job_of_another_host_fails_when_its_heartbeat_stops(bulk) -> None:
    client, _, folder = bulk
    process, job_id = _stalled_job(folder)
    try:
        state_file = folder / job_id / "job.json"
        state = orjson.loads(state_file.read_bytes())
        state_file.write_bytes(orjson.dumps({**state, "host": "another-machine", "pid": 1}))  # pid unknowable here
        assert client.get(f"/bulk/status/{job_id}", headers=bearer(ADMIN)).status_code == 202  # fresh heartbeat
        old = time.time() - jobs.LEASE - 5
        os.utime(folder / job_id / "heartbeat", (old, old))
        polled = client.get(f"/bulk/status/{job_id}", headers=bearer(ADMIN))
        assert polled.status_code == 500 and polled.json()["resourceType"] == "OperationOutcome"
    finally:
        _stop(process)
