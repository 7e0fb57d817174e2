"""create: `POST [base]/[type]` (https://hl7.org/fhir/R4/http.html#create), conditional create with
`If-None-Exist` (https://hl7.org/fhir/R4/http.html#ccreate). The server assigns the id; a client id is ignored.
The resource is validated first, outside the database transaction (422 when it does not conform). A match the
caller may not read counts as no match. A query string on the type (`POST Patient?identifier=…`) is refused with
400: conditional create takes its criteria from `If-None-Exist`. The review workflow's rules are enforced
(`dermfhir.review.rules`), and a new AI prediction gets its review Task."""

from __future__ import annotations

from dermfhir.server.context import Context
from dermfhir.server.errors import BadRequest
from dermfhir.server.http import FhirRequest, FhirResponse
from dermfhir.server.interactions._common import body_of_type, criteria, if_none_exist, written
from dermfhir.server.interactions._conditional import visible_matches
from dermfhir.server.operations._review_support import enforce, queue_new_predictions
from dermfhir.server.security.audit import reference_of
from dermfhir.store import PreconditionFailed, WriteResult


def create(ctx: Context, request: FhirRequest, resource_type: str) -> FhirResponse:
    if criteria(request):
        raise BadRequest(
            "A create takes no search criteria in the URL; send them in the If-None-Exist header for a conditional "
            "create",
            code="not-supported",
        )
    resource = body_of_type(request, resource_type)
    resource = {key: value for key, value in resource.items() if key != "id"}
    ctx.access.check(resource, "create")
    outcome = ctx.services.gate.check(resource)
    condition = request.header("if-none-exist")
    with ctx.store.transaction():
        found = visible_matches(ctx, resource_type, if_none_exist(condition)) if condition else []
        if len(found) > 1:
            raise PreconditionFailed(f"If-None-Exist matched more than one {resource_type}")
        if found:
            result = WriteResult(found[0], False)
        else:
            enforce(ctx, resource, current=None)
            result = WriteResult(ctx.store.create(resource), True)
        if result.created:
            ctx.audit_write("create", [reference_of(result.resource)])
            queue_new_predictions(ctx, [result.resource])
    return written(request, ctx, result.resource, 201 if result.created else 200, outcome)
