"""What the review operations and the plain REST writes share: who counts as a reviewer, the reviewer input,
review refusals as OperationOutcomes naming their rule, the workflow rules on every write, and the review Task
every new AI prediction gets.

Reviewer rule: a caller is a reviewer when a user- or system-level scope (never a patient-level one) grants
create and update on Observation, update on Task and create on Provenance (e.g. `user/Observation.cu
user/Task.u user/Provenance.c`, or `user/*.cruds`). With `--auth none` every caller is a reviewer. With token
authentication the `reviewer` input must be the token's user: its subject, written as `Practitioner/{id}` or
`PractitionerRole/{id}` (or an absolute URL ending so).
"""

from __future__ import annotations

from typing import Any

from dermfhir.review import ReviewError, check_write, ensure_task
from dermfhir.review import resources as rr
from dermfhir.server.context import Context
from dermfhir.server.errors import (
    BadRequest,
    Conflict,
    FhirError,
    Forbidden,
    PreconditionFailed,
    ResourceNotFound,
)
from dermfhir.server.http import etag
from dermfhir.server.security.audit import reference_of
from dermfhir.store import NotFound

_NEEDED = (("Observation", "c"), ("Observation", "u"), ("Task", "u"), ("Provenance", "c"))
_BY_STATUS: dict[int, type[FhirError]] = {
    400: BadRequest,
    403: Forbidden,
    404: ResourceNotFound,
    409: Conflict,
    412: PreconditionFailed,
}


def is_reviewer(ctx: Context) -> bool:
    """Whether the caller holds reviewer scopes (see the module docstring)."""
    for resource_type, permission in _NEEDED:
        scope = ctx.principal.scope_for(resource_type, permission)
        if scope is None or scope.context == "patient":
            return False
    return True


def require_reviewer(ctx: Context, operation: str) -> None:
    if not is_reviewer(ctx):
        raise refusal(
            ReviewError(
                "reviewer-scope",
                f"${operation} needs reviewer scopes (user-level c+u on Observation, u on Task, c on Provenance)",
            ),
            Forbidden,
        )


def reviewer_input(ctx: Context, value: Any) -> str:
    """The `reviewer` input as `Practitioner/{id}` or `PractitionerRole/{id}`; with tokens, the token's user."""
    found = rr.reference(value) if isinstance(value, dict) else value if isinstance(value, str) else None
    if not found or found.split("/")[0] not in rr.REVIEWER_TYPES:
        raise refusal(
            ReviewError(
                "review-input", "The input 'reviewer' must be a Reference to a Practitioner or PractitionerRole"
            ),
            BadRequest,
        )
    if ctx.services.authenticator is not None:
        subject = rr.reference({"reference": ctx.principal.subject}) or ""
        if subject != found:
            raise refusal(
                ReviewError(
                    "reviewer-is-caller", f"The reviewer {found} is not the token's user ({ctx.principal.subject})"
                ),
                Forbidden,
            )
    return found


def refusal(error: ReviewError, kind: type[FhirError] | None = None) -> FhirError:
    """A review refusal as the server error of its status, with an OperationOutcome naming the rule."""
    cls = kind or _BY_STATUS.get(error.status, Conflict)
    issue = {
        "severity": "error",
        "code": error.code,
        "details": {"text": error.rule},
        "diagnostics": f"[{error.rule}] {error.message}",
    }
    return cls(
        f"[{error.rule}] {error.message}",
        code=error.code,
        outcome={"resourceType": "OperationOutcome", "issue": [issue]},
    )


def enforce(ctx: Context, resource: dict, *, current: dict | bool | None = True) -> None:
    """The workflow rules for writing `resource` (inside the store transaction). `current=True`: read it."""
    if resource.get("resourceType") not in ("Observation", "Task"):
        return
    stored: dict | None
    if current is True:
        stored = None
        if resource.get("id"):
            try:
                stored = ctx.store.read(resource["resourceType"], str(resource["id"]))
            except NotFound:
                stored = None
    else:
        stored = current or None
    try:
        check_write(ctx.store, resource, stored, reviewer=is_reviewer(ctx))
    except ReviewError as error:
        raise refusal(error) from None


def queue_new_predictions(ctx: Context, written: list[dict]) -> list[dict]:
    """A review Task for every newly written AI prediction that has none (inside the store transaction)."""
    tasks = []
    for resource in written:
        if rr.is_prediction(resource) and resource.get("status") == "preliminary":
            task, created = ensure_task(ctx.store, resource)
            if created:
                tasks.append(task)
    if tasks:
        ctx.audit_write("create", [reference_of(task) for task in tasks])
    return tasks


def transaction_response(ctx: Context, written: list[tuple[dict, bool]]) -> dict:
    """The transaction-response Bundle of what an operation wrote."""
    entries = []
    for resource, created in written:
        reference = reference_of(resource)
        entries.append(
            {
                "fullUrl": f"{ctx.base}/{resource['resourceType']}/{resource['id']}",
                "resource": resource,
                "response": {
                    "status": "201 Created" if created else "200 OK",
                    "location": reference,
                    "etag": etag(resource),
                    "lastModified": resource["meta"]["lastUpdated"],
                },
            }
        )
    return {"resourceType": "Bundle", "type": "transaction-response", "entry": entries}
