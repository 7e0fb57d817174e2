"""Reference search parameters: (type, id, url) rows.

Indexed: relative references (`Patient/123`, `Patient/123/_history/2` → type Patient, id 123), absolute ones
(`http://other/fhir/Patient/123` → url, and its type), `urn:uuid:`/`urn:oid:` and canonical URLs (url only;
a `|version` is dropped). `Reference.identifier` is indexed as a token under `<code>:identifier`.
Query: `Type/id`, `id` (any type, or the `:Type` modifier's), an absolute URL (matched as written),
`:identifier` (token form), `:missing`; chaining and `_has` are built on these rows.
Not supported: `:above`/`:below` on references, contained references (`#id`) in search, resolving absolute
URLs that point at this server (store them relative).
"""

from __future__ import annotations

import re
from typing import Any

from dermfhir.store.search.string import clip

ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
_TYPE = r"[A-Z][A-Za-z]{1,63}"
_RELATIVE = re.compile(r"^(" + _TYPE + r")/([A-Za-z0-9\-.]{1,64})(?:/_history/[A-Za-z0-9\-.]{1,64})?$")
_ABSOLUTE_TAIL = re.compile(r"/(" + _TYPE + r")/([A-Za-z0-9\-.]{1,64})(?:/_history/[A-Za-z0-9\-.]{1,64})?$")

Row = tuple[str | None, str | None, str | None]


def parse_reference(text: str) -> Row | None:
    """`Patient/1` → ("Patient", "1", None); absolute → (type or None, None, url); `#x` and junk → None."""
    text = text.strip()
    if not text or text.startswith("#"):
        return None
    match = _RELATIVE.match(text)
    if match:
        return match.group(1), match.group(2), None
    if ":" in text:
        url = text.partition("|")[0]
        tail = _ABSOLUTE_TAIL.search(url)
        return (tail.group(1) if tail else None), None, clip(url)
    return None


def extract(value: Any) -> list[Row]:
    if isinstance(value, str):  # canonical / uri used as a reference
        found = parse_reference(value)
        return [found] if found else []
    if not isinstance(value, dict):
        return []
    reference = value.get("reference")
    if isinstance(reference, str):
        found = parse_reference(reference)
        if found is not None:
            kind = found[0] or (value.get("type") if isinstance(value.get("type"), str) else None)
            return [(kind, found[1], found[2])]
    return []


def identifier(value: Any) -> dict | None:
    """The `Reference.identifier` of a value, for the `:identifier` modifier."""
    if isinstance(value, dict) and isinstance(value.get("identifier"), dict):
        return value["identifier"]
    return None


def predicate(value: str, parameter: str, type_modifier: str | None, column: str = "") -> tuple[str, list[Any]]:
    """SQL condition on the reference index columns (`ref_type`, `ref_id`, `url`) for one search value."""
    from dermfhir.store.errors import InvalidSearch

    value = value.strip()
    match = _RELATIVE.match(value)
    if match:
        if type_modifier and type_modifier != match.group(1):
            raise InvalidSearch(parameter, f"'{value}' does not name a {type_modifier}")
        return f"({column}ref_type = ? AND {column}ref_id = ?)", [match.group(1), match.group(2)]
    if ID.match(value):
        if type_modifier:
            return f"({column}ref_type = ? AND {column}ref_id = ?)", [type_modifier, value]
        return f"{column}ref_id = ?", [value]
    if ":" in value:
        return f"{column}url = ?", [clip(value.partition("|")[0])]
    raise InvalidSearch(parameter, f"'{value}' is not a reference (Type/id, id or an absolute URL)")
