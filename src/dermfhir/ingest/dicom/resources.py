"""DICOM image records → FHIR resources of the guide: Patient, ImagingStudy (series, instances, body site,
laterality, DCM modality), the image DocumentReference (profile dermatology-image), a skin-lesion BodyStructure
when the image names its lesion (Tracking ID / UID), and a Binary holding the DICOM instance for WADO-RS.

Ids: ImagingStudy = Study Instance UID; DocumentReference and Binary = SOP Instance UID (a UID is always a valid
FHIR id); Patient and BodyStructure from the patient / tracking identifiers. Importing the same files again gives
the same resources.
The image's `attachment.url` is its WADO-RS rendered URL (`{image_base}dicomweb/studies/…/rendered`), relative to
the FHIR server's base unless `--image-base` gives an absolute prefix.

Not handled: de-identification (imports keep what the files hold), Patient names (never copied).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable

from dermfhir.builders import DermatologyImage, Patient, SkinLesion, stable_id
from dermfhir.builders.imaging_study import DICOM_UID, ImagingStudy, Instance, Series, uid_identifier
from dermfhir.ingest.dicom.reader import DicomImage

SNOMED = "http://snomed.info/sct"
#: DICOM Laterality / Image Laterality → SNOMED CT (codes of the R4 core ValueSet bodysite-laterality)
LATERALITY = {
    "L": {"system": SNOMED, "code": "419161000", "display": "Unilateral left"},
    "R": {"system": SNOMED, "code": "419465000", "display": "Unilateral right"},
    "B": {"system": SNOMED, "code": "51440002", "display": "Bilateral"},
}
PATIENT_ID = "urn:dermfhir:dicom:patient-id"
TRACKING_ID = "urn:dermfhir:dicom:tracking-id"
ACCESSION = "urn:dermfhir:dicom:accession"
_WORDS = {
    "LightSourcePolarization": "light source",
    "EmitterColorTemperature": "colour temperature (K)",
    "ContactMethod": "contact",
    "ImmersionMedia": "immersion medium",
    "OpticalMagnificationFactor": "optical magnification (x)",
    "PartialView": "partial view",
    "PartialViewDescription": "partial view description",
}


def patient_id(image: DicomImage) -> str:
    return stable_id("dicom", "pat", image.patient_issuer or "", image.patient_id)


def wado_path(study: str, series: str, instance: str) -> str:
    """The WADO-RS path of an instance, relative to the server's base."""
    return f"dicomweb/studies/{study}/series/{series}/instances/{instance}"


def patient(image: DicomImage) -> dict:
    resource = Patient(
        patient_id(image), identifier=(PATIENT_ID, image.patient_id), gender=image.patient_sex
    ).to_resource()
    if image.patient_issuer:
        resource["identifier"][0]["assigner"] = {"display": image.patient_issuer}
    if image.patient_birth_date:
        resource["birthDate"] = image.patient_birth_date
    return resource


def lesion(image: DicomImage) -> dict | None:
    """The skin-lesion BodyStructure the image names (Tracking UID / ID), or None."""
    if not image.tracking_uid and not image.tracking_id:
        return None
    identifiers = []
    if image.tracking_uid:
        identifiers.append(uid_identifier(image.tracking_uid))
    if image.tracking_id:
        identifiers.append({"system": TRACKING_ID, "value": image.tracking_id})
    key = image.tracking_uid or image.tracking_id or ""
    location = _location(image)
    built = SkinLesion(
        stable_id("dicom", "lesion", key),
        identifier=(identifiers[0]["system"], identifiers[0]["value"]),
        patient=f"Patient/{patient_id(image)}",
        location=location,
        description=f"Tracking ID {image.tracking_id}" if image.tracking_id else None,
    ).to_resource()
    built["identifier"] = identifiers
    return built


def lesion_id(image: DicomImage) -> str | None:
    key = image.tracking_uid or image.tracking_id
    return stable_id("dicom", "lesion", key) if key else None


def _location(image: DicomImage) -> dict:
    concept: dict = {}
    if image.body_site and "code" in image.body_site:
        concept["coding"] = [image.body_site]
    text = (image.body_site or {}).get("display") or image.body_site_text
    if image.laterality in LATERALITY:
        text = f"{text or 'unknown site'}, {LATERALITY[image.laterality]['display'].lower()}"
    concept["text"] = text or "unknown"
    return concept


def document(image: DicomImage, image_base: str = "") -> dict:
    """The dermatology-image DocumentReference of one instance, pointing at its WADO-RS rendered URL."""
    description = "; ".join(
        part for part in (image.series_description, _dermoscopy(image), image.image_comments) if part
    )
    reference = DermatologyImage(
        image.sop_instance,
        subject=f"Patient/{patient_id(image)}",
        url=f"{image_base}{wado_path(image.study_uid, image.series_uid, image.sop_instance)}/rendered",
        content_type="image/jpeg",
        modality=image.modality,
        width=image.columns,
        height=image.rows,
        lesion=f"BodyStructure/{lesion_id(image)}" if lesion_id(image) else None,
        identifier=(DICOM_UID, f"urn:oid:{image.sop_instance}"),
        title=image.path.rsplit("/", 1)[-1],
        description=description or None,
        created=image.acquired,
    ).to_resource()
    reference["context"].setdefault("related", []).append({"reference": f"ImagingStudy/{image.study_uid}"})
    return reference


