"""Observation components shared by annotations and AI predictions: skin finding, regions, quantities, and the
facts source datasets record with an image (diagnosis confirmation, age, Fitzpatrick skin type, seven-point score,
melanocytic, malignant, dermoscopic features).

The slices come from the profiles (codes read from their patterns); the Fitzpatrick codes from the guide's
fitzpatrick-skin-type value set.

Not handled: multi-frame images, 3-D coordinates, regions in units other than pixels.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from dermfhir.builders._base import BuildError, check_number, check_pixels, quantity
from dermfhir.builders._vocabulary import canonical, code_system, pattern, profile, terminology

OVERLAY_IMAGE = profile("overlay-image")
ANNOTATION_TYPE = code_system("annotation-type")

#: annotation-type codes of the dataset-fact components → their slice in dermatology-image-annotation.
DIAGNOSIS_CONFIRMATION = "diagnosis-confirmation"
AGE = "age-at-imaging"
SKIN_TYPE = "fitzpatrick-skin-type"
SEVEN_POINT_SCORE = "seven-point-score"
MELANOCYTIC = "melanocytic"
MALIGNANT = "malignant"
DERMOSCOPIC_FEATURE = "dermoscopic-feature"
FACT_SLICES = {
    DIAGNOSIS_CONFIRMATION: "diagnosisConfirmation",
    AGE: "ageAtImaging",
    SKIN_TYPE: "fitzpatrickSkinType",
    SEVEN_POINT_SCORE: "sevenPointScore",
    MELANOCYTIC: "melanocytic",
    MALIGNANT: "malignant",
    DERMOSCOPIC_FEATURE: "dermoscopicFeature",
}
ANNOTATION_PROFILE = "dermatology-image-annotation"


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
    result: list[tuple[float, float, float, float]] = []
    for index, box in enumerate(boxes or []):
        if len(box) != 4:
            raise BuildError(f'Argument "{name}[{index}]" must be 4 numbers x y width height, got {box!r}.')
        x, y, width, height = (check_number(f"{name}[{index}]", float(v), 0) for v in box)
        result.append((x, y, width, height))
    return result


def check_polygon(name: str, points: Any) -> list[tuple[float, float]]:
    result = [(check_number(name, float(x), 0), check_number(name, float(y), 0)) for x, y in points]
    if len(result) < 3:
        raise BuildError(f'Argument "{name}" must have at least 3 points, got {len(result)}.')
    return result


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


def fact(code: str, **value: Any) -> dict:
    """A dataset-fact component of dermatology-image-annotation, e.g. `fact(MELANOCYTIC, valueBoolean=True)`."""
    if code not in FACT_SLICES:
        raise BuildError(f'Argument "code" must be one of {", ".join(FACT_SLICES)}, got {code!r}.')
    return {"code": slice_code(ANNOTATION_PROFILE, FACT_SLICES[code]), **value}


def age(years: float) -> dict:
    """Age at imaging in years (UCUM a)."""
    check_number("age", years, 0, 150)
    return fact(AGE, valueQuantity=quantity(years, "a", "years"))


def seven_point_score(score: int) -> dict:
    """Total seven-point checklist score, 0-10."""
    check_number("seven_point_score", score, 0, 10)
    return fact(SEVEN_POINT_SCORE, valueQuantity=quantity(score, "{score}", "score"))


@cache
def fitzpatrick_codings() -> tuple[dict, ...]:
    """The Codings of Fitzpatrick skin types I-VI, in order, from the guide's value set."""
    items = terminology().expand(canonical("ValueSet", "fitzpatrick-skin-type"))
    return tuple({"system": i.system, "code": i.code, "display": i.display} for i in items)


def skin_type(low: int, high: int | None = None) -> dict:
    """Fitzpatrick skin type `low` (1-6), or the group of types `low`-`high` (a Range of type numbers)."""
    high = low if high is None else high
    check_number("low", low, 1, 6)
    check_number("high", high, low, 6)
    if low == high:
        return fact(SKIN_TYPE, valueCodeableConcept={"coding": [dict(fitzpatrick_codings()[low - 1])]})
    return fact(SKIN_TYPE, valueRange={"low": {"value": low}, "high": {"value": high}})


def read_skin_type(component: dict) -> tuple[int, int] | None:
    """(low, high) Fitzpatrick type numbers of a skin-type component."""
    if "valueRange" in component:
        return int(component["valueRange"]["low"]["value"]), int(component["valueRange"]["high"]["value"])
    codes = [c["code"] for c in fitzpatrick_codings()]
    for item in component.get("valueCodeableConcept", {}).get("coding", []):
        if item.get("code") in codes:
            number = codes.index(item["code"]) + 1
            return number, number
    return None


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
