"""Profile class-probability-assessment (RiskAssessment): the whole class distribution of an AI classifier for
one image, each class as a skin-finding outcome with its probability and the classifier's own label.

Not handled: probabilities as ranges or qualitative risks; renormalising distributions (sums are checked, not fixed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dermfhir.builders._base import (
    BuildError,
    Built,
    check_concept,
    check_datetime,
    check_enum,
    check_id,
    check_number,
    check_reference,
    check_references,
    get_reference,
)
from dermfhir.builders._vocabulary import pattern
from dermfhir.builders.enum import AnnotationKind, PredictionStatus

PROFILE_ID = "class-probability-assessment"
#: The tolerance of the profile's sum invariants (classprob-sum-max / classprob-sum-complete).
SUM_TOLERANCE = 0.01


@dataclass(frozen=True)
class ClassProbability:
    """One class of a distribution: outcome concept, probability 0-1, the classifier's label."""

    outcome: dict
    probability: float
    label: str | None = None


class ClassProbabilityAssessment(Built):
    """A class-probability assessment (profile class-probability-assessment).

    >>> assessment = ClassProbabilityAssessment("prob-1", subject="Patient/p1", device="Device/m1",
    ...     basis=["Observation/pred-1", "DocumentReference/img-1"],
    ...     classes=[ClassProbability({"text": "Dermatofibroma"}, 0.7, "DF"),
    ...              ClassProbability({"text": "Melanoma"}, 0.3, "MEL")])
    >>> [p["probabilityDecimal"] for p in assessment.to_resource()["prediction"]]
    [0.7, 0.3]
    """

    resource_type = "RiskAssessment"
    profile_id = PROFILE_ID

    def __init__(
        self,
        id: str,
        *,
        subject: Any,
        device: Any,
        basis: Sequence[Any],
        classes: Sequence[ClassProbability],
        status: PredictionStatus | str = PredictionStatus.PRELIMINARY,
        kind: AnnotationKind | str = AnnotationKind.LESION_CLASSIFICATION,
        occurrence: Any = None,
        label_prefix: str = "",
    ) -> None:
        self.id = check_id("id", id)
        self.subject = check_reference("subject", subject, "Patient")
        self.device = check_reference("device", device, "Device")
        self.basis = check_references(
            "basis", basis, "Observation", "DocumentReference", "Media", "ImagingStudy", minimum=2
        )
        if not classes:
            raise BuildError('Argument "classes" needs at least one class.')
        checked = []
        seen: set[str] = set()
        for index, item in enumerate(classes):
            outcome = check_concept(f"classes[{index}].outcome", item.outcome)
            probability = check_number(f"classes[{index}].probability", item.probability, 0, 1)
            for coding in outcome.get("coding", []):
                if coding["code"] in seen:
                    raise BuildError(f'Argument "classes[{index}]" repeats the outcome code {coding["code"]!r}.')
                seen.add(coding["code"])
            checked.append(ClassProbability(outcome, probability, item.label))
        total = sum(item.probability for item in checked)
        if total > 1 + SUM_TOLERANCE:
            raise BuildError(f'Argument "classes" has probabilities summing to {total:.4f}, more than 1.')
        self.classes = checked
        self.status = check_enum("status", PredictionStatus, status)
        self.kind = check_enum("kind", AnnotationKind, kind)
        self.occurrence = check_datetime("occurrence", occurrence, optional=True)
        self.label_prefix = label_prefix

    @property
    def total(self) -> float:
        return sum(item.probability for item in self.classes)

    @property
    def top(self) -> ClassProbability:
        """The class with the highest probability (the first one on ties)."""
        return max(self.classes, key=lambda item: item.probability)

    def to_resource(self) -> dict:
        resource = self._header()
        resource["meta"]["security"] = [pattern(PROFILE_ID, "RiskAssessment.meta.security:aiast")]
        resource["status"] = self.status.value
        resource["method"] = pattern(PROFILE_ID, "RiskAssessment.method")
        resource["code"] = self.kind.concept()
        resource["subject"] = {"reference": self.subject}
        if self.occurrence:
            resource["occurrenceDateTime"] = self.occurrence
        resource["performer"] = {"reference": self.device}
        resource["basis"] = [{"reference": r} for r in self.basis]
        predictions = []
        for item in self.classes:
            entry: dict[str, Any] = {"outcome": item.outcome, "probabilityDecimal": item.probability}
            if item.label:
                entry["rationale"] = f"{self.label_prefix}{item.label}"
            predictions.append(entry)
        resource["prediction"] = predictions
        return resource

    @classmethod
    def from_resource(cls, resource: Mapping[str, Any], label_prefix: str = "") -> ClassProbabilityAssessment:
        cls._check_type(resource)
        classes = []
        for entry in resource.get("prediction", []):
            label = entry.get("rationale")
            if label and label_prefix and label.startswith(label_prefix):
                label = label[len(label_prefix) :]
            classes.append(ClassProbability(entry["outcome"], entry["probabilityDecimal"], label))
        return cls(
            resource["id"],
            subject=resource["subject"]["reference"],
            device=resource["performer"]["reference"],
            basis=[get_reference(r) for r in resource.get("basis", [])],
            classes=classes,
            status=resource["status"],
            kind=resource["code"]["coding"][0]["code"],
            occurrence=resource.get("occurrenceDateTime"),
            label_prefix=label_prefix,
        )
