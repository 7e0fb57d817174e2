"""QuestionnaireResponse against its Questionnaire (R4 QuestionnaireResponse and Questionnaire.item): item placement
and order, item text, display items, nested items under answers, choice and open-choice answers, answerValueSet
membership (contained value sets), min/max bounds on dates, times and UCUM quantities, required items by status.
Each rule with a response that keeps it and one that breaks it."""

from __future__ import annotations

from typing import Any

import pytest

from dermfhir.validation import Validator

EXT = "http://hl7.org/fhir/StructureDefinition/"
SDC = "http://hl7.org/fhir/uv/sdc/StructureDefinition/"
UCUM = "http://unitsofmeasure.org"
CODES = "http://example.org/fhir/CodeSystem/lesion-answers"


def _response(q_items: list[dict], items: list[dict], status: str = "completed", **questionnaire: Any) -> dict:
    return {
        "resourceType": "QuestionnaireResponse",
        "status": status,
        "questionnaire": "#q",
        "contained": [
            {"resourceType": "Questionnaire", "id": "q", "status": "active", "item": q_items, **questionnaire}
        ],
        "item": items,
    }


def _found(validator: Validator, response: dict) -> list[tuple[str, str, str]]:
    """(severity, location, message id) of the warnings and errors about the answers (not the Questionnaire)."""
    return [
        (issue.severity, issue.location, issue.message_id)
        for issue in validator.issues(response)
        if issue.severity in ("warning", "error", "fatal") and ".contained[" not in issue.location
    ]


def _question(link_id: str, item_type: str = "string", **more: Any) -> dict:
    return {"linkId": link_id, "text": f"Question {link_id}", "type": item_type, **more}


def _answered(link_id: str, *values: dict, **more: Any) -> dict:
    return {"linkId": link_id, "answer": list(values), **more}


def test_items_in_the_questionnaires_order(validator: Validator) -> None:
    questions = [_question("a"), _question("b")]
    in_order = [_answered("a", {"valueString": "x"}), _answered("b", {"valueString": "y"})]
    assert _found(validator, _response(questions, in_order)) == []
    reversed_items = list(reversed(in_order))
    assert _found(validator, _response(questions, reversed_items)) == [
        ("error", "QuestionnaireResponse", "Questionnaire_QR_Item_Order")
    ]


def test_item_at_the_wrong_level(validator: Validator) -> None:
    questions = [_question("g", "group", item=[_question("a")])]
    assert (
        _found(validator, _response(questions, [{"linkId": "g", "item": [_answered("a", {"valueString": "x"})]}])) == []
    )
    misplaced = _response(questions, [_answered("a", {"valueString": "x"})])
    assert _found(validator, misplaced) == [("error", "QuestionnaireResponse", "Questionnaire_QR_Item_WrongPlace")]
    unknown = _response(questions, [_answered("zz", {"valueString": "x"})])
    assert _found(validator, unknown) == [("error", "QuestionnaireResponse", "Questionnaire_QR_Item_NotFound")]


def test_item_text_is_the_questionnaires(validator: Validator) -> None:
    questions = [_question("a")]
    same = _answered("a", {"valueString": "x"}, text="Question a")
    assert _found(validator, _response(questions, [same])) == []
    other = _answered("a", {"valueString": "x"}, text="Another question")
    assert _found(validator, _response(questions, [other])) == [
        ("error", "QuestionnaireResponse.item[0]", "Questionnaire_QR_Item_Text")
    ]


def test_display_items_have_no_items(validator: Validator) -> None:
    questions = [_question("d", "display"), _question("a")]
    assert _found(validator, _response(questions, [{"linkId": "d"}, _answered("a", {"valueString": "x"})])) == []
    nested = {"linkId": "d", "item": [_answered("a", {"valueString": "x"})]}
    assert ("error", "QuestionnaireResponse.item[0]", "Questionnaire_QR_Item_Display") in _found(
        validator, _response(questions, [nested])
    )


def test_nested_items_of_a_question_go_under_its_answers(validator: Validator) -> None:
    questions = [_question("a", item=[_question("b")])]
    under_answer = {"linkId": "a", "answer": [{"valueString": "x", "item": [_answered("b", {"valueString": "y"})]}]}
    assert _found(validator, _response(questions, [under_answer])) == []
    beside = {"linkId": "a", "item": [_answered("b", {"valueString": "y"})]}
    assert _found(validator, _response(questions, [beside])) == [
        ("error", "QuestionnaireResponse.item[0]", "Questionnaire_QR_Item_Group_Answer")
    ]


def _coding(code: str) -> dict:
    return {"valueCoding": {"system": CODES, "code": code}}


