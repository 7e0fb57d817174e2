"""COCO import: images, categories (ISIC class names, --map), boxes and polygons; bad entries located."""

from __future__ import annotations

from collections import Counter

from dermfhir.builders._components import read_regions
from dermfhir.ingest import Mapping, Options, coco
from tests.ingest.conftest import errors_of


def test_fixture_annotations(fixtures) -> None:
    result = coco.read([fixtures / "coco_small.json"], Options())
    assert result.report.rows_read == 7
    assert result.counts() == Counter({"Observation": 3, "Patient": 2, "DocumentReference": 2, "Organization": 1})
    assert errors_of(result.resources) == {}
    melanoma = next(r for r in result.resources if r["id"] == "coco-ann-ISIC-0000000-10")
    assert [c["code"] for c in melanoma["component"][0]["valueCodeableConcept"]["coding"]] == ["372244006", "MEL"]
    regions = read_regions(melanoma["component"])
    assert regions["boxes"] == [(100.0, 120.0, 300.0, 200.0)]
    assert regions["polygons"] == [[(100.0, 120.0), (400.0, 120.0), (400.0, 320.0), (100.0, 320.0)]]
    assert regions["image_size"] == (1022, 767)
    image = next(r for r in result.resources if r["id"] == "coco-img-ISIC-0000000")
    assert image["identifier"][0] == {"system": "urn:dermfhir:isic:image", "value": "ISIC_0000000"}


def test_bad_entries_name_file_index_and_field(fixtures) -> None:
    result = coco.read([fixtures / "coco_small.json"], Options())
    assert [(r.where.rpartition(", ")[2], r.reason) for r in result.report.rejected] == [
        ("images[2]", "column 'width': width must be a positive number, got 0"),
        ("annotations[3]", "column 'bbox': bbox must be 4 numbers x y width height, got [1, 2, 3]"),
        ("annotations[4]", "column 'image_id': image_id 3 is not an image of the file (or was rejected)"),
        ("annotations[5]", "column 'category_id': category_id 9 is not a category of the file"),
        ("annotations[6]", "column 'segmentation': polygon 0 needs at least 3 x y pairs, got 4 numbers"),
    ]
    assert result.report.unmapped == Counter({("category", "pink papule"): 1})


def test_map_and_strict(fixtures, tmp_path) -> None:
    strict = coco.read([fixtures / "coco_small.json"], Options(strict=True))
    assert ("annotations[2]", "column 'category_id': unmapped category 'pink papule' (add it to a --map file)") in [
        (r.where.rpartition(", ")[2], r.reason) for r in strict.report.rejected
    ]
    mapping = tmp_path / "map.json"
    mapping.write_text('{"category": {"pink papule": "UNK"}}')
    mapped = coco.read([fixtures / "coco_small.json"], Options(mapping=Mapping.load(mapping), strict=True))
    assert not mapped.report.unmapped and mapped.counts()["Observation"] == 3
