"""Derm7pt derm7pt_meta.csv → FHIR: per case a pseudonymous Patient, a skin-lesion BodyStructure (location), the
clinical photograph (XC) and the dermoscopic image (DMS) as DocumentReferences, and one final annotation made from
both with the diagnosis, the seven criteria of the seven-point checklist as dermoscopic-feature components
(derm7pt-criterion value codes) and the seven-point score.

The diagnosis is an isic-diagnosis code when the label is one (spelling normalised, e.g. 'basal cell carcinoma'),
else it goes through `--map` (field `diagnosis`) or is reported and kept as text. A case whose clinical image was
replaced by the dermoscopic one (the same file in both columns) has one image. Pixel sizes come from
`--image-dir` (images without it are plain DocumentReferences).

Elevation, management and the level of diagnostic difficulty are text components of the annotation, notes its
Observation.note; case_id (a second case number) has no place and is counted as such in the summary.

Not handled: the train / valid / test index files;
the seven-point score is taken as given (not recomputed from the criteria).
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
from dermfhir.builders._vocabulary import coding, known, morphology_of
from dermfhir.ingest._common import (
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

DATASET = "derm7pt"
CASE = "urn:dermfhir:derm7pt:case"
IMAGE = "urn:dermfhir:derm7pt:image"
CRITERIA = (
    "pigment_network",
    "streaks",
    "pigmentation",
    "regression_structures",
    "dots_and_globules",
    "blue_whitish_veil",
    "vascular_structures",
)
#: optional columns kept as text components of the annotation
TEXT_COMPONENTS = (
    ("elevation", "Derm7pt elevation"),
    ("management", "Derm7pt management"),
    ("level_of_diagnostic_difficulty", "Derm7pt level of diagnostic difficulty"),
)
COLUMNS = ("case_num", "diagnosis", "seven_point_score", *CRITERIA, "location", "sex", "clinic", "derm")


def read(
    paths: Sequence[Path],
    options: Options,
    progress: Callable[[int], None] | None = None,
    result: ImportResult | None = None,
) -> ImportResult:
    """Import Derm7pt metadata files; bad rows are rejected with file, row and column."""
    result = ImportResult() if result is None else result
    report = result.report
    diagnosis = Labels("diagnosis", "isic-diagnosis", "isic-diagnosis-to-snomed", options, report)
    location = Labels("location", "derm7pt-location", "derm7pt-location-to-snomed", options, report)
    criteria = {column: Labels(column, "derm7pt-criterion", None, options, report) for column in CRITERIA}
    organization = curator(DATASET, "Derm7pt dataset curators (Kawahara et al. 2019)")
    result.add(organization)
    import_csv_rows(
        paths,
        COLUMNS,
        report,
        progress,
        lambda row: _row(row, result, options, diagnosis, location, criteria, organization.reference),
        ImageKeys("case_num"),
    )
    return result


def criterion(row: Row, column: str, labels: Labels) -> dict:
    """The derm7pt-criterion value code of a criterion column (`<column>-<value>`), else the mapped label."""
    value = row.get(column)
    if not value:
        raise row.error(f"{column} is empty", column)
    code = f"{column}-{value.replace(' ', '_')}"
    if known(labels.system, code):
        item = coding(labels.system, code)
        return {"coding": [item], "text": item.get("display", code)}
    concept = labels.concept(value, row, column)
    assert concept is not None
    return concept


def _row(
    row: Row,
    result: ImportResult,
    options: Options,
    diagnosis: Labels,
    location: Labels,
    criteria: dict[str, Labels],
    performer: str,
) -> None:
    case = row.get("case_num")
    if not case:
        raise row.error("case_num is empty", "case_num")
    label = row.get("diagnosis")
    finding = diagnosis.concept(label, row, "diagnosis")
    if finding is None:
        raise row.error("diagnosis is empty", "diagnosis")
    score_text = row.get("seven_point_score")
    try:
        score = int(score_text)
    except ValueError:
        raise row.error(f"seven_point_score {score_text!r} is not a whole number", "seven_point_score") from None
    if not 0 <= score <= 10:
        raise row.error(f"seven_point_score {score} is out of range 0-10", "seven_point_score")
    features = [criterion(row, column, criteria[column]) for column in CRITERIA]
    sex = row.get("sex")
    if sex and gender(sex) is None:
        raise row.error(f"sex {sex!r} is not male or female", "sex")
    site = location.concept(row.get("location"), row, "location") if row.get("location") else None
    files = {"derm": row.get("derm"), "clinic": row.get("clinic")}
    for column, name in files.items():
        if not name:
            raise row.error(f"{column} (the image file) is empty", column)

    patient = Patient(ident(DATASET, "patient", case), identifier=(CASE, case), gender=gender(sex) if sex else None)
    lesion = SkinLesion(
        ident(DATASET, "lesion", case),
        identifier=(CASE, case),
        patient=patient,
        location=site or {"text": "not recorded"},
        morphology=morphology_of(finding),
    )
    images = []
    for column, modality in (("derm", ImagingModality.DERMOSCOPY), ("clinic", ImagingModality.PHOTOGRAPHY)):
        name = files[column]
        if column == "clinic" and name == files["derm"]:
            continue  # the clinical image was replaced by the dermoscopic one in the dataset
        size = image_size(options, name)
        images.append(
            DermatologyImage(
                ident(DATASET, "img", Path(name).with_suffix("").as_posix()),
                subject=patient,
                url=f"{options.image_base}{name}",
                content_type="image/jpeg",
                modality=modality,
                width=size[0] if size else None,
                height=size[1] if size else None,
                lesion=lesion,
                identifier=(IMAGE, name),
            )
        )
    extra = [parts.fact(parts.DERMOSCOPIC_FEATURE, valueCodeableConcept=feature) for feature in features]
    extra.append(parts.seven_point_score(score))
    for column, name in TEXT_COMPONENTS:
        if row.get(column):
            extra.append(parts.text_component(name, valueString=row.get(column)))
    annotation = DermatologyImageAnnotation(
        ident(DATASET, "ann", case),
        subject=patient,
        image=images,
        findings=[finding],
        method=AnnotationMethod.EXPERT_ANNOTATION,
        performer=[performer],
        lesion=lesion,
        body_site=site if site and site.get("coding") else None,
        extra_components=extra,
        identifier=(CASE, case),
    )
    resource = annotation.to_resource()
    if row.get("notes"):
        resource["note"] = [{"text": row.get("notes")}]
    if row.get("case_id"):
        result.report.unplaced["case_id"] += 1
    result.add(patient, lesion, *images, resource)
    result.report.findings[label] += 1
