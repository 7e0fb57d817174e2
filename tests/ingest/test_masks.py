"""Segmentation masks: PNGs generated here with numpy / Pillow; new annotations, and regions added to an import."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from dermfhir.builders._components import read_regions
from dermfhir.ingest import Options, isic_challenge, masks
from dermfhir.ingest.output import transaction_bytes
from tests.ingest.conftest import errors_of


def _png(path: Path, pixels: np.ndarray) -> Path:
    Image.fromarray(pixels.astype(np.uint8)).save(path)
    return path


@pytest.fixture
def mask_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "masks"
    folder.mkdir()
    disc = np.zeros((450, 600), dtype=np.uint8)
    rows, columns = np.ogrid[:450, :600]
    disc[(rows - 200) ** 2 + (columns - 300) ** 2 <= 100**2] = 255
    _png(folder / "ISIC_0000000_segmentation.png", disc)
    square = np.zeros((767, 1022), dtype=np.uint8)
    square[0:50, 10:60] = 255  # touches the top border
    _png(folder / "ISIC_0000002_segmentation.png", square)
    _png(folder / "ISIC_0000004_segmentation.png", np.zeros((20, 30)))
    _png(folder / "lesion_mask.png", square)
    grey = np.zeros((20, 30), dtype=np.uint8)
    grey[5:10, 5:10], grey[12:15, 12:15] = 255, 128
    _png(folder / "ISIC_0000006_segmentation.png", grey)
    (folder / "ISIC_0000008_segmentation.png").write_bytes(b"not a png")
    return folder


def test_outline_of_a_disc_is_simplified_and_inside_the_box() -> None:
    grid = np.zeros((100, 100), dtype=bool)
    rows, columns = np.ogrid[:100, :100]
    grid[(rows - 50) ** 2 + (columns - 40) ** 2 <= 30**2] = True
    box, polygon = masks.outline(grid)
    assert box == (10, 20, 61, 61)
    assert 8 <= len(polygon) <= 60  # simplified, far fewer points than the ~240-pixel contour
    assert all(10 <= x <= 71 and 20 <= y <= 81 for x, y in polygon)


def test_masks_without_source_make_segmentation_annotations(mask_dir) -> None:
    result = masks.read([mask_dir], Options())
    assert result.report.rows_read == 6 and result.report.findings["segmentation mask"] == 2
    assert errors_of(result.resources) == {}
    annotation = next(r for r in result.resources if r["id"] == "isic-seg-ISIC-0000000")
    assert annotation["code"]["coding"][0]["code"] == "segmentation"
    regions = read_regions(annotation["component"])
    assert regions["boxes"] == [(200.0, 100.0, 201.0, 201.0)]
    assert regions["image_size"] == (600, 450)
    assert regions["mask"] == "DocumentReference/isic-mask-ISIC-0000000"
    assert len(regions["polygons"]) == 1 and len(regions["polygons"][0]) >= 8
    border = next(r for r in result.resources if r["id"] == "isic-seg-ISIC-0000002")
    assert read_regions(border["component"])["boxes"] == [(10.0, 0.0, 50.0, 50.0)]
    mask = next(r for r in result.resources if r["id"] == "isic-mask-ISIC-0000000")
    target = {"reference": "DocumentReference/isic-img-ISIC-0000000"}
    assert mask["relatesTo"][0] == {"code": "transforms", "target": target}


def test_bad_masks_are_rejected_by_file(mask_dir) -> None:
    result = masks.read([mask_dir], Options())
    reasons = {Path(r.where).name: r.reason for r in result.report.rejected}
    assert reasons["ISIC_0000004_segmentation.png"] == "the mask is empty (no lesion pixel)"
    assert reasons["lesion_mask.png"] == "the file name does not follow ISIC_xxxxxxx_segmentation.png"
    assert reasons["ISIC_0000006_segmentation.png"] == "not a binary mask: 3 grey levels (expected 0 and one other)"
    assert reasons["ISIC_0000008_segmentation.png"].startswith("not a readable image")


def test_regions_are_added_to_the_imported_annotation(fixtures, mask_dir, tmp_path) -> None:
    imported = isic_challenge.read(
        [fixtures / "isic2019_ground_truth.csv"], Options(), metadata=[fixtures / "isic2019_metadata.csv"]
    )
    source = tmp_path / "isic.json"
    source.write_bytes(transaction_bytes(imported.resources))
    result = masks.read([mask_dir / "ISIC_0000000_segmentation.png"], Options(), source=[source])
    annotation = next(r for r in result.resources if r["resourceType"] == "Observation")
    assert annotation["id"] == "isic-ann-ISIC-0000000"
    assert annotation["component"][0]["valueCodeableConcept"]["coding"][-1]["code"] == "NV"
    assert [c["code"]["coding"][0]["code"] for c in annotation["component"]] == [
        "106076001",
        "bounding-boxes",
        "polygon",
        "segmentation-mask",
        "image-width",
        "image-height",
        "age-at-imaging",
    ]
    assert {r["resourceType"] for r in result.resources} == {"Observation", "DocumentReference"}
    assert errors_of(result.resources) == {}


def test_cli_masks_with_source(fixtures, mask_dir, tmp_path) -> None:
    from dermfhir.cli.main import main

    source = tmp_path / "isic.json"
    assert main(["import", "isic-challenge", str(fixtures / "isic2019_ground_truth.csv"), "--out", str(source)]) == 0
    out = tmp_path / "masks.json"
    code = main(
        [
            "import",
            "masks",
            str(mask_dir / "ISIC_0000000_segmentation.png"),
            "--source",
            str(source),
            "--tolerance",
            "3",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    ids = [e["resource"]["id"] for e in __import__("json").loads(out.read_text())["entry"]]
    assert ids == ["isic-mask-ISIC-0000000", "isic-ann-ISIC-0000000"]
