"""Observation components shared by annotations and AI predictions: skin finding, regions, quantities, and the
guide-external components importers add (diagnosis confirmation, age, dermoscopic criteria, skin type).

The slices come from the profiles (codes read from their patterns). Components the guide has no code for are
identified by text only and listed in EXTRA_COMPONENT_TEXTS.

Not handled: multi-frame images, 3-D coordinates, regions in units other than pixels.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from dermfhir.build._base import BuildError, check_number, check_pixels, quantity
from dermfhir.build._vocabulary import code_system, pattern, profile

OVERLAY_IMAGE = profile("overlay-image")
ANNOTATION_TYPE = code_system("annotation-type")

#: Texts identifying components for which the guide defines no code (open slicing allows them).
DIAGNOSIS_CONFIRMATION = "Diagnosis confirmation method"
AGE = "Age at imaging"
SEVEN_POINT_SCORE = "Seven-point checklist score"
SKIN_TYPE = "Fitzpatrick skin type"
MALIGNANCY = "Benign or malignant"
MELANOCYTIC = "Melanocytic"
EXTRA_COMPONENT_TEXTS = (DIAGNOSIS_CONFIRMATION, AGE, SEVEN_POINT_SCORE, SKIN_TYPE, MALIGNANCY, MELANOCYTIC)


def slice_code(profile_id: str, slice_name: str) -> dict:
    return pattern(profile_id, f"Observation.component:{slice_name}.code")


def component_code(component: dict) -> tuple[str | None, str | None]:
    """(system, code) of the first coding of a component's code, or (None, text)."""
    codings = component.get("code", {}).get("coding") or []
    if codings:
        return codings[0].get("system"), codings[0].get("code")
    return None, component.get("code", {}).get("text")


def find(components: Iterable[dict], code: str, system: str | None = ANNOTATION_TYPE) -> list[dict]:
    """Components whose code is (system, code); system None matches text-only codes."""
    return [c for c in components if component_code(c) == (system, code)]


def skin_finding(profile_id: str, concept: dict) -> dict:
    return {"code": slice_code(profile_id, "skinFinding"), "valueCodeableConcept": concept}


def unit_quantity(profile_id: str, slice_name: str, value: float, unit: str) -> dict:
    return {"code": slice_code(profile_id, slice_name), "valueQuantity": quantity(value, unit)}


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")


def _sampled(dimensions: int, numbers: Sequence[float]) -> dict:
    return {
        "origin": {"value": 0, "unit": "px", "system": "http://unitsofmeasure.org", "code": "{px}"},
        "period": 0,
        "dimensions": dimensions,
        "data": " ".join(_number(n) for n in numbers),
    }


def check_boxes(name: str, boxes: Any) -> list[tuple[float, float, float, float]]:
    result = []
    for index, box in enumerate(boxes or []):
        if len(box) != 4:
            raise BuildError(f'Argument "{name}[{index}]" must be 4 numbers x y width height, got {box!r}.')
        result.append(tuple(check_number(f"{name}[{index}]", float(v), 0) for v in box))  # type: ignore[misc]
    return result  # type: ignore[return-value]


def check_polygon(name: str, points: Any) -> list[tuple[float, float]]:
    result = [(check_number(name, float(x), 0), check_number(name, float(y), 0)) for x, y in points]
    if len(result) < 3:
        raise BuildError(f'Argument "{name}" must have at least 3 points, got {len(result)}.')
    return result  # type: ignore[return-value]


def regions(
    profile_id: str,
    *,
    boxes: Sequence[tuple[float, float, float, float]] = (),
    polygons: Sequence[Sequence[tuple[float, float]]] = (),
    mask: str | None = None,
    image_size: tuple[int, int] | None = None,
) -> list[dict]:
    """Bounding boxes, polygons, mask and image size components (size required with boxes or polygons)."""
    components: list[dict] = []
    if (boxes or polygons) and image_size is None:
        raise BuildError('Argument "image_size" is required when bounding boxes or polygons are given.')
    if boxes:
        flat = [n for box in boxes for n in box]
        components.append({"code": slice_code(profile_id, "boundingBoxes"), "valueSampledData": _sampled(4, flat)})
    for polygon in polygons:
        flat = [n for point in polygon for n in point]
        components.append({"code": slice_code(profile_id, "polygon"), "valueSampledData": _sampled(2, flat)})
    if mask is not None:
        components.append(
            {
                "extension": [{"url": OVERLAY_IMAGE, "valueReference": {"reference": mask}}],
                "code": slice_code(profile_id, "segmentationMask"),
            }
        )
    if image_size is not None:
        width, height = image_size
        check_pixels("image_size[0]", width)
        check_pixels("image_size[1]", height)
        components.append(unit_quantity(profile_id, "imageWidth", width, "{px}"))
        components.append(unit_quantity(profile_id, "imageHeight", height, "{px}"))
    for component in components:
        if "valueQuantity" in component and component["valueQuantity"]["code"] == "{px}":
            component["valueQuantity"]["unit"] = "px"
    return components


def text_component(text: str, **value: Any) -> dict:
    """A component identified by text only (data the guide has no component code for)."""
    return {"code": {"text": text}, **value}


def read_numbers(component: dict) -> list[float]:
    return [float(n) for n in component.get("valueSampledData", {}).get("data", "").split()]


def read_regions(components: list[dict]) -> dict[str, Any]:
    """boxes, polygons, mask and image_size read back from components."""
    boxes: list[tuple[float, ...]] = []
    for component in find(components, "bounding-boxes"):
        numbers = read_numbers(component)
        boxes.extend(tuple(numbers[i : i + 4]) for i in range(0, len(numbers), 4))
    polygons = []
    for component in find(components, "polygon"):
        numbers = read_numbers(component)
        polygons.append([(numbers[i], numbers[i + 1]) for i in range(0, len(numbers), 2)])
    mask = None
    for component in find(components, "segmentation-mask"):
        for extension in component.get("extension", []):
            if extension.get("url") == OVERLAY_IMAGE:
                mask = extension.get("valueReference", {}).get("reference")
    width = [c["valueQuantity"]["value"] for c in find(components, "image-width")]
    height = [c["valueQuantity"]["value"] for c in find(components, "image-height")]
    size = (int(width[0]), int(height[0])) if width and height else None
    return {"boxes": boxes, "polygons": polygons, "mask": mask, "image_size": size}


def read_quantity(components: list[dict], code: str, system: str | None = ANNOTATION_TYPE) -> float | None:
    for component in find(components, code, system):
        value = component.get("valueQuantity", {}).get("value")
        if value is not None:
            return value
    return None
