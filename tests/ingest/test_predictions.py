"""Classifier output import: prediction, distribution, device, provenance; sums reported per row."""

from __future__ import annotations

from dermfhir.ingest import Options, predictions
from tests.ingest.conftest import errors_of


def _read(fixtures, **kwargs):
    return predictions.read(
        [fixtures / "predictions.csv"],
        Options(recorded="2026-01-15T09:05:00Z"),
        model_name="TestNet",
        model_version="1.0",
        model_card=fixtures / "model_card.md",
        **kwargs,
    )


def test_predictions_fixture(fixtures) -> None:
    result = _read(fixtures)
    counts = result.counts()
    assert counts["Device"] == 1 and counts["RiskAssessment"] == 3 and counts["Provenance"] == 3
    # every prediction is queued for review: one requested Task focused on it, for its patient
    tasks = [r for r in result.resources if r["resourceType"] == "Task"]
    by_id = {f"Observation/{r['id']}": r for r in result.resources if r["resourceType"] == "Observation"}
    assert sorted(t["focus"]["reference"] for t in tasks) == sorted(by_id)
    for task in tasks:
        assert (task["status"], task["businessStatus"]["coding"][0]["code"]) == ("requested", "awaiting-review")
        assert task["for"] == by_id[task["focus"]["reference"]]["subject"]
    assert errors_of(result.resources) == {}
    prediction = next(r for r in result.resources if r["id"] == "isic-pred-TestNet-1.0-ISIC-0000000")
    assert prediction["component"][1]["valueQuantity"]["value"] == 0.7
    assert prediction["component"][0]["valueCodeableConcept"]["coding"][-1]["code"] == "MEL"


def test_sums_are_reported_per_row(fixtures) -> None:
    result = _read(fixtures)
    assert result.report.warnings == [
        f"{fixtures / 'predictions.csv'}, row 4: probabilities sum to 0.7000, not 1 ± 0.01"
    ]
    reasons = [(r.where.rpartition(", ")[2], r.reason) for r in result.report.rejected]
    assert reasons == [
        ("row 5", "probabilities sum to 1.2000, more than 1 ± 0.01"),
        ("row 6", "column 'NV': probability 1.7 is outside 0-1"),
    ]


def test_real_isic2019_ground_truth_as_submission(real) -> None:
    result = predictions.read(
        [real / "ISIC2018_Task3_Validation_GroundTruth.csv"],
        Options(recorded="2026-01-15T09:05:00Z"),
        model_name="Oracle",
        model_version="2018",
    )
    assert result.report.rows_read == 193 and not result.report.rejected
    assert errors_of(result.resources[:100]) == {}
