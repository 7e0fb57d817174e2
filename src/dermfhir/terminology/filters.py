"""ValueSet.compose filters evaluated over a loaded CodeSystem.

Supported: property `concept` (or `code`) with =, is-a, descendent-of, is-not-a, generalizes, in, not-in, regex;
`display` with =, in, regex; `parent` / `child` with =, in, exists; any other property the CodeSystem declares or
uses with =, in, not-in, regex, exists. Anything else raises FilterNotSupported, which makes the include
incomplete rather than wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from dermfhir.terminology.codesystems import CodeSystemIndex
from dermfhir.terminology.results import Concept


class FilterNotSupported(Exception):
    """A filter this index cannot evaluate; the message says which and why."""


_CONCEPT_PROPERTIES = frozenset({"concept", "code"})


def filter_codes(index: CodeSystemIndex, filter: dict) -> set[str]:
    """The codes of `index` that pass one ValueSet.compose.include.filter."""
    prop, op, value = filter.get("property"), filter.get("op"), filter.get("value")
    if not isinstance(prop, str) or not isinstance(op, str) or not isinstance(value, str):
        raise FilterNotSupported(f"malformed filter {filter!r}")
    if prop in _CONCEPT_PROPERTIES:
        return _concept_filter(index, op, value)
    if prop in index.parent_properties or prop in index.child_properties:
        return _hierarchy_filter(index, prop, op, value)
    if prop == "display":
        return _value_filter(index, op, value, lambda concept: [concept.display] if concept.display else [])
    if prop in index.property_definitions or prop in index.used_properties:
        return _value_filter(index, op, value, lambda concept: _texts(concept.property_values(prop)))
    raise FilterNotSupported(f"property '{prop}' is not defined by the CodeSystem {index.url}")


def _concept_filter(index: CodeSystemIndex, op: str, value: str) -> set[str]:
    code = index.canonical_code(value)
    if op == "=":
        return {code} if code else set()
    if op == "is-a":
        return ({code} | index.descendants(code)) if code else set()
    if op == "descendent-of":
        return set(index.descendants(code)) if code else set()
    if op == "is-not-a":
        excluded = ({code} | index.descendants(code)) if code else set()
        return {c for c in index.codes() if c not in excluded}
    if op == "generalizes":
        return ({code} | index.ancestors(code)) if code else set()
    if op == "in":
        return {c for c in (index.canonical_code(item) for item in _split(value)) if c}
    if op == "not-in":
        excluded = {c for c in (index.canonical_code(item) for item in _split(value)) if c}
        return {c for c in index.codes() if c not in excluded}
    if op == "regex":
        pattern = _compile(value)
        return {c for c in index.codes() if pattern.fullmatch(c)}
    raise FilterNotSupported(f"operation '{op}' is not supported on property 'concept'")


def _hierarchy_filter(index: CodeSystemIndex, prop: str, op: str, value: str) -> set[str]:
    upward = prop in index.child_properties  # child = X selects the parents of X
    if op in ("=", "in"):
        found: set[str] = set()
        for item in _split(value) if op == "in" else [value]:
            concept = index.concept(item)
            if concept is not None:
                found.update(concept.parents if upward else concept.children)
        return found
    if op == "exists":
        wanted = value.strip().lower() == "true"
        return {concept.code for concept in index if bool(concept.children if upward else concept.parents) == wanted}
    raise FilterNotSupported(f"operation '{op}' is not supported on property '{prop}'")


def _value_filter(index: CodeSystemIndex, op: str, value: str, values: Callable[[Concept], list[str]]) -> set[str]:
    if op == "=":
        return {concept.code for concept in index if value in values(concept)}
    if op == "in":
        wanted = set(_split(value))
        return {concept.code for concept in index if wanted.intersection(values(concept))}
    if op == "not-in":
        unwanted = set(_split(value))
        return {concept.code for concept in index if not unwanted.intersection(values(concept))}
    if op == "regex":
        pattern = _compile(value)
        return {concept.code for concept in index if any(pattern.fullmatch(text) for text in values(concept))}
    if op == "exists":
        present = value.strip().lower() == "true"
        return {concept.code for concept in index if bool(values(concept)) == present}
    raise FilterNotSupported(f"operation '{op}' is not supported on this property")


def _texts(values: list) -> list[str]:
    """Property values as the strings a filter value is compared with (a Coding by its code)."""
    texts = []
    for value in values:
        if isinstance(value, bool):
            texts.append("true" if value else "false")
        elif isinstance(value, dict):
            if "code" in value:
                texts.append(str(value["code"]))
        elif value is not None:
            texts.append(str(value))
    return texts


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def _compile(value: str) -> re.Pattern[str]:
    try:
        return re.compile(value)
    except re.error as error:
        raise FilterNotSupported(f"regex '{value}' is not valid: {error}") from None
