"""Rules every write obeys, whether it comes through the review operations or a plain create / update:

- `ai-prediction-not-final`: an AI prediction is never final, amended or corrected;
- `ai-prediction-unchanged`: a stored prediction's content never changes (a review creates a separate annotation);
  its status moves only preliminary -> cancelled | entered-in-error, cancelled -> entered-in-error;
- `annotation-status-order`: an annotation's status moves only preliminary -> final -> amended (never back);
- `annotation-amend-after-final`: a change of a final or amended annotation's content (anything but meta, text,
  notes, the QA-status and agreement components) is stored as `amended`;
- `ai-assisted-aiast`: an annotation whose method is AI-informed carries AIAST;
- `reviewer-scope`: creating an AI-assisted annotation, recording a QA decision, or completing a review Task needs
  reviewer rights (`reviewer=True`);
- `review-task-transition`: a completed, cancelled or failed review Task never changes.

`check_write(store, new, current, reviewer=…)` raises the ReviewError of the first rule broken. What it does not
check: profile conformance (the validator does), who the QA reviewer is (only `$qa-review` knows that).
"""

from __future__ import annotations

from dermfhir.review import resources as r
from dermfhir.review.errors import NotReviewer, ReviewConflict, RuleViolation
from dermfhir.store import Store

ANNOTATION_ORDER = {"preliminary": 0, "final": 1, "amended": 2}
PREDICTION_MOVES = {
    "preliminary": {"preliminary", "cancelled", "entered-in-error"},
    "cancelled": {"cancelled", "entered-in-error"},
    "entered-in-error": {"entered-in-error"},
}
QA_DECISIONS = frozenset({"approved", "rejected", "needs-revision"})
TASK_FINISHED = frozenset({"completed", "cancelled", "failed", "rejected", "entered-in-error"})
_REVIEW_COMPONENTS = frozenset({"qa-review-status", "inter-annotator-agreement"})


def check_write(store: Store, new: dict, current: dict | None, *, reviewer: bool) -> None:
    """Raise the ReviewError of the first workflow rule that writing `new` over `current` (None: a create) breaks."""
    if r.is_prediction(new):
        _check_prediction(new, current)
    elif r.is_annotation(new):
        _check_annotation(new, current, reviewer)
    elif r.is_review_task(new):
        _check_task(new, current, reviewer)


def _check_prediction(new: dict, current: dict | None) -> None:
    status = new.get("status")
    if status in ("final", "amended", "corrected"):
        raise RuleViolation("ai-prediction-not-final", f"An AI prediction cannot be {status}; review it instead")
    if current is None:
        return
    if r.is_annotation(current):
        raise RuleViolation("ai-prediction-unchanged", "An annotation cannot be turned into an AI prediction")
    if not r.is_prediction(current):
        return
    before = str(current.get("status"))
    if status not in PREDICTION_MOVES.get(before, {before}):
        raise RuleViolation(
            "ai-prediction-unchanged", f"An AI prediction's status cannot move from {before} to {status}"
        )
    if _content(new, ()) != _content(current, ()):
        raise RuleViolation(
            "ai-prediction-unchanged", "An AI prediction's content never changes; confirm or correct it instead"
        )


def _check_annotation(new: dict, current: dict | None, reviewer: bool) -> None:
    method = r.method_of(new)
    if method in r.AI_METHODS and not r.has_aiast(new):
        raise RuleViolation("ai-assisted-aiast", f"An annotation with method {method} must carry the AIAST label")
    status = str(new.get("status"))
    if current is not None and r.is_prediction(current):
        raise RuleViolation("ai-prediction-unchanged", "An AI prediction is not turned into an annotation: confirm it")
    if current is not None and r.is_annotation(current):
        before = str(current.get("status"))
        if ANNOTATION_ORDER.get(status, -1) < ANNOTATION_ORDER.get(before, -1):
            raise RuleViolation(
                "annotation-status-order", f"An annotation's status cannot move from {before} to {status}"
            )
        if (
            before in ("final", "amended")
            and status != "amended"
            and _content(new, _REVIEW_COMPONENTS) != _content(current, _REVIEW_COMPONENTS)
        ):
            raise RuleViolation(
                "annotation-amend-after-final", "A change of a final annotation is stored with status amended"
            )
    if reviewer:
        return
    changed_method = current is None or r.method_of(current) != method
    if method in r.AI_ASSISTED and changed_method:
        raise NotReviewer("reviewer-scope", f"Only a reviewer may record an {method} annotation")
    qa = r.qa_status(new)
    if qa in QA_DECISIONS and (current is None or r.qa_status(current) != qa):
        raise NotReviewer("reviewer-scope", f"Only a reviewer may record the QA decision {qa}")


def _check_task(new: dict, current: dict | None, reviewer: bool) -> None:
    finished = current is not None and r.is_review_task(current) and current.get("status") in TASK_FINISHED
    if (
        finished
        and current is not None
        and (_content(new, ()) != _content(current, ()) or new.get("status") != current.get("status"))
    ):
        raise ReviewConflict("review-task-transition", f"The review task is {current.get('status')}; it cannot change")
    completing = new.get("status") == "completed" and (current is None or current.get("status") != "completed")
    if completing and not reviewer:
        raise NotReviewer("reviewer-scope", "Only a reviewer may complete a review task")


def _content(resource: dict, ignored_components: frozenset[str] | tuple[()]) -> dict:
    """The clinical content: without id, meta, text and status (and the ignored components)."""
    kept = {k: v for k, v in resource.items() if k not in ("id", "meta", "text", "status")}
    if ignored_components:  # an annotation: review notes and review components are not its content
        kept.pop("note", None)
        kept["component"] = [
            c
            for c in resource.get("component") or []
            if not set(r.codes(c.get("code"), r.TYPE_SYSTEM)) & set(ignored_components)
        ]
    return kept
