"""Classifier output in the ISIC challenge submission layout (an image column, then one probability column per
class) → per image an ai-prediction (top class and its probability), a class-probability-assessment with the
whole distribution, and an ai-provenance; one ai-model-device (and its model card) for the whole file.

Probabilities must lie in 0-1; a row whose sum is not 1 ± 0.01 is reported (above 1.01 it is rejected, because the
profile forbids it). Class columns are ISIC challenge classes, or labels mapped with `--map` (field `class`).

Not handled: per-image inference times or heatmaps (no column for them in the layout), several models per file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from dermfhir.builders import (
    AIModelDevice,
    AIPrediction,
    AIProvenance,
    AnnotationReviewTask,
    ClassProbability,
    ClassProbabilityAssessment,
    ModelCard,
)
from dermfhir.builders.probabilities import SUM_TOLERANCE
from dermfhir.ingest._common import Labels, Options, each_row, ident
from dermfhir.ingest._result import ImportResult
from dermfhir.ingest._source import SourceError, read_csv
from dermfhir.ingest.isic_challenge import DATASET, Metadata, Subjects, body_site

LABEL_PREFIX = "ISIC class "


def read(
    paths: Sequence[Path],
    options: Options,
    progress: Callable[[int], None] | None = None,
    *,
    model_name: str,
    model_version: str,
    manufacturer: str = "unknown",
    model_card: Path | None = None,
    metadata: Sequence[Path] = (),
) -> ImportResult:
    """Import classifier outputs; every row becomes prediction + distribution + provenance."""
    result = ImportResult()
    report = result.report
    recorded = options.recorded or datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    model_key = f"{model_name}-{model_version}"
    card = None
    if model_card is not None:
        try:
            markdown = model_card.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise SourceError(model_card, f"cannot read the model card ({error})") from None
        card = ModelCard(
            ident("model", "card", model_key), title=f"{model_name} {model_version} model card", markdown=markdown
        )
        result.add(card)
    device = AIModelDevice(
        ident("model", "device", model_key),
        name=model_name,
        version=model_version,
        manufacturer=manufacturer,
        model_card=card,
    )
    result.add(device)
    labels = Labels("class", "isic-challenge-class", "isic-challenge-class-to-snomed", options, report)
    subjects = Subjects(result, options, Metadata.load(metadata, report) if metadata else None)
    for path in paths:
        header, rows = read_csv(path)
        if len(header) < 3 or header[0] not in ("image", "image_id"):
            raise SourceError(path, f"expected an image column and class columns, got {','.join(header)}", 1)
        image_column, classes = header[0], header[1:]
        outcomes = {}
        for column in classes:
            outcome = labels.concept(column, None)
            if outcome is None:
                raise SourceError(path, "a class column has no name", 1)
            if options.strict and not outcome.get("coding"):
                raise SourceError(path, f"unmapped class column {column!r} (add it to a --map file)", 1, column)
            outcomes[column] = outcome
        for row in each_row(rows, report, progress):
            try:
                image_id = row.get(image_column)
                if not image_id:
                    raise row.error("the image id is empty", image_column)
                probabilities = []
                for column in classes:
                    text = row.get(column)
                    try:
                        value = float(text)
                    except ValueError:
                        raise row.error(f"{text!r} is not a probability", column) from None
                    if not 0 <= value <= 1:
                        raise row.error(f"probability {text} is outside 0-1", column)
                    probabilities.append(ClassProbability(outcomes[column], value, column))
                total = sum(p.probability for p in probabilities)
                if total > 1 + SUM_TOLERANCE:
                    raise row.error(f"probabilities sum to {total:.4f}, more than 1 ± {SUM_TOLERANCE}")
                if total < 1 - SUM_TOLERANCE:
                    report.warnings.append(
                        f"{row.file}, row {row.number}: probabilities sum to {total:.4f}, not 1 ± {SUM_TOLERANCE}"
                    )
                patient, lesion, image, _ = subjects.of(image_id, row)
                top = max(probabilities, key=lambda p: p.probability)
                prediction = AIPrediction(
                    ident(DATASET, "pred", f"{model_key}-{image_id}"),
                    subject=patient,
                    image=image,
                    device=device,
                    finding=top.outcome,
                    confidence=top.probability,
                    lesion=lesion,
                    body_site=body_site(lesion),
                    effective=recorded,
                )
                assessment = ClassProbabilityAssessment(
                    ident(DATASET, "prob", f"{model_key}-{image_id}"),
                    subject=patient,
                    device=device,
                    basis=[prediction, image],
                    classes=probabilities,
                    occurrence=recorded,
                    label_prefix=LABEL_PREFIX,
                )
                provenance = AIProvenance(
                    ident(DATASET, "prov", f"{model_key}-{image_id}"),
                    targets=[prediction, assessment],
                    device=device,
                    images=[image],
                    recorded=recorded,
                )
                task = AnnotationReviewTask(
                    ident(DATASET, "task", f"{model_key}-{image_id}"),
                    prediction=prediction,
                    patient=patient,
                    authored=recorded,
                )
                result.add(prediction, assessment, provenance, task)
                report.findings[top.label or ""] += 1
            except SourceError as error:
                report.reject(error)
    return result
