"""Coded values of the guide's own small vocabularies, as Enums whose values are the wire codes.

The values are checked against the guide's CodeSystems and ValueSets by tests/build/test_enum.py; the systems and
displays are read from the package (`coding()`), never typed here.
"""

from __future__ import annotations

from enum import StrEnum

from dermfhir.builders._vocabulary import code_system, coding


class _Coded(StrEnum):
    """An Enum of codes of one CodeSystem; `coding()` gives the Coding with the package's display."""

    @classmethod
    def system(cls) -> str:
        raise NotImplementedError

    def coding(self) -> dict[str, str]:
        return coding(self.system(), self.value)

    def concept(self) -> dict:
        return {"coding": [self.coding()]}


class AnnotationStatus(StrEnum):
    """ValueSet dermatology-annotation-status (observation-status subset)."""

    PRELIMINARY = "preliminary"
    FINAL = "final"
    AMENDED = "amended"


class PredictionStatus(StrEnum):
    """ValueSet ai-prediction-status: an AI prediction is never final."""

    PRELIMINARY = "preliminary"
    CANCELLED = "cancelled"
    ENTERED_IN_ERROR = "entered-in-error"


class AnnotationMethod(_Coded):
    """CodeSystem annotation-method: how an annotation was made."""

    EXPERT_ANNOTATION = "expert-annotation"
    CLINICIAN_POINT_OF_CARE = "clinician-point-of-care"
    AI_ASSISTED_CONFIRMED = "ai-assisted-confirmed"
    AI_ASSISTED_CORRECTED = "ai-assisted-corrected"
    AI_INFERENCE = "ai-inference"

    @classmethod
    def system(cls) -> str:
        return code_system("annotation-method")


class AnnotationKind(_Coded):
    """ValueSet annotation-kinds (annotation-type kinds of annotation)."""

    LESION_CLASSIFICATION = "lesion-classification"
    SEGMENTATION = "segmentation"
    FULL_ANNOTATION = "full-annotation"
    QUICK_CLASSIFY = "quick-classify"

    @classmethod
    def system(cls) -> str:
        return code_system("annotation-type")


class QAReviewStatus(_Coded):
    """CodeSystem qa-review-status."""

    PENDING = "pending"
    IN_REVIEW = "in-review"
    APPROVED = "approved"
    REJECTED = "rejected"
    NEEDS_REVISION = "needs-revision"

    @classmethod
    def system(cls) -> str:
        return code_system("qa-review-status")


class ChangeType(_Coded):
    """CodeSystem change-type: kinds of change of a lesion over time."""

    NEW_LESION = "new-lesion"
    SIZE_INCREASE = "size-increase"
    SIZE_DECREASE = "size-decrease"
    COLOR_CHANGE = "color-change"
    SHAPE_CHANGE = "shape-change"
    BORDER_CHANGE = "border-change"
    STRUCTURE_CHANGE = "structure-change"
    DIAGNOSIS_CHANGE = "diagnosis-change"
    RESOLVED = "resolved"
    NO_CHANGE = "no-change"

    @classmethod
    def system(cls) -> str:
        return code_system("change-type")


class ReviewOutcome(_Coded):
    """ValueSet review-outcome (CodeSystem annotation-review): the business status of a review task."""

    AWAITING_REVIEW = "awaiting-review"
    CONFIRMED = "confirmed"
    CORRECTED = "corrected"
    REJECTED = "rejected"

    @classmethod
    def system(cls) -> str:
        return code_system("annotation-review")


class DiagnosisConfirmation(_Coded):
    """CodeSystem diagnosis-confirmation: how the diagnosis of an image was established (HAM10000 dx_type)."""

    HISTO = "histo"
    FOLLOW_UP = "follow_up"
    CONSENSUS = "consensus"
    CONFOCAL = "confocal"
    SINGLE_CONTRIBUTOR = "single_contributor"

    @classmethod
    def system(cls) -> str:
        return code_system("diagnosis-confirmation")


class ImagingModality(_Coded):
    """ValueSet dermatology-imaging-modality: DICOM DMS (dermoscopy) or XC (external-camera photography)."""

    DERMOSCOPY = "DMS"
    PHOTOGRAPHY = "XC"

    @classmethod
    def system(cls) -> str:
        return "http://dicom.nema.org/resources/ontology/DCM"


class Gender(StrEnum):
    """FHIR administrative-gender."""

    MALE = "male"
    FEMALE = "female"
    OTHER = "other"
    UNKNOWN = "unknown"


class TaskStatus(StrEnum):
    """FHIR task-status codes used by review tasks."""

    REQUESTED = "requested"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
