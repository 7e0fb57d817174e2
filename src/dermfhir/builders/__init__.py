"""Builders for every profile of the guide: each returns a resource that validates, or raises BuildError naming
the argument. Codes come from the guide's package; `from_resource()` reads a resource back.

>>> from dermfhir.builders import SkinLesion
>>> SkinLesion("l1", identifier=("urn:example:lesion", "L1"), patient="Patient/p1",
...            location={"text": "back"}).reference
'BodyStructure/l1'

Not handled: R4 Media sources (referenced, not built), contained resources.
"""

from dermfhir.builders._base import BuildError, stable_id
from dermfhir.builders.annotation import DermatologyImageAnnotation
from dermfhir.builders.bundle import resources_of, transaction
from dermfhir.builders.device import AIModelDevice, ModelCard
from dermfhir.builders.enum import (
    AnnotationKind,
    AnnotationMethod,
    AnnotationStatus,
    ChangeType,
    DiagnosisConfirmation,
    Gender,
    ImagingModality,
    PredictionStatus,
    QAReviewStatus,
    ReviewOutcome,
    TaskStatus,
)
from dermfhir.builders.image import DerivedImage, DermatologyImage
from dermfhir.builders.imaging_study import ImagingStudy
from dermfhir.builders.lesion import SkinLesion
from dermfhir.builders.organization import Organization
from dermfhir.builders.patient import Patient
from dermfhir.builders.prediction import AIPrediction
from dermfhir.builders.probabilities import ClassProbability, ClassProbabilityAssessment
from dermfhir.builders.provenance import AIProvenance, ReviewProvenance
from dermfhir.builders.series import AnnotationSeries
from dermfhir.builders.task import AnnotationReviewTask

__all__ = [
    "AIModelDevice",
    "AIPrediction",
    "AIProvenance",
    "AnnotationKind",
    "AnnotationMethod",
    "AnnotationReviewTask",
    "AnnotationSeries",
    "AnnotationStatus",
    "BuildError",
    "ChangeType",
    "ClassProbability",
    "ClassProbabilityAssessment",
    "DerivedImage",
    "DermatologyImage",
    "DermatologyImageAnnotation",
    "DiagnosisConfirmation",
    "Gender",
    "ImagingModality",
    "ImagingStudy",
    "ModelCard",
    "Organization",
    "Patient",
    "PredictionStatus",
    "QAReviewStatus",
    "ReviewOutcome",
    "ReviewProvenance",
    "SkinLesion",
    "TaskStatus",
    "resources_of",
    "stable_id",
    "transaction",
]
