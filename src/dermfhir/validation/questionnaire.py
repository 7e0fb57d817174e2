"""QuestionnaireResponse against the Questionnaire it answers (found by canonical URL among the definitions, or
contained).

Checked: linkIds known, at the level of the Questionnaire that defines them, in the Questionnaire's order; an
item's text, when given, is the Questionnaire's; required items answered ("must be present in a 'completed'
QuestionnaireResponse": an error when completed or amended, a warning while in progress); repeats (one answer
unless repeating; a group once unless repeating); groups carry no answers, display items neither answers nor items,
questions have their nested items under their answers; answer types by item type (choice and open-choice: Coding
or the type of an answerOption, open-choice also a free string); answerOption membership by type and exclusive
options; answerValueSet membership (contained value sets included; a value set that cannot be found is a warning);
minOccurs and maxOccurs (answers of questions, occurrences of groups); the extensions minValue and maxValue (dates
and times compared as the instants they start at, time zones applied), maxDecimalPlaces, minLength (and
maxLength), regex, maxSize, mimeType, unitOption and unitValueSet, sdc min/maxQuantity (UCUM units converted),
questionnaire-referenceResource; in the Questionnaire, every enableWhen's question is an item of it, neither the
item itself nor below it (one that comes later is a warning); enableWhen (`enable_when`): an answered item that is
disabled is an error, a required item is required only while enabled. Not checked: calculated expressions.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import TYPE_CHECKING, Any

from dermfhir.fhirpath.compare import compare_quantities
from dermfhir.fhirtime import parse_range
from dermfhir.validation.context import Frame
from dermfhir.validation.enable_when import EnableWhen
from dermfhir.validation.messages import MessageId
from dermfhir.validation.outcome import IssueType

if TYPE_CHECKING:
    from dermfhir.validation.checker import Checker

EXT = "http://hl7.org/fhir/StructureDefinition/"
SDC = "http://hl7.org/fhir/uv/sdc/StructureDefinition/"
_ANSWER_TYPES = {
    "boolean": ("boolean",),
    "decimal": ("decimal",),
    "integer": ("integer",),
    "date": ("date",),
    "dateTime": ("dateTime",),
    "time": ("time",),
    "string": ("string",),
    "text": ("string",),
    "url": ("uri",),
    # choice answers are Codings or values of the types answerOption allows (R4 Questionnaire.item.answerOption)
    "choice": ("Coding", "integer", "date", "time", "string", "Reference"),
    "open-choice": ("Coding", "integer", "date", "time", "string", "Reference"),
    "attachment": ("Attachment",),
    "reference": ("Reference",),
    "quantity": ("Quantity",),
}
UCUM = "http://unitsofmeasure.org"


def check(walker: Checker, response: dict, path: str, frame: Frame) -> None:
    canonical = response.get("questionnaire")
    if not isinstance(canonical, str):
        return
    questionnaire = _find(walker, response, canonical)
    if questionnaire is None:
        if walker.validator.options.standalone or not canonical.startswith("http://hl7.org/fhir"):
            walker.run.info(
                IssueType.NOT_FOUND,
                MessageId.QUESTIONNAIRE_QR_Q_NOTFOUND_UNCHECKED,
                f"{path}.questionnaire",
                canonical=canonical,
            )
        else:
            walker.run.error(
                IssueType.NOT_FOUND, MessageId.QUESTIONNAIRE_QR_Q_NOTFOUND, f"{path}.questionnaire", canonical=canonical
            )
        return
    completed = response.get("status") in ("completed", "amended")
    state = EnableWhen(questionnaire)
    walker_q = _QuestionnaireInfo(questionnaire, response if canonical.startswith("#") else None)
    _items(
        walker,
        questionnaire.get("item") or [],
        response.get("item") or [],
        path,
        path,
        completed,
        frame,
        state,
        (),
        walker_q,
    )


class _QuestionnaireInfo:
    """The Questionnaire a response answers: its items by linkId at any depth, and where its contained value sets
    are (in the Questionnaire, or in the response that contains it)."""

    def __init__(self, questionnaire: dict, container: dict | None) -> None:
        self.questionnaire = questionnaire
        self.container = container
        self.by_link: dict[str, dict] = {}
        stack = list(questionnaire.get("item") or [])
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                if isinstance(item.get("linkId"), str):
                    self.by_link.setdefault(item["linkId"], item)
                stack.extend(item.get("item") or [])

    def contained(self, reference: str) -> dict | None:
        for holder in (self.questionnaire, self.container):
            for resource in (holder or {}).get("contained") or []:
                if isinstance(resource, dict) and resource.get("id") == reference[1:]:
                    return resource
        return None


def check_enable_when_targets(walker: Checker, questionnaire: dict, path: str) -> None:
    """The question of every enableWhen (R4 Questionnaire.item.enableWhen.question, "the linkId for the question whose
    answer (or lack of answer) governs whether this item is enabled") is an item of the Questionnaire, neither the
    item itself nor one of its own items; one that comes after the item is a warning (its answer is not known yet
    when the item is reached)."""
    order: dict[str, int] = {}
    items: list[tuple[str, dict]] = []
    stack: list[tuple[str, Any]] = [
        (f"{path}.item[{i}]", item) for i, item in reversed(list(enumerate(questionnaire.get("item") or [])))
    ]
    while stack:
        location, item = stack.pop()
        if not isinstance(item, dict):
            continue
        if isinstance(item.get("linkId"), str):
            order.setdefault(item["linkId"], len(order))
        items.append((location, item))
        stack.extend((f"{location}.item[{i}]", child) for i, child in reversed(list(enumerate(item.get("item") or []))))
    for location, item in items:
        link_id = item.get("linkId")
        for condition in item.get("enableWhen") or []:
            question = condition.get("question") if isinstance(condition, dict) else None
            if not isinstance(question, str):
                continue  # the element's cardinality says so
            if question == link_id:
                walker.run.error(IssueType.BUSINESS_RULE, MessageId.QUESTIONNAIRE_Q_ENABLEWHEN_SELF, location)
            elif _inner(item, question):
                walker.run.error(IssueType.BUSINESS_RULE, MessageId.QUESTIONNAIRE_Q_ENABLEWHEN_ISINNER, location)
            elif question not in order:
                walker.run.error(
                    IssueType.BUSINESS_RULE,
                    MessageId.QUESTIONNAIRE_Q_ENABLEWHEN_NOTARGET,
                    location,
                    question=question,
                    link_id=link_id,
                )
            elif isinstance(link_id, str) and order[question] > order.get(link_id, len(order)):
                walker.run.warning(
                    IssueType.BUSINESS_RULE, MessageId.QUESTIONNAIRE_Q_ENABLEWHEN_AFTER, location, question=question
                )


def _inner(item: dict, link_id: str) -> bool:
    """Whether an item below `item` has `link_id`."""
    stack = list(item.get("item") or [])
    while stack:
        child = stack.pop()
        if isinstance(child, dict):
            if child.get("linkId") == link_id:
                return True
            stack.extend(child.get("item") or [])
    return False


def _find(walker: Checker, response: dict, canonical: str) -> dict | None:
    if canonical.startswith("#"):
        for item in response.get("contained") or []:
            if (
                isinstance(item, dict)
                and item.get("id") == canonical[1:]
                and item.get("resourceType") == "Questionnaire"
            ):
                return item
        return None
    found = walker.validator.definitions.resolve(canonical)
    return found if isinstance(found, dict) and found.get("resourceType") == "Questionnaire" else None


def _items(
    walker: Checker,
    q_items: list,
    r_items: list,
    parent_path: str,
    items_path: str,
    completed: bool,
    frame: Frame,
    state: EnableWhen | None = None,
    scopes: tuple[list, ...] = (),
    info: _QuestionnaireInfo | None = None,
) -> None:
    scopes = (*scopes, r_items)
    by_link = {q.get("linkId"): q for q in q_items if isinstance(q, dict)}
    order = {q.get("linkId"): i for i, q in enumerate(q_items) if isinstance(q, dict)}
    seen: dict[str, list[tuple[int, dict]]] = {}
    last = -1
    for index, r_item in enumerate(r_items):
        if not isinstance(r_item, dict):
            continue
        link_id = r_item.get("linkId")
        location = f"{items_path}.item[{index}]"
        if link_id not in by_link:
            elsewhere = info.by_link.get(link_id) if info is not None and isinstance(link_id, str) else None
            if elsewhere is None:
                walker.run.error(
                    IssueType.NOT_FOUND, MessageId.QUESTIONNAIRE_QR_ITEM_NOTFOUND, parent_path, link_id=link_id
                )
            else:
                walker.run.error(
                    IssueType.STRUCTURE, MessageId.QUESTIONNAIRE_QR_ITEM_WRONGPLACE, parent_path, link_id=link_id
                )
                _item(walker, elsewhere, r_item, location, completed, frame, state, scopes, info)
            continue
        if order[link_id] < last:
            walker.run.error(IssueType.STRUCTURE, MessageId.QUESTIONNAIRE_QR_ITEM_ORDER, parent_path)
        last = order[link_id]
        seen.setdefault(str(link_id), []).append((index, r_item))
        _item(walker, by_link[link_id], r_item, location, completed, frame, state, scopes, info)
    for q_item in q_items:
        if not isinstance(q_item, dict):
            continue
        link_id = str(q_item.get("linkId"))
        found = seen.get(link_id, [])
        if q_item.get("type") == "display":
            continue
        enabled = state.enabled(q_item, scopes) if state is not None else True
        if enabled is False:
            for index, r_item in found:
                if _answered(r_item):
                    walker.run.error(
                        IssueType.STRUCTURE,
                        MessageId.QUESTIONNAIRE_QR_ITEM_NOTENABLED,
                        f"{items_path}.item[{index}]",
                        link_id=link_id,
                    )
        if q_item.get("required") and enabled is True:
            answered = any(_has_content(item, q_item) for _, item in found)
            if not answered:
                where = f"{items_path}.item[{found[0][0]}]" if found else parent_path
                if completed:
                    walker.run.error(
                        IssueType.REQUIRED, MessageId.QUESTIONNAIRE_QR_ITEM_MISSING, where, link_id=link_id
                    )
                else:
                    walker.run.warning(
                        IssueType.REQUIRED, MessageId.QUESTIONNAIRE_QR_ITEM_MISSING_IN_PROGRESS, where, link_id=link_id
                    )
        # Questionnaire.item.repeats: "the item may occur multiple times in the response, collecting multiple
        # answers for questions or multiple sets of answers for groups"
        if len(found) > 1 and not q_item.get("repeats"):
            walker.run.error(
                IssueType.STRUCTURE,
                MessageId.QUESTIONNAIRE_QR_ITEM_ONLYONEI,
                f"{items_path}.item[{found[1][0]}]",
                link_id=link_id,
            )
        if q_item.get("type") == "group":
            # questionnaire-minOccurs / maxOccurs: "the minimum number of times the group must appear"
            where = f"{items_path}.item[{found[0][0]}]" if found else parent_path
            min_occurs = _extension(q_item, EXT + "questionnaire-minOccurs")
            if isinstance(min_occurs, int) and completed and enabled is True and len(found) < min_occurs:
                walker.run.error(
                    IssueType.INVALID,
                    MessageId.QUESTIONNAIRE_QR_ITEM_GROUP_MINOCCURS,
                    where,
                    link_id=link_id,
                    min_occurs=min_occurs,
                    count=len(found),
                )
            max_occurs = _extension(q_item, EXT + "questionnaire-maxOccurs")
            if isinstance(max_occurs, int) and len(found) > max_occurs:
                walker.run.error(
                    IssueType.INVALID,
                    MessageId.QUESTIONNAIRE_QR_ITEM_GROUP_MAXOCCURS,
                    f"{items_path}.item[{found[max_occurs][0]}]",
                    link_id=link_id,
                    max_occurs=max_occurs,
                    count=len(found),
                )


def _answered(r_item: dict) -> bool:
    """Whether a response item (or an item below it) carries an answer."""
    if r_item.get("answer"):
        return True
    return any(isinstance(item, dict) and _answered(item) for item in r_item.get("item") or [])


def _has_content(r_item: dict, q_item: dict) -> bool:
    if q_item.get("type") == "group":
        return bool(r_item.get("item"))
    return bool(r_item.get("answer"))


def _item(
    walker: Checker,
    q_item: dict,
    r_item: dict,
    location: str,
    completed: bool,
    frame: Frame,
    state: EnableWhen | None = None,
    scopes: tuple[list, ...] = (),
    info: _QuestionnaireInfo | None = None,
) -> None:
    item_type = q_item.get("type")
    link_id = q_item.get("linkId")
    answers = [a for a in r_item.get("answer") or [] if isinstance(a, dict)]
    text = r_item.get("text")
    if isinstance(text, str) and text and text != q_item.get("text"):
        walker.run.error(IssueType.INVALID, MessageId.QUESTIONNAIRE_QR_ITEM_TEXT, location, link_id=link_id)
    if item_type == "group":
        if answers:
            walker.run.error(IssueType.STRUCTURE, MessageId.QUESTIONNAIRE_QR_ITEM_GROUP, location)
        _items(
            walker,
            q_item.get("item") or [],
            r_item.get("item") or [],
            location,
            location,
            completed,
            frame,
            state,
            scopes,
            info,
        )
        return
    if item_type == "display":
        # item-type display: "Text for display that will not capture an answer or have child items"
        if answers:
            walker.run.error(IssueType.STRUCTURE, MessageId.QUESTIONNAIRE_QR_ITEM_DISPLAY_ANSWER, location)
        if r_item.get("item"):
            walker.run.error(IssueType.STRUCTURE, MessageId.QUESTIONNAIRE_QR_ITEM_DISPLAY, location, link_id=link_id)
        return
    if item_type == "question" and answers:
        # item-type question is abstract: an answer of it has no type
        walker.run.error(IssueType.STRUCTURE, MessageId.QUESTIONNAIRE_QR_ITEM_QUESTION_ANSWER, location)
    if len(answers) > 1 and not q_item.get("repeats"):
        walker.run.error(IssueType.INVALID, MessageId.QUESTIONNAIRE_QR_ITEM_ONLYONEA, location)
    min_occurs = _extension(q_item, EXT + "questionnaire-minOccurs")
    if isinstance(min_occurs, int) and len(answers) < min_occurs:
        walker.run.error(
            IssueType.INVALID,
            MessageId.QUESTIONNAIRE_QR_ITEM_MINOCCURS,
            location,
            min_occurs=min_occurs,
            count=len(answers),
        )
    max_occurs = _extension(q_item, EXT + "questionnaire-maxOccurs")
    if isinstance(max_occurs, int) and len(answers) > max_occurs:
        walker.run.error(
            IssueType.INVALID,
            MessageId.QUESTIONNAIRE_QR_ITEM_MAXOCCURS,
            location,
            max_occurs=max_occurs,
            count=len(answers),
        )
    exclusive_selected = False
    for index, answer in enumerate(answers):
        answer_location = f"{location}.answer[{index}]"
        value = _value(answer)
        if value is not None:
            type_name, data = value
            value_location = f"{answer_location}.value{type_name[:1].upper()}{type_name[1:]}"
            allowed = _ANSWER_TYPES.get(str(item_type))
            if allowed and type_name not in allowed:
                walker.run.error(
                    IssueType.INVARIANT,
                    MessageId.QUESTIONNAIRE_QR_ITEM_WRONGTYPE_ONEOF
                    if len(allowed) > 1
                    else MessageId.QUESTIONNAIRE_QR_ITEM_WRONGTYPE,
                    value_location,
                    expected=", ".join(allowed),
                    type_name=type_name,
                )
            else:
                _answer(walker, q_item, type_name, data, value_location, answer_location, frame, info)
                if _is_exclusive(q_item, type_name, data):
                    exclusive_selected = True
        nested = answer.get("item")
        if isinstance(nested, list):
            _items(
                walker,
                q_item.get("item") or [],
                nested,
                answer_location,
                answer_location,
                completed,
                frame,
                state,
                scopes,
                info,
            )
    if exclusive_selected and len(answers) > 1:
        for index, answer in enumerate(answers):
            value = _value(answer)
            if value is not None and _is_exclusive(q_item, *value):
                walker.run.error(
                    IssueType.INVARIANT,
                    MessageId.QUESTIONNAIRE_QR_ITEM_EXCLUSIVE,
                    f"{location}.answer[{index}]",
                    answer=_describe(value[1]),
                )
    if r_item.get("item"):
        # a question's nested items belong under its answers (R4 QuestionnaireResponse.item.answer.item)
        walker.run.error(IssueType.STRUCTURE, MessageId.QUESTIONNAIRE_QR_ITEM_GROUP_ANSWER, location, link_id=link_id)


def _answer(
    walker: Checker,
    q_item: dict,
    type_name: str,
    data: Any,
    value_location: str,
    answer_location: str,
    frame: Frame,
    info: _QuestionnaireInfo | None = None,
) -> None:
    run = walker.run
    item_type = q_item.get("type")
    choice = item_type in ("choice", "open-choice")
    options = [o for o in q_item.get("answerOption") or [] if isinstance(o, dict)]
    if options and type_name in ("integer", "date", "time", "string", "Coding", "Reference"):
        option_values = [v for o in options if (v := _value(o)) is not None]
        free_text = type_name == "string" and item_type == "open-choice"
        if choice and not free_text and not any(option[0] == type_name for option in option_values):
            run.error(
                IssueType.STRUCTURE,
                MessageId.QUESTIONNAIRE_QR_ITEM_NOOPTIONS_OF_TYPE,
                value_location,
                type_name=type_name,
            )
        elif not free_text and not any(_same(type_name, data, option) for option in option_values):
            if type_name == "Coding":
                run.error(
                    IssueType.CODE_INVALID,
                    MessageId.QUESTIONNAIRE_QR_ITEM_NOCODING,
                    answer_location,  # the answer, as for answerValueSet (and as HL7's validator places it)
                    code=_describe(data),
                )
            else:
                run.error(
                    IssueType.INVARIANT,
                    MessageId.QUESTIONNAIRE_QR_ITEM_NOOPTION,
                    value_location,
                    type_name=type_name,
                    data=data,
                )
    value_set = q_item.get("answerValueSet")
    if (
        choice
        and not options
        and not (type_name == "Coding" and isinstance(value_set, str))
        and not (type_name == "string" and item_type == "open-choice")
    ):
        # no list to check the answer against: said, not condemned
        run.info(
            IssueType.INVARIANT,
            MessageId.QUESTIONNAIRE_QR_ITEM_NOOPTIONS_UNCHECKED,
            answer_location,
            type_name=type_name,
        )
    if (
        isinstance(value_set, str)
        and type_name == "Coding"
        and isinstance(data, dict)
        and isinstance(data.get("code"), str)
    ):
        _value_set_member(walker, value_set, data, answer_location, value_location, info)
    for bound, is_min in ((_extension(q_item, EXT + "minValue"), True), (_extension(q_item, EXT + "maxValue"), False)):
        if bound is None or type_name not in ("integer", "decimal", "date", "dateTime", "time"):
            continue
        if type_name in ("date", "dateTime", "time"):
            value_start, bound_start = _start(data, type_name), _start(bound, type_name)
            if value_start is None or bound_start is None:
                continue
            bad = value_start < bound_start if is_min else value_start > bound_start
        else:
            try:
                bad = data < bound if is_min else data > bound
            except TypeError:
                continue
        if bad:
            run.error(
                IssueType.INVARIANT,
                MessageId.QUESTIONNAIRE_QR_ITEM_RANGE if is_min else MessageId.QUESTIONNAIRE_QR_ITEM_RANGE_MAX,
                value_location,
                data=data,
                bound=bound,
            )
    places = _extension(q_item, EXT + "maxDecimalPlaces")
    if type_name == "decimal" and isinstance(places, int):
        text = _decimal_text(data)
        if len(text.partition(".")[2]) > places:
            run.error(
                IssueType.INVARIANT,
                MessageId.QUESTIONNAIRE_QR_ITEM_DECIMALPLACES,
                value_location,
                text=text,
                places=places,
            )
    if type_name == "string" and isinstance(data, str):
        min_length = _extension(q_item, EXT + "minLength")
        if isinstance(min_length, int) and len(data) < min_length:
            run.error(
                IssueType.INVARIANT,
                MessageId.QUESTIONNAIRE_QR_ITEM_MINLENGTH,
                value_location,
                data=data,
                min_length=min_length,
            )
        max_length = q_item.get("maxLength")
        if isinstance(max_length, int) and len(data) > max_length:
            run.error(
                IssueType.INVARIANT,
                MessageId.QUESTIONNAIRE_QR_ITEM_MAXLENGTH,
                value_location,
                data=data,
                max_length=max_length,
            )
        regex = _extension(q_item, EXT + "regex")
        if isinstance(regex, str):
            try:
                matched = re.fullmatch(regex, data) is not None
            except re.error:
                matched = True
            if not matched:
                run.error(
                    IssueType.INVARIANT, MessageId.QUESTIONNAIRE_QR_ITEM_REGEX, value_location, data=data, regex=regex
                )
    if type_name == "Attachment" and isinstance(data, dict):
        max_size = _extension(q_item, EXT + "maxSize")
        size = _attachment_size(data)
        if isinstance(max_size, int | float) and size is not None and size > max_size:
            run.error(
                IssueType.REQUIRED,
                MessageId.QUESTIONNAIRE_QR_ITEM_MAXSIZE,
                answer_location,
                max_size=max_size,
                size=size,
            )
    if type_name == "Attachment" and isinstance(data, dict):
        _mime_type(walker, q_item, data, answer_location)
    if type_name == "Quantity" and isinstance(data, dict):
        _unit(walker, q_item, data, value_location)
        for key, is_min in (
            (SDC + "sdc-questionnaire-minQuantity", True),
            (SDC + "sdc-questionnaire-maxQuantity", False),
        ):
            bound = _extension(q_item, key)
            if isinstance(bound, dict):
                _quantity_bound(walker, data, bound, is_min, value_location)
    if type_name == "Reference" and isinstance(data, dict) and isinstance(data.get("reference"), str):
        _reference(walker, q_item, data["reference"], value_location)


_TIME = re.compile(r"(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?")


def _start(value: Any, type_name: str) -> int | None:
    """The instant a date, dateTime or time starts at (`2022-06` → 2022-06-01T00:00Z), in epoch µs, as HL7's
    validator compares answers with minValue and maxValue; a value without a time zone is taken in UTC (a time: on
    1970-01-01). None when it is not one (reported as such elsewhere)."""
    if not isinstance(value, str):
        return None
    if type_name != "time":
        found = parse_range(value)
        return found[0] if found is not None else None
    match = _TIME.fullmatch(value)
    if match is None:
        return None
    hour, minute, second, fraction = match.groups()
    micro = round(float(fraction) * 1_000_000) if fraction else 0
    return ((int(hour) * 60 + int(minute)) * 60 + int(second or 0)) * 1_000_000 + micro


def _mime_type(walker: Checker, q_item: dict, attachment: dict, location: str) -> None:
    """mimeType: "the kind(s) of attachment allowed to be sent for an element"."""
    allowed = [str(v) for v in _extensions(q_item, EXT + "mimeType") if isinstance(v, str)]
    content_type = attachment.get("contentType")
    if not allowed or not isinstance(content_type, str):
        return
    bare = content_type.partition(";")[0].strip().lower()
    if not any(bare == option.partition(";")[0].strip().lower() for option in allowed):
        walker.run.error(
            IssueType.INVALID,
            MessageId.QUESTIONNAIRE_QR_ITEM_MIMETYPE,
            location,
            content_type=content_type,
            allowed=", ".join(allowed),
        )


def _unit(walker: Checker, q_item: dict, quantity: dict, location: str) -> None:
    """questionnaire-unitOption ("a unit that the user may choose when providing a quantity value") and
    questionnaire-unitValueSet ("a set of units that the user may choose"): the answer's unit is one of them."""
    options = [c for c in _extensions(q_item, EXT + "questionnaire-unitOption") if isinstance(c, dict)]
    value_set = _extension(q_item, EXT + "questionnaire-unitValueSet")
    system, code, unit = quantity.get("system"), quantity.get("code"), quantity.get("unit")
    described = str(code if code is not None else unit)
    if options:
        if not any(_same_unit(option, system, code, unit) for option in options):
            allowed = ", ".join(str(option.get("code") or option.get("display")) for option in options)
            walker.run.error(
                IssueType.INVALID, MessageId.QUESTIONNAIRE_QR_ITEM_UNIT, location, unit=described, allowed=allowed
            )
    elif isinstance(value_set, str) and isinstance(code, str):
        try:
            check = walker.terminology.validate_code(value_set, system if isinstance(system, str) else None, code)
        except Exception:
            return
        if check.result == "invalid":
            walker.run.error(
                IssueType.INVALID, MessageId.QUESTIONNAIRE_QR_ITEM_UNIT, location, unit=described, allowed=value_set
            )


def _same_unit(option: dict, system: Any, code: Any, unit: Any) -> bool:
    if code is not None:
        return bool(option.get("code") == code and option.get("system") == system)
    return unit is not None and unit in (option.get("code"), option.get("display"))


def _value_set_member(
    walker: Checker,
    value_set: str,
    coding: dict,
    answer_location: str,
    value_location: str,
    info: _QuestionnaireInfo | None,
) -> None:
    """answerValueSet: the Coding is in the value set (a canonical, or `#id` of a contained ValueSet)."""
    contained = info.contained(value_set) if info is not None and value_set.startswith("#") else None
    try:
        if contained is not None and contained.get("resourceType") == "ValueSet":
            expansion = walker.terminology.expand_resource(contained)
            system = coding.get("system")
            if isinstance(system, str) and expansion.item(system, coding["code"]) is not None:
                result = "valid"
            elif system is None and expansion.items_with_code(coding["code"]):
                result = "valid"  # a Coding without system is taken in the value set's system that has its code
            elif expansion.complete or not expansion.may_contain(system if isinstance(system, str) else None):
                result = "invalid"
            else:
                result = None
        elif value_set.startswith("#") or not walker.terminology.expand(value_set).resolved:
            result = "missing"
        else:
            check = walker.terminology.validate_code(
                value_set, coding.get("system"), coding["code"], coding.get("display")
            )
            result = "invalid" if check.result == "invalid" or check.display_ok is False else check.result
    except Exception:
        result = None
    if result == "missing":
        walker.run.warning(
            IssueType.NOT_FOUND,
            MessageId.QUESTIONNAIRE_QR_ITEM_VALUESET_NOTFOUND,
            value_location,
            value_set=value_set,
            code=_describe(coding),
        )
    elif result == "invalid":
        walker.run.error(
            IssueType.CODE_INVALID,
            MessageId.QUESTIONNAIRE_QR_ITEM_NOTINVS,
            answer_location,
            code=coding["code"],
            system=coding.get("system"),
            value_set=value_set,
        )


def _reference(walker: Checker, q_item: dict, reference: str, location: str) -> None:
    from dermfhir.validation.references import parse

    parts = parse(reference.replace(" ", "")) if " " in reference else parse(reference)
    if parts is None:
        match = re.search(r"([A-Za-z]+)/[^/]+$", reference)
        resource_type = match.group(1) if match else None
    else:
        resource_type = parts[0]
    if resource_type is None:
        return
    model = walker.models.get(resource_type)
    if model is None or model.kind != "resource":
        walker.run.error(
            IssueType.INVARIANT,
            MessageId.QUESTIONNAIRE_QR_ITEM_REFTYPE,
            location,
            resource_type=resource_type,
            reference=reference,
        )
        return
    allowed = [
        str(e.get("valueCode"))
        for e in q_item.get("extension") or []
        if isinstance(e, dict) and e.get("url") == EXT + "questionnaire-referenceResource"
    ]
    if allowed and resource_type not in allowed:
        walker.run.error(
            IssueType.INVARIANT,
            MessageId.QUESTIONNAIRE_QR_ITEM_REFTYPE_NOTALLOWED,
            location,
            resource_type=resource_type,
            reference=reference,
            allowed=",".join(allowed),
        )


def _quantity_bound(walker: Checker, value: dict, bound: dict, is_min: bool, location: str) -> None:
    amount, limit = value.get("value"), bound.get("value")
    if not isinstance(amount, int | float) or not isinstance(limit, int | float):
        return
    if not (value.get("system") and value.get("code") and bound.get("system") and bound.get("code")):
        walker.run.error(
            IssueType.INVARIANT,
            (
                MessageId.QUESTIONNAIRE_QR_ITEM_QUANTITY_NOUNITS
                if is_min
                else MessageId.QUESTIONNAIRE_QR_ITEM_QUANTITY_NOUNITS_MAX
            ),
            location,
            amount=amount,
            unit=value.get("unit", ""),
            limit=limit,
            limit_unit=bound.get("unit", ""),
        )
        return
    order = compare_quantities(value, bound)  # UCUM units converted; None when they do not compare
    if order is not None and (order < 0 if is_min else order > 0):
        walker.run.error(
            IssueType.INVARIANT,
            MessageId.QUESTIONNAIRE_QR_ITEM_QUANTITY_RANGE
            if is_min
            else MessageId.QUESTIONNAIRE_QR_ITEM_QUANTITY_RANGE_MAX,
            location,
            amount=amount,
            unit=value.get("code"),
            limit=limit,
            limit_unit=bound.get("code"),
        )


def _attachment_size(data: dict) -> int | None:
    if isinstance(data.get("data"), str):
        try:
            return len(base64.b64decode(data["data"], validate=False))
        except (binascii.Error, ValueError):
            return None
    size = data.get("size")
    return size if isinstance(size, int) else None


def _value(holder: dict) -> tuple[str, Any] | None:
    for key, value in holder.items():
        if key.startswith("value") and key[5:6].isupper():
            name = key[5:]
            return (
                name
                if name[:1].isupper()
                and name not in ("Boolean", "Decimal", "Integer", "Date", "DateTime", "Time", "String", "Uri")
                else name[:1].lower() + name[1:]
            ), value
    return None


def _same(type_name: str, data: Any, option: tuple[str, Any]) -> bool:
    if option[0] != type_name:
        return False
    if type_name == "Coding" and isinstance(data, dict) and isinstance(option[1], dict):
        return data.get("system") == option[1].get("system") and data.get("code") == option[1].get("code")
    if type_name == "Reference" and isinstance(data, dict) and isinstance(option[1], dict):
        return data.get("reference") == option[1].get("reference")
    return bool(data == option[1])


def _is_exclusive(q_item: dict, type_name: str, data: Any) -> bool:
    for option in q_item.get("answerOption") or []:
        if not isinstance(option, dict):
            continue
        value = _value(option)
        if (
            value is not None
            and _same(type_name, data, value)
            and _extension(option, EXT + "questionnaire-optionExclusive") is True
        ):
            return True
    return False


def _extension(holder: dict, url: str) -> Any:
    for extension in holder.get("extension") or []:
        if isinstance(extension, dict) and extension.get("url") == url:
            value = _value(extension)
            return value[1] if value else None
    return None


def _extensions(holder: dict, url: str) -> list[Any]:
    """The values of every extension of `holder` with `url`."""
    found = []
    for extension in holder.get("extension") or []:
        if isinstance(extension, dict) and extension.get("url") == url:
            value = _value(extension)
            if value is not None:
                found.append(value[1])
    return found


def _describe(data: Any) -> str:
    if isinstance(data, dict):
        return f"{data.get('system')}#{data.get('code')}"
    return str(data)


def _decimal_text(value: Any) -> str:
    return repr(value) if isinstance(value, float) else str(value)
