"""The review queue: one review Task per AI prediction (requested, focus = the prediction, for = the patient);
claiming sets the owner and `in-progress`; the owner, or any reviewer once the claim is older than `stale_after`,
releases it back to `requested`. The queue itself is the search `Task?status=requested&_sort=authored-on`."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from dermfhir.builders import AnnotationReviewTask
from dermfhir.review import resources as r
from dermfhir.review.errors import InvalidInput, ReviewConflict, StaleReview, UnknownResource
from dermfhir.store import Store, VersionConflict

REVIEW_CODE = f"{r.REVIEW_SYSTEM}|ai-prediction-review"
STALE_AFTER = timedelta(minutes=30)


def review_task(prediction: dict, *, authored: str | None = None, task_id: str | None = None) -> dict:
    """A new review Task (requested, awaiting-review) for a stored AI prediction."""
    patient = r.reference(prediction.get("subject"))
    if not patient or not patient.startswith("Patient/"):
        raise InvalidInput("review-input", "The AI prediction has no Patient subject")
    task = AnnotationReviewTask(
        task_id or str(uuid.uuid4()),
        prediction=f"Observation/{prediction['id']}",
        patient=patient,
        authored=authored or r.now(),
    )
    return task.to_resource()


def task_for(store: Store, prediction_id: str) -> dict | None:
    """The review Task of a prediction (the most recently authored when there are several), or None."""
    # the focus alone narrows to a handful; code and order are checked here (a token + sort query costs more)
    found = [
        t for t in store.search("Task", [("focus", f"Observation/{prediction_id}")]).resources if r.is_review_task(t)
    ]
    return max(found, key=lambda t: str(t.get("authoredOn") or "")) if found else None


def ensure_task(store: Store, prediction: dict) -> tuple[dict, bool]:
    """The prediction's review Task, created when it has none; returns (task, created)."""
    with store.transaction():
        existing = task_for(store, prediction["id"])
        if existing is not None:
            return existing, False
        return store.create(review_task(prediction)), True


def read_task(store: Store, task_id: str) -> dict:
    task = r.read_reference(store, f"Task/{task_id}")
    if task is None or not r.is_review_task(task):
        raise UnknownResource("review-target", f"Task/{task_id} is not a stored review task")
    return task


def claim(store: Store, task_id: str, owner: str, *, at: str | None = None) -> dict:
    """Take a requested review Task: owner and `in-progress` (a concurrent claim gets StaleReview)."""
    _check_reviewer_reference(owner)
    with store.transaction():
        task = read_task(store, task_id)
        status = task.get("status")
        current_owner = r.reference(task.get("owner"))
        if status == "in-progress" and current_owner and r.same_party(store, current_owner, owner):
            return task
        if status != "requested":
            raise ReviewConflict("review-task-transition", f"Task/{task_id} is {status}, not requested")
        changed = {**task, "status": "in-progress", "owner": {"reference": owner}, "lastModified": at or r.now()}
        return _update(store, changed, task)


def release(
    store: Store, task_id: str, by: str, *, at: str | None = None, stale_after: timedelta = STALE_AFTER
) -> dict:
    """Give a claimed Task back to the queue: by its owner, or by another reviewer once the claim is stale."""
    _check_reviewer_reference(by)
    with store.transaction():
        task = read_task(store, task_id)
        if task.get("status") != "in-progress":
            raise ReviewConflict("review-task-transition", f"Task/{task_id} is {task.get('status')}, not in-progress")
        owner = r.reference(task.get("owner"))
        moment = at or r.now()
        if owner and not r.same_party(store, owner, by) and not _stale(task, moment, stale_after):
            raise ReviewConflict(
                "review-task-owner", f"Task/{task_id} is claimed by {owner}; only the owner may release it yet"
            )
        changed = {k: v for k, v in task.items() if k != "owner"}
        changed.update(status="requested", lastModified=moment)
        return _update(store, changed, task)


def _stale(task: dict, moment: str, stale_after: timedelta) -> bool:
    try:
        claimed = datetime.fromisoformat(str(task.get("lastModified")).replace("Z", "+00:00"))
        current = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    except ValueError:
        return True
    return current - claimed >= stale_after


def _update(store: Store, changed: dict, current: dict) -> dict:
    try:
        return store.update(changed, if_match=current["meta"]["versionId"]).resource
    except VersionConflict:
        raise StaleReview("one-review-per-prediction", "Another reviewer changed the task first") from None


def _check_reviewer_reference(value: str) -> None:
    if not isinstance(value, str) or value.split("/")[0] not in r.REVIEWER_TYPES or value.count("/") != 1:
        raise InvalidInput("review-input", f"The reviewer must be a Practitioner or PractitionerRole, got {value!r}")
