"""patch: `PATCH [base]/[type]/[id]` and conditional patch `PATCH [base]/[type]?criteria`
(https://hl7.org/fhir/R4/http.html#patch), with a JSON Patch or a FHIRPath Patch (`dermfhir.server.patching`).

A patch is an update whose new content the server computes from the stored one: it needs `u` on the stored resource
and on the patched result (so a patch cannot move a resource to another patient), and `r` on the stored resource (a
patch reads it: a JSON Patch `test`, a FHIRPath `where` or the patched resource in the answer would reveal what a
write-only token may not read), may not change the resource's type or id, is
validated against the result's profiles (422), follows the review workflow's write rules, honours `If-Match`
(412), makes a new version and is audited as an update. A conditional patch patches the one match the caller may
read: none → 404, several → 412 (a match the caller may not read counts as no match).

A plain patch is computed and validated before the database transaction; the write then names the version that was
patched, so a concurrent change is never overwritten (without `If-Match` the patch is computed again, a few times).
"""

from __future__ import annotations

from collections.abc import Callable

from dermfhir.server.context import Context
from dermfhir.server.errors import BadRequest, ResourceNotFound, Unprocessable
from dermfhir.server.http import FhirRequest, FhirResponse
from dermfhir.server.interactions._common import criteria, written
from dermfhir.server.interactions._conditional import check_deleted, visible_matches
from dermfhir.server.operations._review_support import enforce
from dermfhir.server.patching import Patch, apply_patch, read_patch
from dermfhir.server.security.audit import reference_of
from dermfhir.store import Gone, PreconditionFailed, VersionConflict, WriteResult

#: Times a patch without If-Match is computed again when another write got in first.
ATTEMPTS = 3


def patch_of(request: FhirRequest) -> Patch:
    return read_patch(request.body, request.header("content-type"), request.resource)


def patch(ctx: Context, request: FhirRequest, resource_type: str, resource_id: str) -> FhirResponse:
    document = patch_of(request)
    ctx.access.require(resource_type, "update")
    if_match = request.header("if-match")
    for attempt in range(ATTEMPTS):
        current = stored(ctx, resource_type, resource_id)
        check_rights(ctx, current)
        ctx.store.check_version(current["meta"]["versionId"], if_match)
        result, outcome = patched(ctx, current, document)
        try:
            with ctx.store.transaction():
                enforce(ctx, result, current=current)  # the write below requires this very version
                found = ctx.store.update(result, if_match=current["meta"]["versionId"])
                ctx.audit_write("update", [reference_of(found.resource)])
        except VersionConflict:
            if if_match is not None or attempt == ATTEMPTS - 1:
                raise
            continue
        return written(request, ctx, found.resource, 200, outcome)
    raise AssertionError("unreachable")


def conditional_patch(ctx: Context, request: FhirRequest, resource_type: str) -> FhirResponse:
    document = patch_of(request)
    ctx.access.require(resource_type, "update")
    found_criteria = criteria(request)
    if not found_criteria:
        raise BadRequest("A conditional patch needs search criteria in the URL")
    with ctx.store.transaction():
        current = one_match(ctx, resource_type, found_criteria)
        result, outcome = patch_stored(ctx, current, document, request.header("if-match"))
    return written(request, ctx, result.resource, 200, outcome)


def stored(ctx: Context, resource_type: str, resource_id: str) -> dict:
    """The current version (404 when it never existed; 410 when deleted, after checking the caller's rights)."""
    try:
        return ctx.store.read(resource_type, resource_id)
    except Gone:
        check_deleted(ctx, resource_type, resource_id, "update")
        raise


def one_match(ctx: Context, resource_type: str, found_criteria: object) -> dict:
    """The one resource a conditional patch patches (inside the transaction)."""
    found = visible_matches(ctx, resource_type, found_criteria)  # type: ignore[arg-type]
    if not found:
        raise ResourceNotFound(f"No {resource_type} matches the conditional patch's criteria")
    if len(found) > 1:
        raise PreconditionFailed(f"The conditional patch matched more than one {resource_type}")
    return found[0]


def patch_stored(
    ctx: Context,
    current: dict,
    document: Patch,
    if_match: str | None,
    transform: Callable[[dict], dict] | None = None,
    audit: bool = True,
) -> tuple[WriteResult, dict | None]:
    """Patch `current` and write the result (inside the transaction); `transform` rewrites the result first (a
    transaction's references to its own entries)."""
    check_rights(ctx, current)
    ctx.store.check_version(current["meta"]["versionId"], if_match)
    result, outcome = patched(ctx, current, document, transform)
    enforce(ctx, result, current=current)
    found = ctx.store.update(result, if_match=current["meta"]["versionId"])
    if audit:
        ctx.audit_write("update", [reference_of(found.resource)])
    return found, outcome


def check_rights(ctx: Context, current: dict) -> None:
    """A patch updates the stored resource and reads it."""
    ctx.access.check(current, "update")
    ctx.access.check(current, "read")


def patched(
    ctx: Context, current: dict, document: Patch, transform: Callable[[dict], dict] | None = None
) -> tuple[dict, dict | None]:
    """The patched resource, checked: same type and id, `u` on it, conforming (with the validator's outcome)."""
    result = apply_patch(document, current, ctx.services.definitions)
    if transform is not None:
        result = transform(result)
    if result.get("resourceType") != current["resourceType"] or result.get("id") != current["id"]:
        raise Unprocessable("A patch may not change the resource's type or id", code="invariant")
    ctx.access.check(result, "update")
    return result, ctx.services.gate.check(result)
