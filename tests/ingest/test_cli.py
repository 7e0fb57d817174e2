"""`dermfhir import`: exit codes, messages naming file/row/column, atomic output."""

from __future__ import annotations

import json

from dermfhir.cli.main import main


def test_import_writes_bundle_and_summary(fixtures, tmp_path, capsys) -> None:
    out = tmp_path / "ham.json"
    assert main(["import", "ham10000", str(fixtures / "ham10000_small.csv"), "--out", str(out)]) == 0
    bundle = json.loads(out.read_text())
    assert bundle["type"] == "transaction" and len(bundle["entry"]) == 19
    assert bundle["entry"][1]["request"] == {"method": "PUT", "url": "Patient/ham-patient-HAM-0000118"}
    err = capsys.readouterr().err
    assert "rows read: 5" in err and "rows rejected: 0" in err


def test_ndjson_output(fixtures, tmp_path) -> None:
    out = tmp_path / "ndjson"
    assert main(["import", "ham10000", str(fixtures / "ham10000_small.csv"), "--out", str(out), "--ndjson"]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "BodyStructure.ndjson",
        "DocumentReference.ndjson",
        "Observation.ndjson",
        "Organization.ndjson",
        "Patient.ndjson",
    ]


def test_an_ndjson_name_without_ndjson_is_refused(fixtures, tmp_path, capsys) -> None:
    """A Bundle is never written into a file named .ndjson (readers would take it for NDJSON)."""
    out = tmp_path / "ham.ndjson"
    for command in ("ham10000", "auto"):
        assert main(["import", command, str(fixtures / "ham10000_small.csv"), "--out", str(out)]) == 2
        assert not out.exists()
        assert "--ndjson" in capsys.readouterr().err


def test_strict_failure_writes_nothing(fixtures, tmp_path, capsys) -> None:
    out = tmp_path / "bad.json"
    code = main(["import", "ham10000", str(fixtures / "ham10000_bad.csv"), "--out", str(out), "--strict"])
    assert code == 1 and not out.exists() and list(tmp_path.iterdir()) == []
    err = capsys.readouterr().err
    assert "ham10000_bad.csv, row 3: column 'dx': unmapped dx value 'lentigo'" in err


def test_missing_column_names_file_and_row(fixtures, tmp_path, capsys) -> None:
    code = main(["import", "ham10000", str(fixtures / "predictions.csv"), "--out", str(tmp_path / "x.json")])
    assert code == 1
    assert "predictions.csv, row 1: missing column(s) lesion_id" in capsys.readouterr().err


def test_predictions_need_a_model_name(fixtures, tmp_path) -> None:
    assert main(["import", "predictions", str(fixtures / "predictions.csv"), "--out", str(tmp_path / "p.json")]) == 2


def test_new_formats_through_the_cli(fixtures, tmp_path, capsys) -> None:
    for fmt, name in (
        ("isic-archive", "isic_archive_v2.json"),
        ("derm7pt", "derm7pt_small.csv"),
        ("ddi", "ddi_small.csv"),
        ("coco", "coco_small.json"),
    ):
        out = tmp_path / f"{fmt}.json"
        assert main(["import", fmt, str(fixtures / name), "--out", str(out), "--skip-invalid"]) == 0, fmt
        assert json.loads(out.read_text())["type"] == "transaction"
    err = capsys.readouterr().err
    assert "ddi_small.csv, row 5: column 'skin_tone': skin_tone '78' is not one of 12, 34, 56" in err
    assert "isic_archive_v2.json, record 4: column 'fitzpatrick_skin_type'" in err


def test_strict_derm7pt_fails_and_writes_nothing(fixtures, tmp_path) -> None:
    out = tmp_path / "d7.json"
    assert main(["import", "derm7pt", str(fixtures / "derm7pt_small.csv"), "--out", str(out), "--strict"]) == 1
    assert not out.exists()