@pytest.mark.parametrize(
    ("item_type", "options", "answer", "expected"),
    [
        ("choice", [_coding("flat")], _coding("flat"), []),
        ("choice", [_coding("flat")], _coding("raised"), ["Questionnaire_QR_Item_NoCoding"]),
        ("open-choice", [_coding("flat")], _coding("raised"), ["Questionnaire_QR_Item_NoCoding"]),
        ("open-choice", [_coding("flat")], {"valueString": "ulcerated"}, []),
        ("choice", [_coding("flat")], {"valueString": "ulcerated"}, ["Questionnaire_QR_Item_NoOptions_OfType"]),
        ("choice", [{"valueString": "left"}, {"valueString": "right"}], {"valueString": "left"}, []),
        ("choice", [{"valueString": "left"}], {"valueString": "middle"}, ["Questionnaire_QR_Item_NoOption"]),
        ("choice", [{"valueInteger": 1}, {"valueInteger": 2}], {"valueInteger": 2}, []),
        ("choice", [{"valueInteger": 1}, {"valueInteger": 2}], {"valueInteger": 3}, ["Questionnaire_QR_Item_NoOption"]),
        ("choice", [{"valueDate": "2024-01-01"}], {"valueDate": "2024-01-01"}, []),
        ("choice", [_coding("flat")], {"valueBoolean": True}, ["Questionnaire_QR_Item_WrongType"]),
    ],
)
def test_choice_answers(validator: Validator, item_type: str, options: list, answer: dict, expected: list) -> None:
    response = _response([_question("a", item_type, answerOption=options)], [_answered("a", answer)])
    assert [message_id for _, _, message_id in _found(validator, response)] == expected


def test_answer_value_set_contained_in_the_response(validator: Validator) -> None:
    value_set = {
        "resourceType": "ValueSet",
        "id": "vs",
        "status": "active",
        "compose": {"include": [{"system": CODES, "concept": [{"code": "flat"}, {"code": "raised"}]}]},
    }

    def response(answer: dict) -> dict:
        found = _response([_question("a", "choice", answerValueSet="#vs")], [_answered("a", answer)])
        found["contained"].append(value_set)
        return found

    assert _found(validator, response(_coding("raised"))) == []
    assert _found(validator, response({"valueCoding": {"code": "raised"}})) == []  # the value set's system
    assert _found(validator, response(_coding("ulcerated"))) == [
        ("error", "QuestionnaireResponse.item[0].answer[0]", "Questionnaire_QR_Item_NotInVS")
    ]


def test_answer_value_set_that_cannot_be_found(validator: Validator) -> None:
    response = _response([_question("a", "choice", answerValueSet="#absent")], [_answered("a", _coding("flat"))])
    assert _found(validator, response) == [
        ("warning", "QuestionnaireResponse.item[0].answer[0].valueCoding", "Questionnaire_QR_Item_ValueSet_NotFound")
    ]


@pytest.mark.parametrize(
    ("item_type", "bound", "answer", "out_of_range"),
    [
        ("dateTime", {"valueDateTime": "2024-01-01T10:00:00Z"}, {"valueDateTime": "2024-01-01T11:00:00+02:00"}, True),
        ("dateTime", {"valueDateTime": "2024-01-01T10:00:00Z"}, {"valueDateTime": "2024-01-01T13:00:00+02:00"}, False),
        # partial dates compare as the instants they start at
        ("date", {"valueDate": "2024-03-01"}, {"valueDate": "2024"}, True),
        ("date", {"valueDate": "2024-03-01"}, {"valueDate": "2024-03"}, False),
        ("date", {"valueDate": "2024-03"}, {"valueDate": "2024-03-31"}, False),
        ("date", {"valueDate": "2024-03-01"}, {"valueDate": "2023"}, True),
        ("time", {"valueTime": "08:00:00"}, {"valueTime": "07:59:00"}, True),
    ],
)
def test_minimum_of_dates_and_times(
    validator: Validator, item_type: str, bound: dict, answer: dict, out_of_range: bool
) -> None:
    question = _question("a", item_type, extension=[{"url": EXT + "minValue", **bound}])
    found = _found(validator, _response([question], [_answered("a", answer)]))
    assert [message_id for _, _, message_id in found] == (["Questionnaire_QR_Item_Range"] if out_of_range else [])


