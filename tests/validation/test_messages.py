"""Message ids and texts live in one table (`validation.messages`): every id has a text, every text is a template
whose placeholders are named and is more than a placeholder, ids are unique, no call site passes a text (or a word
of one) of its own, and no issue is built with a text of its own."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from dermfhir.validation.messages import REPORTED_AS, TEXTS, MessageId
from dermfhir.validation.primitives import PRIMITIVE_TYPES, STRING_TYPES

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


_LONE_PLACEHOLDER = re.compile(r"\{\w+(![rsa])?\}")


def test_no_text_is_a_placeholder_alone() -> None:
    # a template that is only `{problem}` lets the call site make the text up
    assert [m for m, text in TEXTS.items() if _LONE_PLACEHOLDER.fullmatch(text.strip())] == []


#: A wrong value of every primitive type, in a Parameters value[x] (xhtml: a narrative div).
_WRONG = {type_code: 7 if type_code in STRING_TYPES else "7x" for type_code in PRIMITIVE_TYPES}


@pytest.mark.parametrize("type_code", sorted(PRIMITIVE_TYPES))
def test_a_primitive_problem_carries_the_id_of_its_type(validator, type_code: str) -> None:
    if type_code == "xhtml":
        resource = {"resourceType": "Patient", "text": {"status": "generated", "div": "<p>x</p>"}}
    else:
        name = "value" + type_code[0].upper() + type_code[1:]
        resource = {"resourceType": "Parameters", "parameter": [{"name": "p", name: _WRONG[type_code]}]}
    issues = [issue for issue in validator.issues(resource) if issue.is_error]
    assert [issue.message_id for issue in issues] == [f"Type_Specific_Checks_DT_{type_code}_Valid"]
    texts = {TEXTS[member].format_map(_Any()) for member in MessageId}
    assert _template_of(issues[0].message, texts)


class _Any(dict):
    """Every placeholder filled with `_MARK`."""

    def __missing__(self, key: str) -> str:
        return _MARK


_MARK = "§§"


def _template_of(message: str, texts: set[str]) -> bool:
    """Whether `message` is one of the texts, its placeholders filled in (each stands for any text)."""
    return any(
        re.fullmatch(".*".join(re.escape(part) for part in text.split(_MARK)), message, re.DOTALL) for text in texts
    )


def _calls(path: Path) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("error", "warning", "info", "add", "of")
    ]


def _position(call: ast.Call) -> int:
    """Where the message id is: error/warning/info(code, message_id, location, …); add / Issue.of(severity, code,
    message_id, location, …)."""
    return 2 if isinstance(call.func, ast.Attribute) and call.func.attr in ("add", "of") else 1


def _is_text(node: ast.expr) -> bool:
    """A text made at the call site: a string, an f-string, a concatenation, or a choice between such texts."""
    if isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _is_text(node.left) or _is_text(node.right)
    if isinstance(node, ast.IfExp):
        return _is_text(node.body) or _is_text(node.orelse)
    return False


def test_no_call_site_passes_a_text_of_its_own() -> None:
    offenders = []
    for path in sorted(VALIDATION.glob("*.py")):
        for call in _calls(path):
            position = _position(call)
            if len(call.args) <= position:
                continue  # set.add(x) and the like
            argument = call.args[position]
            if _is_text(argument) or any(keyword.arg == "message" for keyword in call.keywords):
                offenders.append(f"{path.name}:{call.lineno}")
            # the values of the placeholders: never a text or a word of one ("less" if … else "greater"); the id
            # an invariant's issue carries is no text
            values = [keyword for keyword in call.keywords if keyword.arg not in (None, "reported_id")]
            if len(call.args) > position + 1 and any(_is_text(keyword.value) for keyword in values):
                offenders.append(f"{path.name}:{call.lineno}")
    assert offenders == []


def test_no_issue_is_built_with_a_text_of_its_own() -> None:
    # `Issue.of` (outcome.py) gives an issue the text of its message id; nowhere else is an `Issue(…)` made
    offenders = [
        f"{path.name}:{node.lineno}"
        for path in sorted(VALIDATION.glob("*.py"))
        if path.name != "outcome.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Issue"
    ]
    assert offenders == []


def test_no_exception_carries_a_text_that_becomes_an_issue() -> None:
    # an exception a check turns into an issue (XmlError, SnapshotError) carries a message id and values
    offenders = [
        f"{path.name}:{node.lineno}"
        for path in sorted(VALIDATION.glob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Raise)
        and isinstance(node.exc, ast.Call)
        and isinstance(node.exc.func, ast.Name)
        and node.exc.func.id in ("XmlError", "SnapshotError")
        and (not node.exc.args or _is_text(node.exc.args[0]))
    ]
    assert offenders == []


def test_every_issue_call_site_names_its_message_id() -> None:
    sites = 0
    for path in sorted(VALIDATION.glob("*.py")):
        if path.name == "context.py":
            continue  # the methods themselves
        for call in _calls(path):
            position = _position(call)
            if len(call.args) < position + 2:
                continue
            sites += 1
            argument = call.args[position]
            names = {node.id for node in ast.walk(argument) if isinstance(node, ast.Name)}
            carried = isinstance(argument, ast.Attribute) and argument.attr == "message_id"  # an XmlError's …
            assert "MessageId" in names or carried or isinstance(argument, ast.Subscript | ast.Name), (
                f"{path.name}:{call.lineno}"
            )
    assert sites > 100


_PROBE = "http://example.org/StructureDefinition/fixed-and-pattern"


@pytest.fixture(scope="module")
def profiled(core):
    from dermfhir.validation import Validator

    profile = {
        "resourceType": "StructureDefinition",
        "url": _PROBE,
        "name": "FixedAndPattern",
        "status": "draft",
        "kind": "resource",
        "abstract": False,
        "type": "Observation",
        "baseDefinition": "http://hl7.org/fhir/StructureDefinition/Observation",
        "derivation": "constraint",
        "differential": {
            "element": [
                {"id": "Observation", "path": "Observation"},
                {
                    "id": "Observation.code",
                    "path": "Observation.code",
                    "fixedCodeableConcept": {"coding": [{"system": "http://loinc.org", "code": "1-8"}], "text": "t"},
                },
                {
                    "id": "Observation.valueQuantity",
                    "path": "Observation.valueQuantity",
                    "patternQuantity": {"system": "http://unitsofmeasure.org", "code": "mm"},
                },
            ]
        },
    }
    return Validator(core.with_resources([profile]))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"code": {"coding": [{"system": "http://loinc.org", "code": "2-6"}], "text": "t"}},
            [("Profile_VAL_NotAllowed", "Observation.code.coding[0].code", "Value is '2-6' but must be '1-8'")],
        ),
        (
            {"code": {"coding": [{"system": "http://loinc.org", "code": "1-8"}]}},
            [
                (
                    "Profile_VAL_NotAllowed",
                    "Observation.code",
                    "Missing element 'text' - required by fixed value in the profile",
                )
            ],
        ),
        (
            {"code": {"coding": [{"system": "http://loinc.org", "code": "1-8", "display": "d"}], "text": "t"}},
            [
                (
                    "Profile_VAL_NotAllowed",
                    "Observation.code.coding[0].display",
                    "The element display is present in the instance but not allowed in the applicable fixed value "
                    "specified in profile",
                )
            ],
        ),
        (
            {"code": {"coding": [{"system": "http://loinc.org", "code": "1-8"}] * 2, "text": "t"}},
            [("Profile_VAL_NotAllowed", "Observation.code.coding", "Expected 1 values but found 2")],
        ),
        (
            {"valueQuantity": {"value": 1, "system": "http://unitsofmeasure.org", "code": "cm"}},
            [("Profile_VAL_MissingElement", "Observation.valueQuantity.code", "Value is 'cm' but must be 'mm'")],
        ),
        (
            {"valueQuantity": {"value": 1}},
            [
                (
                    "Profile_VAL_MissingElement",
                    "Observation.valueQuantity",
                    "Missing element 'system' - required by pattern in the profile",
                ),
                (
                    "Profile_VAL_MissingElement",
                    "Observation.valueQuantity",
                    "Missing element 'code' - required by pattern in the profile",
                ),
            ],
        ),
    ],
)
def test_fixed_and_pattern_differences_carry_their_ids(profiled, change, expected) -> None:
    resource = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "1-8"}], "text": "t"},
    } | change
    issues = [i for i in profiled.issues(resource, [_PROBE]) if i.message_id.startswith("Profile_VAL")]
    assert [(i.message_id, i.location, i.message) for i in issues] == expected
