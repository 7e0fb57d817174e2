"""update: `PUT [base]/[type]/[id]` (https://hl7.org/fhir/R4/http.html#update) with `If-Match` (412 on a
stale version), create-on-update (201), and conditional update `PUT [base]/[type]?criteria`
(https://hl7.org/fhir/R4/http.html#cond-update). The resource is validated first, outside the database
transaction (422). A conditional match the caller may not read counts as no match. The review workflow's rules are
enforced against the stored version (`dermfhir.review.rules`)."""

from __future__ import annotations

from dermfhir.server.context import Context
from dermfhir.server.errors import BadRequest
from dermfhir.server.http import FhirRequest, FhirResponse
from dermfhir.server.interactions._common import body_of_type, criteria, written
from dermfhir.server.interactions._conditional import current_or_last, visible_matches
from dermfhir.server.operations._review_support import enforce, queue_new_predictions
from dermfhir.server.security.audit import reference_of
from dermfhir.store import InvalidResource, PreconditionFailed, WriteResult


def update(ctx: Context, request: FhirRequest, resource_type: str, resource_id: str) -> FhirResponse:
    resource = body_of_type(request, resource_type)
    if resource.get("id") != resource_id:
        found = resource.get("id")
        raise BadRequest(f"The body's id ({str(found)[:64]!r}) must equal the URL's id ({resource_id!r})")
    ctx.access.check(resource, "update")
    outcome = ctx.services.gate.check(resource)
    with ctx.store.transaction():
        check_rights(ctx, resource)
        enforce(ctx, resource)
        result = ctx.store.update(resource, if_match=request.header("if-match"))
        ctx.audit_write("create" if result.created else "update", [reference_of(result.resource)])
        if result.created:
            queue_new_predictions(ctx, [result.resource])
    return written(request, ctx, result.resource, 201 if result.created else 200, outcome)


def conditional_update(ctx: Context, request: FhirRequest, resource_type: str) -> FhirResponse:
    resource = body_of_type(request, resource_type)
    ctx.access.require(resource_type, "update")
    outcome = ctx.services.gate.check(resource)
    with ctx.store.transaction():
        result = conditional_write(ctx, resource, criteria(request), request.header("if-match"))
        ctx.audit_write("create" if result.created else "update", [reference_of(result.resource)])
    return written(request, ctx, result.resource, 201 if result.created else 200, outcome)


def conditional_write(ctx: Context, resource: dict, found_criteria: object, if_match: str | None) -> WriteResult:
    """The conditional update of `resource`: the one visible match is updated (with `u` on it and on the new
    content), no visible match creates (as a plain create, or as an update to the body's id)."""
    resource_type = resource["resourceType"]
    found = visible_matches(ctx, resource_type, found_criteria)  # type: ignore[arg-type]
    if len(found) > 1:
        raise PreconditionFailed(f"The conditional update matched more than one {resource_type}")
    if found:
        if resource.get("id") not in (None, found[0]["id"]):
            raise InvalidResource(f"The id {resource['id']} differs from the matching resource {found[0]['id']}")
        resource = {**resource, "id": found[0]["id"]}
        ctx.access.check(found[0], "update")
        ctx.access.check(resource, "update")
        enforce(ctx, resource, current=found[0])
        return ctx.store.update(resource, if_match=if_match)
    if "id" in resource:
        check_rights(ctx, resource)
        if _live(ctx, resource):
            raise InvalidResource(f"{resource_type}/{resource['id']} exists but does not match the criteria")
        enforce(ctx, resource)
        result = ctx.store.update(resource, if_match=if_match)
    else:
        ctx.access.check(resource, "create")
        enforce(ctx, resource, current=None)
        result = WriteResult(ctx.store.create(resource), True)
    queue_new_predictions(ctx, [result.resource])
    return result


def check_rights(ctx: Context, resource: dict) -> dict | None:
    """Update needs `u` on the new content and on the stored (or, when deleted, the last) version; creating through
    update needs `c`. Returns the stored or last version (None when the id is new)."""
    ctx.access.check(resource, "update")
    current = current_or_last(ctx, resource["resourceType"], str(resource.get("id")))
    if current is None:
        ctx.access.check(resource, "create")
        return None
    ctx.access.check(current, "update")
    if not _live(ctx, resource):
        ctx.access.check(resource, "create")
    return current


def _live(ctx: Context, resource: dict) -> bool:
    from dermfhir.store import NotFound

    try:
        ctx.store.read(resource["resourceType"], str(resource.get("id")))
    except NotFound:
        return False
    return True
