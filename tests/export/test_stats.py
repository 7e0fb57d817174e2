"""`dermfhir stats`: counts by dataset, diagnosis, site, method, author, skin tone and split."""

from __future__ import annotations

import json

from dermfhir.cli.main import main


def test_stats_of_imported_files(fixtures, tmp_path, capsys) -> None:
    layouts = fixtures / "layouts"
    bundle = tmp_path / "bcn.json"
    assert main(["import", "auto", str(layouts / "bcn20000.csv"), "--out", str(bundle)]) == 0
    predictions = tmp_path / "p.json"
    model = ["--model-name", "M", "--model-version", "1", "--recorded", "2024-01-01T00:00:00Z", "--skip-invalid"]
    assert main(["import", "predictions", str(fixtures / "predictions.csv"), "--out", str(predictions), *model]) == 0
    capsys.readouterr()
    assert main(["stats", str(bundle), str(predictions), "--json"]) == 0
    counts = json.loads(capsys.readouterr().out)
    assert counts["images by dataset"] == {"bcn": 3, "isic": 3}
    assert counts["images by split"] == {"BCN20000 train": 2, "BCN20000 test": 1, "(none)": 3}
    assert counts["annotations by author"] == {"human": 3, "AI": 6}  # 3 predictions + 3 distributions
    assert counts["findings by diagnosis"]["Melanoma"] == 2  # BCN's MEL row, and one prediction's top class
    assert counts["lesions by site"]["anterior torso"] == 1  # the source spelling, as text


def test_stats_errors_are_one_line(tmp_path, capsys) -> None:
    assert main(["stats", str(tmp_path / "missing.json")]) == 1
    assert "no such file or folder" in capsys.readouterr().err
    empty = tmp_path / "empty.ndjson"
    empty.write_text("")
    assert main(["stats", str(empty)]) == 1
    assert "no FHIR resource found" in capsys.readouterr().err
    broken = tmp_path / "b.json"
    broken.write_text("{")
    assert main(["stats", str(broken)]) == 1
    err = capsys.readouterr().err
    assert "not valid JSON" in err and "Traceback" not in err
