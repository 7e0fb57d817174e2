"""AI model monitoring: how one AI model Device's predictions compare with the clinicians' confirmed or corrected
findings whose label became available (label-available-at) before a cut-off.

Figures: confusion matrix (truth x predicted, over the labels seen), per-class sensitivity and specificity
(one class against the rest), balanced accuracy (mean sensitivity over the classes present in the truth), AUROC
per class from the class-probability-assessment RiskAssessment of each prediction (one against the rest, ties
counted half; None when a class has no positive or no negative), expected calibration error (10 equal-width bins
of the top-1 confidence), and the override rate: corrected and rejected reviews over all reviews finished before
the cut-off (from the review Tasks). Labels are compared as `system|code` of the first coding of the finding.
When one prediction has several such labels, the one stored last counts.
Not handled: several predictions of one model for one image (each counts), multi-label findings.

Reading: four queries whose rows are streamed (`Store.iter_matches`, `Store.iter_referring`), each resource decoded
with plain orjson as it comes and only the values used kept: the figures use numbers as floats, so `fhirjson`'s
keeping of decimal texts is not needed here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import orjson

from dermfhir.review import resources as r
from dermfhir.review.errors import InvalidInput, UnknownResource
from dermfhir.store import Store

BINS = 10
REVIEW_CODE = f"{r.REVIEW_SYSTEM}|ai-prediction-review"


@dataclass
class ClassFigures:
    label: str
    display: str
    support: int
    sensitivity: float | None
    specificity: float | None
    auroc: float | None


@dataclass
class Performance:
    device: str
    cutoff: str
    predictions: int
    labelled: int
    labels: list[str]
    confusion: list[list[int]]
    classes: list[ClassFigures]
    balanced_accuracy: float | None
    accuracy: float | None
    ece: float | None
    override_rate: float | None
    reviews: dict[str, int] = field(default_factory=dict)
    calibration: list[dict[str, float]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def performance(
    store: Store, device_id: str, *, cutoff: str | None = None, visible: Callable[[dict], bool] | None = None
) -> Performance:
    """The figures of Device/`device_id` against labels available before `cutoff` (default: now), over the
    predictions, labels, class probabilities and review Tasks `visible` keeps (default: all of them), so that a
    caller allowed to see some patients' data only gets figures of those patients."""
    keep = visible or _everything
    moment = cutoff or r.now()
    try:
        _parse(moment)
    except ValueError:
        raise InvalidInput("review-input", f"The cut-off {moment[:40]!r} is not a dateTime") from None
    if r.read_reference(store, f"Device/{device_id}") is None:
        raise UnknownResource("review-target", f"Device/{device_id} is not stored")
    predictions = {
        p["id"]: _Finding.of(p)
        for p in map(orjson.loads, store.iter_matches("Observation", [("device", f"Device/{device_id}")]))
        if r.is_prediction(p) and keep(p)
    }
    truths = _truths(store, set(predictions), moment, keep)
    probabilities = _probabilities(store, device_id, keep)
    pairs = sorted(truths)
    predicted = [predictions[pid].label for pid in pairs]
    actual = [truths[pid].label for pid in pairs]
    displays = _displays([predictions[pid] for pid in pairs] + [truths[pid] for pid in pairs])
    labels = sorted(set(predicted) | set(actual))
    index = {label: i for i, label in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels)), dtype=int)
    for truth, guess in zip(actual, predicted, strict=True):
        matrix[index[truth], index[guess]] += 1
    classes = []
    for label in labels:
        i = index[label]
        tp = int(matrix[i, i])
        fn = int(matrix[i].sum()) - tp
        fp = int(matrix[:, i].sum()) - tp
        tn = int(matrix.sum()) - tp - fn - fp
        scores = [probabilities.get(pid, {}).get(label) for pid in pairs]
        auroc = _auroc([s for s in scores], [truth == label for truth in actual])
        classes.append(
            ClassFigures(
                label,
                displays.get(label, label),
                tp + fn,
                tp / (tp + fn) if tp + fn else None,
                tn / (tn + fp) if tn + fp else None,
                auroc,
            )
        )
    present = [c.sensitivity for c in classes if c.support and c.sensitivity is not None]
    confidences = [_confidence(predictions[pid], probabilities.get(pid, {})) for pid in pairs]
    correct = [t == p for t, p in zip(actual, predicted, strict=True)]
    ece, bins = _calibration(confidences, correct)
    reviews = _reviews(store, set(predictions), moment, keep)
    finished = sum(reviews.values())
    return Performance(
        device=f"Device/{device_id}",
        cutoff=moment,
        predictions=len(predictions),
        labelled=len(pairs),
        labels=labels,
        confusion=matrix.tolist(),
        classes=classes,
        balanced_accuracy=float(np.mean(present)) if present else None,
        accuracy=float(np.mean(correct)) if correct else None,
        ece=ece,
        override_rate=(reviews.get("corrected", 0) + reviews.get("rejected", 0)) / finished if finished else None,
        reviews=reviews,
        calibration=bins,
    )


