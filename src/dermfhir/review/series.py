"""Lesion series: the final or amended annotations of one lesion (focus = its BodyStructure) in time order, with
change detection between consecutive annotations, written as one annotation-series Observation per lesion.

Changes between an earlier and a later annotation:
- `diagnosis-change`: the first coded skin finding differs;
- `size-increase` / `size-decrease`: the region area (bounding boxes and polygon outlines, rasterised on the
  image's pixel grid; a segmentation mask counted by its non-zero pixels when the mask DocumentReference carries
  the image inline) grew or shrank by more than `growth` (default 20 %);
- `shape-change`: the outlines' intersection over union (same rasterisation) is below `iou_threshold` (default
  0.5) while the area did not change by more than `growth` — the lesion moved or changed form rather than size.
Regions are compared only when both annotations give the same image size. AI predictions are never members.
Not handled: colour, border and structure changes (they need the pixels of both images and a registration).
"""

from __future__ import annotations

import base64
import io
import itertools
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from dermfhir.builders import AnnotationSeries
from dermfhir.builders import _components as parts
from dermfhir.review import resources as r
from dermfhir.review.errors import InvalidInput, UnknownResource
from dermfhir.review.workflow import Written
from dermfhir.store import Store

GROWTH = 0.2
IOU = 0.5
SERIES_CODE = f"{r.TYPE_SYSTEM}|annotation-series"


@dataclass(frozen=True)
class Change:
    """What changed from `earlier` to `later` (references), with the measures behind it."""

    earlier: str
    later: str
    types: tuple[str, ...]
    area_ratio: float | None = None
    iou: float | None = None


@dataclass
class SeriesResult:
    series: dict
    created: bool
    members: list[str]
    changes: list[Change] = field(default_factory=list)


def region_mask(annotation: dict, store: Store | None = None) -> np.ndarray | None:
    """The annotation's region as a boolean image (boxes, polygons and an inline mask); None without a region."""
    components = annotation.get("component") or []
    region = parts.read_regions(components)
    size = region["image_size"]
    if not size or not (region["boxes"] or region["polygons"] or region["mask"]):
        return None
    width, height = int(size[0]), int(size[1])
    canvas = np.zeros((height, width), dtype=bool)
    for x, y, w, h in region["boxes"]:
        canvas[
            max(0, round(y)) : min(height, round(y + h)),
            max(0, round(x)) : min(width, round(x + w)),
        ] = True
    if region["polygons"]:
        from skimage.draw import polygon as fill

        for points in region["polygons"]:
            rows, cols = fill([p[1] for p in points], [p[0] for p in points], shape=(height, width))
            canvas[rows, cols] = True
    if region["mask"] and store is not None:
        pixels = _inline_mask(store, region["mask"], (height, width))
        if pixels is not None:
            canvas |= pixels
    return canvas if canvas.any() else None


def _inline_mask(store: Store, reference: str, shape: tuple[int, int]) -> np.ndarray | None:
    document = r.read_reference(store, reference)
    for content in (document or {}).get("content") or []:
        data = (content.get("attachment") or {}).get("data")
        if not data:
            continue
        try:
            from PIL import Image

            with Image.open(io.BytesIO(base64.b64decode(data))) as image:
                pixels = np.asarray(image.convert("L")) > 0
        except Exception:  # an unreadable mask adds no region
            return None
        return pixels if pixels.shape == shape else None
    return None


def compare(
    earlier: dict, later: dict, *, growth: float = GROWTH, iou_threshold: float = IOU, store: Store | None = None
) -> Change:
    """The changes from one annotation of a lesion to the next."""
    types: list[str] = []
    if r.finding_code(earlier) != r.finding_code(later):
        types.append("diagnosis-change")
    before, after = region_mask(earlier, store), region_mask(later, store)
    ratio = iou = None
    if before is not None and after is not None and before.shape == after.shape:
        area_before, area_after = int(before.sum()), int(after.sum())
        ratio = area_after / area_before
        iou = int((before & after).sum()) / int((before | after).sum())
        if ratio > 1 + growth:
            types.append("size-increase")
        elif ratio < 1 - growth:
            types.append("size-decrease")
        elif iou < iou_threshold:
            types.append("shape-change")
    return Change(f"Observation/{earlier['id']}", f"Observation/{later['id']}", tuple(types), ratio, iou)


def lesion_annotations(store: Store, lesion_id: str) -> list[dict]:
    """The final or amended annotations of a lesion, oldest first (by effectiveDateTime, then issued)."""
    found = [
        a
        for a in store.iter_search("Observation", [("focus", f"BodyStructure/{lesion_id}")])
        if r.is_annotation(a) and a.get("status") in ("final", "amended")
    ]
    return sorted(found, key=lambda a: (str(a.get("effectiveDateTime") or a.get("issued") or ""), a["id"]))


def build_series(
    store: Store,
    lesion_id: str,
    *,
    growth: float = GROWTH,
    iou_threshold: float = IOU,
    visible: Callable[[dict], bool] | None = None,
    authorize: Callable[[dict], None] | None = None,
) -> SeriesResult:
    """(Re)build the lesion's annotation-series: members in time order and the changes between them.

    For a caller with limited rights: a lesion or annotation `visible` rejects is treated as not stored, and
    `authorize` is called with the series before it is written (it raises to refuse the write)."""
    if not 0 < growth < 10 or not 0 < iou_threshold <= 1:
        raise InvalidInput("review-input", "growth must be in (0, 10) and the IoU threshold in (0, 1]")
    with store.transaction():
        lesion = r.read_reference(store, f"BodyStructure/{lesion_id}")
        if lesion is None or (visible is not None and not visible(lesion)):
            raise UnknownResource("review-target", f"BodyStructure/{lesion_id} is not stored")
        annotations = [a for a in lesion_annotations(store, lesion_id) if visible is None or visible(a)]
        if not annotations:
            raise InvalidInput("review-input", f"BodyStructure/{lesion_id} has no final or amended annotation")
        changes = [
            compare(a, b, growth=growth, iou_threshold=iou_threshold, store=store)
            for a, b in itertools.pairwise(annotations)
        ]
        types: list[str] = []
        for change in changes:
            types += [t for t in change.types if t not in types]
        detected = bool(types) if changes else None
        if changes and not types:
            types = ["no-change"]
        patient = r.reference(annotations[-1].get("subject")) or r.reference(lesion.get("patient"))
        moments = [str(a.get("effectiveDateTime") or a.get("issued") or "") for a in annotations]
        existing = _existing(store, lesion_id)
        series = AnnotationSeries(
            existing["id"] if existing else str(uuid.uuid4()),
            patient=patient,
            lesion=f"BodyStructure/{lesion_id}",
            members=[f"Observation/{a['id']}" for a in annotations],
            start=moments[0] or None,
            end=moments[-1] if len(annotations) > 1 and moments[-1] else None,
            change_detected=detected,
            change_types=types,
        ).to_resource()
        if authorize is not None:
            authorize(series)
        stored = store.update(series, if_match=existing["meta"]["versionId"] if existing else None)
    return SeriesResult(stored.resource, stored.created, [f"Observation/{a['id']}" for a in annotations], changes)


def _existing(store: Store, lesion_id: str) -> dict | None:
    found = store.search("Observation", [("focus", f"BodyStructure/{lesion_id}"), ("code", SERIES_CODE)])
    return found.resources[0] if found.resources else None


def as_written(result: SeriesResult) -> list[Written]:
    return [Written(result.series, result.created)]


__all__: Sequence[str] = ["Change", "SeriesResult", "build_series", "compare", "lesion_annotations", "region_mask"]
