"""Builders for every profile of the guide: each returns a resource that validates, or raises BuildError naming
the argument. Codes come from the guide's package; `from_resource()` reads a resource back.

>>> from dermfhir.build import SkinLesion
>>> SkinLesion("l1", identifier=("urn:example:lesion", "L1"), patient="Patient/p1",
...            location={"text": "back"}).reference
'BodyStructure/l1'

Not handled: R4 Media and ImagingStudy sources (referenced, not built), contained resources.
"""

from dermfhir.build._base import BuildError, stable_id
from dermfhir.build.annotation import DermatologyImageAnnotation
from dermfhir.build.bundle import resources_of, transaction
from dermfhir.build.device import AIModelDevice, ModelCard
from dermfhir.build.enum import (
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
from dermfhir.build.image import DerivedImage, DermatologyImage
from dermfhir.build.lesion import SkinLesion
from dermfhir.build.organization import Organization
from dermfhir.build.patient import Patient
from dermfhir.build.prediction import AIPrediction
from dermfhir.build.probabilities import ClassProbability, ClassProbabilityAssessment
from dermfhir.build.provenance import AIProvenance, ReviewProvenance
from dermfhir.build.series import AnnotationSeries
from dermfhir.build.task import AnnotationReviewTask

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
