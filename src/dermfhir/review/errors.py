"""The review workflow's refusals: each names the rule it enforces, and carries the HTTP status the server answers.

ReviewError                 status  issue code
 ├── RuleViolation          409     business-rule   a workflow rule forbids the change (status order, QA rules…)
 ├── ReviewConflict         409     conflict        the prediction was already reviewed, or the task is taken
 ├── StaleReview            412     conflict        a concurrent review changed the task first (If-Match)
 ├── NotReviewer            403     forbidden       the caller may not review, or is not the named reviewer
 ├── InvalidInput           400     invalid         an operation input is missing or malformed
 └── UnknownResource        404     not-found       the prediction, annotation, task or reviewer is not stored
"""

from __future__ import annotations

#: Rule ids: every refusal names one of these.
RULES = {
    "ai-prediction-not-final": "An AI prediction is never final, amended or corrected.",
    "ai-prediction-unchanged": (
        "An AI prediction's content never changes; only its status moves to cancelled or entered-in-error."
    ),
    "annotation-status-order": "An annotation's status moves only preliminary -> final -> amended.",
    "annotation-amend-after-final": "A change of a final annotation's content makes it amended, as a new version.",
    "ai-assisted-aiast": "An annotation informed by AI carries the AIAST security label.",
    "reviewer-scope": "Only reviewer scopes may confirm, correct, reject or QA-review.",
    "reviewer-is-caller": "With token authentication the reviewer is the token's user.",
    "qa-not-annotator": "The QA reviewer is not the annotator.",
    "qa-credential-ordinal": "The QA reviewer's credential-ordinal is at least the annotator's.",
    "one-review-per-prediction": "An AI prediction is reviewed once: a second review is refused.",
    "review-task-transition": (
        "A review task moves requested -> in-progress -> completed; a finished task never changes."
    ),
    "review-task-owner": "A claimed review task is completed or released by its owner only.",
    "qa-result": "A QA review result is approve, reject or request-changes.",
    "review-target": (
        "$confirm, $correct and $reject act on an AI prediction; $qa-review on a final or amended annotation."
    ),
    "review-input": (
        "The inputs of a review step are complete and well-formed (a correction differs from the prediction)."
    ),
}


class ReviewError(Exception):
    """A refused review step: `rule` is a key of RULES, `status` the HTTP status, `code` the issue type."""

    status = 409
    code = "business-rule"

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(f"[{rule}] {message}")
        self.rule = rule
        self.message = message


class RuleViolation(ReviewError):
    status, code = 409, "business-rule"


class ReviewConflict(ReviewError):
    status, code = 409, "conflict"


class StaleReview(ReviewError):
    status, code = 412, "conflict"


class NotReviewer(ReviewError):
    status, code = 403, "forbidden"


class InvalidInput(ReviewError):
    status, code = 400, "invalid"


class UnknownResource(ReviewError):
    status, code = 404, "not-found"
