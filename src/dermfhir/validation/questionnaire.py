"""QuestionnaireResponse against the Questionnaire it answers (found by canonical URL among the definitions, or
contained).

Checked: linkIds known; required items answered (completed responses); repeats (one answer unless repeating);
groups do not carry answers; answer types by item type; answerOption membership and exclusive options;
answerValueSet membership (where it can be expanded); minOccurs; the extensions minValue, maxValue,
maxDecimalPlaces, minLength (and maxLength), regex, maxSize, sdc min/maxQuantity (UCUM length and mass units are
converted), questionnaire-referenceResource; enableWhen (`enable_when`): an answered item that is disabled is an
error, a required item is required only while enabled. Not checked: calculated expressions, item order.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import TYPE_CHECKING, Any

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
    "choice": ("Coding",),
    "open-choice": ("Coding", "string"),
    "attachment": ("Attachment",),
    "reference": ("Reference",),
    "quantity": ("Quantity",),
}
# UCUM units this module can convert (to metres, grams, seconds)
_UNITS = {
    "m": ("length", 1.0),
    "km": ("length", 1000.0),
    "cm": ("length", 0.01),
    "mm": ("length", 0.001),
    "g": ("mass", 1.0),
    "kg": ("mass", 1000.0),
    "mg": ("mass", 0.001),
    "ug": ("mass", 1e-6),
    "s": ("time", 1.0),
    "min": ("time", 60.0),
    "h": ("time", 3600.0),
    "d": ("time", 86400.0),
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
    _items(walker, questionnaire.get("item") or [], response.get("item") or [], path, path, completed, frame, state)


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
) -> None:
    scopes = (*scopes, r_items)
    by_link = {q.get("linkId"): q for q in q_items if isinstance(q, dict)}
    seen: dict[str, list[tuple[int, dict]]] = {}
    for index, r_item in enumerate(r_items):
        if not isinstance(r_item, dict):
            continue
        link_id = r_item.get("linkId")
        location = f"{items_path}.item[{index}]"
        if link_id not in by_link:
            walker.run.error(
                IssueType.NOT_FOUND, MessageId.QUESTIONNAIRE_QR_ITEM_NOTFOUND, parent_path, link_id=link_id
            )
            continue
        seen.setdefault(str(link_id), []).append((index, r_item))
        _item(walker, by_link[link_id], r_item, location, completed, frame, state, scopes)
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
        if q_item.get("required") and completed and enabled is True:
            answered = any(_has_content(item, q_item) for _, item in found)
            if not answered:
                where = f"{items_path}.item[{found[0][0]}]" if found else parent_path
                walker.run.error(
                    IssueType.REQUIRED,
                    MessageId.QUESTIONNAIRE_QR_ITEM_MISSING,
                    where if found else parent_path,
                    link_id=link_id,
                )
        if len(found) > 1 and not q_item.get("repeats") and q_item.get("type") != "group":
            walker.run.error(
                IssueType.STRUCTURE,
                MessageId.QUESTIONNAIRE_QR_ITEM_ONLYONEI,
                f"{items_path}.item[{found[1][0]}]",
                link_id=link_id,
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
) -> None:
    item_type = q_item.get("type")
    answers = [a for a in r_item.get("answer") or [] if isinstance(a, dict)]
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
        )
        return
    if item_type == "display":
        return
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
                    MessageId.QUESTIONNAIRE_QR_ITEM_WRONGTYPE,
                    value_location,
                    expected=allowed[0],
                    type_name=type_name,
                )
            else:
                _answer(walker, q_item, type_name, data, value_location, answer_location, frame)
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
    if r_item.get("item") and item_type not in ("group",):
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
        )


def _answer(
    walker: Checker, q_item: dict, type_name: str, data: Any, value_location: str, answer_location: str, frame: Frame
) -> None:
    run = walker.run
    options = [o for o in q_item.get("answerOption") or [] if isinstance(o, dict)]
    if options and type_name in ("integer", "date", "time", "string", "Coding", "Reference"):
        option_values = [v for o in options if (v := _value(o)) is not None]
        if not any(_same(type_name, data, option) for option in option_values):
            if type_name == "Coding":
                if q_item.get("type") != "open-choice":
                    run.error(
                        IssueType.CODE_INVALID,
                        MessageId.QUESTIONNAIRE_QR_ITEM_NOCODING,
                        value_location,
                        code=_describe(data),
                    )
            elif not (type_name == "string" and q_item.get("type") == "open-choice"):
                run.error(
                    IssueType.INVARIANT,
                    MessageId.QUESTIONNAIRE_QR_ITEM_NOOPTION,
                    value_location,
                    type_name=type_name,
                    data=data,
                )
    value_set = q_item.get("answerValueSet")
    if (
        isinstance(value_set, str)
        and type_name == "Coding"
        and isinstance(data, dict)
        and isinstance(data.get("code"), str)
    ):
        try:
            result = walker.terminology.validate_code(value_set, data.get("system"), data["code"], data.get("display"))
        except Exception:
            result = None
        if result is not None and (result.result == "invalid" or result.display_ok is False):
            run.error(
                IssueType.CODE_INVALID,
                MessageId.QUESTIONNAIRE_QR_ITEM_NOTINVS,
                answer_location,
                code=data["code"],
                system=data.get("system"),
                value_set=value_set,
            )
    for bound, is_min in ((_extension(q_item, EXT + "minValue"), True), (_extension(q_item, EXT + "maxValue"), False)):
        if bound is None or type_name not in ("integer", "decimal", "date", "dateTime", "time"):
            continue
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
    if type_name == "Quantity" and isinstance(data, dict):
        for key, is_min in (
            (SDC + "sdc-questionnaire-minQuantity", True),
            (SDC + "sdc-questionnaire-maxQuantity", False),
        ):
            bound = _extension(q_item, key)
            if isinstance(bound, dict):
                _quantity_bound(walker, data, bound, is_min, value_location)
    if type_name == "Reference" and isinstance(data, dict) and isinstance(data.get("reference"), str):
        _reference(walker, q_item, data["reference"], value_location)


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
    left = _to_base(value)
    right = _to_base(bound)
    if left is None or right is None or left[0] != right[0]:
        return
    if (is_min and left[1] < right[1]) or (not is_min and left[1] > right[1]):
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


def _to_base(quantity: dict) -> tuple[str, float] | None:
    if quantity.get("system") != UCUM:
        return None
    unit = _UNITS.get(str(quantity.get("code")))
    if unit is None:
        return (str(quantity.get("code")), float(quantity["value"]))
    return unit[0], float(quantity["value"]) * unit[1]


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


def _describe(data: Any) -> str:
    if isinstance(data, dict):
        return f"{data.get('system')}#{data.get('code')}"
    return str(data)


def _decimal_text(value: Any) -> str:
    return repr(value) if isinstance(value, float) else str(value)
