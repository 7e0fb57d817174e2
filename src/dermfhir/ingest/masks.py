"""Binary segmentation masks (ISIC naming `ISIC_xxxxxxx_segmentation.png`) → FHIR: per mask a DocumentReference
of the mask (transforming the image), and on the image's annotation the segmentation-mask component, the bounding
box of the lesion pixels, a simplified outline polygon (scikit-image `find_contours` + `approximate_polygon`) and
the image size (a mask has the pixel grid of its image).

The image's annotation is taken from `--source` FHIR files (Bundles / NDJSON of an earlier import, matched by the
image's ISIC identifier) and written again with the regions added; an image without one gets a new final
segmentation annotation (finding SNOMED CT 52988006 Lesion) of its own image, Patient and ISIC curators.
Inputs are PNG files or folders of them.

Not handled: holes and several separate regions (the outline is the longest contour; the box covers every lesion
pixel), ISIC 2018 Task 2 attribute masks, non-ISIC file names (rejected), masks of another size than the image
(the mask's size is taken).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from dermfhir.builders import (
    AnnotationKind,
    AnnotationMethod,
    DerivedImage,
    DermatologyImage,
    DermatologyImageAnnotation,
    ImagingModality,
    Patient,
)
from dermfhir.builders import _components as parts
from dermfhir.builders._vocabulary import SNOMED, coding
from dermfhir.ingest._common import ISIC_IMAGE, Options, curator, ident
from dermfhir.ingest._result import ImportResult
from dermfhir.ingest._source import SourceError

DATASET = "isic"
NAME = re.compile(r"^(ISIC_\d{7})_segmentation\.png$")
#: Outline simplification: the largest distance (pixels) of the polygon from the traced contour.
TOLERANCE = 1.5
#: SNOMED CT 52988006 Lesion (DICOM CID 7159 segmentation type), the finding of a segmentation-only annotation.
LESION = "52988006"


def mask_files(paths: Sequence[Path]) -> Iterator[Path]:
    """The PNG files given, folders expanded (sorted)."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.iterdir() if p.suffix.lower() == ".png")
        else:
            yield path


def outline(mask: object, tolerance: float = TOLERANCE) -> tuple[tuple[int, int, int, int], list[tuple[float, float]]]:
    """(bounding box x y width height, simplified outline as x y points) of the True pixels of a boolean array.

    >>> import numpy as np
    >>> grid = np.zeros((10, 12), dtype=bool); grid[2:6, 3:9] = True
    >>> box, polygon = outline(grid)
    >>> box, len(polygon) >= 3
    ((3, 2, 6, 4), True)
    """
    import numpy as np
    from skimage.measure import approximate_polygon, find_contours

    pixels = np.asarray(mask, dtype=bool)
    rows, columns = np.nonzero(pixels)
    box = (
        int(columns.min()),
        int(rows.min()),
        int(columns.max() - columns.min() + 1),
        int(rows.max() - rows.min() + 1),
    )
    padded = np.pad(pixels, 1).astype(np.uint8)  # closes contours that touch the border
    contours = find_contours(padded, 0.5)
    longest = max(contours, key=len)
    simplified = approximate_polygon(longest, tolerance=tolerance)
    if len(simplified) > 3 and np.allclose(simplified[0], simplified[-1]):
        simplified = simplified[:-1]  # the polygon is closed implicitly
    height, width = pixels.shape
    # padded pixel-centre coordinates → image coordinates with pixel edges at whole numbers (as the box)
    points = [(round(min(max(c - 0.5, 0), width), 1), round(min(max(r - 0.5, 0), height), 1)) for r, c in simplified]
    if len(points) < 3:  # a one-pixel line or dot: use the box
        x, y, w, h = box
        points = [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]
    return box, points


def read_mask(path: Path) -> tuple[object, tuple[int, int]]:
    """The lesion pixels (boolean array) and (width, height) of a mask PNG; SourceError when it is no usable mask."""
    import numpy as np
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            values = np.asarray(image.convert("L"))
    except (OSError, UnidentifiedImageError) as error:
        raise SourceError(path, f"not a readable image ({error})") from None
    levels = np.unique(values)
    if len(levels) > 2:
        raise SourceError(path, f"not a binary mask: {len(levels)} grey levels (expected 0 and one other)")
    lesion = values > 0
    if not lesion.any():
        raise SourceError(path, "the mask is empty (no lesion pixel)")
    height, width = values.shape
    return lesion, (width, height)


