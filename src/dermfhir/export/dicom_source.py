"""Finding the DICOM instance an annotation was made on: its `derivedFrom` image → the Binary (application/dicom)
the DICOM importer stored under the SOP Instance UID.

A DocumentReference source is followed through its `urn:dicom:uid` identifier (else its id); an ImagingStudy
source through its first series' first instance.
Not handled: instances held outside the sources (a PACS): export them through the importer first.
"""

from __future__ import annotations

import base64
import binascii
import io
import warnings

import pydicom
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError

from dermfhir.builders.imaging_study import uid_of
from dermfhir.export._read import Index


def instance_uids(annotation: dict, index: Index) -> list[str]:
    """SOP Instance UIDs of the annotation's source images, in `derivedFrom` order."""
    found: list[str] = []
    for item in annotation.get("derivedFrom", []):
        reference = item.get("reference", "")
        kind, _, id = reference.partition("/")
        resource = index.by_reference.get(reference) or {}
        if kind == "DocumentReference":
            uids = [uid for i in resource.get("identifier", []) if (uid := uid_of(i))]
            found.append(uids[0] if uids else id)
        elif kind == "ImagingStudy":
            series = resource.get("series") or [{}]
            instances = series[0].get("instance") or [{}]
            if instances[0].get("uid"):
                found.append(instances[0]["uid"])
    return found


def binary_dataset(binary: dict) -> Dataset | None:
    """The DICOM dataset a Binary holds, or None when it holds none."""
    if binary.get("contentType") != "application/dicom" or not binary.get("data"):
        return None
    try:
        data = base64.b64decode(binary["data"], validate=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return as_evidence(pydicom.dcmread(io.BytesIO(data)))
    except (binascii.Error, InvalidDicomError, ValueError, EOFError, OSError):
        return None


def source_dataset(annotation: dict, index: Index) -> Dataset | None:
    """The first source image of the annotation that is a stored DICOM instance."""
    for uid in instance_uids(annotation, index):
        binary = index.by_reference.get(f"Binary/{uid}")
        if binary is not None and (dataset := binary_dataset(binary)) is not None:
            return dataset
    return None


#: Type 2 attributes of the Patient and General Study modules that highdicom copies from a source image
_TYPE_2 = (
    "PatientName",
    "PatientID",
    "PatientBirthDate",
    "PatientSex",
    "StudyID",
    "StudyDate",
    "StudyTime",
    "ReferringPhysicianName",
    "AccessionNumber",
)


def as_evidence(dataset: Dataset) -> Dataset:
    """The source image with its empty Type 2 patient / study attributes present (highdicom copies them)."""
    for name in _TYPE_2:
        if name not in dataset:
            setattr(dataset, name, "")
    return dataset
