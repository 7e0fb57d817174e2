"""`$export` kick-off (FHIR Bulk Data Access IG v2, https://hl7.org/fhir/uv/bulkdata/export.html): system
(`[base]/$export`), `Patient/$export` and `Group/[id]/$export`, with `_type`, `_since`, `_typeFilter` and
`_outputFormat` (NDJSON only), by GET query or POST Parameters; `Prefer: respond-async` is required. Answers
202 with `Content-Location` = the status URL; the files are written by a background job (`jobs`).

Scoped by the caller's token, decided here once: a type the caller may not search is left out (403 when it was
asked for by `_type`); for patient scopes every search carries the patient's compartment criterion, exactly as a
search of that type would. Patient-level export with user / system scopes exports the whole of each
Patient-compartment type (the resources of those types that belong to no patient included).
Not supported (400): `_elements`, `patient`, `includeAssociatedData`, output formats other than NDJSON.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from dermfhir.server.bulk.jobs import Part
from dermfhir.server.context import Context
from dermfhir.server.errors import BadRequest, Forbidden
from dermfhir.server.http import FhirRequest, FhirResponse
from dermfhir.store.search.date import parse_range

NDJSON = frozenset({"application/fhir+ndjson", "application/ndjson", "ndjson"})
_KNOWN = frozenset({"_outputFormat", "_since", "_type", "_typeFilter"})
_UNSUPPORTED = frozenset({"_elements", "patient", "includeAssociatedData", "_until", "organizeOutputBy"})
#: patients per compartment search when exporting a Group
CHUNK = 50


def _parameters(request: FhirRequest) -> list[tuple[str, str]]:
    if request.method.upper() != "POST" or not request.body:
        return list(request.query)
    body = request.json()
    if body.get("resourceType") != "Parameters":
        raise BadRequest("POST $export takes a Parameters resource", code="structure")
    found = list(request.query)
    for parameter in body.get("parameter", []):
        value = next((v for k, v in parameter.items() if k.startswith("value")), None)
        if isinstance(value, str):
            found.append((str(parameter.get("name")), value))
    return found


def export(ctx: Context, request: FhirRequest, resource_type: str | None, resource_id: str | None) -> FhirResponse:
    """Kick off an export; 202 with the status URL."""
    if resource_type not in (None, "Patient", "Group") or (resource_type == "Patient" and resource_id):
        raise BadRequest("$export runs on the base, on Patient and on Group/[id]", code="not-supported")
    if resource_type == "Group" and not resource_id:
        raise BadRequest("Group-level $export needs a Group id: Group/[id]/$export", code="required")
    if "respond-async" not in (request.header("prefer") or ""):
        raise BadRequest("$export is asynchronous: send Prefer: respond-async", code="required")
    accept = (request.header("accept") or "application/fhir+json").split(";")[0].strip()
    if accept not in ("application/fhir+json", "application/json", "*/*"):
        raise BadRequest("$export takes Accept: application/fhir+json", code="not-supported")
    parameters = _parameters(request)
    for name, _ in parameters:
        if name in _UNSUPPORTED:
            raise BadRequest(f"The $export parameter {name} is not supported", code="not-supported")
        if name not in _KNOWN:
            raise BadRequest(f"Unknown $export parameter {name[:64]!r}", code="not-supported")
    values: dict[str, list[str]] = {}
    for name, value in parameters:
        values.setdefault(name, []).append(value)
    output_format = (values.get("_outputFormat") or ["application/fhir+ndjson"])[-1]
    if output_format not in NDJSON:
        raise BadRequest(f"_outputFormat {output_format[:64]!r} is not supported: use application/fhir+ndjson")
    since = _since(values.get("_since"))
    asked = [t.strip() for value in values.get("_type", []) for t in value.split(",") if t.strip()]
    for name in asked:
        if name not in ctx.services.resource_types:
            raise BadRequest(f"_type names an unknown resource type {name[:64]!r}")
    filters = _type_filters(ctx, values.get("_typeFilter", []))
    patients = _group_patients(ctx, resource_id) if resource_type == "Group" else None
    parts = _plan(ctx, resource_type, asked, filters, patients, since)
    job = ctx.services.bulk.start(ctx.principal.subject, _request_url(ctx, request), parts, since and since[0])
    location = f"{ctx.base.rstrip('/')}/bulk/status/{job.id}"
    return FhirResponse(202, headers={"Content-Location": location})


def _request_url(ctx: Context, request: FhirRequest) -> str:
    query = "&".join(f"{k}={v}" for k, v in request.query)
    return f"{ctx.base.rstrip('/')}/{request.path}" + (f"?{query}" if query else "")


def _since(values: list[str] | None) -> tuple[int, str] | None:
    if not values:
        return None
    text = values[-1]
    found = parse_range(text)
    if found is None or "T" not in text:
        raise BadRequest(f"_since must be a FHIR instant (e.g. 2026-01-15T09:00:00Z), got {text[:64]!r}")
    return found[0], text


def _type_filters(ctx: Context, values: list[str]) -> dict[str, list[list[tuple[str, str]]]]:
    found: dict[str, list[list[tuple[str, str]]]] = {}
    for value in values:
        for item in value.split(","):
            kind, question, query = item.strip().partition("?")
            if not question or kind not in ctx.services.resource_types:
                raise BadRequest(f"_typeFilter must be [type]?[search parameters], got {item[:80]!r}")
            criteria = parse_qsl(query, keep_blank_values=True)
            if not criteria or any(
                name.startswith("_") and name not in ("_id", "_lastUpdated") for name, _ in criteria
            ):
                raise BadRequest(f"_typeFilter takes search criteria (no result parameters), got {item[:80]!r}")
            found.setdefault(kind, []).append(criteria)
    return found


def _group_patients(ctx: Context, group_id: str | None) -> list[str]:
    ctx.access.require("Group", "read")
    group = ctx.store.read("Group", str(group_id))
    ctx.access.check(group, "read")
    patients = []
    for member in group.get("member", []):
        reference = (member.get("entity") or {}).get("reference", "")
        kind, _, id = reference.rpartition("/")
        if kind.endswith("Patient") and id and not member.get("inactive"):
            patients.append(id)
    return patients


def _plan(
    ctx: Context,
    level: str | None,
    asked: list[str],
    filters: dict[str, list[list[tuple[str, str]]]],
    patients: list[str] | None,
    since: tuple[int, str] | None,
) -> list[Part]:
    compartment = ctx.services.compartment
    if level is None:
        candidates = asked or sorted(ctx.services.resource_types)
    else:
        kinds = sorted(compartment.types & ctx.services.resource_types)
        outside = [name for name in asked if name not in kinds]
        if outside:
            raise BadRequest(f"{', '.join(outside)}: not in the Patient compartment, so not in a {level} export")
        candidates = asked or kinds
    parts = []
    allowed = 0
    for kind in candidates:
        try:
            base = ctx.access.search_criteria(kind)
        except Forbidden:
            if kind in asked:
                raise
            continue
        allowed += 1
        groups: list[list[tuple[str, str]]] = [base]
        if patients is not None:
            groups = [[*base, c] for c in _member_criteria(ctx, kind, patients)]
            if not groups:
                continue
        searches = [g + f for g in groups for f in filters.get(kind, [[]])]
        if since and any(searches):
            searches = [[*s, ("_lastUpdated", f"gt{since[1]}")] for s in searches]
        parts.append(Part(kind, [s for s in searches if s] if any(searches) else []))
    if not allowed:
        raise Forbidden("The token grants no search on any resource type this export covers")
    return parts


def _member_criteria(ctx: Context, kind: str, patients: list[str]) -> list[tuple[str, str]]:
    """One criterion per chunk of patients selecting their resources of `kind` (OR over the chunk)."""
    criteria = []
    for start in range(0, len(patients), CHUNK):
        chunk = patients[start : start + CHUNK]
        if kind == "Patient":
            criteria.append(("_id", ",".join(chunk)))
            continue
        found = ctx.services.compartment.restriction(kind, chunk[0])
        if found is None:
            return []
        criteria.append((found[0], ",".join(f"Patient/{p}" for p in chunk)))
    return criteria
