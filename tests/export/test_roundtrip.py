"""FHIR → ISIC CSV: HAM10000 and ISIC 2019 round trips, NDJSON export."""

from __future__ import annotations

from dermfhir.cli.main import main
from dermfhir.export import Index, isic_csv
from dermfhir.ingest import Options, ham10000, isic_challenge


def test_ham10000_fixture_round_trip(fixtures) -> None:
    result = ham10000.read([fixtures / "ham10000_small.csv"], Options())
    exported = isic_csv.export(Index(result.resources), "ham10000")
    assert exported.ground_truth == (fixtures / "ham10000_small.csv").read_text()


def test_isic2019_fixture_round_trip(fixtures) -> None:
    result = isic_challenge.read(
        [fixtures / "isic2019_ground_truth.csv"], Options(), metadata=[fixtures / "isic2019_metadata.csv"]
    )
    exported = isic_csv.export(Index(result.resources), "isic2019")
    assert exported.ground_truth.encode() == (fixtures / "isic2019_ground_truth.csv").read_bytes()
    assert exported.metadata.encode() == (fixtures / "isic2019_metadata.csv").read_bytes()


def test_real_round_trips(real) -> None:
    ham = ham10000.read([real / "HAM10000_metadata.csv"], Options())
    text = isic_csv.export(Index(ham.resources), "ham10000").ground_truth
    assert text == (real / "HAM10000_metadata.csv").read_text().replace("\r\n", "\n")
    isic = isic_challenge.read([real / "ISIC_2019_Training_GroundTruth.csv"], Options())
    exported = isic_csv.export(Index(isic.resources), "isic2019")
    assert exported.ground_truth.encode() == (real / "ISIC_2019_Training_GroundTruth.csv").read_bytes()


def test_cli_export_from_bundle_and_ndjson(fixtures, tmp_path) -> None:
    bundle = tmp_path / "gt.json"
    assert main(["import", "isic-challenge", str(fixtures / "isic2019_ground_truth.csv"), "--out", str(bundle)]) == 0
    csv_out = tmp_path / "gt.csv"
    assert main(["export", "isic-csv", str(bundle), "--out", str(csv_out)]) == 0
    assert csv_out.read_bytes() == (fixtures / "isic2019_ground_truth.csv").read_bytes()
    folder = tmp_path / "nd"
    assert main(["export", "ndjson", str(bundle), "--out", str(folder)]) == 0
    assert main(["export", "isic-csv", str(folder), "--out", str(tmp_path / "again.csv")]) == 0
    assert (tmp_path / "again.csv").read_bytes() == csv_out.read_bytes()
