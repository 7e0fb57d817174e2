"""ISIC challenge ground truth import: fixtures and the real ISIC 2019 / 2018 / 2017 files."""

from __future__ import annotations

from collections import Counter

import pytest

from dermfhir.ingest import Options, SourceError, isic_challenge
from tests.ingest.conftest import errors_of, warnings_of


def test_fixture_with_metadata(fixtures) -> None:
    result = isic_challenge.read(
        [fixtures / "isic2019_ground_truth.csv"], Options(), metadata=[fixtures / "isic2019_metadata.csv"]
    )
    assert result.report.findings == Counter({"NV": 1, "MEL": 1, "DF": 1})
    assert result.counts()["Patient"] == 2  # two images share lesion BCN_0000001
    assert result.report.unmapped == Counter()
    assert errors_of(result.resources) == {}
    assert warnings_of(result.resources) == {}
    df = next(r for r in result.resources if r["id"] == "isic-ann-ISIC-0000004")
    assert df["component"][0]["valueCodeableConcept"]["coding"][0]["code"] == "DF"


def test_bad_one_hot_rows(fixtures) -> None:
    result = isic_challenge.read([fixtures / "isic2019_bad.csv"], Options())
    reasons = [(r.where.rpartition(", ")[2], r.reason) for r in result.report.rejected]
    assert reasons == [
        ("row 2", "exactly one class must be 1.0, found 2 (NV, DF)"),
        ("row 3", "exactly one class must be 1.0, found 0 (none)"),
    ]


def test_unknown_header_is_an_error(fixtures) -> None:
    with pytest.raises(SourceError, match="row 1: not an ISIC challenge ground truth"):
        isic_challenge.read([fixtures / "ham10000_small.csv"], Options())


def test_real_isic2019_counts(real) -> None:
    result = isic_challenge.read(
        [real / "ISIC_2019_Training_GroundTruth.csv"], Options(), metadata=[real / "ISIC_2019_Training_Metadata.csv"]
    )
    assert result.report.rows_read == 25331 and not result.report.rejected
    assert result.report.findings == Counter(
        {"MEL": 4522, "NV": 12875, "BCC": 3323, "AK": 867, "BKL": 2624, "DF": 239, "VASC": 253, "SCC": 628}
    )
    assert errors_of(result.resources) == {}


def test_real_isic2018_and_2017(real) -> None:
    result = isic_challenge.read([real / "ISIC2018_Task3_Validation_GroundTruth.csv"], Options())
    assert result.report.rows_read == 193 and sum(result.report.findings.values()) == 193
    legacy = isic_challenge.read([real / "ISIC-2017_Validation_Part3_GroundTruth.csv"], Options())
    assert legacy.report.rows_read == 150 and not legacy.report.rejected
    assert set(legacy.report.findings) <= {"MEL", "BKL", "NV"}
    assert errors_of(result.resources[:60] + legacy.resources[:60]) == {}
