"""ISIC Archive image records → FHIR: per image a dermatology-image DocumentReference (modality from image_type /
dermoscopic_type, pixel size), a Patient and a skin-lesion BodyStructure (per patient_id / lesion_id when the
record has them, else per image), and a final annotation with the diagnosis (the deepest of diagnosis_1..5 as an
isic-diagnosis code, with SNOMED CT where the guide's ConceptMap maps it as equivalent or wider), the body site, the
diagnosis confirmation, the age, the Fitzpatrick skin type, melanocytic and malignant.

Both API shapes are read: v2 (`isic_id`, `files`, `metadata.acquisition` / `metadata.clinical` with
diagnosis_1..diagnosis_5) and v1 (`name`, `meta.acquisition.pixelsX`, `meta.clinical.diagnosis` legacy label and
`benign_malignant`). A file holds one record, an array of records, an API page (`{"results": [...]}`) or NDJSON.

The licence, attribution, image manipulation, age and Fitzpatrick type are also kept on the image (extensions).

Not handled: RCM images (confocal microscopy is not a modality of the guide: such records are rejected), image
downloads, metadata fields other than those above.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson

from dermfhir.builders import (
    AnnotationMethod,
    DermatologyImage,
    DermatologyImageAnnotation,
    ImagingModality,
    Patient,
    SkinLesion,
)
from dermfhir.builders import _components as parts
from dermfhir.builders._vocabulary import morphology_of
from dermfhir.ingest._common import ISIC_IMAGE, ISIC_LESION, Labels, Options, curator, gender, ident
from dermfhir.ingest._result import ImportResult
from dermfhir.ingest._source import Row, SourceError
from dermfhir.ingest.records import ImageRecord, image_extensions

DATASET = "isic"
ISIC_PATIENT = "urn:dermfhir:isic:patient"
#: ISIC image_type prefixes → modality (TBP tiles are photographs of the skin surface).
IMAGE_TYPES = {
    "dermoscopic": ImagingModality.DERMOSCOPY,
    "clinical": ImagingModality.PHOTOGRAPHY,
    "TBP tile": ImagingModality.PHOTOGRAPHY,
}
FITZPATRICK = ("I", "II", "III", "IV", "V", "VI")
LEVELS = tuple(f"diagnosis_{n}" for n in range(1, 6))


class Record:
    """One image record, located in its file (`record N` in an array, `line N` in NDJSON)."""

    def __init__(self, file: Path, where: str, data: Any) -> None:
        self.file = file
        self.where = where
        self.data = data

    def error(self, message: str, field: str | None = None) -> SourceError:
        return SourceError(self.file, message, column=field, item=self.where)


def records(path: Path) -> Iterator[Record]:
    """The records of a file: one object, an array, an API page with `results`, or NDJSON (one per line)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SourceError(path, f"cannot read the file ({error.strerror or error})") from None
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError:
        document = None
        lines = data.splitlines()
        if len([line for line in lines if line.strip()]) < 2:
            raise SourceError(path, "not JSON or NDJSON") from None
    if document is None:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                yield Record(path, f"line {number}", orjson.loads(line))
            except orjson.JSONDecodeError as error:
                where = f"line {number}"
                yield Record(path, where, SourceError(path, f"not valid JSON ({error})", item=where))
        return
    if isinstance(document, dict) and isinstance(document.get("results"), list):
        document = document["results"]
    if isinstance(document, list):
        for index, item in enumerate(document, start=1):
            yield Record(path, f"record {index}", item)
    else:
        yield Record(path, "record 1", document)


def read(paths: Sequence[Path], options: Options, progress: Callable[[int], None] | None = None) -> ImportResult:
    """Import ISIC Archive image records (v1 or v2 JSON); bad records are rejected with file, record and field."""
    result = ImportResult()
    report = result.report
    labels = {
        "diagnosis": Labels("diagnosis", "isic-diagnosis", "isic-diagnosis-to-snomed", options, report),
        "confirm": Labels(
            "diagnosis_confirm_type", "diagnosis-confirmation", "diagnosis-confirmation-to-snomed", options, report
        ),
        "site": Labels("anatom_site_general", "isic-anatomic-site", "isic-anatomic-site-to-snomed", options, report),
    }
    organization = curator("isic-archive", "ISIC Archive contributors (International Skin Imaging Collaboration)")
    result.add(organization)
    seen: dict[str, tuple[str, int]] = {}  # image id → (where, signature) of the record that gave it first
    for path in paths:
        for record in records(path):
            report.rows_read += 1
            report.rows_by_file[str(path)] += 1
            try:
                if isinstance(record.data, SourceError):
                    raise record.data
                if _repeated(record, seen):
                    report.merged += 1
                    continue
                _record(record, result, options, labels, organization.reference)
            except SourceError as error:
                report.reject(error)
            if progress:
                progress(1)
    return result


