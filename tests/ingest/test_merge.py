"""Importing the files of one dataset in separate commands and loading each into a store: every field set by either
file survives (`ingest.merge`, `dermfhir load --db`), and conflicting values are reported, not overwritten."""

from __future__ import annotations

from pathlib import Path

import pytest

from dermfhir.cli.main import main
from dermfhir.ingest.merge import TAG, merge
from dermfhir.store import open_store


@pytest.fixture
def db(backend: str, tmp_path: Path) -> str:
    """The store the files are loaded into: a SQLite file, or the emptied PostgreSQL test database."""
    if backend == "postgres":
        from dermfhir.definitions import Definitions
        from tests.conftest import POSTGRES_URL, open_postgres

        open_postgres(Definitions.default()).close()
        return str(POSTGRES_URL)
    return str(tmp_path / "store.db")


def _import_and_load(source: Path, out: Path, db: Path | str) -> tuple[int, int]:
    imported = main(["import", "auto", str(source), "--out", str(out), "--ndjson"])
    loaded = main(["load", str(out), "--db", str(db), "--quiet", "--jobs", "1"])
    return imported, loaded


def _read(db: Path | str, kind: str, id: str) -> dict:
    with open_store(str(db)) as store:
        return store.read(kind, id)


def _exists(db: Path | str, kind: str, id: str) -> bool:
    from dermfhir.store.errors import NotFound

    try:
        _read(db, kind, id)
    except NotFound:
        return False
    return True


def _age(image: dict) -> float | None:
    found = [e for e in image.get("extension", []) if e["url"].endswith("/age-at-imaging")]
    return float(found[0]["valueQuantity"]["value"]) if found else None


@pytest.mark.parametrize("order", ["metadata first", "ground truth first"])
def test_isic2019_metadata_and_ground_truth_apart(fixtures, tmp_path, order, db) -> None:
    files = [fixtures / "isic2019_metadata.csv", fixtures / "isic2019_ground_truth.csv"]
    if order == "ground truth first":
        files.reverse()
    assert _import_and_load(files[0], tmp_path / "a", db) == (0, 0)
    assert _import_and_load(files[1], tmp_path / "b", db) == (0, 0)
    # fields of the metadata file: age on the image, sex on the patient, site on the lesion
    image = _read(db, "DocumentReference", "isic-img-ISIC-0000002")
    assert _age(image) == 60
    assert image["subject"]["reference"] == "Patient/isic-patient-lesion-BCN-0000001"
    assert image["context"]["related"] == [{"reference": "BodyStructure/isic-lesion-BCN-0000001"}]
    assert _read(db, "Patient", "isic-patient-lesion-BCN-0000001")["gender"] == "male"
    assert _read(db, "BodyStructure", "isic-lesion-BCN-0000001")["location"]["text"] == "oral/genital"
    assert _age(_read(db, "DocumentReference", "isic-img-ISIC-0000000")) == 45
    assert _read(db, "Patient", "isic-patient-image-ISIC-0000000")["gender"] == "female"
    # the field of the ground truth file: the label
    annotation = _read(db, "Observation", "isic-ann-ISIC-0000002")
    finding = annotation["component"][0]["valueCodeableConcept"]
    assert [c["code"] for c in finding["coding"]] == ["372244006", "MEL"]
    if order == "metadata first":  # the annotation refers to the named patient and lesion, no stand-in is written
        assert annotation["subject"]["reference"] == "Patient/isic-patient-lesion-BCN-0000001"
        assert annotation["focus"] == [{"reference": "BodyStructure/isic-lesion-BCN-0000001"}]
        assert not _exists(db, "Patient", "isic-patient-image-ISIC-0000002")
        assert not _exists(db, "BodyStructure", "isic-lesion-image-ISIC-0000004")


def test_isic2020_ground_truth_then_duplicates(fixtures, tmp_path) -> None:
    layouts = fixtures / "layouts"
    db = tmp_path / "store.db"
    assert _import_and_load(layouts / "isic2020_ground_truth.csv", tmp_path / "a", db) == (0, 0)
    before = _read(db, "DocumentReference", "isic-img-ISIC-0052212")
    assert _import_and_load(layouts / "isic2020_duplicates.csv", tmp_path / "b", db) == (0, 0)
    assert _read(db, "DocumentReference", "isic-img-ISIC-0052212") == before  # not blanked, not rewritten
    linkage = _read(db, "Linkage", "isic-dup-ISIC-0052212-ISIC-0074311")
    assert [i["resource"]["reference"] for i in linkage["item"]] == [
        "DocumentReference/isic-img-ISIC-0052212",
        "DocumentReference/isic-img-ISIC-0074311",
    ]


