"""Segmentation masks ↔ DICOM Segmentation (binary, one segment; built with highdicom) on the source image.

An annotation's segmentation-mask component points (overlay-image extension) at a mask DocumentReference whose
attachment holds a PNG (inline `data`, or a `url` read relative to `mask_dir`); pixels > 0 are the lesion. The SEG
references the annotation's DICOM source image (the Binary the DICOM importer stored). Segment: label = the first
skin finding's display, property category Morphologically Abnormal Structure (49755003, SCT) and type Lesion
(52988006, SCT) (DICOM CID 7150 / 7159), tracking ID = the annotation reference; algorithm type MANUAL for human
methods, SEMIAUTOMATIC for AI-assisted ones, AUTOMATIC for AI inference (with the Device as algorithm, family
Artificial Intelligence, 123110 DCM); content creator = the first performer's reference.

Not handled: several masks per annotation, fractional (probability) masks, heatmaps, masks whose size differs
from the source image (reported and skipped).
"""

from __future__ import annotations

import base64
import binascii
import io
from dataclasses import dataclass
from pathlib import Path

import highdicom as hd
import numpy as np
from PIL import Image, UnidentifiedImageError
from pydicom.dataset import Dataset
from pydicom.sr.codedict import codes

from dermfhir.builders._components import OVERLAY_IMAGE, find
from dermfhir.export._read import Index
from dermfhir.export.dicom_source import source_dataset
from dermfhir.export.dicom_sr import Exported, annotations_of, derived_uid

SEGMENTATION = "1.2.840.10008.5.1.4.1.1.66.4"
ALGORITHM_TYPES = {
    "ai-inference": hd.seg.SegmentAlgorithmTypeValues.AUTOMATIC,
    "ai-assisted-confirmed": hd.seg.SegmentAlgorithmTypeValues.SEMIAUTOMATIC,
    "ai-assisted-corrected": hd.seg.SegmentAlgorithmTypeValues.SEMIAUTOMATIC,
}


class MaskError(ValueError):
    """A mask cannot be read or does not fit its source image."""


def mask_reference(annotation: dict) -> str | None:
    """The mask DocumentReference an annotation's segmentation-mask component points at."""
    for component in find(annotation.get("component", []), "segmentation-mask"):
        for extension in component.get("extension", []):
            if extension.get("url") == OVERLAY_IMAGE:
                return (extension.get("valueReference") or {}).get("reference")
    return None


def mask_pixels(document: dict, mask_dir: Path | None) -> np.ndarray:
    """The mask as a boolean array (rows, columns)."""
    attachment = (document.get("content") or [{}])[0].get("attachment", {})
    try:
        if attachment.get("data"):
            data = base64.b64decode(attachment["data"], validate=True)
        elif attachment.get("url") and mask_dir is not None:
            data = (mask_dir / Path(attachment["url"]).name).read_bytes()
        else:
            raise MaskError("the mask has no inline data, and no --mask-dir was given for its url")
        with Image.open(io.BytesIO(data)) as image:
            return np.asarray(image.convert("L")) > 0
    except (binascii.Error, OSError, UnidentifiedImageError) as error:
        raise MaskError(f"the mask image cannot be read ({error})") from None


