"""Reading one DICOM file of a dermatology image into a plain record, checking what the FHIR side needs.

Accepted SOP classes: VL Photographic Image Storage (modality XC) and Dermoscopic Photography Image Storage
(modality DMS, DICOM's dermoscopy supplement), whose Dermoscopic Image Module attributes (PS3.3 C.8.12.13:
LightSourcePolarization, EmitterColorTemperature, ContactMethod, ImmersionMedia, OpticalMagnificationFactor,
PartialView, PartialViewDescription) are read when present. A lesion is identified by Tracking ID / Tracking UID
(0062,0020 / 0062,0021). Errors name the file and the DICOM attribute.

Not handled: multi-frame images, other SOP classes (reported and skipped), Issuer of Patient ID qualifiers,
private attributes (they stay in the stored instance only).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydicom
from pydicom import config
from pydicom.datadict import tag_for_keyword
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError

from dermfhir.builders._base import BuildError
from dermfhir.builders.imaging_study import check_uid
from dermfhir.ingest._source import SourceError

VL_PHOTOGRAPHIC = "1.2.840.10008.5.1.4.1.1.77.1.4"
DERMOSCOPIC = "1.2.840.10008.5.1.4.1.1.77.1.7"
#: SOP class → the modality it requires
SOP_CLASSES = {VL_PHOTOGRAPHIC: "XC", DERMOSCOPIC: "DMS"}
#: DICOM coding scheme designators → FHIR system URIs (PS3.16 Section 8; PS3.6 Annex A for DCM)
SCHEMES = {
    "SCT": "http://snomed.info/sct",
    "SRT": "http://snomed.info/sct",
    "DCM": "http://dicom.nema.org/resources/ontology/DCM",
    "LN": "http://loinc.org",
}
DERMOSCOPY_ATTRIBUTES = (
    "LightSourcePolarization",
    "EmitterColorTemperature",
    "ContactMethod",
    "ImmersionMedia",
    "OpticalMagnificationFactor",
    "PartialView",
    "PartialViewDescription",
)


class DicomError(SourceError):
    """A DICOM file cannot be imported; the message names the file and the attribute."""

    def __init__(self, path: Path | str, message: str, attribute: str | None = None) -> None:
        self.attribute = attribute
        super().__init__(path, message, item=f"attribute {attribute}" if attribute else None)

    def __reduce__(self) -> tuple[Any, ...]:  # sent back from reading worker processes
        return (DicomError, (self.file, self.message, self.attribute))


@dataclass
class DicomImage:
    """What one DICOM image gives the FHIR side (plain values; codings as FHIR Coding dicts)."""

    path: str
    data: bytes
    sop_class: str
    sop_instance: str
    study_uid: str
    series_uid: str
    modality: str
    patient_id: str
    patient_issuer: str | None = None
    patient_sex: str | None = None
    patient_birth_date: str | None = None
    study_started: str | None = None
    study_description: str | None = None
    accession: str | None = None
    series_number: int | None = None
    series_description: str | None = None
    instance_number: int | None = None
    acquired: str | None = None
    rows: int | None = None
    columns: int | None = None
    body_site: dict | None = None
    body_site_text: str | None = None
    laterality: str | None = None
    tracking_id: str | None = None
    tracking_uid: str | None = None
    image_comments: str | None = None
    dermoscopy: dict[str, Any] = field(default_factory=dict)


def is_dicom(data: bytes) -> bool:
    """True when `data` carries the DICOM Part 10 preamble and prefix."""
    return len(data) >= 132 and data[128:132] == b"DICM"


def read_image(path: Path, data: bytes | None = None) -> DicomImage:
    """The record of the DICOM image at `path`; DicomError when it is not one this importer takes."""
    data = path.read_bytes() if data is None else data
    if not is_dicom(data):
        raise DicomError(path, "not a DICOM Part 10 file (no DICM prefix)")
    # pydicom checks values against their VR as it converts them, only to warn; the checks below report what the
    # FHIR side needs by attribute, so its checks are off (a tenth of the reading time) and its warnings silenced
    checking = config.settings.reading_validation_mode
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        config.settings.reading_validation_mode = config.IGNORE
        try:
            try:
                dataset = pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True)
            except (InvalidDicomError, ValueError, TypeError, EOFError, OSError, KeyError) as error:
                raise DicomError(path, f"cannot be parsed ({error})") from None
            try:
                return _record(path, data, dataset)
            except DicomError:
                raise
            except (ValueError, TypeError, AttributeError, KeyError) as error:  # values pydicom converts lazily
                raise DicomError(path, f"malformed attribute value ({error})") from None
        finally:
            config.settings.reading_validation_mode = checking


def _record(path: Path, data: bytes, ds: Dataset) -> DicomImage:
    sop_class = _text(ds, "SOPClassUID") or _meta(ds, "MediaStorageSOPClassUID")
    if sop_class not in SOP_CLASSES:
        raise DicomError(
            path,
            f"SOP class {sop_class or '(none)'} is not VL Photographic Image or Dermoscopic Photography Image Storage",
            "SOPClassUID",
        )
    modality = _text(ds, "Modality")
    if modality != SOP_CLASSES[sop_class]:
        raise DicomError(
            path, f"is {modality or '(empty)'}, but the SOP class requires {SOP_CLASSES[sop_class]}", "Modality"
        )
    uids = {name: _uid(path, ds, name) for name in ("SOPInstanceUID", "StudyInstanceUID", "SeriesInstanceUID")}
    patient_id = _text(ds, "PatientID")
    if not patient_id:
        raise DicomError(path, "is empty: the image cannot be tied to a patient", "PatientID")
    sex = _text(ds, "PatientSex")
    image = DicomImage(
        path=str(path),
        data=data,
        sop_class=sop_class,
        sop_instance=uids["SOPInstanceUID"],
        study_uid=uids["StudyInstanceUID"],
        series_uid=uids["SeriesInstanceUID"],
        modality=modality,
        patient_id=patient_id,
        patient_issuer=_text(ds, "IssuerOfPatientID"),
        patient_sex={"M": "male", "F": "female", "O": "other"}.get(sex or ""),
        patient_birth_date=_date(path, ds, "PatientBirthDate"),
        study_started=_datetime(path, ds, "StudyDate", "StudyTime"),
        study_description=_text(ds, "StudyDescription"),
        accession=_text(ds, "AccessionNumber"),
        series_number=_integer(path, ds, "SeriesNumber"),
        series_description=_text(ds, "SeriesDescription"),
        instance_number=_integer(path, ds, "InstanceNumber"),
        acquired=_acquired(path, ds),
        rows=_integer(path, ds, "Rows"),
        columns=_integer(path, ds, "Columns"),
        body_site=_coding(ds, "AnatomicRegionSequence"),
        body_site_text=_text(ds, "BodyPartExamined"),
        laterality=_text(ds, "ImageLaterality") or _text(ds, "Laterality"),
        tracking_id=_text(ds, "TrackingID"),
        tracking_uid=_uid(path, ds, "TrackingUID", optional=True),
        image_comments=_text(ds, "ImageComments"),
    )
    if image.rows is None or image.columns is None or image.rows <= 0 or image.columns <= 0:
        raise DicomError(path, "Rows and Columns must be positive", "Rows")
    for name in DERMOSCOPY_ATTRIBUTES:
        value = _element(ds, name)
        if value is not None and value.value not in (None, "", b""):
            item = value.value
            image.dermoscopy[name] = list(item) if isinstance(item, pydicom.multival.MultiValue) else item
    return image


def _element(ds: Dataset, name: str) -> Any:
    """The data element of keyword `name`, or None (Dataset.get returns values, not elements). Looked up by tag:
    pydicom's keyword lookups cost more than the conversion of the values."""
    tag = _TAGS.get(name)
    if tag is None:
        tag = _TAGS[name] = tag_for_keyword(name)
    if tag is None or tag not in ds:
        return None
    return ds[tag]