def annotations_by_image(sources: Sequence[Path]) -> dict[str, dict]:
    """Annotations of the source FHIR files by the ISIC image id of their first image."""
    from dermfhir.export import read_resources

    resources = list(read_resources(sources))
    images = {
        f"DocumentReference/{r['id']}": next(
            (i.get("value") for i in r.get("identifier", []) if i.get("system") == ISIC_IMAGE), None
        )
        for r in resources
        if r.get("resourceType") == "DocumentReference"
    }
    found: dict[str, dict] = {}
    for resource in resources:
        if resource.get("resourceType") != "Observation" or not resource.get("derivedFrom"):
            continue
        if parts.ANNOTATION_PROFILE not in str(resource.get("meta", {}).get("profile", [])):
            continue
        image_id = images.get(resource["derivedFrom"][0].get("reference", ""))
        if image_id:
            found.setdefault(image_id, resource)
    return found


def read(
    paths: Sequence[Path],
    options: Options,
    progress: Callable[[int], None] | None = None,
    source: Sequence[Path] = (),
) -> ImportResult:
    """Import segmentation masks; a bad file is rejected with its name and the reason."""
    result = ImportResult()
    report = result.report
    try:
        known = annotations_by_image(source) if source else {}
    except Exception as error:  # ExportError: the message names the file
        raise SourceError(", ".join(map(str, source)), str(error)) from None
    organization = curator(DATASET, "ISIC challenge organisers (International Skin Imaging Collaboration)")
    tolerance = float(options.extra.get("tolerance", TOLERANCE))
    for path in mask_files(paths):
        report.rows_read += 1
        try:
            match = NAME.match(path.name)
            if match is None:
                raise SourceError(path, "the file name does not follow ISIC_xxxxxxx_segmentation.png")
            image_id = match.group(1)
            lesion, size = read_mask(path)
            box, polygon = outline(lesion, tolerance)
            existing = known.get(image_id)
            annotation: dict | DermatologyImageAnnotation
            if existing is not None:
                annotation = _add_regions(existing, path, image_id, options, box, polygon, size, result)
            else:
                annotation = _new(path, image_id, options, box, polygon, size, result, organization.reference)
            result.add(annotation)
            report.findings["segmentation mask"] += 1
        except SourceError as error:
            report.reject(error)
        if progress:
            progress(1)
    if any(r["resourceType"] == "Observation" and r["id"].startswith(f"{DATASET}-seg-") for r in result.resources):
        result.add(organization)
    return result


def _mask(path: Path, image_id: str, subject: str, image: str, options: Options, size: tuple[int, int]) -> DerivedImage:
    return DerivedImage(
        ident(DATASET, "mask", image_id),
        subject=subject,
        source=image,
        url=f"{options.image_base}{path.name}",
        kind="Lesion segmentation mask",
        width=size[0],
        height=size[1],
    )


def _add_regions(
    annotation: dict,
    path: Path,
    image_id: str,
    options: Options,
    box: tuple,
    polygon: list,
    size: tuple[int, int],
    result: ImportResult,
) -> dict:
    """A copy of the source annotation with the mask, box, outline and image size (replacing earlier regions)."""
    updated = copy.deepcopy(annotation)
    image = updated["derivedFrom"][0]["reference"]
    mask = _mask(path, image_id, updated["subject"]["reference"], image, options, size)
    region_codes = {"bounding-boxes", "polygon", "segmentation-mask", "image-width", "image-height"}
    kept = [
        c
        for c in updated.get("component", [])
        if parts.component_code(c)[1] not in region_codes or parts.component_code(c)[0] != parts.ANNOTATION_TYPE
    ]
    regions = parts.regions(
        parts.ANNOTATION_PROFILE, boxes=[box], polygons=[polygon], mask=mask.reference, image_size=size
    )
    updated["component"] = kept[:1] + regions + kept[1:]
    DermatologyImageAnnotation.from_resource(updated)  # raises when the result would not be a valid annotation
    result.add(mask)
    return updated


def _new(
    path: Path,
    image_id: str,
    options: Options,
    box: tuple,
    polygon: list,
    size: tuple[int, int],
    result: ImportResult,
    performer: str,
) -> DermatologyImageAnnotation:
    patient = Patient(ident(DATASET, "patient", image_id), identifier=(ISIC_IMAGE, image_id))
    image = DermatologyImage(
        ident(DATASET, "img", image_id),
        subject=patient,
        url=f"{options.image_base}{image_id}.jpg",
        content_type="image/jpeg",
        modality=ImagingModality.DERMOSCOPY,
        width=size[0],
        height=size[1],
        identifier=(ISIC_IMAGE, image_id),
    )
    mask = _mask(path, image_id, patient.reference, image.reference, options, size)
    finding = coding(SNOMED, LESION)
    annotation = DermatologyImageAnnotation(
        ident(DATASET, "seg", image_id),
        subject=patient,
        image=image,
        findings=[{"coding": [finding], "text": finding.get("display", "Lesion")}],
        method=AnnotationMethod.EXPERT_ANNOTATION,
        kind=AnnotationKind.SEGMENTATION,
        performer=[performer],
        bounding_boxes=[box],
        polygons=[polygon],
        mask=mask,
        image_size=size,
    )
    result.add(patient, image, mask)
    return annotation
