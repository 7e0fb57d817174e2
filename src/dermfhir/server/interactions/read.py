"""read: `GET [base]/[type]/[id]` (https://hl7.org/fhir/R4/http.html#read), with conditional read
(`If-None-Match` → 304), `_summary` and `_elements`. A deleted resource answers 410 only to a caller who could
read it. Not supported: `If-Modified-Since`."""

from __future__ import annotations

from dermfhir.server.context import Context
from dermfhir.server.http import FhirRequest, FhirResponse
from dermfhir.server.interactions._common import representation
from dermfhir.server.interactions._conditional import check_deleted
from dermfhir.store import Gone


def read(ctx: Context, request: FhirRequest, resource_type: str, resource_id: str) -> FhirResponse:
    ctx.access.require(resource_type, "read")
    try:
        resource = ctx.store.read(resource_type, resource_id)
    except Gone:
        check_deleted(ctx, resource_type, resource_id, "read")
        raise
    ctx.access.check(resource, "read")
    return representation(ctx, request, resource)