@pytest.mark.parametrize(
    ("answer", "too_late"),
    [
        ({"valueDateTime": "2024-05-31T23:00:00Z"}, False),
        ({"valueDateTime": "2024-06"}, False),
        ({"valueDateTime": "2024-06-15"}, True),  # starts after the bound's start
        ({"valueDateTime": "2024-06-01T01:00:00+02:00"}, False),  # 2024-05-31T23:00Z
        ({"valueDateTime": "2025"}, True),
    ],
)
def test_maximum_of_date_times(validator: Validator, answer: dict, too_late: bool) -> None:
    question = _question("a", "dateTime", extension=[{"url": EXT + "maxValue", "valueDateTime": "2024-06"}])
    found = _found(validator, _response([question], [_answered("a", answer)]))
    assert [message_id for _, _, message_id in found] == (["Questionnaire_QR_Item_Range"] if too_late else [])


@pytest.mark.parametrize(
    ("answer", "too_large"),
    [
        ({"value": 9, "system": UCUM, "code": "cm"}, False),
        ({"value": 11, "system": UCUM, "code": "cm"}, True),
        ({"value": 3, "system": UCUM, "code": "[in_i]"}, False),  # 7.62 cm
        ({"value": 5, "system": UCUM, "code": "[in_i]"}, True),  # 12.7 cm
        ({"value": 0.2, "system": UCUM, "code": "m"}, True),
    ],
)
def test_maximum_quantity_in_ucum_units(validator: Validator, answer: dict, too_large: bool) -> None:
    maximum = {
        "url": SDC + "sdc-questionnaire-maxQuantity",
        "valueQuantity": {"value": 10, "system": UCUM, "code": "cm"},
    }
    question = _question("a", "quantity", extension=[maximum])
    found = _found(validator, _response([question], [_answered("a", {"valueQuantity": answer})]))
    assert [message_id for _, _, message_id in found] == (["Questionnaire_QR_Item_Quantity_Range"] if too_large else [])


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("completed", [("error", "QuestionnaireResponse", "Questionnaire_QR_Item_Missing")]),
        ("amended", [("error", "QuestionnaireResponse", "Questionnaire_QR_Item_Missing")]),
        ("in-progress", [("warning", "QuestionnaireResponse", "Questionnaire_QR_Item_Missing")]),
    ],
)
def test_required_items_by_status(validator: Validator, status: str, expected: list) -> None:
    questions = [_question("a", required=True), _question("b")]
    assert _found(validator, _response(questions, [_answered("b", {"valueString": "x"})], status)) == expected


def _unit_option(code: str) -> dict:
    return {"url": EXT + "questionnaire-unitOption", "valueCoding": {"system": UCUM, "code": code}}


def test_units_the_questionnaire_offers(validator: Validator) -> None:
    question = _question("a", "quantity", extension=[_unit_option("mm"), _unit_option("cm")])

    def answer(code: str) -> dict:
        return _response([question], [_answered("a", {"valueQuantity": {"value": 4, "system": UCUM, "code": code}})])

    assert _found(validator, answer("cm")) == []
    assert _found(validator, answer("[in_i]")) == [
        ("error", "QuestionnaireResponse.item[0].answer[0].valueQuantity", "Questionnaire_QR_Item_Unit")
    ]


def test_units_from_a_unit_value_set(validator: Validator) -> None:
    lengths = {
        "url": EXT + "questionnaire-unitValueSet",
        "valueCanonical": "http://hl7.org/fhir/ValueSet/ucum-bodylength",
    }
    question = _question("a", "quantity", extension=[lengths])

    def answer(code: str) -> dict:
        return _response([question], [_answered("a", {"valueQuantity": {"value": 4, "system": UCUM, "code": code}})])

    assert _found(validator, answer("cm")) == []
    assert [message_id for _, _, message_id in _found(validator, answer("kg"))] == ["Questionnaire_QR_Item_Unit"]


def test_attachment_content_types(validator: Validator) -> None:
    types = [{"url": EXT + "mimeType", "valueCode": "image/jpeg"}, {"url": EXT + "mimeType", "valueCode": "image/png"}]
    question = _question("photo", "attachment", extension=types)

    def answer(content_type: str) -> dict:
        attachment = {"contentType": content_type, "url": "http://example.org/fhir/Binary/lesion"}
        return _response([question], [_answered("photo", {"valueAttachment": attachment})])

    assert _found(validator, answer("image/png")) == []
    assert _found(validator, answer("application/pdf")) == [
        ("error", "QuestionnaireResponse.item[0].answer[0]", "Questionnaire_QR_Item_MimeType")
    ]


def _enable_when_issues(validator: Validator, items: list[dict]) -> list[tuple[str, str, str]]:
    questionnaire = {"resourceType": "Questionnaire", "status": "active", "item": items}
    return [
        (issue.severity, issue.location, issue.message_id)
        for issue in validator.issues(questionnaire)
        if issue.message_id.startswith("Questionnaire_Q_EnableWhen")
    ]


