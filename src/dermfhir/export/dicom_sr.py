"""Dermatology annotations ↔ DICOM Comprehensive 3D SR measurement reports (TID 1500, built with highdicom).

One SR per annotation (profile dermatology-image-annotation) whose source image is a stored DICOM instance (the
Binary the DICOM importer writes, found through `derivedFrom`). Mapping:

- `derivedFrom` image: the evidence, and every region's source image;
- `performer[0]`: person observer, name from the Practitioner (else the reference), login name = the reference;
- `device`: device observer, name = the reference, manufacturer and model from the Device;
- measurement group 1 (TID 1501), tracking identifier = the annotation reference: `code` (annotation kind) as
  Finding (121071, DCM); each skin finding as a qualitative evaluation named Skin finding (106076001, SCT, the
  guide's component code); `method` as Measurement Method (370129005, SCT) — AI involvement is this code, plus
  Algorithm Identification (TID 4019) when a Device made or assisted the annotation; confidence and agreement
  as measurements named by the guide's annotation-type codes (UCUM 1); QA status as a qualitative evaluation
  named annotation-type#qa-review-status; `bodySite` as Finding Site; the image size (Pixel Data Rows / Columns,
  110910 / 110911 DCM, UCUM {pixels}; highdicom's Image Library does not know the dermoscopic SOP class);
- each bounding box and polygon: a planar ROI group (TID 1410), a closed POLYLINE SCOORD on the source image,
  whose tracking identifier says which (`Observation/x bounding-box 1`, `Observation/x polygon 1`);
- the AI prediction an AI-assisted annotation reviewed (`derivedFrom` after the image): a TEXT item of the first
  group named annotation-method#ai-inference, holding the prediction's reference;
- `status`: preliminary → Completion Flag PARTIAL; final / amended → COMPLETE and Preliminary Flag FINAL.

Codes of the guide's systems travel under private designators with their URL (see `dicom_codes`). Not handled
(not carried): a second and later performer (highdicom's observation context holds one person and one device),
amended vs final, extra components (dataset facts), masks (see `dicom_seg`), second codings of a finding.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import highdicom as hd
import numpy as np
from highdicom.sr import CodedConcept
from pydicom.dataset import Dataset
from pydicom.sr.codedict import codes
from pydicom.uid import generate_uid

from dermfhir.builders import DermatologyImageAnnotation
from dermfhir.builders._vocabulary import SNOMED, code_system
from dermfhir.builders.imaging_study import uid_of
from dermfhir.export import dicom_codes
from dermfhir.export._read import ExportError, Index
from dermfhir.export.dicom_source import source_dataset

ANNOTATION_TYPE = code_system("annotation-type")
SKIN_FINDING = {"system": SNOMED, "code": "106076001", "display": "Skin finding"}
CONFIDENCE = {"system": ANNOTATION_TYPE, "code": "confidence-score", "display": "Confidence Score"}
AGREEMENT = {"system": ANNOTATION_TYPE, "code": "inter-annotator-agreement", "display": "Inter-Annotator Agreement"}
QA_STATUS = {"system": ANNOTATION_TYPE, "code": "qa-review-status", "display": "QA Review Status"}
#: names the AI prediction an AI-assisted annotation reviewed (a TEXT item holding its reference)
AI_INFERENCE = {"system": code_system("annotation-method"), "code": "ai-inference", "display": "AI Model Inference"}
UNITY = CodedConcept("1", "UCUM", "no units")
PIXELS = CodedConcept("{pixels}", "UCUM", "pixels")
AI_METHODS = frozenset({"ai-inference", "ai-assisted-confirmed", "ai-assisted-corrected"})
PROFILE = "https://annotatemd.com/fhir/ig/StructureDefinition/dermatology-image-annotation"
MANUFACTURER = "dermfhir"
COMPREHENSIVE_3D_SR = "1.2.840.10008.5.1.4.1.1.88.34"


@dataclass
class Exported:
    """What an export wrote, and which annotations it left out and why."""

    written: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def annotations_of(index: Index) -> Iterator[dict]:
    """The dermatology-image-annotation Observations of the sources."""
    for resource in index.resources:
        if resource.get("resourceType") == "Observation" and PROFILE in resource.get("meta", {}).get("profile", []):
            yield resource


def build(annotation: dict, index: Index, source: Dataset) -> hd.sr.Comprehensive3DSR:
    """The TID 1500 report of one annotation on its DICOM source image."""
    parsed = DermatologyImageAnnotation.from_resource(annotation)
    reference = f"Observation/{annotation['id']}"
    systems: set[str] = set()

    def coded(coding: dict) -> CodedConcept:
        systems.add(coding["system"])
        return dicom_codes.concept(coding)

    method = annotation["method"]["coding"][0]
    device = _device(annotation, index)
    algorithm = None
    if method.get("code") in AI_METHODS and device is not None:
        algorithm = hd.sr.AlgorithmIdentification(
            name=str(device.get("deviceName", [{}])[0].get("name") or annotation["device"]["reference"])[:64],
            version=str((device.get("version") or [{}])[0].get("value") or "unknown")[:64],
        )
    evaluations = [
        hd.sr.QualitativeEvaluation(coded(SKIN_FINDING), coded(dicom_codes.first_coding(finding)))
        for finding in parsed.findings
    ]
    if parsed.qa_status is not None:
        evaluations.append(hd.sr.QualitativeEvaluation(coded(QA_STATUS), coded(parsed.qa_status.coding())))
    measurements = [
        hd.sr.Measurement(name=coded(name), value=float(value), unit=UNITY)
        for name, value in ((CONFIDENCE, parsed.confidence), (AGREEMENT, parsed.agreement))
        if value is not None
    ]
    if parsed.image_size is not None:  # highdicom's Image Library does not know the dermoscopic SOP class
        width, height = parsed.image_size
        measurements += [
            hd.sr.Measurement(name=codes.DCM.PixelDataRows, value=float(height), unit=PIXELS),
            hd.sr.Measurement(name=codes.DCM.PixelDataColumns, value=float(width), unit=PIXELS),
        ]
    sites = (
        [hd.sr.FindingSite(coded(dicom_codes.first_coding(parsed.body_site)))]
        if parsed.body_site and parsed.body_site.get("coding")
        else None
    )
    groups: list[Any] = [
        hd.sr.MeasurementsAndQualitativeEvaluations(
            tracking_identifier=hd.sr.TrackingIdentifier(uid=derived_uid(reference), identifier=reference),
            finding_type=coded(annotation["code"]["coding"][0]),
            method=coded(method),
            algorithm_id=algorithm,
            finding_sites=sites,
            measurements=measurements or None,
            qualitative_evaluations=evaluations,
        )
    ]
    if parsed.prediction:  # the reviewed AI prediction (an Observation, not a DICOM object): its reference as text
        groups[0][0].ContentSequence.append(
            hd.sr.TextContentItem(
                name=coded(AI_INFERENCE),
                value=parsed.prediction,
                relationship_type=hd.sr.RelationshipTypeValues.CONTAINS,
            )
        )
    image = hd.sr.SourceImageForRegion(
        referenced_sop_class_uid=source.SOPClassUID, referenced_sop_instance_uid=source.SOPInstanceUID
    )
    regions = [("bounding-box", _box(box)) for box in parsed.bounding_boxes]
    regions += [("polygon", [*polygon, polygon[0]]) for polygon in parsed.polygons]
    counters: dict[str, int] = {}
    for kind, points in regions:
        counters[kind] = counters.get(kind, 0) + 1
        label = f"{reference} {kind} {counters[kind]}"
        groups.append(
            hd.sr.PlanarROIMeasurementsAndQualitativeEvaluations(
                tracking_identifier=hd.sr.TrackingIdentifier(uid=derived_uid(label), identifier=label),
                referenced_region=hd.sr.ImageRegion(
                    graphic_type=hd.sr.GraphicTypeValues.POLYLINE,
                    graphic_data=np.array(points, dtype=float),
                    source_image=image,
                ),
                finding_type=codes.SCT.Lesion,
            )
        )
    report = hd.sr.MeasurementReport(
        observation_context=_observation_context(annotation, index, device),
        procedure_reported=codes.DCM.Dermoscopy if source.Modality == "DMS" else codes.DCM.ExternalCameraPhotography,
        imaging_measurements=groups,
    )
    complete = annotation["status"] in ("final", "amended")
    sr = hd.sr.Comprehensive3DSR(
        evidence=[source],
        content=report,
        series_instance_uid=derived_uid(f"{reference} series"),
        series_number=1,
        sop_instance_uid=derived_uid(f"{reference} sr"),
        instance_number=1,
        manufacturer=MANUFACTURER,
        is_complete=complete,
        is_final=complete,
    )
    sr.CodingSchemeIdentificationSequence = dicom_codes.identification(systems)  # type: ignore[assignment]
    return sr


def _box(box: tuple[float, float, float, float]) -> list[tuple[float, float]]:
    x, y, width, height = box
    return [(x, y), (x + width, y), (x + width, y + height), (x, y + height), (x, y)]


def derived_uid(text: str) -> str:
    """A UID derived from `text` (the same text gives the same UID, so exports are repeatable)."""
    return str(generate_uid(entropy_srcs=["dermfhir", text]))


def _device(annotation: dict, index: Index) -> dict | None:
    reference = (annotation.get("device") or {}).get("reference")
    if not reference:
        return None
    return index.by_reference.get(reference) or {"resourceType": "Device"}


def _observation_context(annotation: dict, index: Index, device: dict | None) -> hd.sr.ObservationContext:
    person = None
    performers = [p.get("reference") for p in annotation.get("performer", []) if p.get("reference")]
    if performers:
        reference = performers[0]
        person = hd.sr.ObserverContext(
            observer_type=codes.DCM.Person,
            observer_identifying_attributes=hd.sr.PersonObserverIdentifyingAttributes(
                name=_person_name(index.by_reference.get(reference)) or f"{reference}^",
                login_name=reference,
            ),
        )
    machine = None
    if device is not None:
        reference = annotation["device"]["reference"]
        model = (device.get("deviceName") or [{}])[0].get("name")
        machine = hd.sr.ObserverContext(
            observer_type=codes.DCM.Device,
            observer_identifying_attributes=hd.sr.DeviceObserverIdentifyingAttributes(
                uid=derived_uid(reference),
                name=reference,
                manufacturer_name=device.get("manufacturer"),
                model_name=model[:64] if model else None,
            ),
        )
    return hd.sr.ObservationContext(observer_person_context=person, observer_device_context=machine)


def _person_name(resource: dict | None) -> str | None:
    if not resource:
        return None
    for name in resource.get("name", []):
        family, given = name.get("family", ""), " ".join(name.get("given", []))
        if family or given:
            return f"{family}^{given}"
    return None


def export(index: Index, out: Path, dicom_store: Path | None = None) -> Exported:
    """Write one SR file per annotation with a DICOM source into the folder `out`."""
    result = Exported()
    out.mkdir(parents=True, exist_ok=True)
    for annotation in annotations_of(index):
        reference = f"Observation/{annotation['id']}"
        source = source_dataset(annotation, index, dicom_store)
        if source is None:
            result.skipped.append(f"{reference}: its source image is not a stored DICOM instance")
            continue
        try:
            sr = build(annotation, index, source)
        except (ValueError, TypeError) as error:
            result.skipped.append(f"{reference}: {error}")
            continue
        path = out / f"{annotation['id']}.sr.dcm"
        sr.save_as(path, enforce_file_format=True)
        result.written.append(path)
    return result


# -- reading back ---------------------------------------------------------------------------------------------


def _items(dataset: Dataset) -> Iterator[Dataset]:
    yield from dataset.get("ContentSequence", [])


def _name(item: Dataset) -> tuple[str, str]:
    code = item.ConceptNameCodeSequence[0]
    value = code.get("CodeValue") or code.get("LongCodeValue") or code.get("URNCodeValue")
    return str(code.CodingSchemeDesignator), str(value)


def _find(items: Iterable[Dataset], scheme: str, value: str) -> list[Dataset]:
    return [item for item in items if "ConceptNameCodeSequence" in item and _name(item) == (scheme, value)]


def read(dataset: Dataset, patient: str, image: str) -> dict:
    """The annotation (profile dermatology-image-annotation) a TID 1500 report made by `build` carries.

    `patient` and `image` are the references of the subject and source image in the reading system (the DICOM
    importer's ids: `Patient/dicom-pat-…`, `DocumentReference/<SOP Instance UID>`)."""
    if dataset.SOPClassUID != COMPREHENSIVE_3D_SR:
        raise ExportError(f"not a Comprehensive 3D SR (SOP class {dataset.SOPClassUID})")
    systems = dicom_codes.systems_of(dataset)
    root = list(_items(dataset))
    person = _text(_find(root, "DCM", "128774")) or None  # Person Observer's Login Name
    device = _text(_find(root, "DCM", "121013")) or None  # Device Observer Name
    containers = _find(root, "DCM", "126010")  # Imaging Measurements
    if not containers:
        raise ExportError("the report has no Imaging Measurements container")
    groups = _find(_items(containers[0]), "DCM", "125007")
    if not groups:
        raise ExportError("the report has no measurement group")
    first = list(_items(groups[0]))
    reference = _text(_find(first, "DCM", "112039"))
    if not reference.startswith("Observation/"):
        raise ExportError(f"the first measurement group's tracking identifier is not an Observation: {reference!r}")

    def code_of(items: list[Dataset]) -> dict | None:
        return dicom_codes.coding(items[0].ConceptCodeSequence[0], systems) if items else None

    findings = [
        {"coding": [dicom_codes.coding(item.ConceptCodeSequence[0], systems)]}
        for item in _find(first, "SCT", SKIN_FINDING["code"])
    ]
    qa_scheme = dicom_codes.designator(ANNOTATION_TYPE)
    qa = code_of(_find(first, qa_scheme, QA_STATUS["code"]))
    site = code_of(_find(first, "SCT", "363698007"))
    boxes, polygons = [], []
    for group in groups[1:]:
        items = list(_items(group))
        label = _text(_find(items, "DCM", "112039"))
        regions = _find(items, "DCM", "111030")
        if not regions:
            continue
        data = [float(v) for v in regions[0].GraphicData]
        points = [(data[i], data[i + 1]) for i in range(0, len(data), 2)]
        if label.rsplit(" ", 2)[-2:-1] == ["bounding-box"]:
            (x0, y0), (x1, y1) = points[0], points[2]
            boxes.append((x0, y0, x1 - x0, y1 - y0))
        else:
            polygons.append(points[:-1] if len(points) > 1 and points[0] == points[-1] else points)
    kind = code_of(_find(first, "DCM", "121071"))
    method = code_of(_find(first, "SCT", "370129005"))
    prediction = _text(_find(first, dicom_codes.designator(AI_INFERENCE["system"]), AI_INFERENCE["code"])) or None
    if kind is None or method is None:
        raise ExportError("the first measurement group has no Finding or Measurement Method")
    annotation = DermatologyImageAnnotation(
        reference.removeprefix("Observation/"),
        subject=patient,
        image=image,
        findings=findings,
        method=method["code"],
        status="final" if dataset.get("CompletionFlag") == "COMPLETE" else "preliminary",
        kind=kind["code"],
        performer=[person] if person else [],
        body_site={"coding": [site]} if site else None,
        confidence=_number(first, qa_scheme, CONFIDENCE["code"]),
        agreement=_number(first, qa_scheme, AGREEMENT["code"]),
        qa_status=qa["code"] if qa else None,
        bounding_boxes=boxes,
        polygons=polygons,
        image_size=_size(first),
        prediction=prediction,
    ).to_resource()
    if device:
        annotation["device"] = {"reference": device}
    return annotation


def _size(items: list[Dataset]) -> tuple[int, int] | None:
    """(columns, rows) recorded in the first group (Pixel Data Columns / Rows, 110911 / 110910 DCM)."""
    rows, columns = _number(items, "DCM", "110910"), _number(items, "DCM", "110911")
    return (int(columns), int(rows)) if rows and columns else None


def _text(items: list[Dataset]) -> str:
    if not items:
        return ""
    item = items[0]
    return str(item.get("TextValue") or item.get("PersonName") or item.get("UID") or "")


def _number(items: list[Dataset], scheme: str, value: str) -> float | None:
    for item in _find(items, scheme, value):
        measured = item.get("MeasuredValueSequence")
        if measured:
            number = float(measured[0].NumericValue)
            return int(number) if number.is_integer() else number
    return None


def source_uid(dataset: Dataset) -> str | None:
    """The SOP Instance UID of the image the report is about (its first evidence reference)."""
    for study in dataset.get("CurrentRequestedProcedureEvidenceSequence", []):
        for series in study.get("ReferencedSeriesSequence", []):
            for item in series.get("ReferencedSOPSequence", []):
                return str(item.ReferencedSOPInstanceUID)
    return None


def image_reference(index: Index, sop_instance: str) -> str:
    """The FHIR reference of the source image with this SOP Instance UID: the image DocumentReference whose
    identifier carries it, else `DocumentReference/<uid>` (the DICOM importer's id)."""
    for resource in index.resources:
        if resource.get("resourceType") == "DocumentReference" and any(
            uid_of(item) == sop_instance for item in resource.get("identifier", [])
        ):
            return f"DocumentReference/{resource['id']}"
    return f"DocumentReference/{sop_instance}"
