"""Cohen's and Fleiss' kappa: hand-computed cases, and the same figures as scikit-learn and statsmodels."""

from __future__ import annotations

import random

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import cohens_kappa as sm_cohen
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

from dermfhir.review import InvalidInput
from dermfhir.review.agreement import agreement_of, cohen_kappa, fleiss_kappa

# Fleiss (1971) style example: 10 images, 14 ratings each, 5 categories; kappa = 0.2099 by hand:
# P-bar = 0.3780, P-e = sum p_j^2 = 0.2127 -> (0.3780 - 0.2127) / (1 - 0.2127)
WIKI = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def labels_from_table(table: list[list[int]]) -> tuple[list[str], list[str]]:
    first, second = [], []
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            first += [f"c{i}"] * count
            second += [f"c{j}"] * count
    return first, second


def test_cohen_hand_computed() -> None:
    # po = 35/50 = 0.7; pe = 0.5 * 0.6 + 0.5 * 0.4 = 0.5; kappa = 0.2 / 0.5 = 0.4
    first, second = labels_from_table([[20, 5], [10, 15]])
    result = cohen_kappa(first, second)
    assert result.kappa == pytest.approx(0.4)
    assert (result.images, result.annotators, result.method) == (50, 2, "cohen")
    assert result.lower < 0.4 < result.upper


def test_cohen_matches_sklearn_and_statsmodels() -> None:
    generator = random.Random(7)
    for size, categories in ((40, 2), (200, 4), (1000, 7)):
        truth = [generator.randrange(categories) for _ in range(size)]
        other = [t if generator.random() < 0.7 else generator.randrange(categories) for t in truth]
        first, second = [f"k{t}" for t in truth], [f"k{o}" for o in other]
        result = cohen_kappa(first, second)
        assert result.kappa == pytest.approx(cohen_kappa_score(first, second), abs=1e-12)
        table = np.zeros((categories, categories))
        for a, b in zip(truth, other, strict=True):
            table[a, b] += 1
        reference = sm_cohen(table)
        assert result.kappa == pytest.approx(reference.kappa, abs=1e-12)
        assert result.standard_error == pytest.approx(reference.std_kappa, abs=1e-12)
        assert result.lower == pytest.approx(max(-1, reference.kappa_low), abs=1e-9)
        assert result.upper == pytest.approx(min(1, reference.kappa_upp), abs=1e-9)


def test_fleiss_hand_computed_and_statsmodels() -> None:
    result = fleiss_kappa(WIKI)
    assert result.kappa == pytest.approx(0.2099, abs=1e-4)
    assert result.kappa == pytest.approx(sm_fleiss(np.array(WIKI)), abs=1e-12)
    assert (result.images, result.annotators) == (10, 14)
    assert result.lower < result.kappa < result.upper


def test_fleiss_interval_narrows_with_more_images() -> None:
    small = fleiss_kappa(WIKI)
    large = fleiss_kappa(WIKI * 16)
    assert large.kappa == pytest.approx(small.kappa)
    assert (large.upper - large.lower) == pytest.approx((small.upper - small.lower) / 4, rel=1e-9)


def test_refusals() -> None:
    with pytest.raises(InvalidInput):
        cohen_kappa(["a"], ["a", "b"])
    with pytest.raises(InvalidInput):
        cohen_kappa([], [])
    with pytest.raises(InvalidInput):
        fleiss_kappa([[1, 2], [3, 1]])  # different number of ratings per image
    with pytest.raises(InvalidInput):
        fleiss_kappa([[1, 0]])  # one rating is no agreement


def annotation(id: str, image: str, annotator: str, code: str, when: str = "2026-01-01T00:00:00Z") -> dict:
    return {
        "resourceType": "Observation",
        "id": id,
        "status": "final",
        "method": {
            "coding": [
                {"system": "https://annotatemd.com/fhir/ig/CodeSystem/annotation-method", "code": "expert-annotation"}
            ]
        },
        "effectiveDateTime": when,
        "performer": [{"reference": annotator}],
        "derivedFrom": [{"reference": image}],
        "component": [
            {
                "code": {"coding": [{"system": "http://snomed.info/sct", "code": "106076001"}]},
                "valueCodeableConcept": {"coding": [{"system": "http://snomed.info/sct", "code": code}]},
            }
        ],
    }


def test_agreement_of_annotations() -> None:
    # two annotators over three images: agree on two; the third image's later annotation wins for annotator b
    items = [
        annotation("1", "DocumentReference/i1", "Practitioner/a", "X"),
        annotation("2", "DocumentReference/i1", "Practitioner/b", "X"),
        annotation("3", "DocumentReference/i2", "Practitioner/a", "Y"),
        annotation("4", "DocumentReference/i2", "Practitioner/b", "X", "2025-01-01T00:00:00Z"),
        annotation("5", "DocumentReference/i2", "Practitioner/b", "Y", "2026-02-01T00:00:00Z"),
        annotation("6", "DocumentReference/i3", "Practitioner/a", "X"),
        annotation("7", "DocumentReference/i3", "Practitioner/b", "Y"),
        annotation("8", "DocumentReference/i4", "Practitioner/a", "X"),  # b never rated i4: skipped
    ]
    result = agreement_of(items)
    expected = cohen_kappa(["X", "Y", "X"], ["X", "Y", "Y"])
    assert (result.method, result.kappa, result.images, result.skipped) == ("cohen", expected.kappa, 3, 1)
    assert "Observation/4" not in result.annotations and "Observation/5" in result.annotations
    third = [annotation(f"c{i}", f"DocumentReference/i{i}", "Practitioner/c", "X") for i in (1, 2, 3)]
    result = agreement_of(items + third)
    assert result.method == "fleiss" and result.annotators == 3 and result.images == 3
    assert result.kappa == pytest.approx(sm_fleiss(np.array([[3, 0], [1, 2], [2, 1]])), abs=1e-12)
    with pytest.raises(InvalidInput):
        agreement_of(items[:1])
