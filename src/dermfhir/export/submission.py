"""FHIR → challenge submission CSV: the class probabilities of AI predictions (class-probability-assessment
RiskAssessments) written back as the submission file of an ISIC challenge, one row per image (per lesion for
MILK10k), probabilities as the model gave them.

Layouts: `isic2019` (image,MEL,…,UNK), `isic2018` (image,MEL,NV,BCC,AKIEC,BKL,DF,VASC), `milk10k`
(lesion_id,AKIEC,…,VASC), `isic2020` (image_name,target: the probability of MEL, i.e. melanoma), and `auto`
(image, then the classes of the first assessment in its order). An assessment that lacks a class of the layout,
or whose image has no ISIC identifier, is skipped and listed — never written with an invented 0.

Not handled: several models in one source (filter the source first), AI predictions without a distribution.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from dermfhir.builders._vocabulary import code_system, profile
from dermfhir.export._read import Index

ASSESSMENT = profile("class-probability-assessment")
ISIC_CLASS = code_system("isic-challenge-class")
MILK_CLASS = code_system("milk10k-class")
LAYOUTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "isic2019": ("image", ("MEL", "NV", "BCC", "AK", "BKL", "DF", "VASC", "SCC", "UNK")),
    "isic2018": ("image", ("MEL", "NV", "BCC", "AKIEC", "BKL", "DF", "VASC")),
    "milk10k": (
        "lesion_id",
        ("AKIEC", "BCC", "BEN_OTH", "BKL", "DF", "INF", "MAL_OTH", "MEL", "NV", "SCCKA", "VASC"),
    ),
    "isic2020": ("image_name", ("MEL",)),
}


@dataclass
class Submission:
    csv: str
    rows: int
    skipped: list[str] = field(default_factory=list)


def _label(prediction: dict) -> str | None:
    """The challenge class of one prediction: its ISIC / MILK10k class code, else the `ISIC class X` rationale."""
    for item in prediction.get("outcome", {}).get("coding", []):
        if item.get("system") in (ISIC_CLASS, MILK_CLASS):
            return item.get("code")
    rationale = prediction.get("rationale") or ""
    return rationale.rsplit(" ", 1)[-1] if rationale.startswith("ISIC class ") else None


def _subject_id(index: Index, assessment: dict, column: str) -> str | None:
    """The ISIC id of the assessed image (or its lesion's id for MILK10k) from the image's identifier."""
    for basis in assessment.get("basis", []):
        image = index.get(basis.get("reference"))
        if not image or image.get("resourceType") != "DocumentReference":
            continue
        if column == "lesion_id":
            for related in image.get("context", {}).get("related", []):
                lesion = index.get(related.get("reference"))
                for identifier in (lesion or {}).get("identifier", []):
                    return identifier.get("value")
            return None
        for identifier in image.get("identifier", []):
            return identifier.get("value")
    return None


def export(index: Index, layout: str = "auto") -> Submission:
    """The submission CSV of every class-probability assessment in `index`."""
    assessments = [r for r in index.of_type("RiskAssessment") if ASSESSMENT in r.get("meta", {}).get("profile", [])]
    skipped: list[str] = []
    if layout == "auto":
        first = next((a for a in assessments if a.get("prediction")), None)
        classes = tuple(label for p in (first or {}).get("prediction", []) if (label := _label(p)))
        column = "image"
    else:
        column, classes = LAYOUTS[layout]
    rows: list[list[str]] = []
    seen: set[str] = set()
    for assessment in assessments:
        where = f"RiskAssessment/{assessment.get('id')}"
        subject = _subject_id(index, assessment, column)
        if not subject:
            skipped.append(f"{where}: the assessed image has no identifier")
            continue
        probabilities = {
            label: p.get("probabilityDecimal") for p in assessment.get("prediction", []) if (label := _label(p))
        }
        missing = [c for c in classes if probabilities.get(c) is None]
        if missing:
            skipped.append(f"{where}: no probability for {', '.join(missing)}")
            continue
        if subject in seen:
            skipped.append(f"{where}: {subject} already written (one row per {column})")
            continue
        seen.add(subject)
        rows.append([subject, *(repr(float(probabilities[c])) for c in classes)])
    header = [column, *(("target",) if layout == "isic2020" else classes)]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    return Submission(buffer.getvalue(), len(rows), skipped)
