"""ISIC Archive image records: v2 fixtures (array, NDJSON), bad records, and the real v1 record."""

from __future__ import annotations

from collections import Counter

from dermfhir.ingest import Options, isic_archive
from tests.ingest.conftest import errors_of, warnings_of


def _component(annotation: dict, code: str) -> dict:
    return next(c for c in annotation["component"] if c["code"]["coding"][0]["code"] == code)


def test_v2_records_become_valid_resources(fixtures) -> None:
    result = isic_archive.read([fixtures / "isic_archive_v2.json", fixtures / "isic_archive_v2.ndjson"], Options())
    assert result.report.rows_read == 9
    assert result.counts()["Observation"] == 4 and result.counts()["Patient"] == 4
    assert errors_of(result.resources) == {}
    assert warnings_of(result.resources) == {}
    nevus = next(r for r in result.resources if r["id"] == "isic-ann-ISIC-0024306")
    finding = nevus["component"][0]["valueCodeableConcept"]
    # a nevus is a morphologic abnormality, not a skin finding: the code describes the lesion, the finding keeps
    # the ISIC code
    assert [c["code"] for c in finding["coding"]] == ["Nevus"]
    lesion = next(r for r in result.resources if f"BodyStructure/{r['id']}" == nevus["focus"][0]["reference"])
    assert [c["code"] for c in lesion["morphology"]["coding"]] == ["1163403006"]
    assert _component(nevus, "diagnosis-confirmation")["valueCodeableConcept"]["coding"][-1]["code"] == "follow_up"
    assert _component(nevus, "fitzpatrick-skin-type")["valueCodeableConcept"]["coding"][0]["code"] == "C74570"
    assert _component(nevus, "melanocytic")["valueBoolean"] is True
    assert _component(nevus, "malignant")["valueBoolean"] is False
    assert _component(nevus, "age-at-imaging")["valueQuantity"]["value"] == 45
    image = next(r for r in result.resources if r["id"] == "isic-img-ISIC-0024306")
    assert image["context"]["event"][0]["coding"][0]["code"] == "DMS"
    clinical = next(r for r in result.resources if r["id"] == "isic-img-ISIC-0024310")
    assert clinical["context"]["event"][0]["coding"][0]["code"] == "XC"
    # two images of patient IP_0000001: one Patient
    assert nevus["subject"] == {"reference": "Patient/isic-patient-IP-0000001"}
    melanoma = next(r for r in result.resources if r["id"] == "isic-ann-ISIC-0024310")
    assert melanoma["component"][0]["valueCodeableConcept"]["coding"][-1]["code"] == (
        "Melanoma Invasive, Superficial spreading"
    )


def test_bad_records_are_rejected_with_file_record_and_field(fixtures) -> None:
    result = isic_archive.read([fixtures / "isic_archive_v2.json", fixtures / "isic_archive_v2.ndjson"], Options())
    reasons = [(r.where.rpartition(", ")[2], r.reason) for r in result.report.rejected]
    assert reasons == [
        ("record 4", "column 'fitzpatrick_skin_type': fitzpatrick_skin_type 'VII' is not one of I, II, III, IV, V, VI"),
        ("record 5", "column 'image_type': image_type 'RCM: tile' is not dermoscopic, clinical or a TBP tile"),
        ("line 2", "column 'diagnosis_2': diagnosis_2 is empty but diagnosis_3 is 'Melanoma Invasive'"),
        ("line 3", "not valid JSON (unexpected end of data: line 1 column 40 (char 39))"),
    ]
    assert all(r.where.startswith(str(fixtures)) for r in result.report.rejected)
    assert result.report.unmapped == Counter({("diagnosis", "Pink papule NOS"): 1})
    assert result.report.warnings == [
        f"{fixtures / 'isic_archive_v2.ndjson'}, line 4: no diagnosis; image ISIC_0000004 has no annotation"
    ]


def test_strict_rejects_unmapped_diagnoses(fixtures) -> None:
    result = isic_archive.read([fixtures / "isic_archive_v2.json"], Options(strict=True))
    reasons = [(r.where.rpartition(", ")[2], r.reason) for r in result.report.rejected]
    assert (
        "record 3",
        "column 'diagnosis_2': unmapped diagnosis value 'Pink papule NOS' (add it to a --map file)",
    ) in reasons


def test_real_v1_record(real) -> None:
    result = isic_archive.read([real / "isic_archive_api_v1_ISIC_0000000.json"], Options())
    assert result.report.rows_read == 1 and not result.report.rejected and not result.report.unmapped
    assert result.counts() == Counter(
        {"Organization": 1, "Patient": 1, "BodyStructure": 1, "DocumentReference": 1, "Observation": 1}
    )
    assert errors_of(result.resources) == {}
    annotation = next(r for r in result.resources if r["resourceType"] == "Observation")
    assert [c["code"] for c in annotation["component"][0]["valueCodeableConcept"]["coding"]] == ["Nevus"]
    lesion = next(r for r in result.resources if r["resourceType"] == "BodyStructure")
    assert [c["code"] for c in lesion["morphology"]["coding"]] == ["1163403006"]
    assert annotation["bodySite"]["coding"][-1]["code"] == "anterior torso"
    image = next(r for r in result.resources if r["resourceType"] == "DocumentReference")
    size = image["content"][0]["attachment"]["extension"][0]["extension"]
    assert [e["valuePositiveInt"] for e in size] == [1022, 767]
