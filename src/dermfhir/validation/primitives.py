"""FHIR R4 primitive data types: JSON representation and lexical rules (the regexes of the specification).

Checked: JSON kind (string / number / boolean), the R4 regexes of id, date, dateTime, instant, time, code, decimal,
integer, positiveInt, unsignedInt, oid, uuid, uri/url/canonical (no whitespace), base64Binary; calendar validity of
dates; 32-bit integer ranges; the 1 MB string limit. Not checked: base64 padding subtleties, xhtml beyond a basic
the narrative rules of `xhtml_problem`.
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
    if type_code in ("uri", "url", "canonical"):
        # a URI that is a UUID or an OID has the form of the uuid and oid types (R4 datatypes.html#uri)
        if value.startswith("urn:uuid:") and not _COMPILED["uuid"].fullmatch(value):
            return f"UUIDs must be valid and lowercase ({value})"
        if value.startswith("urn:oid:") and not _COMPILED["oid"].fullmatch(value):
            return f"OIDs must be valid ({value})"
        return None
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


def xhtml_problem(value: str) -> str | None:
    """The first breach of FHIR's narrative rules: well-formed XML whose root is a `div` in the XHTML namespace, only
    the XML entities, only the basic HTML elements and attributes, no active content (scripts, event attributes,
    `javascript:` links), and some non-whitespace content (text or an image)."""
    for match in _XHTML_ENTITIES.finditer(value):
        if match.group(1) not in _XML_ENTITIES:
            return f"Invalid entity in the XHTML ('&{match.group(1)};')"
    try:
        element = ElementTree.fromstring(value)
    except ElementTree.ParseError as error:
        return f"The XHTML is not well formed: {error}"
    namespace, _, tag = element.tag[1:].rpartition("}") if element.tag.startswith("{") else ("", "", element.tag)
    if tag != "div":
        return "Wrong name on the XHTML Node - must start with div"
    if namespace != XHTML_NS:
        return f"Wrong namespace on the XHTML ('{namespace}', should be '{XHTML_NS}')"
    has_content = False
    for node in element.iter():
        if not isinstance(node.tag, str):
            continue
        namespace, _, tag = node.tag[1:].rpartition("}") if node.tag.startswith("{") else ("", "", node.tag)
        if namespace != XHTML_NS:
            return f"Wrong namespace on the XHTML ('{namespace}', should be '{XHTML_NS}')"
        if tag not in _XHTML_ELEMENTS:
            return f"Illegal element name in the XHTML ('{tag}')"
        for attribute, attribute_value in node.attrib.items():
            name = "xml:" + attribute[len(_XML_NS) :] if attribute.startswith(_XML_NS) else attribute
            if name not in _XHTML_ATTRIBUTES and f"{tag}.{name}" not in _XHTML_ELEMENT_ATTRIBUTES:
                return f"Illegal attribute name in the XHTML ('{name}' on '{tag}')"
            if name in ("href", "src", "longdesc", "cite") and _ACTIVE_URL.match(attribute_value):
                return f"Active content is not allowed in the XHTML ('{name}' of '{tag}' is a script)"
        if tag == "img" or (node.text and node.text.strip()) or (node is not element and (node.tail or "").strip()):
            has_content = True
    if not has_content:
        return "Constraint failed: txt-2: 'The narrative SHALL have some non-whitespace content'"
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
