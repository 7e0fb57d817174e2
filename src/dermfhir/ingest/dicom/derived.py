"""Reading back what `dermfhir export dicom-sr` / `dicom-seg` wrote: a TID 1500 SR becomes its
dermatology-image-annotation, a Segmentation becomes the mask DocumentReference (PNG inline) on its source image,
and the annotation of the same import gets its segmentation-mask component back.

Patient and image references follow the DICOM importer's ids (`Patient/dicom-pat-…`, the source image's
`DocumentReference/<SOP Instance UID>`), so an SR and its source image imported together reference each other.
Not handled: SR documents of other templates, SEGs with more than one segment.
"""

from __future__ import annotations

import base64
import io
import warnings
from pathlib import Path

import pydicom
from pydicom.dataset import Dataset

from dermfhir.builders import DerivedImage, DermatologyImageAnnotation, stable_id
from dermfhir.builders._base import BuildError
from dermfhir.export import dicom_seg, dicom_sr
from dermfhir.export._read import ExportError
from dermfhir.ingest.dicom.reader import DicomError

SOP_CLASSES = frozenset({dicom_sr.COMPREHENSIVE_3D_SR, dicom_seg.SEGMENTATION})


def sop_class(data: bytes) -> str | None:
    """The SOP Class UID of a DICOM file (None when unreadable)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dataset = pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True, specific_tags=["SOPClassUID"])
        return str(dataset.SOPClassUID)
    except Exception:  # any parse failure: the image reader reports the file
        return None


def _patient(dataset: Dataset) -> str:
    issuer = str(dataset.get("IssuerOfPatientID") or "")
    return f"Patient/{stable_id('dicom', 'pat', issuer, str(dataset.PatientID))}"


def read(path: Path, data: bytes) -> tuple[dict | None, tuple[str | None, dict] | None]:
    """(annotation, None) for an SR; (None, (annotation reference, mask DocumentReference)) for a SEG."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dataset = pydicom.dcmread(io.BytesIO(data))
            if str(dataset.SOPClassUID) == dicom_sr.COMPREHENSIVE_3D_SR:
                source = dicom_sr.source_uid(dataset)
                if source is None:
                    evidence = "CurrentRequestedProcedureEvidenceSequence"
                    raise DicomError(path, "the report references no image", evidence)
                return dicom_sr.read(dataset, _patient(dataset), f"DocumentReference/{source}"), None
            mask = dicom_seg.read(dataset)
    except (ExportError, BuildError, dicom_seg.MaskError, ValueError, AttributeError, KeyError) as error:
        raise DicomError(path, f"cannot be read back ({error})") from None
    reference = mask.mask if mask.mask and mask.mask.startswith("DocumentReference/") else None
    mask_id = reference.partition("/")[2] if reference else stable_id("dicom", "mask", str(dataset.SOPInstanceUID))
    document = DerivedImage(
        mask_id,
        subject=_patient(dataset),
        source=f"DocumentReference/{mask.source_uid}",
        url=f"{mask_id}.png",
        kind="Lesion segmentation mask",
        width=int(mask.pixels.shape[1]),
        height=int(mask.pixels.shape[0]),
    ).to_resource()
    document["content"][0]["attachment"]["data"] = base64.b64encode(mask.png()).decode("ascii")
    return None, (mask.annotation, document)


def attach_mask(annotation: dict, mask: str) -> dict:
    """The annotation with its segmentation-mask component pointing at `mask`."""
    built = DermatologyImageAnnotation.from_resource(annotation)
    built.mask = mask
    built._components = built._build_components()
    rebuilt = built.to_resource()
    if "device" in annotation:
        rebuilt["device"] = annotation["device"]
    return rebuilt
