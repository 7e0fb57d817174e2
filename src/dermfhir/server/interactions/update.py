"""update: `PUT [base]/[type]/[id]` (https://hl7.org/fhir/R4/http.html#update) with `If-Match` (412 on a
stale version), create-on-update (201), and conditional update `PUT [base]/[type]?criteria`
(https://hl7.org/fhir/R4/http.html#cond-update). The resource is validated first (422), then the review
workflow's rules are enforced against the stored version (`dermfhir.review.rules`)."""

from __future__ import annotations

from dermfhir.server.context import Context
from dermfhir.server.errors import BadRequest
from dermfhir.server.http import FhirRequest, FhirResponse
from dermfhir.server.interactions._common import body_of_type, criteria, written
from dermfhir.server.operations._review_support import enforce, queue_new_predictions
from dermfhir.server.security.audit import reference_of
from dermfhir.store import NotFound


def update(ctx: Context, request: FhirRequest, resource_type: str, resource_id: str) -> FhirResponse:
    resource = body_of_type(request, resource_type)
    if resource.get("id") != resource_id:
        found = resource.get("id")
        raise BadRequest(f"The body's id ({str(found)[:64]!r}) must equal the URL's id ({resource_id!r})")
    check_rights(ctx, resource)
    outcome = ctx.services.gate.check(resource)
    with ctx.store.transaction():
        enforce(ctx, resource)
        result = ctx.store.update(resource, if_match=request.header("if-match"))
        ctx.audit_write("create" if result.created else "update", [reference_of(result.resource)])
        if result.created:
            queue_new_predictions(ctx, [result.resource])
    return written(request, ctx, result.resource, 201 if result.created else 200, outcome)


def conditional_update(ctx: Context, request: FhirRequest, resource_type: str) -> FhirResponse:
    resource = body_of_type(request, resource_type)
    ctx.access.check(resource, "update")
    ctx.access.check(resource, "create")
    outcome = ctx.services.gate.check(resource)
    with ctx.store.transaction():
        matched = ctx.store.match_ids(resource_type, criteria(request))
        enforce(ctx, {**resource, "id": matched[0]} if len(matched) == 1 else resource)
        result = ctx.store.conditional_update(resource, criteria(request), if_match=request.header("if-match"))
        ctx.audit_write("create" if result.created else "update", [reference_of(result.resource)])
    return written(request, ctx, result.resource, 201 if result.created else 200, outcome)


def check_rights(ctx: Context, resource: dict) -> None:
    """Update needs `u` on the stored and the new version; creating through update needs `c` too."""
    ctx.access.check(resource, "update")
    if ctx.access.unrestricted("cu"):
        return
    try:
        current = ctx.store.read(resource["resourceType"], resource["id"])
    except NotFound:  # also Gone
        ctx.access.check(resource, "create")
        return
    ctx.access.check(current, "update")
