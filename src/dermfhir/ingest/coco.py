"""COCO JSON (images, categories, annotations with bbox and polygon segmentations) → FHIR: per image a pseudonymous
Patient and a dermatology-image DocumentReference (width and height from the COCO image), per COCO annotation a
final dermatology-image-annotation with the category as finding and the bounding box and polygon(s) as region
components.

Category names are ISIC challenge classes (a code or its display, spelling normalised, e.g. 'MEL' or
'melanoma'), else they go through `--map` (field `category`), else they are reported and kept as text (`--strict`
rejects them). Ids derive from the image file name (without extension), so ISIC images keep their ISIC ids.

Not handled: RLE segmentations (`iscrowd` 1; reported, the bounding box is kept), keypoints, captions, several
files sharing image ids (ids are per file), the `info` / `licenses` blocks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

import orjson

from dermfhir.builders import (
    AnnotationKind,
    AnnotationMethod,
    BuildError,
    DermatologyImage,
    DermatologyImageAnnotation,
    ImagingModality,
    Patient,
)
from dermfhir.ingest._common import ISIC_IMAGE, Labels, Options, curator, ident
from dermfhir.ingest._result import ImportResult
from dermfhir.ingest._source import SourceError

DATASET = "coco"
IMAGE = "urn:dermfhir:coco:image"
ANNOTATION = "urn:dermfhir:coco:annotation"


def _load(path: Path) -> dict:
    try:
        document = orjson.loads(path.read_bytes())
    except OSError as error:
        raise SourceError(path, f"cannot read the file ({error.strerror or error})") from None
    except orjson.JSONDecodeError as error:
        raise SourceError(path, f"not valid JSON ({error})") from None
    if not isinstance(document, dict) or not isinstance(document.get("images"), list):
        raise SourceError(path, "not a COCO file: no images array")
    for key in ("annotations", "categories"):
        if not isinstance(document.get(key, []), list):
            raise SourceError(path, f"{key} must be an array", column=key)
    return document


def _number(path: Path, where: str, value: Any, field: str, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 or (positive and value <= 0):
        raise SourceError(
            path,
            f"{field} must be a {'positive' if positive else 'non-negative'} number, got {value!r}",
            column=field,
            item=where,
        )
    return value


def read(paths: Sequence[Path], options: Options, progress: Callable[[int], None] | None = None) -> ImportResult:
    """Import COCO files; a bad image or annotation is rejected with file, array index and field."""
    result = ImportResult()
    report = result.report
    labels = Labels("category", "isic-challenge-class", "isic-challenge-class-to-snomed", options, report)
    organization = curator(DATASET, "COCO annotation authors")
    result.add(organization)
    for path in paths:
        document = _load(path)
        images: dict[Any, DermatologyImage] = {}
        for index, item in enumerate(document["images"]):
            where = f"images[{index}]"
            try:
                patient, image = _image(path, where, item, options)
                result.add(patient, image)
                images[item["id"]] = image
            except SourceError as error:
                report.reject(error)
        categories: dict[Any, tuple[str, dict | None]] = {}
        for index, item in enumerate(document.get("categories", [])):
            if not isinstance(item, dict) or "id" not in item or not str(item.get("name", "")).strip():
                report.reject(SourceError(path, "a category needs an id and a name", item=f"categories[{index}]"))
                continue
            name = str(item["name"]).strip()
            categories[item["id"]] = (name, labels.concept(name, None))
        for index, item in enumerate(document.get("annotations", [])):
            report.rows_read += 1
            try:
                _annotation(
                    path, f"annotations[{index}]", item, images, categories, options, result, organization.reference
                )
            except SourceError as error:
                report.reject(error)
            if progress:
                progress(1)
    return result


def _image(path: Path, where: str, item: Any, options: Options) -> tuple[Patient, DermatologyImage]:
    if not isinstance(item, dict) or "id" not in item:
        raise SourceError(path, "an image needs an id", item=where)
    file_name = item.get("file_name")
    if not isinstance(file_name, str) or not file_name.strip():
        raise SourceError(path, f"file_name is {file_name!r}", column="file_name", item=where)
    width = _number(path, where, item.get("width"), "width", positive=True)
    height = _number(path, where, item.get("height"), "height", positive=True)
    if not float(width).is_integer() or not float(height).is_integer():
        raise SourceError(path, f"width and height must be whole pixels, got {width} x {height}", item=where)
    stem = PurePosixPath(file_name).stem
    patient = Patient(ident(DATASET, "patient", stem), identifier=(IMAGE, stem))
    return patient, DermatologyImage(
        ident(DATASET, "img", stem),
        subject=patient,
        url=f"{options.image_base}{file_name}",
        content_type="image/png" if file_name.lower().endswith(".png") else "image/jpeg",
        modality=ImagingModality.DERMOSCOPY,
        width=int(width),
        height=int(height),
        identifier=(ISIC_IMAGE if stem.startswith("ISIC_") else IMAGE, stem),
        title=file_name,
    )


def _annotation(
    path: Path,
    where: str,
    item: Any,
    images: dict,
    categories: dict,
    options: Options,
    result: ImportResult,
    performer: str,
) -> None:
    if not isinstance(item, dict) or "id" not in item:
        raise SourceError(path, "an annotation needs an id", item=where)
    image = images.get(item.get("image_id"))
    if image is None:
        raise SourceError(
            path,
            f"image_id {item.get('image_id')!r} is not an image of the file (or was rejected)",
            column="image_id",
            item=where,
        )
    if item.get("category_id") not in categories:
        raise SourceError(
            path,
            f"category_id {item.get('category_id')!r} is not a category of the file",
            column="category_id",
            item=where,
        )
    name, finding = categories[item["category_id"]]
    if options.strict and not (finding or {}).get("coding"):
        raise SourceError(
            path, f"unmapped category {name!r} (add it to a --map file)", column="category_id", item=where
        )
    boxes: list[tuple[float, float, float, float]] = []
    if item.get("bbox") is not None:
        bbox = item["bbox"]
        if not isinstance(bbox, list) or len(bbox) != 4:
            raise SourceError(path, f"bbox must be 4 numbers x y width height, got {bbox!r}", column="bbox", item=where)
        x, y, width, height = (_number(path, where, v, "bbox") for v in bbox)
        boxes.append((x, y, width, height))
    polygons: list[list[tuple[float, float]]] = []
    image_id = image.identifier[1] if image.identifier else image.id
    segmentation = item.get("segmentation")
    if isinstance(segmentation, dict) or item.get("iscrowd"):
        result.report.warnings.append(f"{path}, {where}: RLE segmentation not imported (the bounding box is kept)")
    elif segmentation:
        if not isinstance(segmentation, list) or not all(isinstance(p, list) for p in segmentation):
            raise SourceError(
                path, "segmentation must be a list of polygons [x1, y1, x2, y2, …]", column="segmentation", item=where
            )
        for number, flat in enumerate(segmentation):
            if len(flat) < 6 or len(flat) % 2:
                raise SourceError(
                    path,
                    f"polygon {number} needs at least 3 x y pairs, got {len(flat)} numbers",
                    column="segmentation",
                    item=where,
                )
            values = [_number(path, where, v, "segmentation") for v in flat]
            polygons.append(list(zip(values[::2], values[1::2], strict=True)))
    try:
        annotation = DermatologyImageAnnotation(
            ident(DATASET, "ann", f"{image_id}-{item['id']}"),
            subject=image.subject,
            image=image,
            findings=[finding],
            method=AnnotationMethod.EXPERT_ANNOTATION,
            kind=AnnotationKind.SEGMENTATION if polygons else AnnotationKind.LESION_CLASSIFICATION,
            performer=[performer],
            bounding_boxes=boxes,
            polygons=polygons,
            image_size=(image.width, image.height) if image.width and image.height and (boxes or polygons) else None,
            identifier=(ANNOTATION, f"{image_id}/{item['id']}"),
        )
    except BuildError as error:
        raise SourceError(path, str(error), item=where) from None
    result.add(annotation)
    result.report.findings[name] += 1
