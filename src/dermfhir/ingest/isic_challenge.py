"""ISIC challenge ground truth → FHIR: ISIC 2019 (MEL … UNK), ISIC 2018 Task 3 (MEL … VASC) and ISIC 2017 Part 3
(melanoma, seborrheic_keratosis) one-hot CSVs, with an optional metadata CSV (age_approx, anatom_site_general,
lesion_id, sex). Per image: a DocumentReference, a final annotation with the class (SNOMED CT where the guide maps
it safely, and the ISIC class); a Patient and a skin-lesion BodyStructure per lesion_id (per image without one).

The layout is recognised from the header. Image pixel sizes are not in these files: give `--image-dir` so the
images conform to dermatology-image; without it they are plain DocumentReferences.

Not handled: ISIC 2016/2020 layouts, soft (non one-hot) labels in ground truth (use `predictions`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
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
from dermfhir.ingest._common import (
    ISIC_IMAGE,
    ISIC_LESION,
    ImageKeys,
    Labels,
    Options,
    curator,
    each_row,
    gender,
    ident,
    image_size,
)
from dermfhir.ingest._result import ImportResult, Report
from dermfhir.ingest._source import Row, SourceError, read_csv

DATASET = "isic"
METADATA_COLUMNS = ("image",)
#: ISIC 2017 Part 3 columns → the challenge class they set (a row with neither is a nevus).
LEGACY_2017 = {"melanoma": "MEL", "seborrheic_keratosis": "BKL"}


@dataclass(frozen=True)
class Layout:
    name: str
    image_column: str
    classes: tuple[str, ...]


def layout_of(header: list[str], path: Path) -> Layout:
    """The challenge layout of a ground-truth header."""
    if header[:1] == ["image_id"] and set(header[1:]) == set(LEGACY_2017):
        return Layout("isic2017", "image_id", tuple(header[1:]))
    if header[:1] != ["image"] or len(header) < 3:
        raise SourceError(path, f"not an ISIC challenge ground truth: header {','.join(header)}", 1)
    return Layout("isic2019" if "UNK" in header or "SCC" in header else "isic2018", "image", tuple(header[1:]))


class Metadata:
    """ISIC metadata rows by image id."""

    def __init__(self, rows: dict[str, Row]) -> None:
        self.rows = rows

    @classmethod
    def load(cls, paths: Sequence[Path], report: Report | None = None) -> Metadata:
        """Metadata rows by image; a row that cannot be read is rejected in `report` (its image has no metadata)."""
        rows: dict[str, Row] = {}
        for path in paths:
            _, found = read_csv(path, METADATA_COLUMNS)
            for row in found:
                if row.problem:
                    if report is not None:
                        report.reject(row.error(row.problem))
                    continue
                rows[row.get("image")] = row
        return cls(rows)

    def get(self, image_id: str) -> Row | None:
        return self.rows.get(image_id)


class Subjects:
    """Patient, lesion and image of an ISIC image id (shared with the predictions importer)."""

    def __init__(self, result: ImportResult, options: Options, metadata: Metadata | None) -> None:
        self.result = result
        self.options = options
        self.metadata = metadata
        self.genders: dict[str, object] = {}
        self.site = Labels(
            "anatom_site_general", "isic-anatomic-site", "isic-anatomic-site-to-snomed", options, result.report
        )

    def of(self, image_id: str, row: Row) -> tuple[Patient, SkinLesion | None, DermatologyImage, list[dict]]:
        """Patient, lesion, image and the extra components (age) for one image; adds them to the result."""
        meta = self.metadata.get(image_id) if self.metadata else None
        lesion_id = meta.get("lesion_id") if meta else ""
        key = lesion_id or image_id
        sex = meta.get("sex") if meta else ""
        if sex and gender(sex) is None:
            raise meta.error(f"sex {sex!r} is not male or female", "sex")  # type: ignore[union-attr]
        identifier = (ISIC_LESION, lesion_id) if lesion_id else (ISIC_IMAGE, image_id)
        patient = Patient(ident(DATASET, "patient", key), identifier=identifier, gender=gender(sex) if sex else None)
        previous = self.genders.setdefault(patient.id, patient.gender)
        if previous != patient.gender:
            self.result.report.warnings.append(
                f"{meta.file}, row {meta.number}: lesion {key} was recorded as {getattr(previous, 'value', None)}"  # type: ignore[union-attr]
                f" before, now {getattr(patient.gender, 'value', None)} (the last one is kept)"
            )
        lesion = None
        extra: list[dict] = []
        if meta is not None:
            site = meta.get("anatom_site_general")
            location = self.site.concept(site, meta, "anatom_site_general") if site else None
            lesion = SkinLesion(
                ident(DATASET, "lesion", key),
                identifier=identifier,
                patient=patient,
                location=location or {"text": "not recorded"},
            )
            age = meta.get("age_approx")
            if age:
                try:
                    years = float(age)
                except ValueError:
                    raise meta.error(f"age_approx {age!r} is not a number", "age_approx") from None
                if not 0 <= years <= 150:
                    raise meta.error(f"age_approx {age!r} is out of range 0-150", "age_approx")
                extra.append(parts.age(years))
        file_name = f"{image_id}.jpg"
        size = image_size(self.options, file_name)
        image = DermatologyImage(
            ident(DATASET, "img", image_id),
            subject=patient,
            url=f"{self.options.image_base}{file_name}",
            content_type="image/jpeg",
            modality=ImagingModality.DERMOSCOPY,
            width=size[0] if size else None,
            height=size[1] if size else None,
            lesion=lesion,
            identifier=(ISIC_IMAGE, image_id),
        )
        self.result.add(patient, *([lesion] if lesion else []), image)
        return patient, lesion, image, extra


def body_site(lesion: SkinLesion | None) -> dict | None:
    """The lesion's site as coded for this image (the same lesion may be recorded at other sites elsewhere)."""
    if lesion is None or not lesion.location.get("coding"):
        return None
    return lesion.location


