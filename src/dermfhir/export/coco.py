"""FHIR → COCO JSON: the images the annotations were made from (file name, width, height), one category per finding
(the ISIC challenge class when the finding has one, else the first code or the text), and per annotation with
regions one COCO annotation per polygon (its bounding box, area by the shoelace formula) or, without polygons, per
bounding box. Sources are dermatology-image-annotation and ai-prediction Observations with their images.

Not handled: masks (not rasterised to RLE), annotations without regions (listed as skipped), `info` / `licenses`,
several frames per image.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dermfhir.builders._components import read_regions
from dermfhir.builders._vocabulary import SNOMED, code_system, profile
from dermfhir.export._read import Index

PROFILES = (profile("dermatology-image-annotation"), profile("ai-prediction"))
ISIC_CLASS = code_system("isic-challenge-class")
IMAGE_SIZE = profile("image-size")


@dataclass
class Exported:
    document: dict
    skipped: list[str] = field(default_factory=list)


def category_name(finding: dict | None) -> str:
    """The COCO category of a finding: ISIC class, else the first non-SNOMED code, else SNOMED code, else text."""
    codings = (finding or {}).get("coding", [])
    for system in (ISIC_CLASS,):
        for item in codings:
            if item.get("system") == system:
                return item["code"]
    own = [c for c in codings if c.get("system") != SNOMED] + [c for c in codings if c.get("system") == SNOMED]
    if own:
        return own[0]["code"]
    return (finding or {}).get("text") or "unknown"


def _finding(observation: dict) -> dict | None:
    for component in observation.get("component", []):
        if component.get("code", {}).get("coding", [{}])[0].get("code") == "106076001":
            return component.get("valueCodeableConcept")
    return None


def _size(image: dict, regions: dict) -> tuple[int, int] | None:
    attachment = (image.get("content") or [{}])[0].get("attachment", {})
    for extension in attachment.get("extension", []):
        if extension.get("url") == IMAGE_SIZE:
            values = {e["url"]: e.get("valuePositiveInt") for e in extension.get("extension", [])}
            if values.get("width") and values.get("height"):
                return values["width"], values["height"]
    return regions["image_size"]


def _file_name(image: dict) -> str:
    attachment = (image.get("content") or [{}])[0].get("attachment", {})
    if attachment.get("title"):
        return attachment["title"]
    return str(attachment.get("url", image["id"])).rstrip("/").rpartition("/")[2]


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 3)


def _area(polygon: list[tuple[float, float]]) -> float:
    twice = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(polygon, polygon[1:] + polygon[:1], strict=True))
    return abs(twice) / 2


def export(index: Index) -> Exported:
    """The COCO document for the annotations (and AI predictions) in `index`."""
    skipped: list[str] = []
    images: dict[str, dict] = {}
    categories: dict[str, int] = {}
    annotations: list[dict] = []
    for observation in index.of_type("Observation"):
        if not set(observation.get("meta", {}).get("profile", [])) & set(PROFILES):
            continue
        where = f"Observation/{observation['id']}"
        regions = read_regions(observation.get("component", []))
        if not regions["boxes"] and not regions["polygons"]:
            skipped.append(f"{where}: no bounding box or polygon")
            continue
        reference = (observation.get("derivedFrom") or [{}])[0].get("reference")
        image = index.get(reference)
        if image is None:
            skipped.append(f"{where}: image {reference} not in the sources")
            continue
        size = _size(image, regions)
        if size is None:
            skipped.append(f"{where}: no pixel size for {reference}")
            continue
        if reference not in images:
            images[reference] = {
                "id": len(images) + 1,
                "file_name": _file_name(image),
                "width": size[0],
                "height": size[1],
            }
        name = category_name(_finding(observation))
        category = categories.setdefault(name, len(categories) + 1)
        shapes: list[tuple[tuple[float, ...], list]] = []
        for polygon in regions["polygons"]:
            xs, ys = [x for x, _ in polygon], [y for _, y in polygon]
            shapes.append(((min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)), polygon))
        if shapes and len(regions["boxes"]) == len(shapes):
            shapes = [(box, polygon) for box, (_, polygon) in zip(regions["boxes"], shapes, strict=True)]
        if not shapes:
            shapes = [(box, []) for box in regions["boxes"]]
        for box, polygon in shapes:
            annotations.append(
                {
                    "id": len(annotations) + 1,
                    "image_id": images[reference]["id"],
                    "category_id": category,
                    "bbox": [_number(v) for v in box],
                    "segmentation": [[_number(v) for point in polygon for v in point]] if polygon else [],
                    "area": _number(_area(polygon) if polygon else box[2] * box[3]),
                    "iscrowd": 0,
                }
            )
    document = {
        "images": list(images.values()),
        "categories": [
            {"id": number, "name": name, "supercategory": "skin lesion"} for name, number in categories.items()
        ],
        "annotations": annotations,
    }
    return Exported(document, skipped)