@dataclass(frozen=True)
class _Finding:
    """What the figures use of a prediction or a clinician's label (kept instead of the resource: holding ten
    thousands of decoded resources makes Python's garbage collector walk them over and over)."""

    label: str  # the finding as `system|code` (or its text; "" when there is none)
    displays: tuple[tuple[str, str], ...]  # (`system|code`, display) of the finding's codings that have one
    confidence: float | None  # the prediction-confidence component's value

    @classmethod
    def of(cls, resource: dict) -> _Finding:
        concept = r.finding(resource) or {}
        displays = tuple(
            (f"{coding.get('system', '')}|{coding.get('code')}", coding["display"])
            for coding in concept.get("coding") or []
            if coding.get("display")
        )
        component = r.component(resource, "prediction-confidence")
        value = ((component or {}).get("valueQuantity") or {}).get("value")
        confidence = float(value) if isinstance(value, int | float) else None
        return cls(r.concept_code(concept) or "", displays, confidence)


def _everything(resource: dict) -> bool:
    return True


def _truths(store: Store, prediction_ids: set[str], cutoff: str, keep: Callable[[dict], bool]) -> dict[str, _Finding]:
    """prediction id -> the clinician's confirmed or corrected finding labelled before the cut-off (found by
    `derived-from` on the predictions, in the order stored: a later label of the same prediction replaces)."""
    found: dict[str, _Finding] = {}
    for annotation in map(
        orjson.loads, store.iter_referring("Observation", "derived-from", "Observation", prediction_ids)
    ):
        if r.method_of(annotation) not in r.AI_ASSISTED or annotation.get("status") not in ("final", "amended"):
            continue
        if not keep(annotation):
            continue
        available = r.label_available_at(annotation)
        if available is None or not _before(available, cutoff):
            continue
        for source in annotation.get("derivedFrom") or []:
            ref = r.reference(source) or ""
            if ref.startswith("Observation/") and ref[12:] in prediction_ids:
                found[ref[12:]] = _Finding.of(annotation)
    return found


def _probabilities(store: Store, device_id: str, keep: Callable[[dict], bool]) -> dict[str, dict[str, float]]:
    """prediction id -> {label: probability} from the device's class-probability assessments."""
    found: dict[str, dict[str, float]] = {}
    for assessment in map(orjson.loads, store.iter_matches("RiskAssessment", [("performer", f"Device/{device_id}")])):
        if not keep(assessment):
            continue
        distribution: dict[str, float] = {}
        for item in assessment.get("prediction") or []:
            codings = (item.get("outcome") or {}).get("coding") or []
            value = item.get("probabilityDecimal")
            if codings and isinstance(value, int | float):
                distribution[f"{codings[0].get('system', '')}|{codings[0].get('code')}"] = float(value)
        for basis in assessment.get("basis") or []:
            ref = r.reference(basis) or ""
            if ref.startswith("Observation/"):
                found[ref[12:]] = distribution
    return found


