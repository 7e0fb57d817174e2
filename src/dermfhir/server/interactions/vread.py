"""vread: `GET [base]/[type]/[id]/_history/[vid]` (https://hl7.org/fhir/R4/http.html#vread); a deleted
version answers 410."""

from __future__ import annotations

from dermfhir.server.context import Context
from dermfhir.server.http import FhirRequest, FhirResponse
from dermfhir.server.interactions._common import representation


def vread(ctx: Context, request: FhirRequest, resource_type: str, resource_id: str, version: str) -> FhirResponse:
    ctx.access.require(resource_type, "vread")
    resource = ctx.store.vread(resource_type, resource_id, version)
    ctx.access.check(resource, "vread")
    return representation(ctx, request, resource)
