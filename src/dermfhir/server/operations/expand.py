"""ValueSet/$expand: `[base]/ValueSet/$expand?url=…`, `[base]/ValueSet/[id]/$expand`, or POST a Parameters with
`url` or `valueSet` (https://hl7.org/fhir/R4/valueset-operation-expand.html), from the loaded packages.
Inputs: url (optionally `|version`), valueSetVersion, filter, count (default 1000), offset. An expansion that
cannot be complete offline (SNOMED CT, LOINC…) carries the `valueset-unclosed` extension.
Not supported: activeOnly, includeDesignations, displayLanguage, context, system-version pinning."""

from __future__ import annotations

from dermfhir.server.context import Context
from dermfhir.server.errors import BadRequest, ResourceNotFound
from dermfhir.server.http import FhirRequest, FhirResponse
from dermfhir.server.operations._parameters import Inputs

DEFAULT_COUNT = 1000


def expand(ctx: Context, request: FhirRequest, resource_type: str | None, resource_id: str | None) -> FhirResponse:
    ctx.access.require("ValueSet", "operation")
    inputs = Inputs(request)
    terminology = ctx.services.terminology
    given = inputs.get("valueSet")
    if isinstance(given, dict):
        if given.get("resourceType") != "ValueSet":
            raise BadRequest("valueSet must be a ValueSet")
        expansion = terminology.expand_resource(given)
    else:
        url = _url(ctx, inputs, resource_id)
        version = inputs.text("valueSetVersion")
        expansion = terminology.expand(f"{url}|{version}" if version else url)
        if not expansion.resolved:
            raise ResourceNotFound(f"ValueSet {url[:200]!r} is not known to this server")
    count = inputs.integer("count")
    resource = expansion.to_resource(
        filter=inputs.text("filter"),
        count=DEFAULT_COUNT if count is None else count,
        offset=inputs.integer("offset") or 0,
    )
    return FhirResponse(200, resource)


def _url(ctx: Context, inputs: Inputs, resource_id: str | None) -> str:
    if resource_id is not None:
        found = ctx.services.definitions.read("ValueSet", resource_id)
        if found is None or not found.get("url"):
            raise ResourceNotFound(f"ValueSet/{resource_id} is not known to this server")
        return str(found["url"])
    url = inputs.text("url")
    if not url:
        raise BadRequest("$expand needs url (or valueSet)", code="required")
    return url