_TAGS: dict[str, Any] = {}


def _text(ds: Dataset, name: str) -> str | None:
    element = _element(ds, name)
    if element is None or element.value in (None, "", b""):
        return None
    value = element.value
    if isinstance(value, pydicom.multival.MultiValue):
        value = "\\".join(str(item) for item in value)
    text = str(value).strip()
    return text or None


def _meta(ds: Dataset, name: str) -> str | None:
    meta = getattr(ds, "file_meta", None)
    return _text(meta, name) if meta is not None else None


def _uid(path: Path, ds: Dataset, name: str, optional: bool = False) -> str:
    value = _text(ds, name)
    if value is None:
        if optional:
            return None  # type: ignore[return-value]
        raise DicomError(path, "is missing", name)
    try:
        return check_uid(name, value)
    except BuildError:
        raise DicomError(path, f"{value[:80]!r} is not a valid UID", name) from None


def _integer(path: Path, ds: Dataset, name: str) -> int | None:
    element = _element(ds, name)
    if element is None or element.value in (None, ""):
        return None
    try:
        return int(element.value)
    except (TypeError, ValueError):
        raise DicomError(path, f"{element.value!r} is not a whole number", name) from None


def _date(path: Path, ds: Dataset, name: str) -> str | None:
    text = _text(ds, name)
    if text is None:
        return None
    if len(text) != 8 or not text.isdigit():
        raise DicomError(path, f"{text!r} is not a DICOM date (YYYYMMDD)", name)
    return f"{text[:4]}-{text[4:6]}-{text[6:]}"


