"""Token search parameters: (system, code, text) rows.

Indexed: code/string/uri/id primitives and booleans (no system), Coding (system, code, display), CodeableConcept
(each coding, plus its text), Identifier (system, value, type text), ContactPoint (system, value).
Query: `code`, `system|code`, `|code` (no system), `system|`; modifiers `:not` (resources with no matching value,
including those with no value at all), `:text` (starts-with on the normalised display/text), `:missing`.
Not supported: `:above`, `:below` (code hierarchies), `:in`, `:not-in` (value sets), `:of-type`.
"""

from __future__ import annotations

from typing import Any

from dermfhir.store.search.string import TOP, clip, normalize

Row = tuple[str | None, str | None, str | None]


def extract(value: Any) -> list[Row]:
    """(system, code, text) rows for one value."""
    if isinstance(value, bool):
        return [(None, "true" if value else "false", None)]
    if isinstance(value, str):
        return [(None, clip(value), None)]
    if isinstance(value, int | float):
        return [(None, str(value), None)]
    if not isinstance(value, dict):
        return []
    if "coding" in value or ("text" in value and "code" not in value and "value" not in value):
        rows = [row for coding in value.get("coding") or [] if isinstance(coding, dict) for row in _coding(coding)]
        text = value.get("text")
        if isinstance(text, str) and text.strip():
            rows.append((None, None, normalize(text)))
        return rows
    if "value" in value and "code" not in value:  # Identifier, ContactPoint
        code = value.get("value")
        if not isinstance(code, str):
            return []
        type_text = (value.get("type") or {}).get("text") if isinstance(value.get("type"), dict) else None
        return [(_text(value.get("system")), clip(code), normalize(type_text) if isinstance(type_text, str) else None)]
    return _coding(value)


def _coding(coding: dict) -> list[Row]:
    system, code, display = _text(coding.get("system")), _text(coding.get("code")), coding.get("display")
    if system is None and code is None:
        return []
    return [(system, clip(code) if code else None, normalize(display) if isinstance(display, str) else None)]


def _text(value: Any) -> str | None:
    return clip(value) if isinstance(value, str) and value else None


def parse(value: str) -> tuple[str | None, str | None, bool]:
    """`system|code` → (system, code, system_given); empty parts are None."""
    if "|" in value:
        system, _, code = value.partition("|")
        return (system or None), (code or None), True
    return None, value, False


def predicate(value: str, modifier: str | None, column: str = "") -> tuple[str, list[Any]]:
    """SQL condition on the token index columns for one search value."""
    if modifier == "text":
        norm = normalize(value)
        return f"({column}text >= ? AND {column}text < ?)", [norm, norm + TOP]
    system, code, system_given = parse(value)
    if not system_given:
        return f"{column}code = ?", [clip(value)]
    if system is None:
        return f"({column}system IS NULL AND {column}code = ?)", [clip(code or "")]
    if code is None:
        return f"{column}system = ?", [clip(system)]
    return f"({column}system = ? AND {column}code = ?)", [clip(system), clip(code)]
