"""`dermfhir report model` and `dermfhir review …` on a SQLite store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dermfhir.cli.main import main
from dermfhir.definitions import Definitions
from dermfhir.review import ensure_task
from dermfhir.store import open_store
from tests.review.case import base_resources, prediction
from tests.review.test_monitoring import CUTOFF, seed


def test_report_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "review.db"
    with open_store(db, Definitions.default()) as store:
        seed(store)
    assert (
        main(
            [
                "report",
                "model",
                "Device/model1",
                "--db",
                str(db),
                "--cutoff",
                CUTOFF,
                "--format",
                "json",
                "--png",
                str(tmp_path / "m.png"),
            ]
        )
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert (report["predictions"], report["labelled"], report["override_rate"]) == (9, 7, 0.5)
    assert (tmp_path / "m.png").stat().st_size > 1000
    assert main(["report", "model", "nothing", "--db", str(db)]) == 1
    assert "Device/nothing is not stored" in capsys.readouterr().err
    assert main(["report", "model", "model1", "--db", str(db), "--cutoff", "yesterday"]) == 1


def test_review_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "review.db"
    with open_store(db, Definitions.default()) as store:
        for resource in [*base_resources(), prediction("c1"), prediction("c2")]:
            store.update(resource)
        ensure_task(store, store.read("Observation", "c1"))
    assert main(["review", "confirm", "c1", "--reviewer", "Practitioner/clin", "--db", str(db)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("created Observation/") and out[2].startswith("updated Task/")
    assert main(["review", "confirm", "c1", "--reviewer", "Practitioner/derm", "--db", str(db)]) == 1
    assert "[one-review-per-prediction]" in capsys.readouterr().err
    annotation = out[0].split()[1].split("/")[1]
    assert (
        main(["review", "qa", annotation, "--reviewer", "Practitioner/junior", "--result", "approve", "--db", str(db)])
        == 1
    )
    assert "[qa-credential-ordinal]" in capsys.readouterr().err
    assert (
        main(["review", "qa", annotation, "--reviewer", "Practitioner/derm", "--result", "approve", "--db", str(db)])
        == 0
    )
    assert (
        main(["review", "reject", "c2", "--reviewer", "Practitioner/clin", "--reason", "blurred", "--db", str(db)]) == 0
    )
    assert (
        main(["review", "correct", "c2", "--reviewer", "Practitioner/clin", "--finding", "nonsense", "--db", str(db)])
        == 1
    )
