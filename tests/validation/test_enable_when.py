"""QuestionnaireResponse against its Questionnaire's enableWhen (R4 Questionnaire.item.enableWhen, every operator and
enableBehavior): a disabled item must not be answered, a required item is required only while enabled."""

from __future__ import annotations

from typing import Any

import pytest

from dermfhir.validation import Validator

UCUM = "http://unitsofmeasure.org"


def _questionnaire(source_type: str, conditions: list[dict], behavior: str | None = None, **extra: Any) -> dict:
    dependent: dict[str, Any] = {"linkId": "dependent", "text": "Why?", "type": "string", "enableWhen": conditions}
    if behavior:
        dependent["enableBehavior"] = behavior
    dependent.update(extra)
    return {
        "resourceType": "Questionnaire",
        "id": "q",
        "status": "active",
        "item": [
            {"linkId": "source", "text": "Source", "type": source_type, "repeats": True},
            {"linkId": "other", "text": "Other", "type": "boolean"},
            dependent,
        ],
    }


def _response(questionnaire: dict, source: list[dict], dependent: bool = True, status: str = "completed") -> dict:
    items: list[dict] = []
    if source:
        items.append({"linkId": "source", "answer": source})
    if dependent:
        items.append({"linkId": "dependent", "answer": [{"valueString": "because"}]})
    return {
        "resourceType": "QuestionnaireResponse",
        "status": status,
        "questionnaire": "#q",
        "contained": [questionnaire],
        "item": items,
    }


def _not_enabled(validator: Validator, response: dict) -> list[str]:
    return [i.location for i in validator.issues(response) if i.message_id == "Questionnaire_QR_Item_NotEnabled"]


def _missing(validator: Validator, response: dict) -> list[str]:
    return [i.location for i in validator.issues(response) if i.message_id == "Questionnaire_QR_Item_Missing"]


CASES = [
    # (source type, operator, enableWhen answer, the source's answers, enabled?)
    ("boolean", "=", {"answerBoolean": True}, [{"valueBoolean": True}], True),
    ("boolean", "=", {"answerBoolean": True}, [{"valueBoolean": False}], False),
    ("boolean", "!=", {"answerBoolean": True}, [{"valueBoolean": False}], True),
    ("boolean", "!=", {"answerBoolean": True}, [], True),  # no answer equals it
    ("integer", "exists", {"answerBoolean": True}, [{"valueInteger": 3}], True),
    ("integer", "exists", {"answerBoolean": True}, [], False),
    ("integer", "exists", {"answerBoolean": False}, [], True),
    ("integer", ">", {"answerInteger": 5}, [{"valueInteger": 6}], True),
    ("integer", ">", {"answerInteger": 5}, [{"valueInteger": 5}], False),
    ("integer", ">=", {"answerInteger": 5}, [{"valueInteger": 5}], True),
    ("integer", "<", {"answerInteger": 5}, [{"valueInteger": 9}, {"valueInteger": 1}], True),  # one answer is enough
    ("decimal", "<=", {"answerDecimal": 2.5}, [{"valueDecimal": 2.6}], False),
    ("string", "=", {"answerString": "yes"}, [{"valueString": "yes"}], True),
    ("date", ">", {"answerDate": "2020-01-01"}, [{"valueDate": "2021-06-01"}], True),
    ("date", "<", {"answerDate": "2020-01-01"}, [{"valueDate": "2021-06-01"}], False),
    (
        "choice",
        "=",
        {"answerCoding": {"system": "http://s", "code": "a"}},
        [{"valueCoding": {"system": "http://s", "code": "a"}}],
        True,
    ),
    (
        "choice",
        "=",
        {"answerCoding": {"system": "http://s", "code": "a"}},
        [{"valueCoding": {"system": "http://s", "code": "b"}}],
        False,
    ),
    (
        "choice",
        "!=",
        {"answerCoding": {"system": "http://s", "code": "a"}},
        [{"valueCoding": {"system": "http://s", "code": "b"}}],
        True,
    ),
    (
        "quantity",
        ">",
        {"answerQuantity": {"value": 1, "system": UCUM, "code": "kg"}},
        [{"valueQuantity": {"value": 1500, "system": UCUM, "code": "g"}}],
        True,
    ),
    (
        "quantity",
        ">",
        {"answerQuantity": {"value": 1, "system": UCUM, "code": "kg"}},
        [{"valueQuantity": {"value": 900, "system": UCUM, "code": "g"}}],
        False,
    ),
]


