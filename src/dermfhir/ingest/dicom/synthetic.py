"""Small synthetic DICOM dermatology images (VL Photographic XC, Dermoscopic Photography DMS) for tests, benchmarks
and demonstrations: uncompressed RGB pixels, the attributes the importer reads, nothing identifying.

Not handled: compressed transfer syntaxes, every Type 1/2 attribute of the IODs (the files are for round trips
through dermfhir, not for conformance testing of other tools).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import UID, ExplicitVRLittleEndian, generate_uid

from dermfhir.ingest.dicom.reader import DERMOSCOPIC, VL_PHOTOGRAPHIC


@dataclass
class SyntheticImage:
    """What goes into one synthetic file; every UID is generated when not given."""

    patient_id: str = "PAT-0001"
    modality: str = "DMS"
    study_uid: str | None = None
    series_uid: str | None = None
    sop_instance: str | None = None
    rows: int = 32
    columns: int = 48
    patient_sex: str | None = "F"
    body_site: tuple[str, str, str] | None = ("SCT", "40983000", "Upper arm structure")
    laterality: str | None = "R"
    tracking_id: str | None = "LESION-1"
    tracking_uid: str | None = None
    instance_number: int = 1
    series_number: int = 1


def dataset(spec: SyntheticImage) -> Dataset:
    """A DICOM dataset (with file meta) for `spec`."""
    sop_class = DERMOSCOPIC if spec.modality == "DMS" else VL_PHOTOGRAPHIC
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = UID(sop_class)
    meta.MediaStorageSOPInstanceUID = UID(spec.sop_instance or generate_uid())
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = spec.study_uid or generate_uid()
    ds.SeriesInstanceUID = spec.series_uid or generate_uid()
    ds.Modality = spec.modality
    ds.PatientID = spec.patient_id
    ds.PatientName = ""
    ds.PatientBirthDate = "19700101"
    if spec.patient_sex:
        ds.PatientSex = spec.patient_sex
    ds.StudyDate = "20260115"
    ds.StudyTime = "090000"
    ds.ContentDate = "20260115"
    ds.ContentTime = "090500"
    ds.TimezoneOffsetFromUTC = "+0000"
    ds.AccessionNumber = "ACC-1"
    ds.StudyID = "1"
    ds.ReferringPhysicianName = ""
    ds.StudyDescription = "Skin lesion imaging"
    ds.SeriesDescription = "Dermoscopy" if spec.modality == "DMS" else "Clinical photograph"
    ds.SeriesNumber = spec.series_number
    ds.InstanceNumber = spec.instance_number
    ds.ImageType = ["ORIGINAL", "PRIMARY"]
    ds.FrameOfReferenceUID = generate_uid(entropy_srcs=[ds.StudyInstanceUID, "frame"])
    ds.PositionReferenceIndicator = ""
    ds.Manufacturer = "dermfhir"
    ds.ManufacturerModelName = "synthetic"
    ds.DeviceSerialNumber = "0"
    ds.SoftwareVersions = "1"
    ds.PatientOrientation = ""
    ds.AcquisitionContextSequence = Sequence([])
    ds.LossyImageCompression = "00"
    if spec.body_site:
        scheme, code, meaning = spec.body_site
        item = Dataset()
        item.CodeValue, item.CodingSchemeDesignator, item.CodeMeaning = code, scheme, meaning
        ds.AnatomicRegionSequence = Sequence([item])
    if spec.laterality:
        ds.ImageLaterality = spec.laterality
    if spec.tracking_id:
        ds.TrackingID = spec.tracking_id
        ds.TrackingUID = spec.tracking_uid or generate_uid()
    if spec.modality == "DMS":
        ds.RecognizableVisualFeatures = "NO"
        ds.LightSourcePolarization = "POLARIZED"
        ds.EmitterColorTemperature = 4500
        ds.ContactMethod = "CONTACT"
        ds.ImmersionMedia = "ULTRASOUND_GEL"
        ds.OpticalMagnificationFactor = 10
    ds.SamplesPerPixel = 3
    ds.PhotometricInterpretation = "RGB"
    ds.PlanarConfiguration = 0
    ds.Rows = spec.rows
    ds.Columns = spec.columns
    ds.BitsAllocated = 8
    ds.BitsStored = 8
    ds.HighBit = 7
    ds.PixelRepresentation = 0
    ds.PixelData = _pixels(spec.rows, spec.columns).tobytes()
    return ds


def _pixels(rows: int, columns: int) -> np.ndarray:
    """A skin-coloured field with a darker ellipse in the middle (a 'lesion')."""
    y, x = np.mgrid[0:rows, 0:columns]
    inside = ((x - columns / 2) / (columns / 4)) ** 2 + ((y - rows / 2) / (rows / 4)) ** 2 <= 1
    image = np.empty((rows, columns, 3), dtype=np.uint8)
    image[...] = (224, 172, 150)
    image[inside] = (96, 60, 40)
    return image


def write(path: Path, spec: SyntheticImage) -> Dataset:
    """Write one synthetic file; returns its dataset."""
    ds = dataset(spec)
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(path, enforce_file_format=True)
    return ds
