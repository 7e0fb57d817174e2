"""FHIR → COCO: the COCO fixture round trip, masks outlines exported, the CLI."""

from __future__ import annotations

import json

from dermfhir.cli.main import main
from dermfhir.export import Index, coco
from dermfhir.ingest import Options
from dermfhir.ingest import coco as coco_import


def test_coco_round_trip(fixtures) -> None:
    source = json.loads((fixtures / "coco_small.json").read_text())
    result = coco_import.read([fixtures / "coco_small.json"], Options())
    exported = coco.export(Index(result.resources)).document
    assert [(i["file_name"], i["width"], i["height"]) for i in exported["images"]] == [
        (i["file_name"], i["width"], i["height"]) for i in source["images"][:2]
    ]
    names = {c["id"]: c["name"] for c in exported["categories"]}
    assert [names[a["category_id"]] for a in exported["annotations"]] == ["MEL", "NV", "pink papule"]
    valid = source["annotations"][:3]
    assert [a["bbox"] for a in exported["annotations"]] == [a["bbox"] for a in valid]
    assert [a["segmentation"] for a in exported["annotations"]] == [a["segmentation"] for a in valid]
    assert exported["annotations"][0]["area"] == 60000


def test_annotations_without_regions_are_skipped(fixtures) -> None:
    from dermfhir.ingest import ham10000

    result = ham10000.read([fixtures / "ham10000_small.csv"], Options())
    exported = coco.export(Index(result.resources))
    assert exported.document["annotations"] == [] and len(exported.skipped) == 5
    assert exported.skipped[0] == "Observation/ham-ann-ISIC-0027419: no bounding box or polygon"


def test_cli_import_and_export_coco(fixtures, tmp_path) -> None:
    bundle = tmp_path / "coco.json"
    assert main(["import", "coco", str(fixtures / "coco_small.json"), "--out", str(bundle)]) == 1  # bad rows
    assert not bundle.exists()
    assert main(["import", "coco", str(fixtures / "coco_small.json"), "--out", str(bundle), "--skip-invalid"]) == 0
    out = tmp_path / "again.json"
    assert main(["export", "coco", str(bundle), "--out", str(out)]) == 0
    assert len(json.loads(out.read_text())["annotations"]) == 3
