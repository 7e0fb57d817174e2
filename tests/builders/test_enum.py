"""The Enums hold exactly the codes of the guide's vocabularies."""

from __future__ import annotations

import pytest

from dermfhir.builders import (
    AnnotationKind,
    AnnotationMethod,
    AnnotationStatus,
    ChangeType,
    DiagnosisConfirmation,
    ImagingModality,
    PredictionStatus,
    QAReviewStatus,
    ReviewOutcome,
)
from dermfhir.builders._vocabulary import canonical, terminology


@pytest.mark.parametrize(
    ("enum", "value_set"),
    [
        (AnnotationMethod, "annotation-methods"),
        (AnnotationKind, "annotation-kinds"),
        (AnnotationStatus, "dermatology-annotation-status"),
        (PredictionStatus, "ai-prediction-status"),
        (QAReviewStatus, "qa-review-status"),
        (ChangeType, "change-type"),
        (ReviewOutcome, "review-outcome"),
        (DiagnosisConfirmation, "diagnosis-confirmation"),
        (ImagingModality, "dermatology-imaging-modality"),
    ],
)
def test_enum_matches_value_set(enum, value_set) -> None:
    codes = {item.code for item in terminology().expand(canonical("ValueSet", value_set))}
    assert {member.value for member in enum} == codes


def test_codings_carry_the_package_display() -> None:
    assert AnnotationMethod.AI_INFERENCE.coding()["display"] == "AI Model Inference"
