"""delete: `DELETE [base]/[type]/[id]` (https://hl7.org/fhir/R4/http.html#delete), soft and versioned (history
keeps every version), with `If-Match`; conditional delete `DELETE [base]/[type]?criteria` of one match
(https://hl7.org/fhir/R4/http.html#3.1.0.7.1). Deleting a deleted resource succeeds; an unknown one is 404.
Not supported: deleting several matches at once (412)."""

from __future__ import annotations

from contextlib import suppress

from dermfhir.server.context import Context
from dermfhir.server.errors import operation_outcome
from dermfhir.server.http import FhirRequest, FhirResponse
from dermfhir.server.interactions._common import criteria
from dermfhir.store import Gone


def delete(ctx: Context, request: FhirRequest, resource_type: str, resource_id: str) -> FhirResponse:
    ctx.access.require(resource_type, "delete")
    with suppress(Gone):
        ctx.access.check(ctx.store.read(resource_type, resource_id), "delete")
    with ctx.store.transaction():
        version = ctx.store.delete(resource_type, resource_id, if_match=request.header("if-match"))
        if version is not None:
            ctx.audit_write("delete", [f"{resource_type}/{resource_id}/_history/{version}"])
    headers = {"ETag": f'W/"{version}"'} if version else {}
    text = f"Deleted {resource_type}/{resource_id}" if version else f"{resource_type}/{resource_id} was already deleted"
    return FhirResponse(200, operation_outcome("information", "informational", text), headers)


def conditional_delete(ctx: Context, request: FhirRequest, resource_type: str) -> FhirResponse:
    ctx.access.require(resource_type, "delete")
    found = criteria(request)
    with ctx.store.transaction():
        for resource in ctx.store.search(resource_type, [*found, ("_count", "2")]).resources:
            ctx.access.check(resource, "delete")
        ids = ctx.store.conditional_delete(resource_type, found)
        if ids:
            ctx.audit_write("delete", [f"{resource_type}/{resource_id}" for resource_id in ids])
    text = f"Deleted {resource_type}/{ids[0]}" if ids else f"No {resource_type} matched; nothing deleted"
    return FhirResponse(200, operation_outcome("information", "informational", text))
