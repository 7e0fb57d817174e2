"""FHIR → ISIC-challenge CSV: one-hot ground truth in the ISIC 2019 or ISIC 2018 Task 3 layout (plus the ISIC 2019
metadata CSV), or the HAM10000 metadata layout; rows in the order of the annotations in the sources.

Layouts write exactly what the challenge files look like (CRLF line ends, `1.0` / `0.0`), so ISIC 2019 ground
truth → FHIR → CSV is byte-identical; HAM10000 → FHIR → CSV reproduces every field.

Not handled: annotations without a class of the layout (reported, not written), AI predictions (they are
not ground truth; export their probabilities from the RiskAssessments with a classifier tool).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

from dermfhir.builders._components import AGE, ANNOTATION_TYPE, DIAGNOSIS_CONFIRMATION, component_code
from dermfhir.builders._vocabulary import code_system, profile
from dermfhir.export._read import ExportError, Index

ANNOTATION = profile("dermatology-image-annotation")
ISIC_CLASS = code_system("isic-challenge-class")
HAM_DX = code_system("ham10000-dx")
LAYOUTS = {
    "isic2019": ("MEL", "NV", "BCC", "AK", "BKL", "DF", "VASC", "SCC", "UNK"),
    "isic2018": ("MEL", "NV", "BCC", "AKIEC", "BKL", "DF", "VASC"),
    "ham10000": ("lesion_id", "image_id", "dx", "dx_type", "age", "sex", "localization"),
}
#: HAM10000 dx → ISIC 2018 class (the 2018 Task 3 classes are the HAM10000 ones).
HAM_TO_2018 = {"akiec": "AKIEC", "bcc": "BCC", "bkl": "BKL", "df": "DF", "mel": "MEL", "nv": "NV", "vasc": "VASC"}


@dataclass
class Exported:
    ground_truth: str
    metadata: str | None
    skipped: list[str]
    #: data rows written (the header not counted)
    rows: int = 0


def _code(concept: dict | None, system: str) -> str | None:
    for item in (concept or {}).get("coding", []):
        if item.get("system") == system:
            return item.get("code")
    return None


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def _csv(rows: Iterable[list[str]], line_end: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=line_end)
    writer.writerows(rows)
    return buffer.getvalue()


def _annotations(index: Index) -> list[dict]:
    return [r for r in index.of_type("Observation") if ANNOTATION in r.get("meta", {}).get("profile", [])]


def _image_id(index: Index, annotation: dict) -> str | None:
    for reference in annotation.get("derivedFrom", []):
        image = index.get(reference.get("reference"))
        if image:
            for identifier in image.get("identifier", []):
                return identifier.get("value")
            url = image.get("content", [{}])[0].get("attachment", {}).get("url", "")
            return url.rpartition("/")[2].rpartition(".")[0] or None
    return None


def _extra(annotation: dict, code: str) -> dict | None:
    """The component with annotation-type `code` (or, in files written before the guide had the code, that text)."""
    texts = {AGE: "Age at imaging", DIAGNOSIS_CONFIRMATION: "Diagnosis confirmation method"}
    for component in annotation.get("component", []):
        if component_code(component) in ((ANNOTATION_TYPE, code), (None, texts.get(code))):
            return component
    return None


def _finding(annotation: dict) -> dict | None:
    for component in annotation.get("component", []):
        if component.get("code", {}).get("coding", [{}])[0].get("code") == "106076001":
            return component.get("valueCodeableConcept")
    return None


def _site(annotation: dict, lesion: dict, system_name: str, not_recorded: str = "") -> str:
    """The source site code of the image (annotation bodySite), else of the lesion; `not_recorded` (the layout's
    word for it: HAM10000's `unknown`) when neither has a coded site."""
    system = code_system(system_name)
    found = _code(annotation.get("bodySite"), system) or _code(lesion.get("location"), system)
    if found:
        return found
    coded = (annotation.get("bodySite") or {}).get("coding") or (lesion.get("location") or {}).get("coding")
    return "" if coded else not_recorded


def export(index: Index, layout: str) -> Exported:
    """The CSV text of `layout` for the annotations in `index` (and ISIC 2019 metadata for isic2019)."""
    if layout not in LAYOUTS:
        raise ExportError(f"unknown layout {layout!r}; one of {', '.join(LAYOUTS)}")
    columns = LAYOUTS[layout]
    skipped: list[str] = []
    rows: list[list[str]] = []
    metadata: list[list[str]] = []
    for annotation in _annotations(index):
        image_id = _image_id(index, annotation)
        finding = _finding(annotation)
        label = _code(finding, ISIC_CLASS)
        ham = _code(finding, HAM_DX)
        patient = index.get(annotation.get("subject", {}).get("reference")) or {}
        lesion = index.get((annotation.get("focus") or [{}])[0].get("reference")) or {}
        age = _extra(annotation, AGE)
        age_text = _number(age["valueQuantity"]["value"]) if age else ""
        if image_id is None:
            skipped.append(f"Observation/{annotation['id']}: no source image id")
            continue
        if layout == "ham10000":
            if ham is None:
                skipped.append(f"Observation/{annotation['id']}: no HAM10000 dx")
                continue
            confirmation = _extra(annotation, DIAGNOSIS_CONFIRMATION)
            lesion_id = (lesion.get("identifier") or [{}])[0].get("value", "")
            rows.append(
                [
                    lesion_id,
                    image_id,
                    ham,
                    _code(
                        confirmation.get("valueCodeableConcept") if confirmation else None,
                        code_system("diagnosis-confirmation"),
                    )
                    or "",
                    age_text,
                    patient.get("gender", ""),
                    _site(annotation, lesion, "ham10000-localization", not_recorded="unknown"),
                ]
            )
            continue
        if label is None and ham is not None:
            label = HAM_TO_2018.get(ham)  # the same classes in 2018 and 2019, but for akiec (no 2019 class)
        if label not in columns:
            skipped.append(f"Observation/{annotation['id']}: class {label or ham or 'none'} not in {layout}")
            continue
        rows.append([image_id, *("1.0" if column == label else "0.0" for column in columns)])
        if layout == "isic2019":
            identifiers = lesion.get("identifier", [])
            lesion_ids = [i.get("value") for i in identifiers if i.get("system", "").endswith("lesion")]
            metadata.append(
                [
                    image_id,
                    age_text,
                    _site(annotation, lesion, "isic-anatomic-site"),
                    lesion_ids[0] if lesion_ids else "",
                    patient.get("gender", ""),
                ]
            )
    if layout == "ham10000":
        return Exported(_csv([list(columns), *rows], "\n"), None, skipped, len(rows))
    ground_truth = _csv([["image", *columns], *rows], "\r\n")
    meta = None
    if layout == "isic2019":
        meta = _csv([["image", "age_approx", "anatom_site_general", "lesion_id", "sex"], *metadata], "\r\n")
    return Exported(ground_truth, meta, skipped, len(rows))