def _datetime(path: Path, ds: Dataset, date_name: str, time_name: str) -> str | None:
    day = _date(path, ds, date_name)
    if day is None:
        return None
    time = _text(ds, time_name)
    if not time:
        return day
    digits = time.split(".")[0]
    if not digits.isdigit() or len(digits) not in (2, 4, 6):
        raise DicomError(path, f"{time!r} is not a DICOM time (HHMMSS)", time_name)
    digits = digits.ljust(6, "0")
    # DICOM times are local unless TimezoneOffsetFromUTC is given; FHIR needs a zone once a time is present, so a
    # time without a known offset is dropped (the date stays) rather than guessed
    offset = _text(ds, "TimezoneOffsetFromUTC")
    if not offset or len(offset) != 5 or offset[0] not in "+-" or not offset[1:].isdigit():
        return day
    return f"{day}T{digits[:2]}:{digits[2:4]}:{digits[4:6]}{offset[:3]}:{offset[3:]}"


def _acquired(path: Path, ds: Dataset) -> str | None:
    text = _text(ds, "AcquisitionDateTime")
    if text and len(text) >= 8 and text[:8].isdigit():
        day = f"{text[:4]}-{text[4:6]}-{text[6:8]}"
        digits, _, zone = text[8:].partition("+") if "+" in text[8:] else text[8:].partition("-")
        digits = digits.split(".")[0]
        if len(digits) == 6 and digits.isdigit() and len(zone) == 4 and zone.isdigit():
            sign = "+" if "+" in text[8:] else "-"
            return f"{day}T{digits[:2]}:{digits[2:4]}:{digits[4:6]}{sign}{zone[:2]}:{zone[2:]}"
        return day
    return _datetime(path, ds, "ContentDate", "ContentTime")


def _coding(ds: Dataset, name: str) -> dict | None:
    """The first item of a code sequence as a FHIR Coding (unknown schemes keep the display only)."""
    sequence = _element(ds, name)
    if sequence is None or not sequence.value:
        return None
    item = sequence.value[0]
    code = _text(item, "CodeValue")
    scheme = _text(item, "CodingSchemeDesignator")
    meaning = _text(item, "CodeMeaning")
    system = SCHEMES.get(scheme or "")
    if code and system:
        coding = {"system": system, "code": code}
        if meaning:
            coding["display"] = meaning
        return coding
    return {"display": meaning or f"{scheme}:{code}"}