def _reviews(store: Store, prediction_ids: set[str], cutoff: str, keep: Callable[[dict], bool]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for task in map(orjson.loads, store.iter_referring("Task", "focus", "Observation", prediction_ids)):
        if not r.is_review_task(task) or task.get("status") != "completed" or not keep(task):
            continue
        focus = r.reference(task.get("focus")) or ""
        if focus[12:] not in prediction_ids or not _before(str(task.get("lastModified") or ""), cutoff):
            continue
        for outcome in r.codes(task.get("businessStatus"), r.REVIEW_SYSTEM):
            counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def _parse(text: str) -> datetime:
    """A FHIR dateTime (a date alone is its first instant, UTC when no offset is given)."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _before(moment: str, cutoff: str) -> bool:
    try:
        return _parse(moment) <= _parse(cutoff)
    except ValueError:
        return False


def _confidence(prediction: _Finding, distribution: dict[str, float]) -> float:
    if prediction.confidence is not None:
        return prediction.confidence
    return max(distribution.values()) if distribution else 0.0


def _auroc(scores: list[float | None], positive: list[bool]) -> float | None:
    """Area under the ROC curve (Mann-Whitney U with average ranks); a missing score counts as 0."""
    values = np.array([0.0 if s is None else s for s in scores])
    truth = np.array(positive, dtype=bool)
    n_pos, n_neg = int(truth.sum()), int((~truth).sum())
    if n_pos == 0 or n_neg == 0:
        return None
    ranks = _average_ranks(values)
    return float((ranks[truth].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..n, tied values sharing their average rank (as in the Mann-Whitney U statistic)."""
    order = np.argsort(values, kind="mergesort")
    ordered = values[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    ends = np.r_[starts[1:], len(values)]
    average = (starts + ends + 1) / 2.0  # mean of the 1-based ranks start+1 .. end
    ranks = np.empty(len(values))
    ranks[order] = np.repeat(average, ends - starts)
    return ranks


def _calibration(confidences: list[float], correct: list[bool]) -> tuple[float | None, list[dict[str, float]]]:
    if not confidences:
        return None, []
    conf = np.clip(np.array(confidences), 0, 1)
    hits = np.array(correct, dtype=float)
    which = np.minimum((conf * BINS).astype(int), BINS - 1)
    ece, bins = 0.0, []
    for b in range(BINS):
        members = which == b
        count = int(members.sum())
        if not count:
            continue
        accuracy, mean_conf = float(hits[members].mean()), float(conf[members].mean())
        ece += abs(accuracy - mean_conf) * count / len(conf)
        bins.append(
            {"low": b / BINS, "high": (b + 1) / BINS, "count": count, "accuracy": accuracy, "confidence": mean_conf}
        )
    return ece, bins


def _displays(findings: list[_Finding]) -> dict[str, str]:
    found: dict[str, str] = {}
    for finding in findings:
        for key, display in finding.displays:
            found.setdefault(key, display)
    return found


def as_text(result: Performance) -> str:
    """A plain-text report."""
    lines = [
        f"Model {result.device}: labels available before {result.cutoff}",
        f"predictions {result.predictions}, with a clinician label {result.labelled}",
    ]

    def fmt(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.3f}"

    lines.append(
        f"accuracy {fmt(result.accuracy)}  balanced accuracy {fmt(result.balanced_accuracy)}  "
        f"ECE {fmt(result.ece)}  override rate {fmt(result.override_rate)}"
    )
    lines.append(f"{'class':40} {'support':>7} {'sens':>6} {'spec':>6} {'AUROC':>6}")
    for c in result.classes:
        name = c.display[:40]
        lines.append(f"{name:40} {c.support:7d} {fmt(c.sensitivity):>6} {fmt(c.specificity):>6} {fmt(c.auroc):>6}")
    lines.append("confusion matrix (rows truth, columns predicted):")
    for label, row in zip(result.labels, result.confusion, strict=True):
        lines.append(f"  {label[-24:]:24} " + " ".join(f"{n:5d}" for n in row))
    return "\n".join(lines)


def draw_png(result: Performance, path: str) -> None:
    """A PNG with the confusion matrix and the reliability diagram (matplotlib, no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if not result.labels:
        raise InvalidInput("review-input", "No labelled prediction: nothing to draw")
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 5))
    matrix = np.array(result.confusion)
    left.imshow(matrix, cmap="Blues")
    names = [c.display[:18] for c in result.classes]
    left.set_xticks(range(len(names)), names, rotation=45, ha="right")
    left.set_yticks(range(len(names)), names)
    left.set_xlabel("predicted")
    left.set_ylabel("clinician")
    for (i, j), count in np.ndenumerate(matrix):
        left.text(j, i, str(count), ha="center", va="center")
    left.set_title(f"{result.device}: confusion matrix")
    right.plot([0, 1], [0, 1], linestyle="--", color="grey")
    right.plot([b["confidence"] for b in result.calibration], [b["accuracy"] for b in result.calibration], marker="o")
    ece = "n/a" if result.ece is None else f"{result.ece:.3f}"
    right.set_title(f"reliability (ECE {ece})")
    right.set_xlabel("confidence")
    right.set_ylabel("accuracy")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