def _dermoscopy(image: DicomImage) -> str:
    parts = []
    for name, value in image.dermoscopy.items():
        shown = ", ".join(str(item) for item in value) if isinstance(value, list) else str(value)
        parts.append(f"{_WORDS.get(name, name)} {shown}")
    return ("dermoscopy: " + ", ".join(parts)) if parts else ""


def binary(image: DicomImage) -> dict:
    """The DICOM instance itself (application/dicom), readable by whoever may read its ImagingStudy."""
    return {
        "resourceType": "Binary",
        "id": image.sop_instance,
        "contentType": "application/dicom",
        "securityContext": {"reference": f"ImagingStudy/{image.study_uid}"},
        "data": base64.b64encode(image.data).decode("ascii"),
    }


def studies(images: Iterable[DicomImage], endpoint: str | None = None) -> dict[str, ImagingStudy]:
    """One ImagingStudy per Study Instance UID, its series and instances gathered from every image."""
    found: dict[str, ImagingStudy] = {}
    for image in images:
        study = found.get(image.study_uid)
        if study is None:
            study = found[image.study_uid] = ImagingStudy(
                image.study_uid,
                uid=image.study_uid,
                subject=f"Patient/{patient_id(image)}",
                started=image.study_started,
                description=image.study_description,
                accession=(ACCESSION, image.accession) if image.accession else None,
                endpoint=endpoint,
            )
        study.add(
            Series(
                uid=image.series_uid,
                modality=image.modality,
                number=image.series_number,
                description=image.series_description,
                body_site=image.body_site if image.body_site and "code" in image.body_site else None,
                laterality=LATERALITY.get(image.laterality or ""),
                instances=[
                    Instance(
                        uid=image.sop_instance,
                        sop_class=image.sop_class,
                        number=image.instance_number,
                        title=image.path.rsplit("/", 1)[-1],
                    )
                ],
            )
        )
    return found


class StudyConflict(ValueError):
    """Two ImagingStudy resources of one study cannot be merged (they name different patients)."""


def merge_study(stored: dict, incoming: dict) -> dict:
    """`incoming` merged into `stored`, two ImagingStudy resources of the same study (same id), as when a later
    `import dicom` brings more series or instances of a study loaded before. Series and instances are identified by
    their UIDs (R4 `series.uid`, `series.instance.uid`): those of both are kept, one present in both takes the
    incoming element; other elements take the incoming value when it has one. Identifiers and modalities are the
    union (with every series' modality); the counts are recomputed. StudyConflict when the subjects differ."""
    subject, other = (stored.get("subject") or {}).get("reference"), (incoming.get("subject") or {}).get("reference")
    if subject and other and subject != other:
        raise StudyConflict(f"ImagingStudy/{incoming.get('id')}: subject {other} differs from the stored {subject}")
    merged = {key: value for key, value in stored.items() if key != "meta"}
    merged.update(incoming)
    merged["identifier"] = _union(stored.get("identifier"), incoming.get("identifier"))
    series: dict[str, dict] = {item["uid"]: item for item in stored.get("series") or [] if "uid" in item}
    for item in incoming.get("series") or []:
        held = series.get(item.get("uid"))
        if held is None:
            series[item["uid"]] = item
            continue
        instances = {i["uid"]: i for i in held.get("instance") or []}
        instances.update((i["uid"], i) for i in item.get("instance") or [])
        combined = {**held, **item}
        if instances:
            combined["instance"] = sorted(instances.values(), key=_element_order)
            combined["numberOfInstances"] = len(instances)
        series[item["uid"]] = combined
    if series:
        ordered = sorted(series.values(), key=_element_order)
        merged["series"] = ordered
        merged["numberOfSeries"] = len(ordered)
        merged["numberOfInstances"] = sum(len(item.get("instance") or []) for item in ordered)
        modalities = _union(stored.get("modality"), incoming.get("modality"))
        modalities = _union(
            modalities, [item["modality"] for item in ordered if isinstance(item.get("modality"), dict)]
        )
        if modalities:
            merged["modality"] = sorted(modalities, key=lambda coding: str(coding.get("code")))
    return merged


def _union(first: list | None, second: list | None) -> list:
    """The items of both lists, each once (compared as values), `first`'s order then `second`'s new ones."""
    found = list(first or [])
    found.extend(item for item in second or [] if item not in found)
    return found


def _element_order(element: dict) -> tuple[int, str]:
    number = element.get("number")
    return (number if isinstance(number, int) else 1 << 30, str(element.get("uid")))
