"""FHIR XML → FHIR JSON, using the compiled element trees to know arrays and primitive types.

Handles: resources and nested/contained resources, `value` attributes, element `id`s, primitive extensions (`_name`),
`url` attributes of extensions, choice elements, xhtml `div` (kept as its XML text). Not handled: XML comments
(dropped), processing instructions, the XML-only validity rules of FHIR.
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

from dermfhir.validation.messages import TEXTS, MessageId
from dermfhir.validation.model import Models, Node
from dermfhir.validation.primitives import PRIMITIVE_TYPES

FHIR_NS = "{http://hl7.org/fhir}"
XHTML_NS = "{http://www.w3.org/1999/xhtml}"


class XmlError(ValueError):
    """The text is not FHIR XML: `message_id` and the `values` of its placeholders say why."""

    def __init__(self, message_id: MessageId, **values: Any) -> None:
        super().__init__(TEXTS[message_id].format_map(values))
        self.message_id = message_id
        self.values = values


def parse_xml(text: str | bytes, models: Models) -> dict:
    """The JSON form of a FHIR XML resource."""
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as error:
        raise XmlError(MessageId.ERROR_PARSING_XML, error=error) from error
    return _resource(root, models)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _resource(element: ElementTree.Element, models: Models) -> dict:
    name = _local(element.tag)
    model = models.get(name)
    result: dict[str, Any] = {"resourceType": name}
    if model is None or model.root is None:
        raise XmlError(MessageId.ERROR_PARSING_XML_UNKNOWN_TYPE, resource_type=name)
    _fill(element, model.root, None, result, models)
    return result


def _fill(element: ElementTree.Element, node: Node, type_code: str | None, into: dict, models: Models) -> None:
    holder = models.children(node, type_code)
    if element.get("id") is not None:
        into["id"] = element.get("id")
    if element.get("url") is not None:
        into["url"] = element.get("url")
    key_map = holder.key_map() if holder is not None else {}
    for child in element:
        if not isinstance(child.tag, str):
            continue
        name = _local(child.tag)
        found = key_map.get(name)
        if found is None:
            into.setdefault(name, _generic(child))
            continue
        definition, choice_type = found
        code = choice_type or (definition.types[0].code if len(definition.types) == 1 else None)
        if code == "xhtml" or name == "div":
            value: Any = ElementTree.tostring(child, encoding="unicode").replace(
                ' xmlns:ns0="http://www.w3.org/1999/xhtml"', ""
            )
            value = _clean_xhtml(child)
            _put(into, name, value, definition.is_array)
            continue
        if code in PRIMITIVE_TYPES:
            raw = child.get("value")
            extra: dict[str, Any] = {}
            if child.get("id") is not None:
                extra["id"] = child.get("id")
            extensions = [c for c in child if _local(c.tag) == "extension"]
            if extensions:
                type_root = models.type_root(code)
                extra["extension"] = []
                for extension in extensions:
                    item: dict[str, Any] = {}
                    ext_node = type_root.children.get("extension") if type_root is not None else None
                    if ext_node is not None:
                        _fill(extension, ext_node, "Extension", item, models)
                    extra["extension"].append(item)
            _put(into, name, _convert(code, raw) if raw is not None else None, definition.is_array)
            if extra:
                _put(into, "_" + name, extra, definition.is_array)
            continue
        if code in ("Resource", "DomainResource") or (
            code and (type_model := models.get(code)) is not None and type_model.kind == "resource"
        ):
            inner = next((c for c in child if isinstance(c.tag, str)), None)
            if inner is not None:
                _put(into, name, _resource(inner, models), definition.is_array)
            continue
        item = {}
        _fill(child, definition, code, item, models)
        _put(into, name, item, definition.is_array)
    # drop None placeholders of primitives that only had extensions
    for key in [k for k, v in into.items() if v is None]:
        del into[key]
    for key, value in list(into.items()):
        if isinstance(value, list) and all(v is None for v in value):
            del into[key]


def _put(into: dict, name: str, value: Any, is_array: bool) -> None:
    if is_array:
        into.setdefault(name, []).append(value)
    else:
        into[name] = value


def _convert(code: str, raw: str) -> Any:
    if code == "boolean":
        return raw == "true" if raw in ("true", "false") else raw
    if code in ("integer", "positiveInt", "unsignedInt"):
        try:
            return int(raw)
        except ValueError:
            return raw
    if code == "decimal":
        try:
            return int(raw) if raw.lstrip("-").isdigit() else float(raw)
        except ValueError:
            return raw
    return raw


def _clean_xhtml(element: ElementTree.Element) -> str:
    ElementTree.register_namespace("", "http://www.w3.org/1999/xhtml")
    return ElementTree.tostring(element, encoding="unicode", short_empty_elements=True)


def _generic(element: ElementTree.Element) -> Any:
    if element.get("value") is not None:
        return element.get("value")
    return {_local(c.tag): _generic(c) for c in element if isinstance(c.tag, str)}
