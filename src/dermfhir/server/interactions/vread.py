"""vread: `GET [base]/[type]/[id]/_history/[vid]` (https://hl7.org/fhir/R4/http.html#vread); a deleted
version answers 410 (only to a caller who could read the resource)."""

from __future__ import annotations

from dermfhir.server.context import Context
from dermfhir.server.http import FhirRequest, FhirResponse
from dermfhir.server.interactions._common import representation
from dermfhir.server.interactions._conditional import check_deleted
from dermfhir.store import Gone


def vread(ctx: Context, request: FhirRequest, resource_type: str, resource_id: str, version: str) -> FhirResponse:
    ctx.access.require(resource_type, "vread")
    try:
        resource = ctx.store.vread(resource_type, resource_id, version)
    except Gone:
        check_deleted(ctx, resource_type, resource_id, "vread")
        raise
    ctx.access.check(resource, "vread")
    return representation(ctx, request, resource)
