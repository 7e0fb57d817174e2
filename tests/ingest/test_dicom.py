"""DICOM in: VL Photographic (XC) and Dermoscopic Photography (DMS) files written here with pydicom become valid
resources of the guide; bad files are rejected by file and attribute, never half-imported."""

from __future__ import annotations

import base64
import warnings
from pathlib import Path

import orjson
import pytest
from pydicom.uid import generate_uid

from dermfhir.cli.main import main
from dermfhir.ingest import Options
from dermfhir.ingest.dicom import read
from dermfhir.ingest.dicom.synthetic import SyntheticImage, dataset, write
from dermfhir.ingest.validate import validate_all


def _by_type(resources: list[dict]) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for resource in resources:
        found.setdefault(resource["resourceType"], []).append(resource)
    return found


def test_a_dermoscopy_study_becomes_valid_resources_of_the_guide(tmp_path: Path) -> None:
    study, series, lesion_uid = generate_uid(), generate_uid(), generate_uid()
    same = {"study_uid": study, "series_uid": series, "tracking_uid": lesion_uid}
    first = write(tmp_path / "in" / "one", SyntheticImage(**same, instance_number=2))  # type: ignore[arg-type]
    second = write(tmp_path / "in" / "two.dcm", SyntheticImage(**same, instance_number=1))  # type: ignore[arg-type]
    result = read([tmp_path / "in"], Options())
    assert result.report.rejected == []
    resources = result.resources
    assert all(errors == [] for errors in validate_all(resources, 1))
    kinds = _by_type(resources)
    assert sorted(kinds) == ["Binary", "BodyStructure", "DocumentReference", "ImagingStudy", "Patient"]
    (imaging,) = kinds["ImagingStudy"]
    assert imaging["identifier"][0] == {"system": "urn:dicom:uid", "value": f"urn:oid:{study}"}
    assert imaging["numberOfSeries"] == 1 and imaging["numberOfInstances"] == 2
    (element,) = imaging["series"]
    assert element["uid"] == series
    assert element["modality"] == {"system": "http://dicom.nema.org/resources/ontology/DCM", "code": "DMS"}
    assert element["bodySite"]["code"] == "40983000"
    assert element["laterality"]["code"] == "419465000"
    # ordered by instance number, not by file name
    assert [item["uid"] for item in element["instance"]] == [second.SOPInstanceUID, first.SOPInstanceUID]
    assert element["instance"][0]["sopClass"]["code"] == "urn:oid:1.2.840.10008.5.1.4.1.1.77.1.7"
    document = next(d for d in kinds["DocumentReference"] if d["id"] == first.SOPInstanceUID)
    attachment = document["content"][0]["attachment"]
    assert attachment["url"] == (f"dicomweb/studies/{study}/series/{series}/instances/{first.SOPInstanceUID}/rendered")
    sizes = {e["url"]: e["valuePositiveInt"] for e in attachment["extension"][0]["extension"]}
    assert sizes == {"width": 48, "height": 32}
    assert "light source POLARIZED" in document["description"]
    assert "immersion medium ULTRASOUND_GEL" in document["description"]
    (lesion,) = kinds["BodyStructure"]
    assert {"reference": f"BodyStructure/{lesion['id']}"} in document["context"]["related"]
    assert {"reference": f"ImagingStudy/{study}"} in document["context"]["related"]
    assert lesion["identifier"][0] == {"system": "urn:dicom:uid", "value": f"urn:oid:{first.TrackingUID}"}
    assert lesion["identifier"][1]["value"] == "LESION-1"
    assert lesion["location"]["coding"][0]["code"] == "40983000"
    (patient,) = kinds["Patient"]
    assert patient["gender"] == "female" and patient["birthDate"] == "1970-01-01"
    binary = next(b for b in kinds["Binary"] if b["id"] == first.SOPInstanceUID)
    assert binary["contentType"] == "application/dicom"
    assert base64.b64decode(binary["data"]) == (tmp_path / "in" / "one").read_bytes()


def test_a_photograph_without_tracking_has_no_lesion(tmp_path: Path) -> None:
    write(tmp_path / "photo.dcm", SyntheticImage(modality="XC", tracking_id=None, laterality=None, body_site=None))
    result = read([tmp_path], Options())
    kinds = _by_type(result.resources)
    assert "BodyStructure" not in kinds
    (document,) = kinds["DocumentReference"]
    assert document["context"]["event"][0]["coding"][0]["code"] == "XC"
    assert [r["reference"] for r in document["context"]["related"]] == [
        f"ImagingStudy/{kinds['ImagingStudy'][0]['id']}"
    ]
    assert "bodySite" not in kinds["ImagingStudy"][0]["series"][0]
    assert all(errors == [] for errors in validate_all(result.resources, 1))


