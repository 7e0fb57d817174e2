"""SearchParameter expressions: compiled once, evaluated on FHIR JSON, cached per expression text.

The R4 search expressions are mostly unions of simple paths (`Observation.subject | Observation.focus`,
`(Observation.value as Quantity)`, `Observation.value.ofType(Quantity)`, `Observation.subject.where(resolve() is
Patient)`, `Patient.telecom.where(system='email')`). Those are evaluated by a small path walker that also keeps the
FHIR type of choice elements (`valueQuantity` → Quantity). Every other expression goes to fhirpathpy (model r4),
with `resolve() is X` rewritten into a test of the reference's type: the store resolves no reference while indexing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

import fhirpathpy
from fhirpathpy.models import models

from dermfhir.fhirpath.types import CHOICE_TYPES

_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
_RESOLVE_IS = re.compile(r"resolve\(\)\s+is\s+(?:FHIR\.)?(" + _IDENT + r")")
_STEP_OFTYPE = re.compile(r"^(?:ofType|as)\((?:FHIR\.|System\.)?(" + _IDENT + r")\)$")
_STEP_RESOLVE = re.compile(r"^where\(\s*resolve\(\)\s+is\s+(?:FHIR\.)?(" + _IDENT + r")\s*\)$")
_STEP_EQUALS = re.compile(r"^where\(\s*(" + _IDENT + r")\s*=\s*'([^'\\]*)'\s*\)$")
_AS_SUFFIX = re.compile(r"^(.*\S)\s+as\s+(?:FHIR\.|System\.)?(" + _IDENT + r")$")


@dataclass(frozen=True)
class Item:
    """One value found by an expression, with its FHIR type when the path tells it (choice elements)."""

    value: Any
    type: str | None = None


Step = tuple[str, str, str]  # (kind, name, argument): ("field", "subject", ""), ("type", "Quantity", "")…


class Expression:
    """A compiled SearchParameter expression; `evaluate(node)` yields Items."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._paths = _parse_union(text)
        self._fallback: Callable[..., list] | None = None
        if self._paths is None:
            rewritten = _RESOLVE_IS.sub(
                lambda m: f"(reference.matches('^(.*/)?{m.group(1)}/[^/]+(/_history/.*)?$') or type = '{m.group(1)}')",
                text,
            )
            self._fallback = fhirpathpy.compile(rewritten, models["r4"])

    @property
    def paths(self) -> list[list[Step]] | None:
        """The union's simple paths, or None when the expression needs fhirpathpy."""
        return self._paths

    @property
    def is_simple(self) -> bool:
        """True when the fast path walker evaluates it (no fhirpathpy call)."""
        return self._paths is not None

    def evaluate(self, node: dict) -> list[Item]:
        """The values this expression selects in `node` (a resource, or an element for composite components)."""
        if self._paths is None:
            assert self._fallback is not None
            return [Item(_plain(value)) for value in self._fallback(node)]
        found: list[Item] = []
        for path in self._paths:
            found.extend(_walk(node, path))
        return found


@lru_cache(maxsize=4096)
def compile_expression(text: str) -> Expression:
    """The compiled expression for `text` (compiled once per process)."""
    return Expression(text)


def split_union(text: str) -> list[str]:
    """Split an expression at its top-level `|` operators."""
    parts, depth, quote, start = [], 0, False, 0
    for index, char in enumerate(text):
        if char == "'" and (index == 0 or text[index - 1] != "\\"):
            quote = not quote
        elif quote:
            continue
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(text[start:index].strip())
            start = index + 1
    parts.append(text[start:].strip())
    return [part for part in parts if part]


def _parse_union(text: str) -> list[list[Step]] | None:
    paths = []
    for part in split_union(text):
        path = _parse_path(part)
        if path is None:
            return None
        paths.append(path)
    return paths


def _strip_parens(text: str) -> str:
    while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    return text


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += char == "("
        depth -= char == ")"
        if depth < 0:
            return False
    return depth == 0


