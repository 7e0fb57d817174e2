"""Message ids and texts live in one table (`validation.messages`): every id has a text, every text is a template
whose placeholders are named, ids are unique, and no call site passes a text of its own."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from dermfhir.validation.messages import REPORTED_AS, TEXTS, MessageId
from dermfhir.validation.primitives import PRIMITIVE_TYPES

VALIDATION = Path(__file__).resolve().parents[2] / "src" / "dermfhir" / "validation"


def _placeholders(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]


def test_every_id_has_a_text() -> None:
    assert set(TEXTS) == set(MessageId)


def test_no_two_ids_share_a_value() -> None:
    values = [member.value for member in MessageId]
    assert len(values) == len(set(values))
    assert len(MessageId.__members__) == len(MessageId)  # no alias: a second name for one value


@pytest.mark.parametrize("message_id", list(MessageId))
def test_every_text_formats_with_the_names_it_declares(message_id: MessageId) -> None:
    names = _placeholders(TEXTS[message_id])
    assert all(name.isidentifier() for name in names), names  # named, never positional (`{}`, `{0}`)
    values = {name: f"<{name}>" for name in names}
    text = TEXTS[message_id].format(**values)
    assert all(f"<{name}>" in text for name in names)


def test_a_second_wording_reports_the_id_of_the_first() -> None:
    assert all(target not in REPORTED_AS for target in REPORTED_AS.values())


def test_every_primitive_type_has_its_id() -> None:
    # structure.py reports a lexical problem of a primitive value as `Type_Specific_Checks_DT_<type>_Valid`
    for type_code in PRIMITIVE_TYPES:
        assert MessageId(f"Type_Specific_Checks_DT_{type_code}_Valid") in TEXTS


def _calls(path: Path) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("error", "warning", "info", "add")
    ]


def test_no_call_site_passes_a_text_of_its_own() -> None:
    offenders = []
    for path in sorted(VALIDATION.glob("*.py")):
        for call in _calls(path):
            # error/warning/info(code, message_id, location, …); add(severity, code, message_id, location, …)
            position = 2 if call.func.attr == "add" else 1
            if len(call.args) <= position:
                continue  # set.add(x) and the like
            argument = call.args[position]
            if (
                isinstance(argument, ast.JoinedStr)
                or (isinstance(argument, ast.Constant) and isinstance(argument.value, str))
                or any(keyword.arg == "message" for keyword in call.keywords)
            ):
                offenders.append(f"{path.name}:{call.lineno}")
    assert offenders == []


def test_every_issue_call_site_names_its_message_id() -> None:
    sites = 0
    for path in sorted(VALIDATION.glob("*.py")):
        if path.name == "context.py":
            continue  # the methods themselves
        for call in _calls(path):
            position = 2 if call.func.attr == "add" else 1
            if len(call.args) < position + 2:
                continue
            sites += 1
            argument = call.args[position]
            names = {node.id for node in ast.walk(argument) if isinstance(node, ast.Name)}
            assert "MessageId" in names or isinstance(argument, ast.Subscript | ast.Name), f"{path.name}:{call.lineno}"
    assert sites > 100