@pytest.mark.parametrize(("source_type", "operator", "answer", "given", "enabled"), CASES)
def test_operators(
    validator: Validator, source_type: str, operator: str, answer: dict, given: list[dict], enabled: bool
) -> None:
    questionnaire = _questionnaire(source_type, [{"question": "source", "operator": operator, **answer}])
    expected = [] if enabled else ["QuestionnaireResponse.item[1]" if given else "QuestionnaireResponse.item[0]"]
    assert _not_enabled(validator, _response(questionnaire, given)) == expected


def test_enable_behavior(validator: Validator) -> None:
    conditions = [
        {"question": "source", "operator": "=", "answerBoolean": True},
        {"question": "other", "operator": "exists", "answerBoolean": True},
    ]
    given = [{"valueBoolean": True}]  # the first condition holds, the second not (other is not answered)
    assert _not_enabled(validator, _response(_questionnaire("boolean", conditions, "any"), given)) == []
    assert _not_enabled(validator, _response(_questionnaire("boolean", conditions, "all"), given)) == [
        "QuestionnaireResponse.item[1]"
    ]


def test_required_only_while_enabled(validator: Validator) -> None:
    condition = [{"question": "source", "operator": "=", "answerBoolean": True}]
    questionnaire = _questionnaire("boolean", condition, required=True)
    assert _missing(validator, _response(questionnaire, [{"valueBoolean": False}], dependent=False)) == []
    assert _missing(validator, _response(questionnaire, [{"valueBoolean": True}], dependent=False)) == [
        "QuestionnaireResponse"
    ]


def test_answer_to_a_disabled_question_counts_as_none(validator: Validator) -> None:
    questionnaire = {
        "resourceType": "Questionnaire",
        "id": "q",
        "status": "active",
        "item": [
            {"linkId": "a", "text": "A", "type": "boolean"},
            {
                "linkId": "b",
                "text": "B",
                "type": "boolean",
                "enableWhen": [{"question": "a", "operator": "=", "answerBoolean": True}],
            },
            {
                "linkId": "c",
                "text": "C",
                "type": "string",
                "enableWhen": [{"question": "b", "operator": "exists", "answerBoolean": True}],
            },
        ],
    }
    response = {
        "resourceType": "QuestionnaireResponse",
        "status": "in-progress",
        "questionnaire": "#q",
        "contained": [questionnaire],
        "item": [
            {"linkId": "a", "answer": [{"valueBoolean": False}]},
            {"linkId": "b", "answer": [{"valueBoolean": True}]},  # answered although disabled
            {"linkId": "c", "answer": [{"valueString": "x"}]},  # b's answer does not count: c is disabled too
        ],
    }
    assert _not_enabled(validator, response) == ["QuestionnaireResponse.item[1]", "QuestionnaireResponse.item[2]"]


def test_nearest_answer_in_repeating_groups(validator: Validator) -> None:
    questionnaire = {
        "resourceType": "Questionnaire",
        "id": "q",
        "status": "active",
        "item": [
            {
                "linkId": "lesion",
                "text": "Lesion",
                "type": "group",
                "repeats": True,
                "item": [
                    {"linkId": "biopsied", "text": "Biopsied?", "type": "boolean"},
                    {
                        "linkId": "result",
                        "text": "Result",
                        "type": "string",
                        "enableWhen": [{"question": "biopsied", "operator": "=", "answerBoolean": True}],
                    },
                ],
            }
        ],
    }

    def group(biopsied: bool) -> dict:
        return {
            "linkId": "lesion",
            "item": [
                {"linkId": "biopsied", "answer": [{"valueBoolean": biopsied}]},
                {"linkId": "result", "answer": [{"valueString": "benign"}]},
            ],
        }

    response = {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "questionnaire": "#q",
        "contained": [questionnaire],
        "item": [group(True), group(False)],
    }
    assert _not_enabled(validator, response) == ["QuestionnaireResponse.item[1].item[1]"]


def test_a_condition_coding_without_system_matches_the_code(validator: Validator) -> None:
    condition = [{"question": "source", "operator": "=", "answerCoding": {"code": "a"}}]
    given = [{"valueCoding": {"system": "http://s", "code": "a"}}]
    assert _not_enabled(validator, _response(_questionnaire("choice", condition), given)) == []
    other = [{"valueCoding": {"system": "http://s", "code": "b"}}]
    assert _not_enabled(validator, _response(_questionnaire("choice", condition), other)) == [
        "QuestionnaireResponse.item[1]"
    ]
