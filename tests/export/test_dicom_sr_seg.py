"""DICOM out and back: annotations as TID 1500 Comprehensive 3D SR, masks as DICOM Segmentation, on a DICOM
source image written here; `dermfhir import dicom` brings both back unchanged. Files are checked with dciodvfy
(dicom3tools) when it is installed."""

from __future__ import annotations

import base64
import io
import shutil
import subprocess
from pathlib import Path

import numpy as np
import orjson
import pydicom
import pytest
from PIL import Image

from dermfhir.builders import DerivedImage, DermatologyImageAnnotation
from dermfhir.cli.main import main
from dermfhir.export import dicom_codes
from dermfhir.export._read import Index
from dermfhir.export.dicom_source import source_dataset
from dermfhir.export.dicom_sr import build
from dermfhir.ingest import Options
from dermfhir.ingest.dicom import read
from dermfhir.ingest.dicom.synthetic import SyntheticImage, write
from dermfhir.ingest.validate import validate_all

MELANOMA = {"system": "http://snomed.info/sct", "code": "372244006", "display": "Malignant melanoma"}
ISIC_MEL = {"system": "https://annotatemd.com/fhir/ig/CodeSystem/isic-challenge-class", "code": "MEL"}
UPPER_ARM = {"system": "http://snomed.info/sct", "code": "40983000", "display": "Upper arm structure"}


def _png(mask: np.ndarray) -> str:
    buffer = io.BytesIO()
    Image.fromarray(mask.astype(np.uint8) * 255).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


@pytest.fixture
def imported(tmp_path: Path) -> dict[str, dict]:
    write(tmp_path / "images" / "lesion.dcm", SyntheticImage(rows=32, columns=48))
    resources = read([tmp_path / "images"], Options()).resources
    return {f"{r['resourceType']}/{r['id']}": r for r in resources}


def _annotations(imported: dict[str, dict]) -> tuple[list[dict], np.ndarray]:
    image = next(key for key in imported if key.startswith("DocumentReference/"))
    patient = next(key for key in imported if key.startswith("Patient/"))
    mask = np.zeros((32, 48), dtype=bool)
    mask[8:20, 10:31] = True
    mask[22, 40] = True
    document = DerivedImage(
        "mask-lesion", subject=patient, source=image, url="mask-lesion.png", kind="Lesion segmentation mask"
    ).to_resource()
    document["content"][0]["attachment"]["data"] = _png(mask)
    expert = DermatologyImageAnnotation(
        "ann-expert",
        subject=patient,
        image=image,
        performer=["Practitioner/derm-1"],
        findings=[{"coding": [MELANOMA]}],
        method="expert-annotation",
        confidence=0.92,
        agreement=0.87,
        qa_status="approved",
        body_site={"coding": [UPPER_ARM]},
        bounding_boxes=[(4, 5, 10.5, 8)],
        polygons=[[(1, 1), (10, 2), (5, 9)], [(20, 20), (30, 20), (30, 30), (20, 30)]],
        image_size=(48, 32),
        mask="DocumentReference/mask-lesion",
    ).to_resource()
    assisted = DermatologyImageAnnotation(
        "ann-assisted",
        subject=patient,
        image=image,
        status="preliminary",
        findings=[{"coding": [ISIC_MEL]}],
        method="ai-assisted-corrected",
        kind="quick-classify",
        prediction="Observation/prediction-1",
    ).to_resource()
    assisted["device"] = {"reference": "Device/dermai"}
    return [expert, assisted, document], mask


def _dciodvfy(path: Path) -> list[str]:
    output = subprocess.run(["dciodvfy", str(path)], capture_output=True, text=True, check=False)
    return [line for line in (output.stdout + output.stderr).splitlines() if line.startswith("Error")]