def test_importing_again_gives_the_same_resources(tmp_path: Path) -> None:
    write(tmp_path / "a.dcm", SyntheticImage())
    first = read([tmp_path], Options()).resources
    second = read([tmp_path], Options()).resources
    assert first == second


def _broken(tmp_path: Path, name: str, **changes: object) -> Path:
    ds = dataset(SyntheticImage())
    path = tmp_path / name
    with warnings.catch_warnings():  # pydicom warns when it is given an invalid value: that is the point here
        warnings.simplefilter("ignore")
        for key, value in changes.items():
            if value is None:
                del ds[key]
            else:
                setattr(ds, key, value)
        ds.save_as(path, enforce_file_format=True)
    return path


@pytest.mark.parametrize(
    ("changes", "attribute"),
    [
        ({"Modality": "XC"}, "Modality"),
        ({"SOPClassUID": "1.2.840.10008.5.1.4.1.1.2"}, "SOPClassUID"),
        ({"StudyInstanceUID": "1.2.03.4"}, "StudyInstanceUID"),
        ({"SeriesInstanceUID": None}, "SeriesInstanceUID"),
        ({"PatientID": ""}, "PatientID"),
        ({"StudyDate": "2026-01-15"}, "StudyDate"),
        ({"Rows": 0}, "Rows"),
    ],
)
def test_a_bad_file_is_rejected_naming_file_and_attribute(
    tmp_path: Path, changes: dict[str, object], attribute: str
) -> None:
    good = write(tmp_path / "good.dcm", SyntheticImage())
    bad = _broken(tmp_path, "bad.dcm", **changes)
    result = read([tmp_path], Options())
    (rejected,) = result.report.rejected
    assert rejected.where == f"{bad}, attribute {attribute}"
    assert {r["id"] for r in result.resources if r["resourceType"] == "Binary"} == {good.SOPInstanceUID}


def test_not_dicom_and_conflicts_are_rejected(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path / "DICOMDIR").write_bytes(b"\0" * 200)
    study = generate_uid()
    first = write(tmp_path / "a.dcm", SyntheticImage(study_uid=study, patient_id="P1"))
    write(tmp_path / "b.dcm", SyntheticImage(study_uid=study, patient_id="P2"))
    write(tmp_path / "c.dcm", SyntheticImage(study_uid=study, patient_id="P1", sop_instance=first.SOPInstanceUID))
    result = read([tmp_path], Options())
    reasons = {item.where: item.reason for item in result.report.rejected}
    assert reasons == {
        f"{tmp_path / 'b.dcm'}, attribute PatientID": "'P2' differs from 'P1' of the same study",
        f"{tmp_path / 'c.dcm'}, attribute SOPInstanceUID": f"instance already read from {tmp_path / 'a.dcm'}",
        str(tmp_path / "notes.txt"): "not a DICOM Part 10 file (no DICM prefix)",
    }
    assert result.report.rows_read == 4


def test_truncated_file_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    write(tmp_path / "a.dcm", SyntheticImage())
    data = (tmp_path / "a.dcm").read_bytes()
    (tmp_path / "a.dcm").write_bytes(data[:200])
    result = read([tmp_path], Options())
    assert len(result.report.rejected) == 1
    assert result.report.rejected[0].where.startswith(str(tmp_path / "a.dcm"))


