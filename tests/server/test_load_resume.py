"""`dermfhir load`: streaming batches, no duplicates when loading again (conditional create on identifiers),
`--resume` from the checkpoint after an interruption, and `--group` for a dataset Group."""

from __future__ import annotations

from pathlib import Path

import httpx
import orjson
import pytest

from dermfhir.cli.main import main
from dermfhir.server.bulk.groups import group_id


def _write(path: Path) -> None:
    lines = [
        {"resourceType": "Patient", "identifier": [{"system": "urn:example:ds", "value": f"p{i}"}], "gender": "male"}
        for i in range(30)
    ]
    lines += [{"resourceType": "Patient", "id": f"fixed-{i}", "gender": "female"} for i in range(10)]
    path.write_bytes(b"\n".join(orjson.dumps(line) for line in lines) + b"\n")


def _total(server: str, query: str) -> int:
    return int(httpx.get(f"{server}/Patient?{query}&_summary=count").json()["total"])


def test_loading_again_and_resuming_never_duplicate(live_server, tmp_path: Path, capsys) -> None:
    source = tmp_path / "patients.ndjson"
    _write(source)
    checkpoint = tmp_path / "load.checkpoint"
    common = ["--server", live_server.url, "--quiet", "--batch-size", "7", "--checkpoint", str(checkpoint)]
    assert main(["load", str(source), *common, "--group", "DS-1"]) == 0
    assert _total(live_server.url, "gender=male") == 30
    assert not checkpoint.exists()  # a finished load leaves no checkpoint
    group = httpx.get(f"{live_server.url}/Group/{group_id('DS-1')}").json()
    assert group["quantity"] == 40 and len(group["member"]) == 40

    assert main(["load", str(source), *common]) == 0  # again: the conditional creates match
    assert _total(live_server.url, "gender=male") == 30

    checkpoint.write_bytes(orjson.dumps({"accepted": 16}))  # as an interrupted load leaves it
    capsys.readouterr()
    assert main(["load", str(source), *common, "--resume", "--group", "DS-2"]) == 0
    assert "24 resources loaded" in capsys.readouterr().out
    assert _total(live_server.url, "gender=male") == 30
    group = httpx.get(f"{live_server.url}/Group/{group_id('DS-2')}").json()
    assert group["quantity"] == 40  # the skipped batches' patients are found again
    assert _total(live_server.url, "gender=female") == 10


def test_a_broken_checkpoint_is_a_usage_error(live_server, tmp_path: Path) -> None:
    source = tmp_path / "patients.ndjson"
    _write(source)
    checkpoint = tmp_path / "bad.checkpoint"
    checkpoint.write_text("not json")
    arguments = ["load", str(source), "--server", live_server.url, "--quiet", "--checkpoint", str(checkpoint)]
    assert main([*arguments, "--resume"]) == 2


@pytest.mark.parametrize("line", [b"{not json", b'{"no": "resourceType"}'])
def test_a_bad_line_is_named(live_server, tmp_path: Path, line: bytes, capsys) -> None:
    source = tmp_path / "bad.ndjson"
    source.write_bytes(b'{"resourceType": "Patient", "id": "ok"}\n' + line + b"\n")
    assert main(["load", str(source), "--server", live_server.url, "--quiet"]) == 2
    assert f"{source}:2" in capsys.readouterr().err


def test_direct_load_into_a_store_validates_in_chunks_and_resumes(tmp_path: Path, capsys) -> None:
    from dermfhir.store import open_store

    source = tmp_path / "patients.ndjson"
    _write(source)
    with source.open("ab") as stream:  # an invalid resource: reported, left out, the rest written
        stream.write(orjson.dumps({"resourceType": "Patient", "id": "bad", "gender": "robot"}) + b"\n")
    db = str(tmp_path / "direct.db")
    checkpoint = tmp_path / "direct.checkpoint"
    common = ["--db", db, "--quiet", "--batch-size", "9", "--checkpoint", str(checkpoint), "--jobs", "2"]
    assert main(["load", str(source), *common, "--group", "DS"]) == 1
    err = capsys.readouterr().err
    assert "invalid: Patient/bad: Patient.gender" in err
    with open_store(db) as store:
        assert store.search("Patient", [("_summary", "count")]).total == 40
        assert store.read("Group", group_id("DS"))["quantity"] == 40  # the stored Patients only
    source.write_bytes(b"\n".join(source.read_bytes().splitlines()[:-1]) + b"\n")
    assert main(["load", str(source), *common]) == 0  # again: ids derived from identifiers, no duplicates
    checkpoint.write_bytes(orjson.dumps({"accepted": 18}))
    assert main(["load", str(source), *common, "--resume"]) == 0
    assert "22 resources loaded" in capsys.readouterr().out
    with open_store(db) as store:
        assert store.search("Patient", [("_summary", "count")]).total == 40


def test_loading_a_later_import_of_a_study_into_a_server_merges_it(live_server, tmp_path: Path, capsys) -> None:
    from tests.ingest.test_dicom import _merged_as_expected, _study_in_two_imports

    study, series_a, series_b, uids = _study_in_two_imports(tmp_path)
    for name in ("one", "two", "one"):  # the first import loaded again loses nothing
        assert main(["load", str(tmp_path / f"{name}.json"), "--server", live_server.url, "--quiet"]) == 0
    capsys.readouterr()
    _merged_as_expected(httpx.get(f"{live_server.url}/ImagingStudy/{study}").json(), series_a, series_b, uids)


def test_serve_load_of_a_later_import_of_a_study_merges_it(client, tmp_path: Path, capsys) -> None:
    from dermfhir.cli.load_commands import load_into_app
    from tests.ingest.test_dicom import _merged_as_expected, _study_in_two_imports

    study, series_a, series_b, uids = _study_in_two_imports(tmp_path)
    for name in ("one", "two", "one"):
        assert load_into_app(client.app, [tmp_path / f"{name}.json"], "http://testserver") == 0
    capsys.readouterr()
    _merged_as_expected(client.get(f"/ImagingStudy/{study}").json(), series_a, series_b, uids)
