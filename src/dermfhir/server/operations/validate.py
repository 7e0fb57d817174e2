"""$validate: `POST [base]/[type]/$validate`, `POST|GET [base]/[type]/[id]/$validate`
(https://hl7.org/fhir/R4/resource-operation-validate.html). Always 200 with the OperationOutcome (the outcome
itself says whether the resource conforms). Inputs: `resource` (or the body itself), `profile`, `mode`
(create, update, delete: for delete, the stored resource is not checked further).
Not supported: `mode=profile`."""

from __future__ import annotations

from dermfhir.server.context import Context
from dermfhir.server.errors import BadRequest, operation_outcome
from dermfhir.server.http import FhirRequest, FhirResponse
from dermfhir.server.operations._parameters import Inputs


def validate(ctx: Context, request: FhirRequest, resource_type: str | None, resource_id: str | None) -> FhirResponse:
    if resource_type is None:
        raise BadRequest("$validate is invoked on a type or an instance: [base]/[type]/$validate")
    ctx.access.require(resource_type, "operation")
    inputs = Inputs(request)
    mode = inputs.text("mode")
    if mode not in (None, "create", "update", "delete"):
        raise BadRequest(f"$validate mode {mode[:40]!r} is not supported", code="not-supported")
    resource = inputs.get("resource")
    if resource is None and inputs.body is not None and inputs.body.get("resourceType") != "Parameters":
        resource = inputs.body
    if resource is None and resource_id is not None:
        resource = ctx.store.read(resource_type, resource_id)
        ctx.access.check(resource, "read")
    if mode == "delete":
        return FhirResponse(200, operation_outcome("information", "informational", "The resource may be deleted"))
    if not isinstance(resource, dict):
        raise BadRequest("$validate needs a resource (the body, or a Parameters 'resource')", code="required")
    if resource.get("resourceType") != resource_type:
        raise BadRequest(f"The resource is not a {resource_type}")
    profile = inputs.text("profile")
    outcome = ctx.services.gate.outcome(resource, [profile] if profile else None)
    if not outcome.get("issue"):
        outcome = operation_outcome("information", "informational", "No issues found")
    return FhirResponse(200, outcome)