def _when(question: str) -> list[dict]:
    return [{"question": question, "operator": "exists", "answerBoolean": True}]


def test_enable_when_targets(validator: Validator) -> None:
    earlier = [_question("seen", "boolean"), _question("size", "decimal", enableWhen=_when("seen"))]
    assert _enable_when_issues(validator, earlier) == []
    parent = [_question("seen", "boolean", item=[_question("size", "decimal", enableWhen=_when("seen"))])]
    assert _enable_when_issues(validator, parent) == []
    cousin = [
        _question("history", "group", item=[_question("seen", "boolean")]),
        _question("exam", "group", item=[_question("size", "decimal", enableWhen=_when("seen"))]),
    ]
    assert _enable_when_issues(validator, cousin) == []
    later = [_question("size", "decimal", enableWhen=_when("seen")), _question("seen", "boolean")]
    assert _enable_when_issues(validator, later) == [
        ("warning", "Questionnaire.item[0]", "Questionnaire_Q_EnableWhen_After")
    ]
    missing = [_question("size", "decimal", enableWhen=_when("absent"))]
    assert _enable_when_issues(validator, missing) == [
        ("error", "Questionnaire.item[0]", "Questionnaire_Q_EnableWhen_NoTarget")
    ]
    itself = [_question("size", "decimal", enableWhen=_when("size"))]
    assert _enable_when_issues(validator, itself) == [
        ("error", "Questionnaire.item[0]", "Questionnaire_Q_EnableWhen_Self")
    ]
    inner = [_question("exam", "group", enableWhen=_when("seen"), item=[_question("seen", "boolean")])]
    assert _enable_when_issues(validator, inner) == [
        ("error", "Questionnaire.item[0]", "Questionnaire_Q_EnableWhen_IsInner")
    ]


def test_groups_repeat_only_when_repeating(validator: Validator) -> None:
    lesion = {"linkId": "lesion", "item": [_answered("site", {"valueString": "back"})]}
    for repeats, expected in (
        (True, []),
        (False, [("error", "QuestionnaireResponse.item[1]", "Questionnaire_QR_Item_OnlyOneI")]),
    ):
        questions = [_question("lesion", "group", repeats=repeats, item=[_question("site")])]
        assert _found(validator, _response(questions, [lesion, lesion])) == expected


def test_group_occurrences(validator: Validator) -> None:
    occurs = [
        {"url": EXT + "questionnaire-minOccurs", "valueInteger": 2},
        {"url": EXT + "questionnaire-maxOccurs", "valueInteger": 3},
    ]
    questions = [_question("lesion", "group", repeats=True, extension=occurs, item=[_question("site")])]
    lesion = {"linkId": "lesion", "item": [_answered("site", {"valueString": "back"})]}
    assert _found(validator, _response(questions, [lesion, lesion])) == []
    assert _found(validator, _response(questions, [lesion])) == [
        ("error", "QuestionnaireResponse.item[0]", "Questionnaire_QR_Item_Group_MinOccurs")
    ]
    assert _found(validator, _response(questions, [lesion] * 4)) == [
        ("error", "QuestionnaireResponse.item[3]", "Questionnaire_QR_Item_Group_MaxOccurs")
    ]


def test_answer_value_set_not_loaded(validator: Validator) -> None:
    unknown = "http://example.org/fhir/ValueSet/lesion-shapes"
    response = _response([_question("a", "choice", answerValueSet=unknown)], [_answered("a", _coding("flat"))])
    assert _found(validator, response) == [
        ("warning", "QuestionnaireResponse.item[0].answer[0].valueCoding", "Questionnaire_QR_Item_ValueSet_NotFound")
    ]


def test_a_choice_without_options_is_not_condemned(validator: Validator) -> None:
    response = _response([_question("a", "choice")], [_answered("a", {"valueString": "flat"})])
    assert _found(validator, response) == []
    assert [issue.message_id for issue in validator.issues(response) if issue.severity == "information"] == [
        "Questionnaire_QR_Item_NoOptions_Unchecked"
    ]


def test_display_and_abstract_question_items_have_no_answers(validator: Validator) -> None:
    display = _response([_question("d", "display")], [_answered("d", {"valueString": "x"})])
    assert _found(validator, display) == [
        ("error", "QuestionnaireResponse.item[0]", "Questionnaire_QR_Item_Display_Answer")
    ]
    question = _response([_question("q", "question")], [_answered("q", {"valueString": "x"})])
    assert ("error", "QuestionnaireResponse.item[0]", "Questionnaire_QR_Item_Question_Answer") in _found(
        validator, question
    )
