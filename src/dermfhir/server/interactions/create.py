"""create: `POST [base]/[type]` (https://hl7.org/fhir/R4/http.html#create), conditional create with
`If-None-Exist` (https://hl7.org/fhir/R4/http.html#ccreate). The server assigns the id; a client id is ignored.
The resource is validated first (422 with the OperationOutcome when it does not conform), the review workflow's
rules are enforced (`dermfhir.review.rules`), and a new AI prediction gets its review Task."""

from __future__ import annotations

from dermfhir.server.context import Context
from dermfhir.server.http import FhirRequest, FhirResponse
from dermfhir.server.interactions._common import body_of_type, if_none_exist, written
from dermfhir.server.operations._review_support import enforce, queue_new_predictions
from dermfhir.server.security.audit import reference_of
from dermfhir.store import WriteResult


def create(ctx: Context, request: FhirRequest, resource_type: str) -> FhirResponse:
    resource = body_of_type(request, resource_type)
    resource = {key: value for key, value in resource.items() if key != "id"}
    ctx.access.check(resource, "create")
    outcome = ctx.services.gate.check(resource)
    condition = request.header("if-none-exist")
    with ctx.store.transaction():
        enforce(ctx, resource, current=None)
        if condition:
            result = ctx.store.conditional_create(resource, if_none_exist(condition))
        else:
            result = WriteResult(ctx.store.create(resource), True)
        if result.created:
            ctx.audit_write("create", [reference_of(result.resource)])
            queue_new_predictions(ctx, [result.resource])
    return written(request, ctx, result.resource, 201 if result.created else 200, outcome)
