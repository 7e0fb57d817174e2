"""Stanford Diverse Dermatology Images (DDI) ddi_metadata.csv → FHIR: per image a pseudonymous Patient, the clinical
photograph (XC) as a DocumentReference, and a final annotation with the disease, the skin tone group as a range of
Fitzpatrick skin types (12 → I-II, 34 → III-IV, 56 → V-VI) and whether the lesion is malignant.

The disease is an isic-diagnosis code when the label is one (spelling normalised: 'melanoma-in-situ' is
'Melanoma in situ'), else it goes through `--map` (field `disease`) or is reported and kept as text. Pixel sizes
come from `--image-dir` (images without it are plain DocumentReferences).

Not handled: the unnamed index column (DDI_ID identifies the image), lesions across images (DDI publishes none).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from dermfhir.builders import AnnotationMethod, DermatologyImage, DermatologyImageAnnotation, ImagingModality, Patient
from dermfhir.builders import _components as parts
from dermfhir.ingest._common import ImageKeys, Labels, Options, curator, ident, image_size, import_csv_rows
from dermfhir.ingest._result import ImportResult
from dermfhir.ingest._source import Row
from dermfhir.ingest.records import ImageRecord, image_extensions

DATASET = "ddi"
IMAGE = "urn:dermfhir:ddi:image"
COLUMNS = ("DDI_ID", "DDI_file", "skin_tone", "malignant", "disease")
#: DDI skin tone group → the Fitzpatrick types it groups (Daneshjou et al. 2022).
SKIN_TONES = {"12": (1, 2), "34": (3, 4), "56": (5, 6)}
BOOLEANS = {"true": True, "false": False}


def read(
    paths: Sequence[Path],
    options: Options,
    progress: Callable[[int], None] | None = None,
    result: ImportResult | None = None,
) -> ImportResult:
    """Import DDI metadata files; bad rows are rejected with file, row and column."""
    result = ImportResult() if result is None else result
    report = result.report
    disease = Labels("disease", "isic-diagnosis", "isic-diagnosis-to-snomed", options, report)
    organization = curator(DATASET, "Stanford Diverse Dermatology Images curators (Daneshjou et al. 2022)")
    result.add(organization)
    import_csv_rows(
        paths,
        COLUMNS,
        report,
        progress,
        lambda row: _row(row, result, options, disease, organization.reference),
        ImageKeys("DDI_ID"),
    )
    return result


def _row(row: Row, result: ImportResult, options: Options, disease: Labels, performer: str) -> None:
    image_id, file_name = row.get("DDI_ID"), row.get("DDI_file")
    if not image_id:
        raise row.error("DDI_ID is empty", "DDI_ID")
    if not file_name:
        raise row.error("DDI_file is empty", "DDI_file")
    tone = row.get("skin_tone")
    if tone not in SKIN_TONES:
        raise row.error(f"skin_tone {tone!r} is not one of {', '.join(SKIN_TONES)}", "skin_tone")
    malignant = BOOLEANS.get(row.get("malignant").lower())
    if malignant is None:
        raise row.error(f"malignant {row.get('malignant')!r} is not TRUE or FALSE", "malignant")
    label = row.get("disease")
    finding = disease.concept(label, row, "disease")
    if finding is None:
        raise row.error("disease is empty", "disease")
    patient = Patient(ident(DATASET, "patient", image_id), identifier=(IMAGE, image_id))
    size = image_size(options, file_name)
    image = DermatologyImage(
        ident(DATASET, "img", image_id),
        subject=patient,
        url=f"{options.image_base}{file_name}",
        content_type="image/png" if file_name.lower().endswith(".png") else "image/jpeg",
        modality=ImagingModality.PHOTOGRAPHY,
        width=size[0] if size else None,
        height=size[1] if size else None,
        identifier=(IMAGE, image_id),
    )
    annotation = DermatologyImageAnnotation(
        ident(DATASET, "ann", image_id),
        subject=patient,
        image=image,
        findings=[finding],
        method=AnnotationMethod.EXPERT_ANNOTATION,
        performer=[performer],
        extra_components=[parts.skin_type(*SKIN_TONES[tone]), parts.fact(parts.MALIGNANT, valueBoolean=malignant)],
    )
    resource = image.to_resource()
    resource["extension"] = image_extensions(
        ImageRecord(image_id, row, skin_tone=("Fitzpatrick (DDI skin_tone group)", SKIN_TONES[tone], ""))
    )
    result.add(patient, resource, annotation)
    result.report.findings[label] += 1
