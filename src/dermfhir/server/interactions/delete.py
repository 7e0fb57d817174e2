"""delete: `DELETE [base]/[type]/[id]` (https://hl7.org/fhir/R4/http.html#delete), soft and versioned (history
keeps every version), with `If-Match`; conditional delete `DELETE [base]/[type]?criteria` of one match
(https://hl7.org/fhir/R4/http.html#3.1.0.7.1). Deleting a deleted resource succeeds (for a caller who could delete
its last version); an unknown one is 404. A conditional match the caller may not read counts as no match.
Not supported: deleting several matches at once (412)."""

from __future__ import annotations

from dermfhir.server.context import Context
from dermfhir.server.errors import operation_outcome
from dermfhir.server.http import FhirRequest, FhirResponse
from dermfhir.server.interactions._common import criteria
from dermfhir.server.interactions._conditional import current_or_last, visible_matches
from dermfhir.store import PreconditionFailed


def delete(ctx: Context, request: FhirRequest, resource_type: str, resource_id: str) -> FhirResponse:
    ctx.access.require(resource_type, "delete")
    with ctx.store.transaction():
        current = current_or_last(ctx, resource_type, resource_id)
        if current is not None:
            ctx.access.check(current, "delete")
        version = ctx.store.delete(resource_type, resource_id, if_match=request.header("if-match"))
        if version is not None:
            ctx.audit_write("delete", [f"{resource_type}/{resource_id}/_history/{version}"])
    headers = {"ETag": f'W/"{version}"'} if version else {}
    text = f"Deleted {resource_type}/{resource_id}" if version else f"{resource_type}/{resource_id} was already deleted"
    return FhirResponse(200, operation_outcome("information", "informational", text), headers)


def conditional_delete(ctx: Context, request: FhirRequest, resource_type: str) -> FhirResponse:
    ctx.access.require(resource_type, "delete")
    with ctx.store.transaction():
        ids = delete_matching(ctx, resource_type, criteria(request))
        if ids:
            ctx.audit_write("delete", [f"{resource_type}/{resource_id}" for resource_id in ids])
    text = f"Deleted {resource_type}/{ids[0]}" if ids else f"No {resource_type} matched; nothing deleted"
    return FhirResponse(200, operation_outcome("information", "informational", text))


def delete_matching(ctx: Context, resource_type: str, found_criteria: object) -> list[str]:
    """Delete the one visible match (with `d` on it); returns its id, or nothing when no visible resource matched."""
    found = visible_matches(ctx, resource_type, found_criteria)  # type: ignore[arg-type]
    if len(found) > 1:
        raise PreconditionFailed(f"The conditional delete matched more than one {resource_type}")
    for resource in found:
        ctx.access.check(resource, "delete")
        ctx.store.delete(resource_type, resource["id"])
    return [resource["id"] for resource in found]
