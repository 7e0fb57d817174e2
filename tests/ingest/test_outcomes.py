"""Honest outcomes: exit status, repeated image ids, absolute fullUrls, the Bundle validated as written, file errors
in one line, atomic output with the user's umask, exports that say what they skipped."""

from __future__ import annotations

import json
import os
import stat

import pytest

from dermfhir.cli.main import main
from dermfhir.ingest import output, stream

HEADER = "lesion_id,image_id,dx,dx_type,age,sex,localization\n"


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_rejected_row_fails_the_import_unless_skip_invalid(fixtures, tmp_path, capsys) -> None:
    out = tmp_path / "out.json"
    assert main(["import", "ham10000", str(fixtures / "ham10000_bad.csv"), "--out", str(out)]) == 1
    assert not out.exists() and list(tmp_path.iterdir()) == []
    err = capsys.readouterr().err
    assert "ham10000_bad.csv, row 4: column 'age': age 'eighty' is not a number" in err
    assert "2 row(s) rejected" in err
    assert main(["import", "ham10000", str(fixtures / "ham10000_bad.csv"), "--out", str(out), "--skip-invalid"]) == 0
    assert out.exists()


def test_nothing_imported_fails_even_with_skip_invalid(tmp_path, capsys) -> None:
    source = _write(tmp_path, "bad.csv", HEADER + "HAM_1,,nv,histo,40,female,back\nHAM_2,ISIC_2,nv,histo,x,male,back\n")
    out = tmp_path / "out.json"
    assert main(["import", "ham10000", str(source), "--out", str(out), "--skip-invalid"]) == 1
    assert not out.exists()
    assert "nothing to import" in capsys.readouterr().err
    header_only = _write(tmp_path, "empty.csv", HEADER)
    assert main(["import", "ham10000", str(header_only), "--out", str(out)]) == 1
    assert not out.exists()


def test_repeated_image_identical_is_merged_conflicting_names_both_rows(tmp_path, capsys) -> None:
    row = "HAM_1,ISIC_1,nv,histo,40,female,back\n"
    same = _write(tmp_path, "same.csv", HEADER + row + "HAM_2,ISIC_2,mel,histo,50,male,face\n" + row)
    out = tmp_path / "out.json"
    assert main(["import", "ham10000", str(same), "--out", str(out), "--strict"]) == 0
    err = capsys.readouterr().err
    assert "(merged): 1" in err
    annotations = [e for e in json.loads(out.read_text())["entry"] if e["resource"]["resourceType"] == "Observation"]
    assert len(annotations) == 2

    conflict = _write(tmp_path, "conflict.csv", HEADER + row + "HAM_1,ISIC_1,mel,histo,40,female,back\n")
    assert main(["import", "ham10000", str(conflict), "--out", str(out), "--strict"]) == 1
    err = capsys.readouterr().err
    assert "conflict.csv, row 3: column 'image_id': image 'ISIC_1' is already given by row 2 (different dx)" in err


def test_bundle_full_urls_are_absolute_stable_and_resolve(fixtures, tmp_path) -> None:
    from dermfhir.ingest.validate import default_validator

    first, second = tmp_path / "a.json", tmp_path / "b.json"
    for out in (first, second):
        assert main(["import", "ham10000", str(fixtures / "ham10000_small.csv"), "--out", str(out)]) == 0
    assert first.read_bytes() == second.read_bytes()  # reruns give the same Bundle
    bundle = json.loads(first.read_text())
    urls = [entry["fullUrl"] for entry in bundle["entry"]]
    assert all(url.startswith("urn:uuid:") for url in urls) and len(set(urls)) == len(urls)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        assert entry["request"] == {"method": "PUT", "url": f"{resource['resourceType']}/{resource['id']}"}
    references = [e["resource"]["subject"]["reference"] for e in bundle["entry"] if "subject" in e["resource"]]
    assert references and set(references) <= set(urls)
    issues = default_validator().validate(bundle)["issue"]
    assert [i for i in issues if i["severity"] in ("error", "fatal")] == []


def test_large_imports_are_split_into_valid_bundles(fixtures, tmp_path, monkeypatch) -> None:
    from dermfhir.ingest.validate import default_validator

    monkeypatch.setattr(output, "BUNDLE_ENTRIES", 7)
    monkeypatch.setattr(stream, "CHUNK", 7)
    monkeypatch.setattr(output.chunks, "__defaults__", (7,))
    out = tmp_path / "ham.json"
    assert main(["import", "ham10000", str(fixtures / "ham10000_small.csv"), "--out", str(out)]) == 0
    files = sorted(tmp_path.glob("ham-*.json"))
    assert [f.name for f in files] == ["ham-0001.json", "ham-0002.json", "ham-0003.json"] and not out.exists()
    entries = 0
    for file in files:
        bundle = json.loads(file.read_text())
        entries += len(bundle["entry"])
        issues = default_validator().validate(bundle)["issue"]
        assert [i for i in issues if i["severity"] in ("error", "fatal")] == [], file
    assert entries == 19


def test_unwritable_out_is_one_line(fixtures, tmp_path, capsys) -> None:
    blocker = _write(tmp_path, "file", "x")
    for extra in ([], ["--ndjson"]):
        code = main(["import", "ham10000", str(fixtures / "ham10000_small.csv"), "--out", str(blocker / "x"), *extra])
        assert code == 1
        err = capsys.readouterr().err
        assert "Traceback" not in err and f"dermfhir import: {blocker / 'x'}: cannot write" in err


