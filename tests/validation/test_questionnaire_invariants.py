"""Questionnaire invariants of R4 whose published expression is corrected (`model.INVARIANT_ERRATA`): que-12, "If
there are more than one enableWhen, enableBehavior must be specified" (Questionnaire.item.enableBehavior: "This
element must be specified if more than one enableWhen value is provided")."""

from __future__ import annotations

import pytest

from dermfhir.validation import Validator


def _questionnaire(**conditional: object) -> dict:
    return {
        "resourceType": "Questionnaire",
        "status": "draft",
        "item": [
            {"linkId": "a", "type": "boolean"},
            {"linkId": "b", "type": "boolean"},
            {"linkId": "c", "type": "string", **conditional},
        ],
    }


def _condition(question: str) -> dict:
    return {"question": question, "operator": "=", "answerBoolean": True}


def _que_12(validator: Validator, questionnaire: dict) -> list[str]:
    return [issue.location for issue in validator.issues(questionnaire) if issue.is_error and "que-12" in issue.message]


@pytest.mark.parametrize("count", [2, 3])
def test_several_conditions_need_a_behaviour(validator: Validator, count: int) -> None:
    conditions = [_condition("a"), _condition("b"), _condition("a")][:count]
    assert _que_12(validator, _questionnaire(enableWhen=conditions)) == ["Questionnaire.item[2]"]


@pytest.mark.parametrize("behaviour", ["all", "any"])
def test_several_conditions_with_a_behaviour(validator: Validator, behaviour: str) -> None:
    questionnaire = _questionnaire(enableWhen=[_condition("a"), _condition("b")], enableBehavior=behaviour)
    assert _que_12(validator, questionnaire) == []


def test_one_condition_needs_no_behaviour(validator: Validator) -> None:
    assert _que_12(validator, _questionnaire(enableWhen=[_condition("a")])) == []
