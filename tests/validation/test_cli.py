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
    report = json.loads(capsys.readouterr().out)
    (result,) = report["results"]
    assert result["file"] == str(path) and result["resourceType"] == "Patient"
    outcome = result["outcome"]
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["expression"] == ["Patient.active"]


def test_folder_json_report_labels_every_file_and_counts_per_file(tmp_path, core, capsys):
    (tmp_path / "a.json").write_text(json.dumps({"resourceType": "Patient", "id": "a", "gender": "male"}))
    (tmp_path / "b.json").write_text('{"resourceType": "Patient",\n "id": "b", "active": 1}')
    lines = [{"resourceType": "Patient", "id": "n1"}, {"resourceType": "Patient", "id": "n2", "birthDate": "x"}]
    (tmp_path / "c.ndjson").write_text("\n".join(json.dumps(line) for line in lines))
    assert main(["validate", "--format", "json", str(tmp_path)]) == 1
    report = json.loads(capsys.readouterr().out)
    labelled = {(r["file"].rpartition("/")[2], r["line"], r["id"]): r["errors"] for r in report["results"]}
    assert labelled == {("a.json", None, "a"): 0, ("b.json", None, "b"): 1, ("c.ndjson", 2, "n2"): 1}
    (b_issue,) = next(r for r in report["results"] if r["id"] == "b")["outcome"]["issue"]
    assert "Line[2] Col[23]" in b_issue["location"]  # the value 1 of "active"
    files = {row["file"].rpartition("/")[2]: (row["resources"], row["errors"]) for row in report["summary"]["files"]}
    assert files == {"a.json": (1, 0), "b.json": (1, 1), "c.ndjson": (2, 1)}
    assert report["summary"]["errors"] == 2


def test_malformed_json_is_a_fatal_issue_with_line_and_column(tmp_path, core, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "1000")
    path = tmp_path / "broken.json"
    path.write_text('{"resourceType": "Patient",\n  "active": true,,\n}')
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "fatal" in out and "(line 2, column 18)" in out


def test_bad_input_names_file_and_line(tmp_path, core, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "1000")  # a long temporary path must not be wrapped at its ", line 2"
    path = tmp_path / "r.ndjson"
    path.write_text('{"resourceType": "Patient"}\n{not json\n')
    assert main(["validate", str(path)]) == 1
    assert f"{path}, line 2" in capsys.readouterr().out.replace("\n", "")


def test_usage_errors(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "missing.json")]) == 2
    assert main(["conformance", str(tmp_path)]) == 2


def test_command_table_matches_what_each_module_registers():
    """`dermfhir --help` lists commands from main.COMMANDS without importing their modules: the table must say what
    the modules register."""
    import argparse
    import importlib

    from dermfhir.cli.main import COMMANDS, parser

    for module in {module for module, _ in COMMANDS.values()}:
        commands = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(f"dermfhir.cli.{module}").register(commands)
        registered = {action.dest: action.help for action in commands._choices_actions}
        expected = {name: help_text for name, (owner, help_text) in COMMANDS.items() if owner == module}
        assert registered == expected, module
    full = parser()
    assert set(full._subparsers._group_actions[0].choices) == set(COMMANDS)  # type: ignore[union-attr]


def test_help_does_not_import_the_server(tmp_path):
    import subprocess
    import sys

    code = "import sys; from dermfhir.cli.main import main\ntry: main(['--help'])\nexcept SystemExit: pass\n"
    code += "print(sorted(m for m in sys.modules if m.startswith(('fastapi', 'dermfhir.server', 'dermfhir.ingest'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
