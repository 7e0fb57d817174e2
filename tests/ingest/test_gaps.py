"""A short CSV row is rejected on its own; under --skip-invalid, resources referring to rejected ones go too."""

from __future__ import annotations

import json

from dermfhir.cli.main import main
from dermfhir.ingest import Options, ham10000, pipeline, stream


def test_row_with_wrong_number_of_values_is_rejected_alone(fixtures, tmp_path) -> None:
    lines = (fixtures / "ham10000_small.csv").read_text().splitlines()
    broken = tmp_path / "ham.csv"
    broken.write_text("\n".join([lines[0], lines[1], "HAM_0000119,ISIC_0027420,bkl", *lines[2:]]) + "\n")
    result = ham10000.read([broken], Options())
    assert [(r.where, r.reason) for r in result.report.rejected] == [(f"{broken}, row 3", "3 values for 7 columns")]
    assert result.report.rows_read == 6 and result.counts()["Observation"] == 5


def test_metadata_row_with_wrong_number_of_values(fixtures, tmp_path, capsys) -> None:
    metadata = tmp_path / "meta.csv"
    metadata.write_text((fixtures / "isic2019_metadata.csv").read_text().replace(",,BCN_0000001,male", ",male", 1))
    out = tmp_path / "out.json"
    code = main(
        [
            "import",
            "isic-challenge",
            str(fixtures / "isic2019_ground_truth.csv"),
            "--metadata",
            str(metadata),
            "--out",
            str(out),
        ]
    )
    assert code == 1 and not out.exists()  # a rejected row fails the import unless --skip-invalid
    assert f"{metadata}, row 4: 3 values for 5 columns" in capsys.readouterr().err
    assert (
        main(
            [
                "import",
                "isic-challenge",
                str(fixtures / "isic2019_ground_truth.csv"),
                "--metadata",
                str(metadata),
                "--out",
                str(out),
                "--skip-invalid",
            ]
        )
        == 0
    )


def test_referring_is_transitive() -> None:
    resources = [
        {"resourceType": "Patient", "id": "p"},
        {"resourceType": "DocumentReference", "id": "i", "subject": {"reference": "Patient/p"}},
        {"resourceType": "Observation", "id": "a", "derivedFrom": [{"reference": "DocumentReference/i"}]},
        {"resourceType": "Organization", "id": "o"},
    ]
    assert pipeline.referring(resources, {("Patient", "p")}) == {
        ("DocumentReference", "i"): "Patient/p",
        ("Observation", "a"): "DocumentReference/i",
    }


def test_skip_invalid_leaves_no_dangling_reference(fixtures, tmp_path, monkeypatch) -> None:
    def validate_all(resources, jobs=None, progress=None):
        return [
            [{"severity": "error", "expression": ["Patient.gender"], "details": {"text": "test error"}}]
            if r["id"] == "ham-patient-HAM-0000118"
            else []
            for r in resources
        ]

    def validate_bundles(bundles, jobs=None, progress=None):
        return [
            [(n, issue) for n, e in enumerate(b["entry"]) for issue in validate_all([e["resource"]])[0]]
            for b in bundles
        ]

    def bundle_errors_of(data):  # a streamed chunk goes to validation serialised
        return validate_bundles([json.loads(data)])[0]

    monkeypatch.setattr(pipeline, "validate_all", validate_all)
    monkeypatch.setattr(pipeline, "validate_bundles", validate_bundles)
    monkeypatch.setattr(stream, "bundle_errors_of", bundle_errors_of)  # HAM10000 is imported chunk by chunk
    out = tmp_path / "out.json"
    outcome = pipeline.run_import(
        "ham10000", [fixtures / "ham10000_small.csv"], out, Options(), skip_invalid=True, jobs=1
    )
    written = {e["fullUrl"] for e in json.loads(out.read_text())["entry"]}
    references = {ref for e in json.loads(out.read_text())["entry"] for ref in _references(e["resource"])}
    assert references <= written
    rejected = {r.where: r.reason for r in outcome.result.report.rejected}
    assert rejected["Patient/ham-patient-HAM-0000118"] == "Patient.gender: test error"
    assert rejected["BodyStructure/ham-lesion-HAM-0000118"] == "refers to the rejected Patient/ham-patient-HAM-0000118"
    assert rejected["Observation/ham-ann-ISIC-0027419"].startswith("refers to the rejected ")
    assert len(rejected) == 6  # patient, lesion, 2 images, 2 annotations
    report = json.loads(outcome.report_file.read_text())
    assert len(report) == 6


def _references(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference":
                yield value
            else:
                yield from _references(value)
    elif isinstance(node, list):
        for item in node:
            yield from _references(item)