def _repeated(record: Record, seen: dict[str, tuple[str, int]]) -> bool:
    """True when the record repeats an earlier one exactly; SourceError naming both when it differs."""
    image_id = _fields(record)[0]
    signature = hash(orjson.dumps(record.data, option=orjson.OPT_SORT_KEYS))
    where = f"{record.file}, {record.where}"
    earlier = seen.setdefault(image_id, (where, signature))
    if earlier[0] == where:
        return False
    if earlier[1] == signature:
        return True
    raise record.error(f"image {image_id!r} is already given by {earlier[0]} with different values")


def _fields(record: Record) -> tuple[str, dict, dict, str | None, bool]:
    """(image id, acquisition, clinical, full-image url, v2?) of a record of either shape."""
    data = record.data
    if not isinstance(data, dict):
        raise record.error(f"a record must be a JSON object, got {type(data).__name__}")
    if "isic_id" in data:
        metadata = data.get("metadata") or {}
        url = ((data.get("files") or {}).get("full") or {}).get("url")
        image_id, v2 = data["isic_id"], True
    elif "name" in data and "meta" in data:
        metadata, url, image_id, v2 = data["meta"] or {}, None, data["name"], False
    else:
        raise record.error("not an ISIC Archive image record (no isic_id, nor name and meta)")
    if not isinstance(image_id, str) or not image_id.strip():
        raise record.error(f"the image id is {image_id!r}", "isic_id" if v2 else "name")
    acquisition, clinical = metadata.get("acquisition") or {}, metadata.get("clinical") or {}
    if not isinstance(acquisition, dict) or not isinstance(clinical, dict):
        raise record.error("acquisition and clinical metadata must be JSON objects", "metadata")
    return image_id.strip(), acquisition, clinical, url, v2


def _text(record: Record, clinical: dict, field: str) -> str:
    value = clinical.get(field)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise record.error(f"{field} must be a string, got {value!r}", field)
    return value.strip()