def test_conflicting_value_is_reported_and_not_written(fixtures, tmp_path, capsys) -> None:
    db = tmp_path / "store.db"
    assert _import_and_load(fixtures / "isic2019_metadata.csv", tmp_path / "a", db) == (0, 0)
    other = tmp_path / "ISIC_2019_Training_Metadata.csv"
    other.write_text("image,age_approx,anatom_site_general,lesion_id,sex\nISIC_0000000,70,anterior torso,,\n")
    capsys.readouterr()
    assert _import_and_load(other, tmp_path / "b", db) == (0, 1)
    err = capsys.readouterr().err
    kept = "conflict (the stored value is kept): "
    assert kept + "DocumentReference/isic-img-ISIC-0000000.extension[age-at-imaging]" in err
    image = _read(db, "DocumentReference", "isic-img-ISIC-0000000")
    assert _age(image) == 45
    assert _read(db, "Patient", "isic-patient-image-ISIC-0000000")["gender"] == "female"  # not given: kept


def test_merge_rules() -> None:
    stored = {
        "resourceType": "BodyStructure",
        "id": "b",
        "meta": {"tag": [TAG], "versionId": "3"},
        "location": {"text": "back"},
        "identifier": [{"system": "s", "value": "1"}],
    }
    incoming = {
        "resourceType": "BodyStructure",
        "id": "b",
        "meta": {"tag": [TAG]},
        "location": {"text": "not recorded"},  # the import's placeholder: not a value
        "identifier": [{"system": "s", "value": "2"}],
        "description": "new",
    }
    merged, conflicts = merge(stored, incoming)
    assert conflicts == []
    assert merged["location"] == {"text": "back"} and merged["description"] == "new"
    assert merged["identifier"] == [{"system": "s", "value": "1"}, {"system": "s", "value": "2"}]
    merged, conflicts = merge(stored, {**incoming, "location": {"text": "arm"}})
    assert merged["location"] == {"text": "back"} and conflicts == [
        'BodyStructure/b.location: stored {"text":"back"}, incoming {"text":"arm"}'
    ]


def test_a_final_annotation_changed_by_a_merge_is_amended() -> None:
    """FHIR: `amended` is a change after `final`; a merge that adds to a final Observation amends it, one that
    adds nothing leaves it final, and a file saying `final` of an amended one is not a conflict."""
    stored = {
        "resourceType": "Observation",
        "id": "a",
        "meta": {"tag": [TAG], "versionId": "1"},
        "status": "final",
        "code": {"text": "finding"},
    }
    incoming = {**stored, "meta": {"tag": [TAG]}, "subject": {"reference": "Patient/p"}}
    merged, conflicts = merge(stored, incoming)
    assert conflicts == [] and merged["status"] == "amended" and merged["subject"] == {"reference": "Patient/p"}
    unchanged, conflicts = merge(stored, {**stored, "meta": {"tag": [TAG]}})
    assert conflicts == [] and unchanged["status"] == "final"
    again, conflicts = merge(merged, incoming)
    assert conflicts == [] and again["status"] == "amended"
    body = {**stored, "resourceType": "BodyStructure", "status": "final"}  # not a status with that meaning
    assert merge(body, {**body, "description": "x"})[0]["status"] == "final"


def test_untagged_resource_replaces(tmp_path) -> None:
    """Only resources of a dataset import merge; any other resource is written as given (a replacement)."""
    db = tmp_path / "store.db"
    first = tmp_path / "first.ndjson"
    first.write_text('{"resourceType":"Patient","id":"p","gender":"male","birthDate":"1970"}\n')
    second = tmp_path / "second.ndjson"
    second.write_text('{"resourceType":"Patient","id":"p","gender":"female"}\n')
    assert main(["load", str(first), "--db", str(db), "--quiet", "--jobs", "1"]) == 0
    assert main(["load", str(second), "--db", str(db), "--quiet", "--jobs", "1"]) == 0
    assert _read(db, "Patient", "p")["gender"] == "female" and "birthDate" not in _read(db, "Patient", "p")
