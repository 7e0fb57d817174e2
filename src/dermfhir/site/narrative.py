"""A generated narrative for any resource: its elements as nested tables, codings with their displays, references
and canonicals as links to their pages. It is what the site shows for a resource that carries no `text.div`, and
what it shows beside the resource's own narrative otherwise."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

from dermfhir.site.links import Linker

#: elements not shown in the generated narrative (shown elsewhere on the page, or too large to be useful there)
SKIPPED = {"resourceType", "text", "snapshot", "differential", "concept", "compose", "expansion", "group", "data"}


def narrative(resource: dict, linker: Linker) -> Markup:
    """HTML table of the top-level elements of `resource` (large definitional parts are rendered elsewhere)."""
    rows = [
        f"<tr><th>{escape(key)}</th><td>{_value(key, value, linker)}</td></tr>"
        for key, value in resource.items()
        if key not in SKIPPED
    ]
    return Markup('<table class="narrative">' + "".join(rows) + "</table>")


def _value(key: str, value: object, linker: Linker) -> str:
    if isinstance(value, list):
        if not value:
            return ""
        if all(not isinstance(v, dict | list) for v in value):
            return ", ".join(_scalar(key, v, linker) for v in value)
        return "<ol>" + "".join(f"<li>{_value(key, v, linker)}</li>" for v in value) + "</ol>"
    if isinstance(value, dict):
        special = _datatype(value, linker)
        if special is not None:
            return special
        rows = "".join(f"<tr><th>{escape(k)}</th><td>{_value(k, v, linker)}</td></tr>" for k, v in value.items())
        return f'<table class="nested">{rows}</table>'
    return _scalar(key, value, linker)


def _scalar(key: str, value: object, linker: Linker) -> str:
    text = str(value).lower() if isinstance(value, bool) else str(value)
    if isinstance(value, str) and (
        key in {"url", "profile", "valueSet", "targetProfile", "definition"} or "://" in text
    ):
        href = linker.href(value)
        if href is not None:
            return f'<a href="{escape(href)}">{escape(linker.title(value))}</a> <code>{escape(text)}</code>'
    if key == "div":
        return "<em>(narrative)</em>"
    if isinstance(value, str) and len(text) > 400:
        return f"<code>{escape(text[:400])}…</code> ({len(text)} characters)"
    return escape(text)


def _datatype(value: dict, linker: Linker) -> str | None:
    """Compact renderings of Coding, CodeableConcept, Quantity and Reference; None for other structures."""
    if "coding" in value and set(value) <= {"coding", "text", "extension"}:
        codings = [_coding(c, linker) for c in value["coding"]]
        text = f" “{escape(value['text'])}”" if value.get("text") else ""
        return "; ".join(codings) + text
    if "code" in value and "system" in value and set(value) <= {"system", "code", "display", "version", "userSelected"}:
        return _coding(value, linker)
    if "value" in value and set(value) <= {"value", "unit", "system", "code", "comparator"}:
        unit = value.get("unit") or value.get("code") or ""
        code = f" (UCUM {escape(str(value['code']))})" if "code" in value else ""
        return f"{escape(str(value.get('comparator', '')))}{escape(str(value['value']))} {escape(str(unit))}{code}"
    if "reference" in value and set(value) <= {"reference", "display", "type"}:
        target = str(value["reference"])
        href = linker.href(target)
        label = escape(value.get("display") or target)
        return f'<a href="{escape(href)}">{label}</a>' if href else label
    return None


def _coding(coding: dict, linker: Linker) -> str:
    system, code = coding.get("system"), coding.get("code")
    display = escape(str(coding.get("display") or code or ""))
    detail = f"{escape(str(system or ''))}#{escape(str(code or ''))}"
    href = linker.code_href(system, code)
    if href:
        return f'{display} (<a href="{escape(href)}">{detail}</a>)'
    return f"{display} (<code>{detail}</code>)"
