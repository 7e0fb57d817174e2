"""Questionnaire.item.enableWhen (R4 Questionnaire, value set questionnaire-enable-operator): whether an item of a
QuestionnaireResponse is enabled by the answers given.

Operators: `exists` (whether an answer exists equals answerBoolean), `=` (at least one answer equals the value),
`!=` (no answer equals it), `>`, `<`, `>=`, `<=` (at least one answer compares so). Values compare by type: numbers
and strings as such, dates and times with their precision, Quantities with their units (`fhirpath.compare`),
Codings by system and code (by code alone when the condition gives no system), References by their reference.
`enableBehavior` `all` needs every condition, `any` one (a single condition needs no behaviour). The answers of a
question are those of the nearest response items with its linkId: in the same group first, then outward. An answer
to a question that is itself disabled counts as no answer. An undecidable condition (values of different types, a
value that cannot be compared) leaves the item's state unknown (None): neither the "answered while disabled" nor
the "required" rule is applied to it then.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dermfhir.fhirpath.compare import compare_quantities, compare_temporal

_TEMPORAL = frozenset({"date", "dateTime", "time"})


def typed(holder: dict, prefix: str) -> tuple[str, Any] | None:
    """(type, value) of the `<prefix>[x]` element of `holder` (type names as in FHIR: boolean, Coding, …)."""
    for key, value in holder.items():
        if key.startswith(prefix) and key[len(prefix) : len(prefix) + 1].isupper():
            name = key[len(prefix) :]
            if name in ("Boolean", "Decimal", "Integer", "Date", "DateTime", "Time", "String", "Uri"):
                name = name[:1].lower() + name[1:]
            return name, value
    return None


class EnableWhen:
    """Decides enableWhen for the items of one QuestionnaireResponse."""

    def __init__(self, questionnaire: dict) -> None:
        self.questions: dict[str, dict] = {}
        stack = list(questionnaire.get("item") or [])
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                if isinstance(item.get("linkId"), str):
                    self.questions.setdefault(item["linkId"], item)
                stack.extend(item.get("item") or [])
        self._deciding: set[int] = set()

    def enabled(self, q_item: dict, scopes: tuple[list, ...]) -> bool | None:
        """Whether `q_item` is enabled, its conditions read in `scopes` (the response item lists from the one
        holding the item outward); True when it has no enableWhen."""
        conditions = [c for c in q_item.get("enableWhen") or [] if isinstance(c, dict)]
        if not conditions:
            return True
        if id(q_item) in self._deciding:
            return None  # conditions that depend on themselves decide nothing
        self._deciding.add(id(q_item))
        try:
            results = [self._condition(condition, scopes) for condition in conditions]
        finally:
            self._deciding.discard(id(q_item))
        if q_item.get("enableBehavior") == "any" or len(results) == 1:
            if True in results:
                return True
            return None if None in results else False
        if False in results:
            return False
        return None if None in results else True

    def _condition(self, condition: dict, scopes: tuple[list, ...]) -> bool | None:
        question = condition.get("question")
        operator = condition.get("operator")
        expected = typed(condition, "answer")
        if not isinstance(question, str) or expected is None:
            return None
        answers = list(self._answers(question, scopes))
        if operator == "exists":
            return (len(answers) > 0) == (expected[1] is True) if expected[0] == "boolean" else None
        orders = [_order(answer, expected) for answer in answers]
        if operator == "=":
            return True if 0 in orders else (None if None in orders else False)
        if operator == "!=":
            return False if 0 in orders else (None if None in orders else True)
        wanted = {">": (1,), "<": (-1,), ">=": (1, 0), "<=": (-1, 0)}.get(str(operator))
        if wanted is None or _UNORDERED in orders:
            return None
        if any(order in wanted for order in orders):
            return True
        return None if None in orders else False

    def _answers(self, link_id: str, scopes: tuple[list, ...]) -> Iterator[tuple[str, Any]]:
        """The answers of the nearest response items with `link_id` (none when their question is disabled)."""
        q_item = self.questions.get(link_id)
        for depth in range(len(scopes) - 1, -1, -1):
            found = list(_find(scopes[depth], link_id))
            if not found:
                continue
            if q_item is not None and self.enabled(q_item, scopes[: depth + 1]) is False:
                return
            for r_item in found:
                for answer in r_item.get("answer") or []:
                    value = typed(answer, "value") if isinstance(answer, dict) else None
                    if value is not None:
                        yield value
            return


def _find(items: list, link_id: str) -> Iterator[dict]:
    """Response items with `link_id` in `items` and below them (nested items and answers' items)."""
    stack = list(items)
    while stack:
        item = stack.pop()
        if not isinstance(item, dict):
            continue
        if item.get("linkId") == link_id:
            yield item
            continue
        stack.extend(item.get("item") or [])
        for answer in item.get("answer") or []:
            if isinstance(answer, dict):
                stack.extend(answer.get("item") or [])


#: different values of a type without order (boolean, Coding, Reference)
_UNORDERED = 2


def _order(answer: tuple[str, Any], expected: tuple[str, Any]) -> int | None:
    """-1, 0, 1 comparing an answer with an enableWhen value of the same type, `_UNORDERED` for different values of
    a type without order; None when they do not compare."""
    (kind, value), (wanted_kind, wanted) = answer, expected
    numbers = {"integer", "decimal"}
    if kind != wanted_kind and not (kind in numbers and wanted_kind in numbers):
        return None
    if kind in numbers:
        if isinstance(value, bool) or isinstance(wanted, bool):
            return None
        if not (isinstance(value, int | float) and isinstance(wanted, int | float)):
            return None
        return (value > wanted) - (value < wanted)
    if kind in ("string", "uri"):
        if not (isinstance(value, str) and isinstance(wanted, str)):
            return None
        return (value > wanted) - (value < wanted)
    if kind == "boolean":
        return 0 if value is wanted else (_UNORDERED if isinstance(value, bool) else None)
    if kind in _TEMPORAL:
        return compare_temporal(value, wanted) if isinstance(value, str) and isinstance(wanted, str) else None
    if kind == "Quantity":
        return compare_quantities(value, wanted)
    if kind == "Coding" and isinstance(value, dict) and isinstance(wanted, dict):
        # a condition's Coding without a system names the code in any system (as HL7's validator compares them)
        same_system = "system" not in wanted or value.get("system") == wanted.get("system")
        same = value.get("code") == wanted.get("code") and same_system
        return 0 if same else _UNORDERED
    if kind == "Reference" and isinstance(value, dict) and isinstance(wanted, dict):
        return 0 if value.get("reference") == wanted.get("reference") else _UNORDERED
    return None