def read(
    paths: Sequence[Path],
    options: Options,
    progress: Callable[[int], None] | None = None,
    metadata: Sequence[Path] = (),
) -> ImportResult:
    """Import ISIC challenge ground-truth files (with optional metadata files)."""
    result = ImportResult()
    report = result.report
    labels = Labels("class", "isic-challenge-class", "isic-challenge-class-to-snomed", options, report)
    subjects = Subjects(result, options, Metadata.load(metadata, report) if metadata else None)
    organization = curator(DATASET, "ISIC challenge organisers (International Skin Imaging Collaboration)")
    result.add(organization)
    keys = ImageKeys("image")
    for path in paths:
        header, rows = read_csv(path)
        layout = layout_of(header, path)
        keys.columns = (layout.image_column,)
        for row in each_row(rows, report, progress, keys):
            try:
                label = _label(row, layout)
                finding = labels.concept(label, row, "class")
                _, lesion, image, extra = subjects.of(row.get(layout.image_column), row)
                annotation = DermatologyImageAnnotation(
                    ident(DATASET, "ann", row.get(layout.image_column)),
                    subject=image.subject,
                    image=image,
                    findings=[finding],
                    method=AnnotationMethod.EXPERT_ANNOTATION,
                    performer=[organization.reference],
                    lesion=lesion,
                    body_site=body_site(lesion),
                    extra_components=extra,
                )
                result.add(annotation)
                report.findings[label] += 1
            except SourceError as error:
                report.reject(error)
    return result


def _label(row: Row, layout: Layout) -> str:
    """The class of a one-hot row (ISIC 2017: MEL, BKL, or NV when neither flag is set)."""
    if not row.get(layout.image_column):
        raise row.error("the image id is empty", layout.image_column)
    hot = []
    for column in layout.classes:
        text = row.get(column)
        try:
            value = float(text)
        except ValueError:
            raise row.error(f"{text!r} is not a number", column) from None
        if value not in (0.0, 1.0):
            raise row.error(f"{text!r} is not a one-hot value (0.0 or 1.0)", column)
        if value == 1.0:
            hot.append(column)
    if layout.name == "isic2017":
        if len(hot) > 1:
            raise row.error("both melanoma and seborrheic_keratosis are set", hot[1])
        return LEGACY_2017[hot[0]] if hot else "NV"
    if len(hot) != 1:
        raise row.error(f"exactly one class must be 1.0, found {len(hot)} ({', '.join(hot) or 'none'})")
    return hot[0]
