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
from pathlib import Path

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


def source_dataset(annotation: dict, index: Index, dicom_store: Path | None = None) -> Dataset | None:
    """The first source image of the annotation that is a stored DICOM instance (a Binary of the sources, else a
    file of the DICOM folder `dicom_store`, located through the ImagingStudy listing it)."""
    for uid in instance_uids(annotation, index):
        binary = index.by_reference.get(f"Binary/{uid}")
        if binary is not None and (dataset := binary_dataset(binary)) is not None:
            return dataset
        if dicom_store is not None and (data := _from_folder(index, uid, dicom_store)) is not None:
            return binary_dataset({"contentType": "application/dicom", "data": base64.b64encode(data).decode()})
    return None


def _from_folder(index: Index, uid: str, folder: Path) -> bytes | None:
    from dermfhir.ingest.dicom import filestore

    for resource in index.resources:
        if resource.get("resourceType") != "ImagingStudy":
            continue
        study = next((found for item in resource.get("identifier", []) if (found := uid_of(item))), None)
        for series in resource.get("series", []):
            if study and any(item.get("uid") == uid for item in series.get("instance", [])):
                return filestore.get(folder, study, series.get("uid", ""), uid)
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