def build(annotation: dict, index: Index, source: Dataset, pixels: np.ndarray) -> hd.seg.Segmentation:
    """The DICOM Segmentation of one annotation's mask on its source image."""
    if pixels.shape != (int(source.Rows), int(source.Columns)):
        raise MaskError(f"the mask is {pixels.shape[1]}x{pixels.shape[0]}, the image {source.Columns}x{source.Rows}")
    reference = f"Observation/{annotation['id']}"
    method = annotation["method"]["coding"][0]["code"]
    algorithm_type = ALGORITHM_TYPES.get(method, hd.seg.SegmentAlgorithmTypeValues.MANUAL)
    algorithm = None
    if algorithm_type != hd.seg.SegmentAlgorithmTypeValues.MANUAL:
        device = index.by_reference.get((annotation.get("device") or {}).get("reference", "")) or {}
        name = (device.get("deviceName") or [{}])[0].get("name") or (annotation.get("device") or {}).get("reference")
        version = (device.get("version") or [{}])[0].get("value")
        algorithm = hd.AlgorithmIdentificationSequence(
            name=str(name or "unknown algorithm")[:64],
            family=codes.DCM.ArtificialIntelligence,
            version=str(version or "unknown")[:64],
        )
    findings = [
        c["valueCodeableConcept"]
        for c in annotation.get("component", [])
        if c.get("code", {}).get("coding", [{}])[0].get("code") == "106076001"
    ]
    label = "lesion"
    if findings:
        first = findings[0]
        label = first.get("text") or (first.get("coding") or [{}])[0].get("display") or label
    description = hd.seg.SegmentDescription(
        segment_number=1,
        segment_label=str(label)[:64],
        segmented_property_category=codes.SCT.MorphologicallyAbnormalStructure,
        segmented_property_type=codes.SCT.Lesion,
        algorithm_type=algorithm_type,
        algorithm_identification=algorithm,
        tracking_uid=derived_uid(reference),
        tracking_id=reference,
    )
    performers = [p.get("reference") for p in annotation.get("performer", []) if p.get("reference")]
    seg = hd.seg.Segmentation(
        source_images=[source],
        pixel_array=pixels[np.newaxis, ...].astype(np.uint8),
        segmentation_type=hd.seg.SegmentationTypeValues.BINARY,
        segment_descriptions=[description],
        series_instance_uid=derived_uid(f"{reference} seg series"),
        series_number=1,
        sop_instance_uid=derived_uid(f"{reference} seg"),
        instance_number=1,
        manufacturer="dermfhir",
        manufacturer_model_name="dermfhir",
        software_versions="dermfhir",
        device_serial_number="0",
        content_label="LESION",
        content_description=mask_reference(annotation),
        content_creator_name=performers[0].replace("/", "^") if performers else None,
        omit_empty_frames=False,
    )
    if "PatientOrientation" not in seg:  # General Image Type 2C; highdicom leaves it out for a 2-D photograph
        seg.PatientOrientation = ""
    return seg


def export(index: Index, out: Path, mask_dir: Path | None = None, dicom_store: Path | None = None) -> Exported:
    """Write one SEG file per annotation with a mask and a DICOM source into the folder `out`."""
    result = Exported()
    out.mkdir(parents=True, exist_ok=True)
    for annotation in annotations_of(index):
        reference = f"Observation/{annotation['id']}"
        mask = mask_reference(annotation)
        if mask is None:
            continue
        source = source_dataset(annotation, index, dicom_store)
        document = index.by_reference.get(mask)
        if source is None or document is None:
            missing = "source image is not a stored DICOM instance" if source is None else f"mask {mask} is absent"
            result.skipped.append(f"{reference}: its {missing}")
            continue
        try:
            seg = build(annotation, index, source, mask_pixels(document, mask_dir))
        except (MaskError, ValueError, TypeError) as error:
            result.skipped.append(f"{reference}: {error}")
            continue
        path = out / f"{annotation['id']}.seg.dcm"
        seg.save_as(path, enforce_file_format=True)
        result.written.append(path)
    return result


@dataclass
class ReadMask:
    """What a SEG gives back: the mask, the source image's SOP Instance UID, the annotation, label, method kind."""

    pixels: np.ndarray
    source_uid: str
    annotation: str | None
    label: str
    algorithm_type: str
    creator: str | None
    mask: str | None

    def png(self) -> bytes:
        buffer = io.BytesIO()
        Image.fromarray(self.pixels.astype(np.uint8) * 255).save(buffer, format="PNG")
        return buffer.getvalue()


def read(dataset: Dataset) -> ReadMask:
    """The first segment of a binary SEG written by `build`."""
    if dataset.SOPClassUID != SEGMENTATION:
        raise MaskError(f"not a Segmentation (SOP class {dataset.SOPClassUID})")
    frames = np.asarray(hd.seg.Segmentation.from_dataset(dataset).pixel_array)
    mask = (frames[0] if frames.ndim == 3 else frames) > 0
    sources = [str(item.ReferencedSOPInstanceUID) for item in _referenced(dataset)]
    description = dataset.SegmentSequence[0]
    creator = str(dataset.get("ContentCreatorName") or "") or None
    return ReadMask(
        pixels=mask,
        source_uid=sources[0] if sources else "",
        annotation=str(description.get("TrackingID") or "") or None,
        label=str(description.SegmentLabel),
        algorithm_type=str(description.SegmentAlgorithmType),
        creator=creator.replace("^", "/") if creator else None,
        mask=str(dataset.get("ContentDescription") or "") or None,
    )


def _referenced(dataset: Dataset) -> list[Dataset]:
    found = []
    for series in dataset.get("ReferencedSeriesSequence", []):
        found.extend(series.get("ReferencedInstanceSequence", []))
    return found
