"""Images through the server, SMART Imaging Access style: a patient-scoped client walks Patient → ImagingStudy →
WADO-RS instance and rendered image → the annotations derived from the image; the scopes and the patient
compartment of a plain ImagingStudy read apply to the DICOMweb routes."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pydicom
import pytest
from PIL import Image

from dermfhir.builders import DermatologyImageAnnotation
from dermfhir.builders.bundle import transaction
from dermfhir.ingest import Options
from dermfhir.ingest.dicom import read
from dermfhir.ingest.dicom.synthetic import SyntheticImage, write
from tests.server.conftest import FHIR

ADMIN, PATIENT_A, NO_IMAGING, READ_ONLY = ("a" * 32, "p" * 32, "o" * 32, "r" * 32)


@pytest.fixture
def imaging(make_client, tmp_path: Path):
    tokens = tmp_path / "tokens.json"
    tokens.write_text(
        json.dumps(
            {
                "tokens": [
                    {"token": ADMIN, "subject": "admin", "scope": "system/*.cruds"},
                    {"token": PATIENT_A, "subject": "app", "scope": "patient/*.rs", "patient": "dicom-pat-PA"},
                    {"token": NO_IMAGING, "subject": "obs", "scope": "user/Observation.rs user/Patient.rs"},
                    {"token": READ_ONLY, "subject": "viewer", "scope": "user/ImagingStudy.r"},
                ]
            }
        )
    )
    client = make_client(auth="token", tokens_file=tokens)
    files = {
        "a": write(tmp_path / "dicom" / "a.dcm", SyntheticImage(patient_id="PA", rows=20, columns=30)),
        "b": write(tmp_path / "dicom" / "b.dcm", SyntheticImage(patient_id="PB", modality="XC", tracking_id=None)),
    }
    resources = read([tmp_path / "dicom"], Options()).resources
    annotation = DermatologyImageAnnotation(
        "ann-a",
        subject="Patient/dicom-pat-PA",
        image=f"DocumentReference/{files['a'].SOPInstanceUID}",
        performer=["Organization/curators"],
        findings=[{"coding": [{"system": "http://snomed.info/sct", "code": "372244006"}]}],
        method="expert-annotation",
    ).to_resource()
    curators = {"resourceType": "Organization", "id": "curators", "name": "Curators"}
    response = client.post(
        "/", json=transaction([*resources, annotation, curators]), headers={"Authorization": f"Bearer {ADMIN}", **FHIR}
    )
    assert response.status_code == 200, response.text
    return client, files, tmp_path


def _url(ds: pydicom.Dataset) -> str:
    return f"/dicomweb/studies/{ds.StudyInstanceUID}/series/{ds.SeriesInstanceUID}/instances/{ds.SOPInstanceUID}"


def _multipart(response) -> bytes:
    media = response.headers["content-type"]
    assert media.startswith("multipart/related") and 'type="application/dicom"' in media
    boundary = media.split("boundary=")[1].split(";")[0].strip('"')
    parts = response.content.split(f"--{boundary}".encode())
    assert parts[-1].strip() == b"--" and len(parts) == 3
    head, _, body = parts[1].partition(b"\r\n\r\n")
    assert b"Content-Type: application/dicom" in head
    return body.removesuffix(b"\r\n")


def test_a_patient_app_walks_from_patient_to_image_to_annotations(imaging) -> None:
    client, files, folder = imaging
    auth = {"Authorization": f"Bearer {PATIENT_A}"}
    studies = client.get("/ImagingStudy", params={"patient": "Patient/dicom-pat-PA"}, headers=auth).json()
    (entry,) = studies["entry"]
    study = entry["resource"]
    series = study["series"][0]
    instance = series["instance"][0]
    assert instance["uid"] == files["a"].SOPInstanceUID
    url = f"/dicomweb/studies/{files['a'].StudyInstanceUID}/series/{series['uid']}/instances/{instance['uid']}"
    response = client.get(url, headers=auth)
    assert response.status_code == 200
    assert _multipart(response) == (folder / "dicom" / "a.dcm").read_bytes()
    png = client.get(f"{url}/rendered", headers={**auth, "Accept": "image/png"})
    assert png.headers["content-type"] == "image/png"
    with Image.open(io.BytesIO(png.content)) as image:
        assert image.size == (30, 20)
        assert np.array_equal(np.asarray(image), files["a"].pixel_array)
    jpeg = client.get(f"{url}/rendered", headers=auth)
    assert jpeg.headers["content-type"] == "image/jpeg"
    image_reference = f"DocumentReference/{instance['uid']}"
    found = client.get("/Observation", params={"derived-from": image_reference}, headers=auth).json()
    assert [e["resource"]["id"] for e in found["entry"]] == ["ann-a"]
    bare = client.get(url, headers={**auth, "Accept": "application/dicom"})
    assert bare.headers["content-type"] == "application/dicom"
    assert bare.content == (folder / "dicom" / "a.dcm").read_bytes()


def test_the_imaging_study_read_rules_apply(imaging) -> None:
    client, files, _ = imaging
    url_b = _url(files["b"])
    assert client.get(url_b).status_code == 401
    # another patient's image: outside the compartment, refused as a read of that ImagingStudy is
    refused = client.get(url_b, headers={"Authorization": f"Bearer {PATIENT_A}"})
    assert refused.status_code == 403
    assert refused.json()["resourceType"] == "OperationOutcome"
    # no ImagingStudy scope at all
    assert client.get(url_b, headers={"Authorization": f"Bearer {NO_IMAGING}"}).status_code == 403
    assert client.get(url_b, headers={"Authorization": f"Bearer {ADMIN}"}).status_code == 200
    # the read right alone is enough (no search right), as for GET ImagingStudy/[id]
    assert client.get(url_b, headers={"Authorization": f"Bearer {READ_ONLY}"}).status_code == 200


@pytest.mark.parametrize(
    "change",
    ["instance", "series", "study", "not-a-uid"],
)
def test_unknown_or_mismatched_uids_are_not_found(imaging, change: str) -> None:
    client, files, _ = imaging
    a, b = files["a"], files["b"]
    parts = {"study": a.StudyInstanceUID, "series": a.SeriesInstanceUID, "instance": a.SOPInstanceUID}
    if change == "not-a-uid":
        parts["instance"] = "1.2.3.04"
    else:
        parts[change] = {"study": b.StudyInstanceUID, "series": b.SeriesInstanceUID, "instance": b.SOPInstanceUID}[
            change
        ]
    url = f"/dicomweb/studies/{parts['study']}/series/{parts['series']}/instances/{parts['instance']}"
    response = client.get(url, headers={"Authorization": f"Bearer {ADMIN}"})
    assert response.status_code == 404
    assert response.json()["resourceType"] == "OperationOutcome"


def test_unsupported_media_types_are_refused(imaging) -> None:
    client, files, _ = imaging
    auth = {"Authorization": f"Bearer {ADMIN}"}
    assert client.get(_url(files["a"]), headers={**auth, "Accept": "application/json"}).status_code == 406
    transcoded = {
        **auth,
        "Accept": 'multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2.4.50',
    }
    assert client.get(_url(files["a"]), headers=transcoded).status_code == 406
    assert client.get(f"{_url(files['a'])}/rendered", headers={**auth, "Accept": "image/gif"}).status_code == 406


def test_a_binary_of_another_study_is_not_served(imaging) -> None:
    client, files, _ = imaging
    admin = {"Authorization": f"Bearer {ADMIN}", **FHIR}
    a = files["a"]
    binary = client.get(f"/Binary/{a.SOPInstanceUID}", headers=admin).json()
    binary["securityContext"] = {"reference": f"ImagingStudy/{files['b'].StudyInstanceUID}"}
    assert client.put(f"/Binary/{a.SOPInstanceUID}", json=binary, headers=admin).status_code == 200
    assert client.get(_url(a), headers=admin).status_code == 404


def test_instances_from_the_dicom_folder(make_client, tmp_path: Path) -> None:
    from dermfhir.cli.main import main

    ds = write(tmp_path / "in" / "big.dcm", SyntheticImage(patient_id="PZ", rows=480, columns=640))
    store, out = tmp_path / "dicom-store", tmp_path / "out.json"
    assert main(["import", "dicom", str(tmp_path / "in"), "--out", str(out), "--dicom-store", str(store)]) == 0
    client = make_client(dicom_store=store)
    assert client.post("/", content=out.read_bytes(), headers=FHIR).status_code == 200
    response = client.get(_url(ds), headers={"Accept": "application/dicom"})
    assert response.status_code == 200 and response.content == (tmp_path / "in" / "big.dcm").read_bytes()
    rendered = client.get(f"{_url(ds)}/rendered", headers={"Accept": "image/png"})
    with Image.open(io.BytesIO(rendered.content)) as image:
        assert image.size == (640, 480)
    assert make_client().get(_url(ds)).status_code == 404  # a server without the folder has no file