def test_cli_writes_a_bundle_and_strict_refuses_bad_files(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    write(tmp_path / "in" / "a.dcm", SyntheticImage())
    out = tmp_path / "out.json"
    assert main(["import", "dicom", str(tmp_path / "in"), "--out", str(out)]) == 0
    bundle = orjson.loads(out.read_bytes())
    assert bundle["type"] == "transaction"
    assert {e["resource"]["resourceType"] for e in bundle["entry"]} >= {"ImagingStudy", "Binary", "Patient"}
    (tmp_path / "in" / "junk.bin").write_bytes(b"junk")
    strict_out = tmp_path / "strict.json"
    assert main(["import", "dicom", str(tmp_path / "in"), "--strict", "--out", str(strict_out)]) == 1
    assert not strict_out.exists()
    assert main(["import", "dicom", str(tmp_path / "missing"), "--out", str(strict_out)]) == 1
    assert "no such file or folder" in capsys.readouterr().err


def test_a_large_instance_needs_the_dicom_folder(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    big = write(tmp_path / "in" / "big.dcm", SyntheticImage(rows=480, columns=640))  # 900 KiB of pixels
    small = write(tmp_path / "in" / "small.dcm", SyntheticImage(patient_id="P2"))
    result = read([tmp_path / "in"], Options())
    (rejected,) = result.report.rejected
    assert rejected.where == str(tmp_path / "in" / "big.dcm") and "--dicom-store" in rejected.reason
    assert not any(r["id"] == big.SOPInstanceUID for r in result.resources)

    store, out = tmp_path / "dicom-store", tmp_path / "out.json"
    assert main(["import", "dicom", str(tmp_path / "in"), "--out", str(out), "--dicom-store", str(store)]) == 0
    bundle = orjson.loads(out.read_bytes())
    assert "Binary" not in {e["resource"]["resourceType"] for e in bundle["entry"]}
    for ds, name in ((big, "big.dcm"), (small, "small.dcm")):
        kept = store / ds.StudyInstanceUID / ds.SeriesInstanceUID / f"{ds.SOPInstanceUID}.dcm"
        assert kept.read_bytes() == (tmp_path / "in" / name).read_bytes()


def test_nothing_reaches_the_dicom_folder_when_the_import_fails(tmp_path: Path) -> None:
    write(tmp_path / "in" / "a.dcm", SyntheticImage())
    (tmp_path / "in" / "junk").write_bytes(b"junk")
    store = tmp_path / "dicom-store"
    arguments = ["import", "dicom", str(tmp_path / "in"), "--out", str(tmp_path / "o.json"), "--strict"]
    assert main([*arguments, "--dicom-store", str(store)]) == 1
    assert not store.exists() or not any(store.rglob("*.dcm"))


def _study_in_two_imports(tmp_path: Path) -> tuple[str, str, str, list[str]]:
    """Import 1: series A (instances 1, 2); import 2, later: one more instance of A and a new series B."""
    study, series_a, series_b = generate_uid(), generate_uid(), generate_uid()
    uids = [generate_uid() for _ in range(4)]
    same = {"study_uid": study, "tracking_id": "LESION-7"}
    for number, (folder, series, series_number) in enumerate(
        [("one", series_a, 1), ("one", series_a, 1), ("two", series_a, 1), ("two", series_b, 2)]
    ):
        spec = SyntheticImage(  # type: ignore[arg-type]
            **same,
            series_uid=series,
            sop_instance=uids[number],
            instance_number=number + 1,
            series_number=series_number,
        )
        write(tmp_path / folder / f"{number}.dcm", spec)
    for folder in ("one", "two"):
        assert main(["import", "dicom", str(tmp_path / folder), "--out", str(tmp_path / f"{folder}.json")]) == 0
    return study, series_a, series_b, uids


def _merged_as_expected(study: dict, series_a: str, series_b: str, uids: list[str]) -> None:
    assert [s["uid"] for s in study["series"]] == [series_a, series_b]
    assert [i["uid"] for i in study["series"][0]["instance"]] == uids[:3]
    assert [i["uid"] for i in study["series"][1]["instance"]] == uids[3:]
    assert study["series"][0]["numberOfInstances"] == 3 and study["series"][1]["numberOfInstances"] == 1
    assert study["numberOfSeries"] == 2 and study["numberOfInstances"] == 4
    assert all(errors == [] for errors in validate_all([study], 1))


@pytest.mark.parametrize("together", [False, True], ids=["two-loads", "one-load"])
def test_a_later_import_of_a_study_adds_its_series_and_instances(
    tmp_path: Path, together: bool, capsys: pytest.CaptureFixture
) -> None:
    from dermfhir.store import open_store

    study_uid, series_a, series_b, uids = _study_in_two_imports(tmp_path)
    db = str(tmp_path / "store.db")
    common = ["--db", db, "--quiet", "--checkpoint", str(tmp_path / "ck")]
    if together:  # both Bundles in one load, the study twice in one chunk
        assert main(["load", str(tmp_path / "one.json"), str(tmp_path / "two.json"), *common]) == 0
    else:
        assert main(["load", str(tmp_path / "one.json"), *common]) == 0
        assert main(["load", str(tmp_path / "two.json"), *common]) == 0
    assert main(["load", str(tmp_path / "one.json"), *common]) == 0  # the first import again: nothing is lost
    capsys.readouterr()
    with open_store(db) as store:
        _merged_as_expected(store.read("ImagingStudy", study_uid), series_a, series_b, uids)
        assert store.search("DocumentReference", [("_summary", "count")]).total == 4


def test_a_study_loaded_again_with_another_patient_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from dermfhir.store import open_store

    study = generate_uid()
    write(tmp_path / "one" / "a.dcm", SyntheticImage(study_uid=study, patient_id="P-1"))
    write(tmp_path / "two" / "b.dcm", SyntheticImage(study_uid=study, patient_id="P-2"))
    for folder in ("one", "two"):
        assert main(["import", "dicom", str(tmp_path / folder), "--out", str(tmp_path / f"{folder}.json")]) == 0
    db = str(tmp_path / "store.db")
    common = ["--db", db, "--quiet", "--checkpoint", str(tmp_path / "ck")]
    assert main(["load", str(tmp_path / "one.json"), *common]) == 0
    assert main(["load", str(tmp_path / "two.json"), *common]) == 1
    err = capsys.readouterr().err
    assert f"ImagingStudy/{study}: subject Patient/" in err and "differs from the stored Patient/" in err
    with open_store(db) as store:
        stored = store.read("ImagingStudy", study)
        assert stored["numberOfInstances"] == 1 and stored["meta"]["versionId"] == "1"


def test_merging_keeps_what_only_the_stored_study_has() -> None:
    from dermfhir.ingest.dicom.resources import StudyConflict, merge_study

    sop = {"system": "urn:ietf:rfc:3986", "code": "urn:oid:1.2.840.10008.5.1.4.1.1.77.1.7"}
    stored = {
        "resourceType": "ImagingStudy",
        "id": "1.2.3",
        "meta": {"versionId": "4"},
        "identifier": [{"system": "urn:dicom:uid", "value": "urn:oid:1.2.3"}],
        "status": "available",
        "subject": {"reference": "Patient/p"},
        "description": "first visit",
        "series": [
            {
                "uid": "1.2.3.2",
                "number": 2,
                "modality": {"code": "XC"},
                "instance": [{"uid": "1.2.3.2.1", "sopClass": sop}],
            },
            {
                "uid": "1.2.3.1",
                "number": 1,
                "modality": {"code": "DMS"},
                "instance": [{"uid": "1.2.3.1.9", "sopClass": sop, "title": "old"}],
            },
        ],
    }
    incoming = {
        "resourceType": "ImagingStudy",
        "id": "1.2.3",
        "identifier": [{"system": "urn:dicom:uid", "value": "urn:oid:1.2.3"}, {"system": "urn:acsn", "value": "A1"}],
        "status": "available",
        "subject": {"reference": "Patient/p"},
        "series": [
            {
                "uid": "1.2.3.1",
                "number": 1,
                "modality": {"code": "DMS"},
                "instance": [
                    {"uid": "1.2.3.1.9", "sopClass": sop, "title": "new", "number": 1},
                    {"uid": "1.2.3.1.8", "sopClass": sop, "number": 2},
                ],
            }
        ],
    }
    merged = merge_study(stored, incoming)
    assert "meta" not in merged and merged["description"] == "first visit"
    assert [i["value"] for i in merged["identifier"]] == ["urn:oid:1.2.3", "A1"]
    assert [s["uid"] for s in merged["series"]] == ["1.2.3.1", "1.2.3.2"]
    assert [(i["uid"], i.get("title")) for i in merged["series"][0]["instance"]] == [
        ("1.2.3.1.9", "new"),
        ("1.2.3.1.8", None),
    ]
    assert merged["numberOfSeries"] == 2 and merged["numberOfInstances"] == 3
    assert merged["modality"] == [{"code": "DMS"}, {"code": "XC"}]  # every series' modality, once
    with pytest.raises(StudyConflict, match="Patient/q differs from the stored Patient/p"):
        merge_study(stored, {**incoming, "subject": {"reference": "Patient/q"}})


def test_many_files_read_in_worker_processes_give_what_one_process_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Enough files for the parallel reader, bad ones among them: same resources, same rejections, same order."""
    for number in range(40):
        write(tmp_path / f"{number:02d}.dcm", SyntheticImage(patient_id=f"P{number % 3}", instance_number=number))
    _broken(tmp_path, "07-bad-modality.dcm", Modality="XC")
    (tmp_path / "08-not-dicom.dcm").write_bytes(b"not a DICOM file at all" * 20)
    parallel = read([tmp_path], Options())
    monkeypatch.setattr("os.cpu_count", lambda: 1)
    single = read([tmp_path], Options())
    assert parallel.resources == single.resources and len(parallel.resources) > 80
    assert [str(r) for r in parallel.report.rejected] == [str(r) for r in single.report.rejected]
    assert len(parallel.report.rejected) == 2 and "Modality" in str(parallel.report.rejected[0])
