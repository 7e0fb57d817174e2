"""Model monitoring against clinician labels, checked with scikit-learn on the same labels and scores."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import balanced_accuracy_score, confusion_matrix, roc_auc_score

from dermfhir.builders import ClassProbability, ClassProbabilityAssessment
from dermfhir.review import confirm, correct, ensure_task, reject
from dermfhir.review.monitoring import as_text, draw_png, performance
from dermfhir.store import Store
from tests.review.case import MELANOMA, NEVUS, SEBK, base_resources, prediction

CLASSES = [("MEL", MELANOMA), ("NV", NEVUS), ("BKL", SEBK)]
KEY = {name: f"{c['coding'][0]['system']}|{c['coding'][0]['code']}" for name, c in CLASSES}

# (predicted class, probabilities MEL NV BKL, review, clinician's class, review time)
CASES = [
    ("MEL", (0.7, 0.2, 0.1), "confirm", "MEL", "2026-02-01T10:00:00Z"),
    ("MEL", (0.6, 0.3, 0.1), "correct", "NV", "2026-02-01T10:01:00Z"),
    ("NV", (0.1, 0.8, 0.1), "confirm", "NV", "2026-02-01T10:02:00Z"),
    ("NV", (0.3, 0.5, 0.2), "correct", "MEL", "2026-02-01T10:03:00Z"),
    ("BKL", (0.1, 0.3, 0.6), "confirm", "BKL", "2026-02-01T10:04:00Z"),
    ("BKL", (0.2, 0.35, 0.45), "correct", "NV", "2026-02-01T10:05:00Z"),
    ("MEL", (0.9, 0.05, 0.05), "confirm", "MEL", "2026-02-01T10:06:00Z"),
    ("NV", (0.2, 0.7, 0.1), "reject", None, "2026-02-01T10:07:00Z"),
    ("MEL", (0.55, 0.25, 0.2), "confirm", "MEL", "2026-03-01T10:00:00Z"),  # after the cut-off
]
CUTOFF = "2026-02-15T00:00:00Z"


def seed(store: Store) -> None:
    for resource in base_resources():
        store.update(resource)
    concepts = dict(CLASSES)
    for number, (predicted, probabilities, review, truth, when) in enumerate(CASES):
        pid = f"m{number}"
        store.update(prediction(pid, concepts[predicted], confidence=max(probabilities)))
        classes = [
            ClassProbability(concepts[name], p, name) for (name, _), p in zip(CLASSES, probabilities, strict=True)
        ]
        store.update(
            ClassProbabilityAssessment(
                f"prob-{pid}",
                subject="Patient/p1",
                device="Device/model1",
                basis=[f"Observation/{pid}", "DocumentReference/img1"],
                classes=classes,
            ).to_resource()
        )
        ensure_task(store, store.read("Observation", pid))
        if review == "confirm":
            confirm(store, pid, "Practitioner/clin", at=when)
        elif review == "correct":
            correct(store, pid, "Practitioner/clin", finding=concepts[truth], at=when)
        else:
            reject(store, pid, "Practitioner/clin", reason="blurred", at=when)


def test_performance_matches_sklearn(store: Store, tmp_path) -> None:
    seed(store)
    result = performance(store, "model1", cutoff=CUTOFF)
    labelled = [case for case in CASES if case[3] is not None and case[4] <= CUTOFF]
    truth = [KEY[c[3]] for c in labelled]
    guess = [KEY[c[0]] for c in labelled]
    assert (result.predictions, result.labelled) == (len(CASES), len(labelled))
    labels = sorted(set(truth) | set(guess))
    assert result.labels == labels
    assert result.confusion == confusion_matrix(truth, guess, labels=labels).tolist()
    assert result.balanced_accuracy == pytest.approx(balanced_accuracy_score(truth, guess))
    for figures in result.classes:
        column = [name for name, _ in CLASSES].index(next(n for n, k in KEY.items() if k == figures.label))
        scores = [c[1][column] for c in labelled]
        positive = [t == figures.label for t in truth]
        assert figures.auroc == pytest.approx(roc_auc_score(positive, scores))
        tp = sum(1 for t, g in zip(truth, guess, strict=True) if t == g == figures.label)
        assert figures.sensitivity == pytest.approx(tp / sum(positive))
    # ECE over 10 bins of the top-1 confidence, by hand
    confidences = np.array([max(c[1]) for c in labelled])
    hits = np.array([c[0] == c[3] for c in labelled], dtype=float)
    bins = np.minimum((confidences * 10).astype(int), 9)
    expected = sum(
        abs(hits[bins == b].mean() - confidences[bins == b].mean()) * (bins == b).sum() / len(labelled)
        for b in set(bins.tolist())
    )
    assert result.ece == pytest.approx(expected)
    # override: 3 corrected + 1 rejected of 8 reviews finished before the cut-off
    assert result.reviews == {"confirmed": 4, "corrected": 3, "rejected": 1}
    assert result.override_rate == pytest.approx(4 / 8)
    later = performance(store, "model1", cutoff="2026-04-01T00:00:00Z")
    assert later.labelled == len(labelled) + 1
    assert "balanced accuracy" in as_text(result)
    draw_png(result, str(tmp_path / "model.png"))
    assert (tmp_path / "model.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_average_ranks_match_scipy() -> None:
    from scipy.stats import rankdata

    from dermfhir.review.monitoring import _average_ranks

    generator = np.random.default_rng(3)
    for _ in range(20):
        values = generator.integers(0, 5, size=int(generator.integers(1, 40))).astype(float)
        assert _average_ranks(values).tolist() == rankdata(values).tolist()
