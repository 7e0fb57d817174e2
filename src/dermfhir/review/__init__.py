"""The review workflow: AI prediction -> clinician confirm / correct / reject -> QA, with AI transparency carried
through every step (AIAST, Provenance), the review queue, and the rules every write obeys. Pure functions over
the builders and a `Store`; the server's operations and the command line call these."""

from dermfhir.review.errors import (
    RULES,
    InvalidInput,
    NotReviewer,
    ReviewConflict,
    ReviewError,
    RuleViolation,
    StaleReview,
    UnknownResource,
)
from dermfhir.review.queue import claim, ensure_task, release, review_task, task_for
from dermfhir.review.rules import check_write
from dermfhir.review.workflow import Region, Written, amend, confirm, correct, qa_review, reject

__all__ = [
    "RULES",
    "InvalidInput",
    "NotReviewer",
    "Region",
    "ReviewConflict",
    "ReviewError",
    "RuleViolation",
    "StaleReview",
    "UnknownResource",
    "Written",
    "amend",
    "check_write",
    "claim",
    "confirm",
    "correct",
    "ensure_task",
    "qa_review",
    "reject",
    "release",
    "review_task",
    "task_for",
]
