"""FHIR R4 primitive data types: JSON representation and lexical rules (the regexes of the specification).

Checked: JSON kind (string / number / boolean), the R4 regexes of id, date, dateTime, instant, time, code, decimal,
integer, positiveInt, unsignedInt, oid, uuid, uri/url/canonical (no whitespace), base64Binary; calendar validity of
dates; 32-bit integer ranges; the 1 MB string limit; the narrative rules of `xhtml_problem`. Not checked: base64
padding subtleties. A problem is a `MessageId` and the values of its placeholders (the texts are in `messages`).
"""

from __future__ import annotations

import datetime
import re
from typing import Any
from xml.etree import ElementTree

from dermfhir.validation.messages import MessageId

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
    "uuid": r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
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

#: A problem found: the message and the values of its placeholders.
Problem = tuple[MessageId, dict[str, Any]]


def check_primitive(type_code: str, value: object, raw_decimal: str | None = None) -> Problem | None:
    """The problem with `value` as a FHIR `type_code` JSON value, or None when it is valid."""
    if type_code == "boolean":
        return None if isinstance(value, bool) else (MessageId.TYPE_SPECIFIC_CHECKS_DT_NOT_BOOLEAN, _kind_of(value))
    if type_code in INTEGER_TYPES:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer() and raw_decimal is None:
                return MessageId.TYPE_SPECIFIC_CHECKS_DT_INTEGER_NOT_WHOLE, {"value": value}
            return MessageId.TYPE_SPECIFIC_CHECKS_DT_NOT_NUMBER, _kind_of(value)
        if value < _INT_MIN or value > _INT_MAX:
            return MessageId.TYPE_SPECIFIC_CHECKS_DT_INTEGER_RANGE, {"value": value}
        if type_code == "positiveInt" and value < 1:
            return MessageId.TYPE_SPECIFIC_CHECKS_DT_INTEGER_LT1, {"value": value}
        if type_code == "unsignedInt" and value < 0:
            return MessageId.TYPE_SPECIFIC_CHECKS_DT_INTEGER_LT0, {"value": value}
        return None
    if type_code == "decimal":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return MessageId.TYPE_SPECIFIC_CHECKS_DT_NOT_NUMBER, _kind_of(value)
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            return MessageId.TYPE_SPECIFIC_CHECKS_DT_DECIMAL_NOT_FINITE, {}
        return None
    if not isinstance(value, str):
        return MessageId.TYPE_SPECIFIC_CHECKS_DT_NOT_STRING, _kind_of(value)
    if value == "":
        return MessageId.TYPE_SPECIFIC_CHECKS_DT_PRIMITIVE_NOT_EMPTY, {}
    if len(value) > MAX_STRING:
        return MessageId.TYPE_SPECIFIC_CHECKS_DT_STRING_TOO_LONG, {"max_length": MAX_STRING}
    if type_code == "id":
        return (
            None if _COMPILED["id"].fullmatch(value) else (MessageId.TYPE_SPECIFIC_CHECKS_DT_ID_VALID, {"value": value})
        )
    pattern = _COMPILED.get(type_code)
    if pattern is not None and not pattern.fullmatch(value):
        return _format_problem(type_code, value)
    if type_code in ("uri", "url", "canonical"):
        # a URI that is a UUID or an OID has the form of the uuid and oid types (R4 datatypes.html#uri)
        if value.startswith("urn:uuid:") and not _COMPILED["uuid"].fullmatch(value):
            return MessageId.TYPE_SPECIFIC_CHECKS_DT_UUID_VAID, {"value": value}
        if value.startswith("urn:oid:") and not _COMPILED["oid"].fullmatch(value):
            return MessageId.TYPE_SPECIFIC_CHECKS_DT_OID_VALID, {"value": value}
        return None
    if type_code in ("date", "dateTime", "instant"):
        return _calendar_problem(value)
    if type_code == "xhtml":
        return xhtml_problem(value)
    return None


def id_problem(value: object) -> Problem | None:
    """The problem with a resource id (`Invalid Characters`, `Too long`), or None."""
    if not isinstance(value, str):
        return MessageId.RESOURCE_RES_ID_MALFORMED, {}
    if len(value) > 64:
        return MessageId.RESOURCE_RES_ID_MALFORMED_LENGTH, {"length": len(value)}
    if not _COMPILED["id"].fullmatch(value):
        return MessageId.RESOURCE_RES_ID_MALFORMED_CHARS, {"value": value}
    return None


def _format_problem(type_code: str, value: str) -> Problem:
    if type_code == "dateTime" and "T" in value and not re.search(r"(Z|[+-]\d\d:\d\d)$", value):
        return MessageId.TYPE_SPECIFIC_CHECKS_DT_DATETIME_TZ, {"value": value}
    if type_code == "code":
        return MessageId.TYPE_SPECIFIC_CHECKS_DT_CODE_WS, {"value": value}
    if type_code in ("uri", "url", "canonical"):
        return MessageId.TYPE_SPECIFIC_CHECKS_DT_URI_WS, {"value": value}
    return MessageId.TYPE_SPECIFIC_CHECKS_DT_FORMAT, {"type_code": type_code, "value": value}


def _calendar_problem(value: str) -> Problem | None:
    if len(value) >= 10:
        try:
            datetime.date(int(value[0:4]), int(value[5:7]), int(value[8:10]))
        except ValueError:
            return MessageId.TYPE_SPECIFIC_CHECKS_DT_DATE_CALENDAR, {"value": value}
    return None


