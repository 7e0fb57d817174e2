"""Model monitoring against clinician labels, checked with scikit-learn on the same labels and scores."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from sklearn.metrics import balanced_accuracy_score, confusion_matrix, roc_auc_score

from dermfhir import fhirjson
from dermfhir.builders import AIModelDevice, ClassProbability, ClassProbabilityAssessment
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


class Searched:
    """The store read as `performance` read it before `iter_matches` / `iter_referring`: paged searches decoded
    by the store, and the references to the predictions searched 100 at a time (the old path, for comparison)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __getattr__(self, name: str) -> object:
        return getattr(self.store, name)

    def iter_matches(self, resource_type: str, params: list[tuple[str, str]]) -> Iterator[bytes]:
        for resource in self.store.iter_search(resource_type, params, page=4):
            yield fhirjson.dumps(resource)

    def iter_referring(self, resource_type: str, parameter: str, target_type: str, ids: set[str]) -> Iterator[bytes]:
        ordered = sorted(ids)
        for start in range(0, len(ordered), 100):
            chunk = ",".join(f"{target_type}/{pid}" for pid in ordered[start : start + 100])
            for resource in self.store.iter_search(resource_type, [(parameter, chunk)]):
                yield fhirjson.dumps(resource)


def assessment(pid: str, probabilities: tuple[float, ...], device: str = "model1", basis: str = "") -> dict:
    concepts = [concept for _, concept in CLASSES]
    return ClassProbabilityAssessment(
        f"prob-{pid}",
        subject="Patient/p1",
        device=f"Device/{device}",
        basis=[basis or f"Observation/{pid}", "DocumentReference/img1"],
        classes=[ClassProbability(c, p, n) for (n, _), c, p in zip(CLASSES, concepts, probabilities, strict=True)],
    ).to_resource()


def annotation_of(store: Store, pid: str) -> dict:
    found = list(store.iter_search("Observation", [("derived-from", f"Observation/{pid}")]))
    assert len(found) == 1
    return found[0]


def seed_tricky(store: Store) -> None:
    """`seed`, then: a prediction without class probabilities (another model's assessment names it), one whose
    assessment was deleted, one whose assessment and label were superseded by new versions, one whose label was
    deleted, a deleted prediction with its label, another model's confirmed prediction, and a prediction with two
    labels (the one stored last counts)."""
    seed(store)
    store.update(AIModelDevice("model2", name="Other", version="1", manufacturer="Example Labs").to_resource())
    for pid, finding in (
        ("m9", MELANOMA),
        ("m10", NEVUS),
        ("m11", SEBK),
        ("m12", MELANOMA),
        ("m13", MELANOMA),
        ("m14", SEBK),
    ):
        store.update(prediction(pid, finding, confidence=0.65))
        ensure_task(store, store.read("Observation", pid))
    other = {**prediction("o1", NEVUS, confidence=0.9), "device": {"reference": "Device/model2"}}
    store.update(other)
    ensure_task(store, store.read("Observation", "o1"))
    store.update(assessment("o1", (0.05, 0.9, 0.05), device="model2"))
    store.update({**assessment("m9", (0.2, 0.7, 0.1), device="model2"), "id": "prob-m9-other"})
    store.update(assessment("m10", (0.3, 0.6, 0.1)))
    store.delete("RiskAssessment", "prob-m10")
    store.update(assessment("m11", (0.1, 0.1, 0.8)))
    store.update(assessment("m11", (0.2, 0.2, 0.6)))
    store.update(assessment("m12", (0.6, 0.3, 0.1)))
    confirm(store, "m9", "Practitioner/clin", at="2026-02-02T10:00:00Z")
    correct(store, "m10", "Practitioner/clin", finding=SEBK, at="2026-02-03T10:00:00Z")
    confirm(store, "m11", "Practitioner/clin", at="2026-02-04T10:00:00Z")
    label = annotation_of(store, "m11")
    component = next(c for c in label["component"] if c["code"]["coding"][0]["code"] == "106076001")
    component["valueCodeableConcept"] = NEVUS
    store.update({**label, "status": "amended"})
    confirm(store, "m12", "Practitioner/clin", at="2026-02-05T10:00:00Z")
    store.delete("Observation", annotation_of(store, "m12")["id"])
    confirm(store, "m13", "Practitioner/clin", at="2026-02-06T10:00:00Z")
    store.delete("Observation", "m13")
    confirm(store, "o1", "Practitioner/clin", at="2026-02-07T10:00:00Z")
    confirm(store, "m14", "Practitioner/clin", at="2026-02-08T10:00:00Z")
    second = annotation_of(store, "m14")
    component = next(c for c in second["component"] if c["code"]["coding"][0]["code"] == "106076001")
    component["valueCodeableConcept"] = MELANOMA
    store.update(
        {
            **second,
            "id": "second-label-m14",
            "method": {
                **second["method"],
                "coding": [{**second["method"]["coding"][0], "code": "ai-assisted-corrected"}],
            },
        }
    )


def test_performance_on_tricky_data_matches_the_search_path(store: Store) -> None:
    seed_tricky(store)
    result = performance(store, "model1", cutoff=CUTOFF)
    assert result.to_dict() == performance(Searched(store), "model1", cutoff=CUTOFF).to_dict()  # type: ignore[arg-type]
    # by hand: m0-m6 labelled as in CASES, m7 rejected, m8 labelled after the cut-off; m9 confirmed (no model1
    # probabilities), m10 corrected NV -> BKL (its assessment deleted), m11 BKL confirmed then amended to NV (the
    # current assessment 0.2 0.2 0.6), m12's label deleted, m13 deleted, o1 another model's, m14 BKL confirmed then
    # labelled MEL by a second annotation (no assessment)
    labelled = [case for case in CASES if case[3] is not None and case[4] <= CUTOFF]
    truth = [KEY[c[3]] for c in labelled] + [KEY["MEL"], KEY["BKL"], KEY["NV"], KEY["MEL"]]
    guess = [KEY[c[0]] for c in labelled] + [KEY["MEL"], KEY["NV"], KEY["BKL"], KEY["BKL"]]
    scores = [c[1] for c in labelled] + [(0.0, 0.0, 0.0), (0.0, 0.0, 0.0), (0.2, 0.2, 0.6), (0.0, 0.0, 0.0)]
    assert (result.predictions, result.labelled) == (len(CASES) + 5, len(labelled) + 4)
    labels = sorted(set(truth) | set(guess))
    assert result.confusion == confusion_matrix(truth, guess, labels=labels).tolist()
    for figures in result.classes:
        column = [KEY[name] for name, _ in CLASSES].index(figures.label)
        positive = [t == figures.label for t in truth]
        assert figures.auroc == pytest.approx(roc_auc_score(positive, [s[column] for s in scores]))
    confidences = [max(c[1]) for c in labelled] + [0.65, 0.65, 0.65, 0.65]
    hits = [t == g for t, g in zip(truth, guess, strict=True)]
    assert result.accuracy == pytest.approx(np.mean(hits))
    assert result.calibration[-1]["count"] == sum(1 for c in confidences if c >= 0.9)
    assert result.reviews == {"confirmed": 8, "corrected": 4, "rejected": 1}
    assert result.override_rate == pytest.approx(5 / 13)
    everything = performance(store, "model1", cutoff="2026-04-01T00:00:00Z")
    assert everything.labelled == result.labelled + 1
    assert everything.to_dict() == performance(Searched(store), "model1", cutoff="2026-04-01T00:00:00Z").to_dict()  # type: ignore[arg-type]
