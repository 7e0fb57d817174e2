"""Profile annotation-review-task (Task): the clinician review of one AI prediction and its outcome.

Not handled: Task restrictions, inputs, and the full task state machine (see dermfhir.review for the workflow).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dermfhir.builders._base import BuildError, Built, check_datetime, check_enum, check_id, check_reference
from dermfhir.builders._vocabulary import pattern
from dermfhir.builders.enum import ReviewOutcome, TaskStatus

PROFILE_ID = "annotation-review-task"


class AnnotationReviewTask(Built):
    """A review task (profile annotation-review-task).

    >>> task = AnnotationReviewTask("task-1", prediction="Observation/pred-1", patient="Patient/p1",
    ...                             authored="2026-01-15T09:05:02Z")
    >>> task.to_resource()["businessStatus"]["coding"][0]["code"]
    'awaiting-review'
    """

    resource_type = "Task"
    profile_id = PROFILE_ID

    def __init__(
        self,
        id: str,
        *,
        prediction: Any,
        patient: Any,
        authored: Any,
        status: TaskStatus | str = TaskStatus.REQUESTED,
        outcome: ReviewOutcome | str = ReviewOutcome.AWAITING_REVIEW,
        owner: Any = None,
        result: Any = None,
        last_modified: Any = None,
    ) -> None:
        self.id = check_id("id", id)
        self.prediction = check_reference("prediction", prediction, "Observation")
        self.patient = check_reference("patient", patient, "Patient")
        self.authored = check_datetime("authored", authored)
        self.status = check_enum("status", TaskStatus, status)
        self.outcome = check_enum("outcome", ReviewOutcome, outcome)
        self.owner = check_reference("owner", owner, "Practitioner", "PractitionerRole", optional=True)
        self.result = check_reference("result", result, "Observation", optional=True)
        self.last_modified = check_datetime("last_modified", last_modified, optional=True)
        if self.status in (TaskStatus.IN_PROGRESS, TaskStatus.COMPLETED) and self.owner is None:
            raise BuildError(f'Argument "owner" is required for a task {self.status.value}.')
        accepted = self.outcome in (ReviewOutcome.CONFIRMED, ReviewOutcome.CORRECTED)
        if self.status is TaskStatus.COMPLETED and self.outcome is ReviewOutcome.AWAITING_REVIEW:
            raise BuildError('Argument "outcome" must be confirmed, corrected or rejected for a completed task.')
        if self.status is TaskStatus.COMPLETED and accepted and self.result is None:
            raise BuildError(f'Argument "result" is required when the prediction was {self.outcome.value}.')
        if self.outcome is ReviewOutcome.REJECTED and self.result is not None:
            raise BuildError('Argument "result" must be empty when the prediction was rejected.')

    def to_resource(self) -> dict:
        resource = self._header()
        resource["status"] = self.status.value
        resource["businessStatus"] = self.outcome.concept()
        resource["intent"] = pattern(PROFILE_ID, "Task.intent")
        resource["code"] = pattern(PROFILE_ID, "Task.code")
        resource["focus"] = {"reference": self.prediction}
        resource["for"] = {"reference": self.patient}
        resource["authoredOn"] = self.authored
        if self.last_modified:
            resource["lastModified"] = self.last_modified
        if self.owner:
            resource["owner"] = {"reference": self.owner}
        if self.result:
            resource["output"] = [
                {
                    "type": pattern(PROFILE_ID, "Task.output:resultingAnnotation.type"),
                    "valueReference": {"reference": self.result},
                }
            ]
        return resource

    @classmethod
    def from_resource(cls, resource: Mapping[str, Any]) -> AnnotationReviewTask:
        cls._check_type(resource)
        outputs = [o.get("valueReference", {}).get("reference") for o in resource.get("output", [])]
        return cls(
            resource["id"],
            prediction=resource["focus"]["reference"],
            patient=resource["for"]["reference"],
            authored=resource["authoredOn"],
            status=resource["status"],
            outcome=resource["businessStatus"]["coding"][0]["code"],
            owner=resource.get("owner", {}).get("reference"),
            result=outputs[0] if outputs else None,
            last_modified=resource.get("lastModified"),
        )
