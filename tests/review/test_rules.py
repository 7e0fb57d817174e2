"""The workflow rules every write obeys, one adversarial case per rule (no store needed: rules read only the
resource and its stored version)."""

from __future__ import annotations

import copy

import pytest

from dermfhir.review import NotReviewer, ReviewConflict, RuleViolation, check_write
from tests.review.case import MELANOMA, NEVUS, expert_annotation, prediction

AIAST = {"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "code": "AIAST"}
METHODS = "https://annotatemd.com/fhir/ig/CodeSystem/annotation-method"


def rule(error: pytest.ExceptionInfo) -> str:
    return error.value.rule


def test_prediction_rules() -> None:
    stored = prediction("p")
    for status in ("final", "amended", "corrected"):
        with pytest.raises(RuleViolation) as error:
            check_write(None, {**stored, "status": status}, None, reviewer=True)  # type: ignore[arg-type]
        assert rule(error) == "ai-prediction-not-final"
    # recognised by its method even without the profile
    bare = {**stored, "meta": {}, "status": "final"}
    with pytest.raises(RuleViolation):
        check_write(None, bare, None, reviewer=True)  # type: ignore[arg-type]
    edited = prediction("p", NEVUS)
    with pytest.raises(RuleViolation) as error:
        check_write(None, edited, stored, reviewer=True)  # type: ignore[arg-type]
    assert rule(error) == "ai-prediction-unchanged"
    check_write(None, {**stored, "status": "cancelled"}, stored, reviewer=False)  # type: ignore[arg-type]
    with pytest.raises(RuleViolation):
        check_write(None, stored, {**stored, "status": "cancelled"}, reviewer=True)  # type: ignore[arg-type]
    turned = expert_annotation("p", "2026-01-01T00:00:00Z", MELANOMA, (1, 1, 5, 5))
    with pytest.raises(RuleViolation):
        check_write(None, turned, stored, reviewer=True)  # type: ignore[arg-type]


def test_annotation_status_and_amendment() -> None:
    final = expert_annotation("a", "2026-01-01T00:00:00Z", MELANOMA, (1, 1, 5, 5))
    with pytest.raises(RuleViolation) as error:
        check_write(None, {**final, "status": "preliminary"}, final, reviewer=True)  # type: ignore[arg-type]
    assert rule(error) == "annotation-status-order"
    changed = copy.deepcopy(final)
    changed["component"][0]["valueCodeableConcept"] = NEVUS
    with pytest.raises(RuleViolation) as error:
        check_write(None, changed, final, reviewer=True)  # type: ignore[arg-type]
    assert rule(error) == "annotation-amend-after-final"
    check_write(None, {**changed, "status": "amended"}, final, reviewer=False)  # type: ignore[arg-type]
    with pytest.raises(RuleViolation):
        check_write(None, {**final, "status": "final"}, {**final, "status": "amended"}, reviewer=True)  # type: ignore[arg-type]
    noted = {**final, "note": [{"text": "checked"}]}
    check_write(None, noted, final, reviewer=False)  # type: ignore[arg-type]


def test_ai_assisted_annotations() -> None:
    annotation = expert_annotation("a", "2026-01-01T00:00:00Z", MELANOMA, (1, 1, 5, 5))
    annotation["method"] = {"coding": [{"system": METHODS, "code": "ai-assisted-confirmed"}]}
    with pytest.raises(RuleViolation) as error:
        check_write(None, annotation, None, reviewer=True)  # type: ignore[arg-type]
    assert rule(error) == "ai-assisted-aiast"
    annotation["meta"] = {"security": [AIAST]}
    with pytest.raises(NotReviewer) as refused:
        check_write(None, annotation, None, reviewer=False)  # type: ignore[arg-type]
    assert rule(refused) == "reviewer-scope"
    check_write(None, annotation, None, reviewer=True)  # type: ignore[arg-type]


def test_qa_decisions_and_tasks_need_reviewers() -> None:
    final = expert_annotation("a", "2026-01-01T00:00:00Z", MELANOMA, (1, 1, 5, 5))
    approved = copy.deepcopy(final)
    approved["component"].append(
        {
            "code": {
                "coding": [
                    {"system": "https://annotatemd.com/fhir/ig/CodeSystem/annotation-type", "code": "qa-review-status"}
                ]
            },
            "valueCodeableConcept": {
                "coding": [{"system": "https://annotatemd.com/fhir/ig/CodeSystem/qa-review-status", "code": "approved"}]
            },
        }
    )
    with pytest.raises(NotReviewer):
        check_write(None, approved, final, reviewer=False)  # type: ignore[arg-type]
    check_write(None, approved, final, reviewer=True)  # type: ignore[arg-type]
    task = {
        "resourceType": "Task",
        "id": "t",
        "status": "completed",
        "code": {
            "coding": [
                {
                    "system": "https://annotatemd.com/fhir/ig/CodeSystem/annotation-review",
                    "code": "ai-prediction-review",
                }
            ]
        },
    }
    with pytest.raises(NotReviewer):
        check_write(None, task, {**task, "status": "in-progress"}, reviewer=False)  # type: ignore[arg-type]
    with pytest.raises(ReviewConflict) as error:
        check_write(None, {**task, "status": "requested"}, task, reviewer=True)  # type: ignore[arg-type]
    assert rule(error) == "review-task-transition"