def _parse_path(text: str) -> list[Step] | None:
    text = _strip_parens(text.strip())
    suffix: list[Step] = []
    match = _AS_SUFFIX.match(text)
    if match:
        text, suffix = _strip_parens(match.group(1)), [("type", match.group(2), "")]
    steps: list[Step] = []
    for index, token in enumerate(_split_steps(text)):
        if token is None:
            return None
        if index == 0 and token.startswith("(") and token.endswith(")") and _balanced(token[1:-1]):
            inner = _parse_path(token[1:-1])  # `(Observation.value.ofType(CodeableConcept)).text`
            if inner is None:
                return None
            steps.extend(inner)
        elif re.fullmatch(_IDENT, token):
            if index == 0 and token[0].isupper():
                steps.append(("root", token, ""))
            else:
                steps.append(("field", token, ""))
        elif (found := _STEP_OFTYPE.match(token)) is not None:
            steps.append(("type", found.group(1), ""))
        elif (found := _STEP_RESOLVE.match(token)) is not None:
            steps.append(("resolve", found.group(1), ""))
        elif (found := _STEP_EQUALS.match(token)) is not None:
            steps.append(("equals", found.group(1), found.group(2)))
        else:
            return None
    return steps + suffix if steps else None


def _split_steps(text: str) -> Iterator[str | None]:
    depth, start, quote = 0, 0, False
    for index, char in enumerate(text):
        if char == "'":
            quote = not quote
        elif quote:
            continue
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "." and depth == 0:
            yield text[start:index].strip()
            start = index + 1
        elif char in "|+-*/<>=!&" and depth == 0:
            yield None
            return
    yield text[start:].strip()


def _walk(node: dict, path: list[Step]) -> list[Item]:
    items = [Item(node)]
    for kind, name, argument in path:
        if kind == "root":
            resource_type = node.get("resourceType")
            if resource_type is None or (name != resource_type and name not in ("Resource", "DomainResource")):
                return []
            continue
        if kind == "field":
            items = list(_children(items, name))
        elif kind == "type":
            items = [item for item in items if _is_type(item, name)]
        elif kind == "resolve":
            items = [item for item in items if _reference_type(item.value) == name]
        elif kind == "equals":
            items = [item for item in items if isinstance(item.value, dict) and item.value.get(name) == argument]
        if not items:
            return []
    return items


def walk_values(node: dict, path: tuple[Step, ...] | list[Step]) -> list[Any]:
    """The values `path` selects in `node`, as `_walk` finds them (a faster form for index extraction: plain
    (value, choice type) pairs, no Item objects)."""
    items: list[tuple[Any, str | None]] = [(node, None)]
    for kind, name, argument in path:
        if kind == "field":
            found: list[tuple[Any, str | None]] = []
            for value, _ in items:
                if not isinstance(value, dict):
                    continue
                child = value.get(name)
                if child is not None:
                    if isinstance(child, list):
                        found.extend((element, None) for element in child if element is not None)
                    else:
                        found.append((child, None))
                    continue
                if name in value:
                    continue
                for key, child in value.items():
                    if key.startswith(name) and key[len(name) :] in CHOICE_TYPES:
                        choice = key[len(name) :]
                        if isinstance(child, list):
                            found.extend((element, choice) for element in child if element is not None)
                        elif child is not None:
                            found.append((child, choice))
            items = found
        elif kind == "root":
            resource_type = node.get("resourceType")
            if resource_type is None or (name != resource_type and name not in ("Resource", "DomainResource")):
                return []
        elif kind == "type":
            lowered = name.lower()
            items = [item for item in items if item[1] is None or item[1].lower() == lowered]
        elif kind == "resolve":
            items = [item for item in items if _reference_type(item[0]) == name]
        elif kind == "equals":
            items = [item for item in items if isinstance(item[0], dict) and item[0].get(name) == argument]
        if not items:
            return []
    return [value for value, _ in items]


def _children(items: list[Item], name: str) -> Iterator[Item]:
    for item in items:
        value = item.value
        if not isinstance(value, dict):
            continue
        if name in value:
            yield from _flatten(value[name], None)
            continue
        for key, child in value.items():
            if key.startswith(name) and key[len(name) :] in CHOICE_TYPES:
                yield from _flatten(child, key[len(name) :])


def _flatten(value: Any, type_name: str | None) -> Iterator[Item]:
    if isinstance(value, list):
        for element in value:
            if element is not None:
                yield Item(element, type_name)
    elif value is not None:
        yield Item(value, type_name)


def _is_type(item: Item, name: str) -> bool:
    if item.type is None:
        return True  # not a choice element: the declared type is the only one
    return item.type.lower() == name.lower()


def _reference_type(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    reference = value.get("reference")
    if isinstance(reference, str):
        from dermfhir.store.search.reference import parse_reference

        parsed = parse_reference(reference)
        if parsed is not None and parsed[0]:
            return parsed[0]
    kind = value.get("type")
    return kind if isinstance(kind, str) else None


def _plain(value: Any) -> Any:
    """fhirpathpy returns decimals as Decimal and dates/quantities as its own objects; index the JSON form."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str | bool | int | float) or value is None:
        return value
    return str(value)