def _plain(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _flag(record: Record, clinical: dict, field: str) -> bool | None:
    value = clinical.get(field)
    if value is None or isinstance(value, bool):
        return value
    raise record.error(f"{field} must be true, false or null, got {value!r}", field)


def _modality(record: Record, acquisition: dict) -> ImagingModality:
    image_type = acquisition.get("image_type")
    if acquisition.get("dermoscopic_type") or image_type is None:
        return ImagingModality.DERMOSCOPY
    for prefix, modality in IMAGE_TYPES.items():
        if isinstance(image_type, str) and image_type.startswith(prefix):
            return modality
    raise record.error(f"image_type {image_type!r} is not dermoscopic, clinical or a TBP tile", "image_type")


def _size(record: Record, acquisition: dict, v2: bool) -> tuple[int, int] | None:
    names = ("pixels_x", "pixels_y") if v2 else ("pixelsX", "pixelsY")
    width, height = (acquisition.get(name) for name in names)
    if width is None and height is None:
        return None
    for name, value in zip(names, (width, height), strict=True):
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise record.error(f"{name} must be a positive whole number, got {value!r}", name)
    return width, height  # type: ignore[return-value]


def _diagnosis(record: Record, clinical: dict, v2: bool, labels: Labels) -> tuple[dict | None, str, bool | None]:
    """(finding, label counted in the report, malignant) from diagnosis_1..5 (v2) or the legacy fields (v1)."""
    if v2:
        levels = [_text(record, clinical, level) for level in LEVELS]
        deepest = max((n for n, value in enumerate(levels) if value), default=None)
        if deepest is None:
            return None, "", None
        for n, value in enumerate(levels[:deepest]):
            if not value:
                raise record.error(f"{LEVELS[n]} is empty but {LEVELS[deepest]} is {levels[deepest]!r}", LEVELS[n])
        finding = labels.concept(levels[deepest], None)
        if labels.options.strict and not finding.get("coding"):  # type: ignore[union-attr]
            raise record.error(
                f"unmapped diagnosis value {levels[deepest]!r} (add it to a --map file)", LEVELS[deepest]
            )
        malignant = {"Benign": False, "Malignant": True}.get(levels[0])
        return finding, levels[deepest], malignant
    label = _text(record, clinical, "diagnosis")
    benign_malignant = _text(record, clinical, "benign_malignant")
    malignant = {"benign": False, "malignant": True}.get(benign_malignant)
    if not label:
        return None, "", malignant
    finding = labels.concept(label, None)
    if labels.options.strict and not finding.get("coding"):  # type: ignore[union-attr]
        raise record.error(f"unmapped diagnosis value {label!r} (add it to a --map file)", "diagnosis")
    return finding, label, malignant


def _coded(record: Record, labels: Labels, value: str, field: str) -> dict | None:
    concept = labels.concept(value, None) if value else None
    if concept is not None and labels.options.strict and not concept.get("coding"):
        raise record.error(f"unmapped {field} value {value!r} (add it to a --map file)", field)
    return concept


def _record(record: Record, result: ImportResult, options: Options, labels: dict[str, Labels], performer: str) -> None:
    image_id, acquisition, clinical, url, v2 = _fields(record)
    modality = _modality(record, acquisition)
    size = _size(record, acquisition, v2)
    sex = _text(record, clinical, "sex")
    if sex and gender(sex) is None:
        raise record.error(f"sex {sex!r} is not male or female", "sex")
    age = clinical.get("age_approx")
    if age is not None and (isinstance(age, bool) or not isinstance(age, int | float) or not 0 <= age <= 150):
        raise record.error(f"age_approx must be a number of years 0-150, got {age!r}", "age_approx")
    skin_type = _text(record, clinical, "fitzpatrick_skin_type")
    if skin_type and skin_type not in FITZPATRICK:
        raise record.error(
            f"fitzpatrick_skin_type {skin_type!r} is not one of {', '.join(FITZPATRICK)}", "fitzpatrick_skin_type"
        )
    melanocytic = _flag(record, clinical, "melanocytic")
    finding, label, malignant = _diagnosis(record, clinical, v2, labels["diagnosis"])
    confirmation = _coded(
        record, labels["confirm"], _text(record, clinical, "diagnosis_confirm_type"), "diagnosis_confirm_type"
    )
    site = _text(record, clinical, "anatom_site_general")
    location = _coded(record, labels["site"], site, "anatom_site_general")

    patient_id, lesion_id = _text(record, clinical, "patient_id"), _text(record, clinical, "lesion_id")
    patient = Patient(
        ident(DATASET, "patient", patient_id or lesion_id or image_id),
        identifier=(ISIC_PATIENT, patient_id)
        if patient_id
        else ((ISIC_LESION, lesion_id) if lesion_id else (ISIC_IMAGE, image_id)),
        gender=gender(sex) if sex else None,
    )
    lesion = SkinLesion(
        ident(DATASET, "lesion", lesion_id or image_id),
        identifier=(ISIC_LESION, lesion_id) if lesion_id else (ISIC_IMAGE, image_id),
        patient=patient,
        location=location or {"text": "not recorded"},
        morphology=morphology_of(finding),
    )
    described = [
        f"ISIC {name.replace('_', ' ')}: {acquisition[name]}"
        for name in ("image_type", "dermoscopic_type")
        if acquisition.get(name)
    ]
    image = DermatologyImage(
        ident(DATASET, "img", image_id),
        subject=patient,
        url=url or f"{options.image_base}{image_id}.jpg",
        content_type="image/jpeg",
        modality=modality,
        width=size[0] if size else None,
        height=size[1] if size else None,
        lesion=lesion,
        identifier=(ISIC_IMAGE, image_id),
        description="; ".join(described) or None,
    )
    resource = image.to_resource()
    data = record.data
    extensions = image_extensions(
        ImageRecord(
            image_id,
            Row(str(record.file), 0, {}),
            age=float(age) if age is not None else None,
            skin_tone=("Fitzpatrick", FITZPATRICK.index(skin_type) + 1, "") if skin_type else None,
            license=_plain(data.get("copyright_license")),
            attribution=_plain(data.get("attribution")),
            manipulation=_plain(acquisition.get("image_manipulation")),
        )
    )
    if extensions:
        resource["extension"] = extensions
    result.add(patient, lesion, resource)
    if finding is None:
        result.report.warnings.append(
            f"{record.file}, {record.where}: no diagnosis; image {image_id} has no annotation"
        )
        return
    extra = []
    if confirmation is not None:
        extra.append(parts.fact(parts.DIAGNOSIS_CONFIRMATION, valueCodeableConcept=confirmation))
    if age is not None:
        extra.append(parts.age(age))
    if skin_type:
        extra.append(parts.skin_type(FITZPATRICK.index(skin_type) + 1))
    if melanocytic is not None:
        extra.append(parts.fact(parts.MELANOCYTIC, valueBoolean=melanocytic))
    if malignant is not None:
        extra.append(parts.fact(parts.MALIGNANT, valueBoolean=malignant))
    annotation = DermatologyImageAnnotation(
        ident(DATASET, "ann", image_id),
        subject=patient,
        image=image,
        findings=[finding],
        method=AnnotationMethod.EXPERT_ANNOTATION,
        performer=[performer],
        lesion=lesion,
        body_site=location if location and location.get("coding") else None,
        extra_components=extra,
    )
    result.add(annotation)
    result.report.findings[label] += 1
