"""`dermfhir validate` and `dermfhir conformance`."""

from __future__ import annotations

import json

from dermfhir.cli.main import main


def test_validate_text_and_exit_codes(tmp_path, core, capsys):
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"resourceType": "Patient", "gender": "male"}))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"resourceType": "Patient", "gender": "m"}))
    assert main(["validate", str(good)]) == 0
    assert main(["validate", str(tmp_path)]) == 1
    assert "Patient.gender" in capsys.readouterr().out


def test_validate_json_output(tmp_path, core, capsys):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"resourceType": "Patient", "active": "yes"}))
    assert main(["validate", "--format", "json", str(path)]) == 1
    outcome = json.loads(capsys.readouterr().out)
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["expression"] == ["Patient.active"]


def test_bad_input_names_file_and_line(tmp_path, core, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "1000")  # a long temporary path must not be wrapped at its ", line 2"
    path = tmp_path / "r.ndjson"
    path.write_text('{"resourceType": "Patient"}\n{not json\n')
    assert main(["validate", str(path)]) == 1
    assert f"{path}, line 2" in capsys.readouterr().out.replace("\n", "")


def test_usage_errors(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "missing.json")]) == 2
    assert main(["conformance", str(tmp_path)]) == 2