def test_annotations_go_out_as_sr_and_seg_and_come_back_unchanged(tmp_path: Path, imported: dict[str, dict]) -> None:
    made, mask = _annotations(imported)
    practitioner = {"resourceType": "Practitioner", "id": "derm-1", "name": [{"family": "Ng", "given": ["Ada"]}]}
    device = {
        "resourceType": "Device",
        "id": "dermai",
        "deviceName": [{"name": "DermAI Classifier", "type": "model-name"}],
        "version": [{"value": "2.1"}],
        "manufacturer": "Example AI",
    }
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in [*imported.values(), *made, practitioner, device]],
    }
    source = tmp_path / "bundle.json"
    source.write_bytes(orjson.dumps(bundle))
    assert main(["export", "dicom-sr", str(source), "--out", str(tmp_path / "dicom")]) == 0
    assert main(["export", "dicom-seg", str(source), "--out", str(tmp_path / "dicom")]) == 0
    written = sorted(p.name for p in (tmp_path / "dicom").iterdir())
    assert written == ["ann-assisted.sr.dcm", "ann-expert.seg.dcm", "ann-expert.sr.dcm"]
    if shutil.which("dciodvfy"):
        for path in (tmp_path / "dicom").iterdir():
            assert _dciodvfy(path) == [], path

    sr = pydicom.dcmread(tmp_path / "dicom" / "ann-assisted.sr.dcm")
    assert sr.CompletionFlag == "PARTIAL"
    schemes = {item.CodingSchemeDesignator: item.CodingSchemeURL for item in sr.CodingSchemeIdentificationSequence}
    assert schemes[dicom_codes.designator(ISIC_MEL["system"])] == ISIC_MEL["system"]

    back = read([tmp_path / "dicom"], Options())
    assert back.report.rejected == []
    found = {f"{r['resourceType']}/{r['id']}": r for r in back.resources}
    assert found["Observation/ann-expert"] == made[0]
    assert found["Observation/ann-assisted"] == made[1]
    document = found["DocumentReference/mask-lesion"]
    data = base64.b64decode(document["content"][0]["attachment"]["data"])
    with Image.open(io.BytesIO(data)) as image:
        assert np.array_equal(np.asarray(image) > 0, mask)
    assert document["relatesTo"][0]["target"] == made[2]["relatesTo"][0]["target"]
    assert all(errors == [] for errors in validate_all(back.resources, 1))


def test_sr_states_observers_and_ai_involvement(imported: dict[str, dict]) -> None:
    made, _ = _annotations(imported)
    index = Index([*imported.values(), *made])
    dataset = build(made[1], index, source_dataset(made[1], index))  # type: ignore[arg-type]
    values = set(_values(dataset))
    assert "Device/dermai" in values  # device observer
    assert "ai-assisted-corrected" in values  # the method: how the AI contributed
    assert "Device/dermai" in values and "111001" in values  # Algorithm Name (TID 4019)
    person = build(made[0], index, source_dataset(made[0], index))  # type: ignore[arg-type]
    assert "Practitioner/derm-1" in set(_values(person))


def _values(dataset: pydicom.Dataset) -> list[str]:
    """Every text, code value and concept name code in an SR content tree."""
    found: list[str] = []
    for item in dataset.get("ContentSequence", []):
        for keyword in ("TextValue", "PersonName"):
            if keyword in item:
                found.append(str(item[keyword].value))
        for sequence in ("ConceptNameCodeSequence", "ConceptCodeSequence"):
            for code in item.get(sequence, []):
                found.append(str(code.get("CodeValue") or code.get("LongCodeValue")))
        found += _values(item)
    return found


def test_annotations_without_a_dicom_source_are_reported(tmp_path: Path, imported: dict[str, dict]) -> None:
    made, _ = _annotations(imported)
    orphan = dict(made[0], id="ann-photo", derivedFrom=[{"reference": "DocumentReference/some-jpeg"}])
    source = tmp_path / "bundle.ndjson"
    source.write_bytes(b"\n".join(orjson.dumps(r) for r in [*imported.values(), orphan]))
    assert main(["export", "dicom-sr", str(source), "--out", str(tmp_path / "out")]) == 1
    assert list((tmp_path / "out").iterdir()) == []


def test_a_mask_of_the_wrong_size_is_reported(tmp_path: Path, imported: dict[str, dict]) -> None:
    made, _ = _annotations(imported)
    made[2]["content"][0]["attachment"]["data"] = _png(np.ones((10, 10), dtype=bool))
    source = tmp_path / "bundle.ndjson"
    source.write_bytes(b"\n".join(orjson.dumps(r) for r in [*imported.values(), *made]))
    assert main(["export", "dicom-seg", str(source), "--out", str(tmp_path / "out")]) == 1
    assert list((tmp_path / "out").iterdir()) == []


def test_a_foreign_sr_is_rejected_by_file(tmp_path: Path, imported: dict[str, dict]) -> None:
    made, _ = _annotations(imported)
    index = Index([*imported.values(), *made])
    dataset = build(made[0], index, source_dataset(made[0], index))  # type: ignore[arg-type]
    del dataset.ContentSequence[-1]  # no Imaging Measurements
    dataset.save_as(tmp_path / "odd.dcm", enforce_file_format=True)
    result = read([tmp_path / "odd.dcm"], Options())
    (rejected,) = result.report.rejected
    assert rejected.where == str(tmp_path / "odd.dcm")
    assert "Imaging Measurements" in rejected.reason