def test_disk_full_is_one_line_and_leaves_nothing(fixtures, tmp_path, capsys, monkeypatch) -> None:
    class Full:
        def __init__(self, stream):
            self.stream = stream

        def write(self, data):
            raise OSError(28, "No space left on device")

        def close(self):
            self.stream.close()

    opened = output.AtomicFile.__init__

    def init(self, path, shown=None):
        opened(self, path, shown)
        self.stream = Full(self.stream)

    monkeypatch.setattr(output.AtomicFile, "__init__", init)
    out = tmp_path / "out.json"
    assert main(["import", "ham10000", str(fixtures / "ham10000_small.csv"), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"dermfhir import: {out}: cannot write (No space left on device)" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_output_honours_the_umask(fixtures, tmp_path) -> None:
    old = os.umask(0o027)
    try:
        out = tmp_path / "out.json"
        assert main(["import", "ham10000", str(fixtures / "ham10000_small.csv"), "--out", str(out)]) == 0
        folder = tmp_path / "nd"
        assert main(["import", "ham10000", str(fixtures / "ham10000_small.csv"), "--out", str(folder), "--ndjson"]) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert stat.S_IMODE((folder / "Patient.ndjson").stat().st_mode) == 0o640
    assert stat.S_IMODE(folder.stat().st_mode) == 0o750


def test_export_with_nothing_to_write_fails_and_says_why(fixtures, tmp_path, capsys) -> None:
    bundle = tmp_path / "ham.json"
    assert main(["import", "ham10000", str(fixtures / "ham10000_small.csv"), "--out", str(bundle)]) == 0
    out = tmp_path / "gt.csv"
    assert main(["export", "isic-csv", str(bundle), "--out", str(out), "--layout", "isic2019"]) == 0
    err = capsys.readouterr().err
    assert "skipped Observation/ham-ann-ISIC-0029068: class AKIEC not in isic2019" in err  # no 2019 class
    assert "skipped: 1 annotation(s)" in err and f"wrote {out} (4 row(s))" in err
    only = _write(tmp_path, "one.csv", HEADER + "HAM_1,ISIC_1,akiec,histo,40,female,back\n")
    assert main(["import", "ham10000", str(only), "--out", str(bundle)]) == 0
    out.unlink()
    assert main(["export", "isic-csv", str(bundle), "--out", str(out), "--layout", "isic2019"]) == 1
    assert not out.exists() and "nothing to export" in capsys.readouterr().err
    assert main(["export", "coco", str(bundle), "--out", str(out)]) == 1 and not out.exists()
    assert main(["export", "submission", str(bundle), "--out", str(out)]) == 1 and not out.exists()


def test_export_submission_writes_the_probabilities_back(fixtures, tmp_path, capsys) -> None:
    bundle = tmp_path / "p.json"
    arguments = ["--model-name", "M", "--model-version", "1", "--recorded", "2024-01-01T00:00:00Z", "--skip-invalid"]
    assert main(["import", "predictions", str(fixtures / "predictions.csv"), "--out", str(bundle), *arguments]) == 0
    out = tmp_path / "submission.csv"
    assert main(["export", "submission", str(bundle), "--out", str(out), "--submission-layout", "isic2019"]) == 0
    lines = out.read_text().splitlines()
    assert lines[0] == "image,MEL,NV,BCC,AK,BKL,DF,VASC,SCC,UNK"
    assert lines[1] == "ISIC_0000000,0.7,0.2,0.02,0.02,0.02,0.02,0.01,0.01,0.0"
    assert len(lines) == 4  # three valid rows of five
    assert main(["export", "submission", str(bundle), "--out", str(out), "--submission-layout", "isic2018"]) == 1
    assert "no probability for AKIEC" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["isic-csv", "ndjson"])
def test_export_of_an_unreadable_source_is_one_line(tmp_path, capsys, fmt) -> None:
    source = _write(tmp_path, "broken.json", "{not json")
    assert main(["export", fmt, str(source), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "broken.json: not valid JSON" in err


def test_archive_records_repeated_are_merged_or_named(fixtures, tmp_path) -> None:
    from dermfhir.ingest import Options, isic_archive

    first = (fixtures / "isic_archive_v2.ndjson").read_text().splitlines()[0]
    changed = first.replace('"male"', '"female"') if '"male"' in first else first.replace("}", ', "x": 1}', 1)
    source = tmp_path / "records.ndjson"
    source.write_text("\n".join([first, first, changed]) + "\n")
    result = isic_archive.read([source], Options())
    assert result.report.merged == 1
    [rejected] = result.report.rejected
    assert rejected.where == f"{source}, line 3"
    assert f"is already given by {source}, line 1 with different values" in rejected.reason


def test_image_level_fields_are_on_the_image(fixtures) -> None:
    from dermfhir.ingest import Options, ddi, ham10000

    ham = {r["id"]: r for r in ham10000.read([fixtures / "ham10000_small.csv"], Options()).resources}
    [age] = ham["ham-img-ISIC-0027419"]["extension"]
    assert age["url"].endswith("/age-at-imaging") and age["valueQuantity"]["value"] == 80
    assert "extension" not in ham["ham-img-ISIC-0026769"]  # no age in the row
    images = [
        r
        for r in ddi.read([fixtures / "ddi_small.csv"], Options()).resources
        if r["resourceType"] == "DocumentReference"
    ]
    tone = images[0]["extension"][0]
    assert tone["url"].endswith("/skin-tone") and tone["extension"][1]["valueRange"]["low"]["value"] in (1, 3, 5)
