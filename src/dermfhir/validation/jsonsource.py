"""JSON text → FHIR JSON data, with the problems of the text itself as issues that carry a line and a column.

RFC 8259 leaves duplicate property names undefined and FHIR's JSON format (R4 §2.6.2) forbids them, so a parser that
silently keeps the last value would hide data: here a duplicate is an error at the line and column of the second
name. Text that is not JSON at all is one fatal issue at the line and column where parsing stopped; nothing raises.
`locate` maps the FHIRPath-style location of an issue found later (`Observation.code.coding[1].system`) back to the
line and column of that value in the text, as the HL7 validator reports them.
Not done: JSON5 leniencies (comments, trailing commas, unquoted names) are syntax errors here, as the standard says.
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

from dermfhir.validation.messages import MessageId
from dermfhir.validation.outcome import Issue, IssueType

#: Inputs larger than this are not scanned again for line and column numbers (the issues keep their FHIRPath).
LOCATE_LIMIT = 8 * 1024 * 1024


class _Duplicate(Exception):
    pass


def _pairs_checked(pairs: list[tuple[str, Any]]) -> dict:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _Duplicate
    return result


def load(data: bytes | str) -> tuple[Any, list[Issue]]:
    """(value, issues): the parsed JSON (None when it is not JSON) and the problems of the text."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line, column = _position(data.decode("utf-8", "replace"), error.start)
            return None, [_fatal(MessageId.ERROR_PARSING_JSON_NOT_UTF8, line, column, error=error.reason)]
    else:
        text = data
    try:
        return json.loads(text, object_pairs_hook=_pairs_checked), []
    except _Duplicate:
        pass
    except json.JSONDecodeError as error:
        return None, [_fatal(MessageId.ERROR_PARSING_JSON, error.lineno, error.colno, error=error.msg)]
    except RecursionError:
        return None, [Issue.of("fatal", IssueType.TOO_COSTLY, MessageId.TOO_DEEP_JSON, "")]
    except ValueError as error:  # numbers Python refuses to convert (more than 4300 digits)
        return None, [_fatal(MessageId.ERROR_PARSING_JSON, 1, 1, error=error)]
    value = json.loads(text, object_pairs_hook=_first_wins)
    issues = [
        Issue.of(
            "error",
            IssueType.INVALID,
            MessageId.DUPLICATE_JSON_PROPERTY,
            location,
            line=line,
            column=column,
            property_name=name,
        )
        for name, location, line, column in duplicates(text, _resource_type(value))
    ]
    return value, issues


def _first_wins(pairs: list[tuple[str, Any]]) -> dict:
    result: dict = {}
    for name, item in pairs:
        result.setdefault(name, item)
    return result


def _resource_type(value: Any) -> str:
    kind = value.get("resourceType") if isinstance(value, dict) else None
    return kind if isinstance(kind, str) else "$"


def _fatal(message_id: MessageId, line: int, column: int, **values: Any) -> Issue:
    return Issue.of("fatal", IssueType.INVALID, message_id, "", line=line, column=column, **values)


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


# --- a position-keeping scan, used only when there is something to point at --------------------------------------
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"', re.DOTALL)
_SCALAR = re.compile(r"-?[0-9][0-9.eE+\-]*|true|false|null")


def _render(path: tuple, root: str) -> str:
    out = root
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else f".{step}"
    return out


def duplicates(text: str, root: str) -> list[tuple[str, str, int, int]]:
    """(name, location of the object, line, column) of every repeated property name in `text`."""
    found: list[tuple[str, str, int, int]] = []

    def visit(path: tuple, name_at: int, _value_at: int, duplicate: bool) -> None:
        if duplicate:
            line, column = _position(text, name_at)
            found.append((str(path[-1]), _render(path[:-1], root), line, column))

    _walk(text, visit)
    return found


def positions(text: str) -> dict[tuple, int]:
    """path → offset of the value (first occurrence) for every property and array item of `text`."""
    found: dict[tuple, int] = {}

    def visit(path: tuple, _name_at: int, value_at: int, _duplicate: bool) -> None:
        found.setdefault(path, value_at)

    _walk(text, visit)
    return found


def _walk(text: str, visit: Any) -> None:
    """A small recursive-descent walk of well-formed JSON text (positions kept); stops quietly on anything else."""
    try:
        _Walker(text, visit).value(_skip(text, 0), (), 0)
    except (IndexError, ValueError, RecursionError):
        return


def _skip(text: str, position: int) -> int:
    return _WHITESPACE.match(text, position).end()  # type: ignore[union-attr]


class _Walker:
    def __init__(self, text: str, visit: Any) -> None:
        self.text = text
        self.visit = visit

    def value(self, position: int, path: tuple, depth: int) -> int:
        text = self.text
        char = text[position]
        if char == "{":
            if depth > 256:
                raise ValueError("too deep")
            names: set[str] = set()
            position = _skip(text, position + 1)
            if text[position] == "}":
                return position + 1
            while True:
                match = _STRING.match(text, position)
                if match is None:
                    raise ValueError("name expected")
                name = json.loads(match.group(0))
                colon = _skip(text, match.end())
                value_at = _skip(text, colon + 1)
                self.visit((*path, name), position, value_at, name in names)
                names.add(name)
                position = _skip(text, self.value(value_at, (*path, name), depth + 1))
                if text[position] == ",":
                    position = _skip(text, position + 1)
                    continue
                return position + 1
        if char == "[":
            if depth > 256:
                raise ValueError("too deep")
            position = _skip(text, position + 1)
            if text[position] == "]":
                return position + 1
            index = 0
            while True:
                self.visit((*path, index), position, position, False)
                position = _skip(text, self.value(position, (*path, index), depth + 1))
                if text[position] == ",":
                    position = _skip(text, position + 1)
                    index += 1
                    continue
                return position + 1
        match = _STRING.match(text, position) if char == '"' else _SCALAR.match(text, position)
        if match is None:
            raise ValueError("value expected")
        return match.end()


_STEP = re.compile(r"\.([A-Za-z_][A-Za-z0-9_\-]*)|\[(\d+)\]")


def parse_location(location: str) -> tuple | None:
    """The JSON path of a FHIRPath-style location (`Patient.name[0].given[1]` → ('name', 0, 'given', 1))."""
    head = re.match(r"^[A-Za-z$][A-Za-z0-9]*", location)
    if head is None:
        return None
    steps: list = []
    position = head.end()
    for match in _STEP.finditer(location, position):
        if match.start() != position:
            break
        steps.append(match.group(1) if match.group(1) is not None else int(match.group(2)))
        position = match.end()
    return tuple(steps)


def locate(text: str, issues: list[Issue]) -> list[Issue]:
    """The issues with the line and column of their location in `text` (the nearest enclosing value found)."""
    if not issues or len(text) > LOCATE_LIMIT or all(issue.line for issue in issues):
        return issues
    found = positions(text)
    located = []
    for issue in issues:
        if issue.line:
            located.append(issue)
            continue
        path = parse_location(issue.location)
        offset = None
        while path is not None:
            offset = found.get(path)
            if offset is not None or not path:
                break
            if len(path) >= 2 and path[-1] == 0 and isinstance(path[-1], int):
                offset = found.get(path[:-1])  # a single value written where an array is expected (`code[0]`)
                if offset is not None:
                    break
            path = path[:-1]
        if offset is None:
            offset = _skip(text, 0) if text else 0
        line, column = _position(text, offset)
        located.append(dataclasses.replace(issue, line=line, column=column))
    return located
