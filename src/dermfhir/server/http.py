"""The server's own request and response values, independent of the web framework, and FHIR's HTTP conventions.

Specification: https://hl7.org/fhir/R4/http.html (content types, `_format`, `Prefer`, ETag and versioning).
The same `FhirRequest` serves a plain HTTP call and one entry of a batch or transaction Bundle.
Not supported: XML (`application/fhir+xml`, `_format=xml` → 406), RDF/Turtle. PATCH bodies are read by
`dermfhir.server.patching`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from typing import Any

import orjson

from dermfhir import fhirjson
from dermfhir.server.errors import BadRequest, NotAcceptable, UnsupportedMediaType

FHIR_JSON = "application/fhir+json"
_JSON_TYPES = frozenset({"application/fhir+json", "application/json", "application/json+fhir", "text/json"})
_FORMATS = frozenset({"json", *_JSON_TYPES})
_XML = frozenset({"xml", "application/fhir+xml", "application/xml", "application/xml+fhir", "text/xml"})
_FORM = "application/x-www-form-urlencoded"
#: Deepest nesting of JSON objects and arrays a body may have (a transaction Bundle adds three levels).
MAX_DEPTH = 100


@dataclass
class FhirRequest:
    """One FHIR interaction: method, path relative to the base (no leading slash), query pairs, headers, body."""

    method: str
    path: str
    query: list[tuple[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes | None = None
    resource: dict | None = None  # a parsed body (Bundle entries arrive parsed)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def param(self, name: str) -> str | None:
        """The last value of a query parameter."""
        found = None
        for key, value in self.query:
            if key == name:
                found = value
        return found

    def json(self) -> dict:
        """The body as a JSON object (400 when it is not one); the content type is checked first (415)."""
        if self.resource is not None:
            return self.resource
        check_content_type(self.header("content-type"))
        if not self.body:
            raise BadRequest("The request has no body", code="required")
        try:
            parsed = fhirjson.loads(self.body)
        except (orjson.JSONDecodeError, ValueError, RecursionError) as error:
            raise BadRequest(f"The body is not valid JSON: {_short(str(error))}", code="structure") from None
        check_depth(parsed)
        if not isinstance(parsed, dict) or not isinstance(parsed.get("resourceType"), str):
            raise BadRequest("The body is not a FHIR resource (a JSON object with a resourceType)", code="structure")
        self.resource = parsed
        return parsed

    def prefer(self, name: str) -> str | None:
        """A token of the Prefer header (`return`, `handling`, `respond-async`)."""
        for part in (self.header("prefer") or "").split(";"):
            for item in part.split(","):
                key, _, value = item.strip().partition("=")
                if key.strip().lower() == name:
                    return value.strip().strip('"') or "true"
        return None


@dataclass
class FhirResponse:
    """A status, an optional resource and headers; `raw` is pre-serialised JSON (the capability statement)."""

    status: int
    resource: dict | None = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None


def check_content_type(value: str | None) -> None:
    """415 unless the body is FHIR JSON (or plain JSON)."""
    media = (value or "").split(";")[0].strip().lower()
    if media not in _JSON_TYPES:
        shown = media or "none"
        raise UnsupportedMediaType(f"Content-Type {shown!r} is not supported; send {FHIR_JSON}")


def is_form(value: str | None) -> bool:
    return (value or "").split(";")[0].strip().lower() == _FORM


def check_format(format_param: str | None, accept: str | None) -> None:
    """406 when `_format` or Accept asks for something other than JSON."""
    if format_param is not None:
        wanted = format_param.split(";")[0].strip().lower().replace(" ", "+")  # an unencoded + arrives as a space
        if wanted in _XML:
            raise NotAcceptable("XML is not supported by this server; use _format=json")
        if wanted not in _FORMATS:
            raise NotAcceptable(f"_format {format_param!r} is not supported; use json")
        return
    if not accept:
        return
    kinds = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    if any(kind in _JSON_TYPES or kind in ("*/*", "application/*", "") for kind in kinds):
        return
    if any(kind.startswith("text/html") for kind in kinds):
        return  # browsers: answer JSON all the same
    raise NotAcceptable(f"Accept {accept!r} cannot be satisfied; this server answers {FHIR_JSON}")


def dumps(resource: Any, pretty: bool = False) -> bytes:
    return fhirjson.dumps(resource, orjson.OPT_INDENT_2 if pretty else 0)


def check_depth(value: Any, limit: int = MAX_DEPTH) -> None:
    """400 when JSON objects and arrays nest deeper than `limit` levels (no FHIR resource needs that many)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            raise BadRequest(f"The body nests deeper than {limit} levels", code="too-costly")
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values() if isinstance(child, dict | list))
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item if isinstance(child, dict | list))


def etag(resource: dict) -> str:
    return f'W/"{resource.get("meta", {}).get("versionId", "")}"'


def http_date(instant: str) -> str:
    """FHIR instant → HTTP date (Last-Modified)."""
    try:
        return format_datetime(datetime.fromisoformat(instant.replace("Z", "+00:00")), usegmt=True)
    except ValueError:
        return instant


def version_headers(resource: dict, base: str, location: bool = False) -> dict[str, str]:
    """ETag, Last-Modified and (after a write) Location of a stored resource."""
    meta = resource.get("meta", {})
    headers = {"ETag": etag(resource)}
    if meta.get("lastUpdated"):
        headers["Last-Modified"] = http_date(meta["lastUpdated"])
    if location:
        headers["Location"] = f"{base}/{resource['resourceType']}/{resource['id']}/_history/{meta.get('versionId')}"
    return headers


def _short(text: str) -> str:
    return text if len(text) < 200 else text[:200] + "…"