#: The basic HTML of FHIR narrative (R4 narrative.html, its fhir-xhtml schema): elements, attributes allowed on any of
#: them, and attributes allowed on one element only. Anything else (head, body, scripts, forms, frames, objects,
#: event attributes, styles sheets…) is not narrative.
_XHTML_ELEMENTS = frozenset(
    [
        "p",
        "br",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "a",
        "span",
        "b",
        "em",
        "i",
        "strong",
        "small",
        "big",
        "tt",
        "dfn",
        "q",
        "var",
        "abbr",
        "acronym",
        "cite",
        "blockquote",
        "hr",
        "address",
        "bdo",
        "kbd",
        "sub",
        "sup",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
        "pre",
        "table",
        "caption",
        "colgroup",
        "col",
        "thead",
        "tr",
        "tfoot",
        "tbody",
        "th",
        "td",
        "code",
        "samp",
        "img",
        "map",
        "area",
    ]
)
_XHTML_ATTRIBUTES = frozenset(
    [
        "title",
        "style",
        "class",
        "id",
        "lang",
        "xml:lang",
        "dir",
        "accesskey",
        "tabindex",
        "span",
        "width",
        "align",
        "valign",
        "char",
        "charoff",
        "abbr",
        "axis",
        "headers",
        "scope",
        "rowspan",
        "colspan",
    ]
)
_XHTML_ELEMENT_ATTRIBUTES = frozenset(
    [
        "a.href",
        "a.name",
        "img.src",
        "img.border",
        "div.xmlns",
        "blockquote.cite",
        "q.cite",
        "a.charset",
        "a.type",
        "a.hreflang",
        "a.rel",
        "a.rev",
        "a.shape",
        "a.coords",
        "img.alt",
        "img.longdesc",
        "img.height",
        "img.width",
        "img.usemap",
        "img.ismap",
        "map.name",
        "area.shape",
        "area.coords",
        "area.href",
        "area.nohref",
        "area.alt",
        "table.summary",
        "table.width",
        "table.border",
        "table.frame",
        "table.rules",
        "table.cellspacing",
        "table.cellpadding",
        "pre.space",
        "td.nowrap",
    ]
)
XHTML_NS = "http://www.w3.org/1999/xhtml"
_XML_NS = "{http://www.w3.org/XML/1998/namespace}"
_ACTIVE_URL = re.compile(r"^\s*(javascript|vbscript|data\s*:\s*text/html)", re.IGNORECASE)


def xhtml_problem(value: str) -> Problem | None:
    """The first breach of FHIR's narrative rules: well-formed XML whose root is a `div` in the XHTML namespace, only
    the XML entities, only the basic HTML elements and attributes, no active content (scripts, event attributes,
    `javascript:` links), and some non-whitespace content (text or an image)."""
    for match in _XHTML_ENTITIES.finditer(value):
        if match.group(1) not in _XML_ENTITIES:
            return MessageId.XHTML_XHTML_ENTITY_ILLEGAL, {"entity": match.group(1)}
    try:
        element = ElementTree.fromstring(value)
    except ElementTree.ParseError as error:
        return MessageId.XHTML_XHTML_NOT_WELL_FORMED, {"error": error}
    namespace, _, tag = element.tag[1:].rpartition("}") if element.tag.startswith("{") else ("", "", element.tag)
    if tag != "div":
        return MessageId.XHTML_XHTML_NAME_INVALID, {}
    if namespace != XHTML_NS:
        return MessageId.XHTML_XHTML_NS_INVALID, {"namespace": namespace}
    has_content = False
    for node in element.iter():
        if not isinstance(node.tag, str):
            continue
        namespace, _, tag = node.tag[1:].rpartition("}") if node.tag.startswith("{") else ("", "", node.tag)
        if namespace != XHTML_NS:
            return MessageId.XHTML_XHTML_NS_INVALID, {"namespace": namespace}
        if tag not in _XHTML_ELEMENTS:
            return MessageId.XHTML_XHTML_ELEMENT_ILLEGAL, {"tag": tag}
        for attribute, attribute_value in node.attrib.items():
            name = "xml:" + attribute[len(_XML_NS) :] if attribute.startswith(_XML_NS) else attribute
            if name not in _XHTML_ATTRIBUTES and f"{tag}.{name}" not in _XHTML_ELEMENT_ATTRIBUTES:
                return MessageId.XHTML_XHTML_ATTRIBUTE_ILLEGAL, {"name": name, "tag": tag}
            if name in ("href", "src", "longdesc", "cite") and _ACTIVE_URL.match(attribute_value):
                return MessageId.XHTML_XHTML_ACTIVE_CONTENT, {"name": name, "tag": tag}
        if tag == "img" or (node.text and node.text.strip()) or (node is not element and (node.tail or "").strip()):
            has_content = True
    if not has_content:
        return MessageId.XHTML_XHTML_NO_CONTENT, {}
    return None


def xhtml_names_allowed(value: str) -> bool | None:
    """txt-1 (R4 Narrative.div): every element and attribute of the narrative is one of the basic HTML ones FHIR
    allows (the invariant's XPath checks names only: active content and the other xhtml rules are not part of it);
    None when the value is not well-formed XML."""
    try:
        element = ElementTree.fromstring(value)
    except ElementTree.ParseError:
        return None
    for node in element.iter():
        if not isinstance(node.tag, str):
            continue
        tag = node.tag.rpartition("}")[2]
        if tag not in _XHTML_ELEMENTS:
            return False
        for attribute in node.attrib:
            name = "xml:" + attribute[len(_XML_NS) :] if attribute.startswith(_XML_NS) else attribute
            if name not in _XHTML_ATTRIBUTES and f"{tag}.{name}" not in _XHTML_ELEMENT_ATTRIBUTES:
                return False
    return True


def _kind_of(value: object) -> dict[str, Any]:
    return {"kind": _kind(value)}


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
