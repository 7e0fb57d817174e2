"""FHIR R4 primitive data types: JSON representation and lexical rules (the regexes of the specification).

Checked: JSON kind (string / number / boolean), the R4 regexes of id, date, dateTime, instant, time, code, decimal,
integer, positiveInt, unsignedInt, oid, uuid, uri/url/canonical (no whitespace), base64Binary; calendar validity of
dates; 32-bit integer ranges; the 1 MB string limit. Not checked: base64 padding subtleties, xhtml beyond a basic
well-formedness and entity check (see `xhtml_problems`).
"""

from __future__ import annotations

import datetime
import re
from xml.etree import ElementTree

PRIMITIVE_TYPES = frozenset(
    {
        "boolean",
        "integer",
        "string",
        "decimal",
        "uri",
        "url",
        "canonical",
        "base64Binary",
        "instant",
        "date",
        "dateTime",
        "time",
        "code",
        "oid",
        "id",
        "markdown",
        "unsignedInt",
        "positiveInt",
        "uuid",
        "xhtml",
    }
)
STRING_TYPES = PRIMITIVE_TYPES - {"boolean", "integer", "decimal", "unsignedInt", "positiveInt"}
INTEGER_TYPES = frozenset({"integer", "unsignedInt", "positiveInt"})
MAX_STRING = 1024 * 1024

_YEAR = r"([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)"
_TZ = r"(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
_TIME = r"([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?"
_PATTERNS = {
    "id": r"[A-Za-z0-9\-\.]{1,64}",
    "date": _YEAR + r"(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1]))?)?",
    "dateTime": _YEAR + r"(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])(T" + _TIME + _TZ + r")?)?)?",
    "instant": _YEAR + r"-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])T" + _TIME + _TZ,
    "time": _TIME,
    "code": r"[^\s]+( [^\s]+)*",
    "oid": r"urn:oid:[0-2](\.(0|[1-9][0-9]*))+",
    "uuid": r"urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
    "base64Binary": r"(\s*([0-9a-zA-Z\+/=]){4}\s*)+",
    "uri": r"\S*",
    "url": r"\S*",
    "canonical": r"\S*",
}
_COMPILED = {name: re.compile(pattern) for name, pattern in _PATTERNS.items()}
_DECIMAL = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
_XHTML_ENTITIES = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})


def check_primitive(type_code: str, value: object, raw_decimal: str | None = None) -> str | None:
    """The problem with `value` as a FHIR `type_code` JSON value, or None when it is valid."""
    if type_code == "boolean":
        return (
            None
            if isinstance(value, bool)
            else f"Error parsing JSON: the primitive value must be a boolean, not {_kind(value)}"
        )
    if type_code in INTEGER_TYPES:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer() and raw_decimal is None:
                return f"The value '{value}' is not a valid integer"
            return f"Error parsing JSON: the primitive value must be a number, not {_kind(value)}"
        if value < _INT_MIN or value > _INT_MAX:
            return f"The value '{value}' is outside the range of a 32-bit integer"
        if type_code == "positiveInt" and value < 1:
            return f"The value '{value}' is not a positiveInt (must be 1 or more)"
        if type_code == "unsignedInt" and value < 0:
            return f"The value '{value}' is not an unsignedInt (must be 0 or more)"
        return None
    if type_code == "decimal":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"Error parsing JSON: the primitive value must be a number, not {_kind(value)}"
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            return "The value is not a valid decimal"
        return None
    if not isinstance(value, str):
        return f"Error parsing JSON: the primitive value must be a string, not {_kind(value)}"
    if value == "":
        return "@value cannot be empty"
    if len(value) > MAX_STRING:
        return f"value is longer than permitted maximum length of 1 MB ({MAX_STRING} bytes)"
    if type_code == "id":
        return None if _COMPILED["id"].fullmatch(value) else f"Invalid id '{value}'"
    pattern = _COMPILED.get(type_code)
    if pattern is not None and not pattern.fullmatch(value):
        return _format_problem(type_code, value)
    if type_code in ("date", "dateTime", "instant"):
        return _calendar_problem(value)
    if type_code == "xhtml":
        return xhtml_problem(value)
    return None


def id_problem(value: object) -> str | None:
    """The problem with a resource id (`Invalid Characters`, `Too long`), or None."""
    if not isinstance(value, str):
        return "Error parsing JSON: the primitive value must be a string"
    if len(value) > 64:
        return f"Invalid Resource id: Too long ({len(value)} chars)"
    if not _COMPILED["id"].fullmatch(value):
        return f"Invalid Resource id: Invalid Characters ('{value}')"
    return None


def _format_problem(type_code: str, value: str) -> str:
    if type_code == "dateTime" and "T" in value and not re.search(r"(Z|[+-]\d\d:\d\d)$", value):
        return f"Not a valid date/time ({value}): if a date has a time, it must have a timezone"
    if type_code == "code":
        return f"The code '{value}' is not valid (whitespace rules)"
    if type_code in ("uri", "url", "canonical"):
        return f"URI values cannot have whitespace ('{value}')"
    return f"Not a valid {type_code} ({value!r})"


def _calendar_problem(value: str) -> str | None:
    if len(value) >= 10:
        try:
            datetime.date(int(value[0:4]), int(value[5:7]), int(value[8:10]))
        except ValueError:
            return f"Not a valid date ({value})"
    return None


def xhtml_problem(value: str) -> str | None:
    """Basic narrative checks: well-formed XML in a `div`, only the XML entities."""
    for match in _XHTML_ENTITIES.finditer(value):
        if match.group(1) not in _XML_ENTITIES:
            return f"Invalid entity in the XHTML ('&{match.group(1)};')"
    try:
        element = ElementTree.fromstring(value)
    except ElementTree.ParseError as error:
        return f"The XHTML is not well formed: {error}"
    if element.tag not in ("div", "{http://www.w3.org/1999/xhtml}div"):
        return "Wrong name on the XHTML Node - must start with div"
    for node in element.iter():
        tag = node.tag.rpartition("}")[2] if isinstance(node.tag, str) else ""
        if tag in ("script", "form", "base", "link", "xlink", "object", "applet", "embed", "iframe", "frame"):
            return f"Illegal element name in the XHTML ('{tag}')"
        for attribute in node.attrib:
            if attribute.lower().startswith("on"):
                return f"Illegal attribute name in the XHTML ('{attribute}')"
    return None


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def decimal_places(value: object) -> int:
    """Digits after the decimal point of a JSON number."""
    text = repr(value) if isinstance(value, float) else str(value)
    if "e" in text or "E" in text:
        return 0
    return len(text.partition(".")[2])


def as_comparable(type_code: str, value: object) -> object:
    """A value that orders correctly for minValue/maxValue checks (dates compared as strings of equal precision)."""
    return value
