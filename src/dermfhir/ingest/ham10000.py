"""HAM10000_metadata.csv → FHIR: per lesion a pseudonymous Patient and a skin-lesion BodyStructure; per image a
dermatology-image DocumentReference and a final dermatology-image-annotation with the skin finding (SNOMED CT and
the HAM10000 dx in one CodeableConcept), the body site, the diagnosis confirmation (dx_type) and the age.

Columns: lesion_id,image_id,dx,dx_type,age,sex,localization. Images are 600 x 450 JPEGs (as published) unless
`--image-dir` gives the files. The ISIC class of an image is the HAM10000 dx (akiec … vasc).

The age is kept on the image as well (age-at-imaging extension). Not handled: the HAM10000 segmentation masks (use
the `masks` importer), dataset splits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

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
from dermfhir.ingest._common import (
    HAM_LESION,
    ISIC_IMAGE,
    ImageKeys,
    Labels,
    Options,
    curator,
    gender,
    ident,
    image_size,
    import_csv_rows,
)
from dermfhir.ingest._result import ImportResult
from dermfhir.ingest._source import Row
from dermfhir.ingest.records import ImageRecord, image_extensions
from dermfhir.ingest.spill import DiskMap

COLUMNS = ("lesion_id", "image_id", "dx", "dx_type", "age", "sex", "localization")
#: Pixel size of every HAM10000 image as distributed (Tschandl et al. 2018).
WIDTH, HEIGHT = 600, 450
DATASET = "ham"


def read(
    paths: Sequence[Path],
    options: Options,
    progress: Callable[[int], None] | None = None,
    result: ImportResult | None = None,
) -> ImportResult:
    """Import HAM10000 metadata files; bad rows are rejected with their file, row and column."""
    result = ImportResult() if result is None else result
    report = result.report
    dx = Labels("dx", "ham10000-dx", "ham10000-dx-to-snomed", options, report)
    dx_type = Labels("dx_type", "diagnosis-confirmation", "diagnosis-confirmation-to-snomed", options, report)
    site = Labels("localization", "ham10000-localization", "ham10000-localization-to-snomed", options, report)
    organization = curator(DATASET, "HAM10000 dataset curators (ViDIR Group, Medical University of Vienna)")
    result.add(organization)
    kinds = DiskMap()  # lesion id → the morphology its first labelled image implies (on disk: memory stays flat)
    import_csv_rows(
        paths,
        COLUMNS,
        report,
        progress,
        lambda row: _row(row, result, options, dx, dx_type, site, organization.reference, kinds),
        ImageKeys("image_id"),
    )
    return result


def _row(
    row: Row,
    result: ImportResult,
    options: Options,
    dx: Labels,
    dx_type: Labels,
    site: Labels,
    performer: str,
    kinds: DiskMap,
) -> None:
    lesion_id, image_id = row.get("lesion_id"), row.get("image_id")
    if not lesion_id:
        raise row.error("lesion_id is empty", "lesion_id")
    if not image_id:
        raise row.error("image_id is empty", "image_id")
    finding = dx.concept(row.get("dx"), row, "dx")
    if finding is None:
        raise row.error("dx is empty", "dx")
    age_text = row.get("age")
    age = None
    if age_text:
        try:
            age = float(age_text)
        except ValueError:
            raise row.error(f"age {age_text!r} is not a number", "age") from None
        if not 0 <= age <= 130:
            raise row.error(f"age {age_text!r} is out of range 0-130", "age")
    sex = row.get("sex")
    if sex and gender(sex) is None:
        raise row.error(f"sex {sex!r} is not male, female or unknown", "sex")
    location = site.concept(row.get("localization"), row, "localization") or {"text": "not recorded"}
    confirmation = dx_type.concept(row.get("dx_type"), row, "dx_type") if row.get("dx_type") else None

    patient = Patient(ident(DATASET, "patient", lesion_id), identifier=(HAM_LESION, lesion_id), gender=gender(sex))
    # the lesion's kind, from the first of its images whose label implies one (a morphologic abnormality)
    morphology = morphology_of(finding)
    earlier = kinds.get(lesion_id)
    if earlier is not None:
        if morphology is not None and morphology != earlier:
            result.report.warnings.append(
                f"{row.file}, row {row.number}: lesion {lesion_id} is labelled {morphology['text']!r} here but "
                f"{earlier['text']!r} before (the lesion keeps the first kind; each image's annotation keeps its "
                "own label)"
            )
        morphology = earlier
    elif morphology is not None:
        kinds[lesion_id] = morphology
    lesion = SkinLesion(
        ident(DATASET, "lesion", lesion_id),
        identifier=(HAM_LESION, lesion_id),
        patient=patient,
        location=location,
        morphology=morphology,
    )
    file_name = f"{image_id}.jpg"
    width, height = image_size(options, file_name) or (WIDTH, HEIGHT)
    image = DermatologyImage(
        ident(DATASET, "img", image_id),
        subject=patient,
        url=f"{options.image_base}{file_name}",
        content_type="image/jpeg",
        modality=ImagingModality.DERMOSCOPY,
        width=width,
        height=height,
        lesion=lesion,
        identifier=(ISIC_IMAGE, image_id),
    )
    resource = image.to_resource()
    if age is not None:  # the age belongs to the image too, not only to its annotation
        resource["extension"] = image_extensions(ImageRecord(image_id, row, age=age))
    extra = []
    if confirmation is not None:
        extra.append(parts.fact(parts.DIAGNOSIS_CONFIRMATION, valueCodeableConcept=confirmation))
    if age is not None:
        extra.append(parts.age(age))
    annotation = DermatologyImageAnnotation(
        ident(DATASET, "ann", image_id),
        subject=patient,
        image=image,
        findings=[finding],
        method=AnnotationMethod.EXPERT_ANNOTATION,
        performer=[performer],
        lesion=lesion,
        body_site=location if location.get("coding") else None,
        extra_components=extra,
    )
    result.add(patient, lesion, resource, annotation)
    result.report.findings[row.get("dx")] += 1
