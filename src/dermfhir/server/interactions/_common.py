"""Pieces every interaction shares: answering with a resource (Prefer, `_summary`, `_elements`, conditional read)
and checking that a body fits the URL."""

from __future__ import annotations

from dermfhir.server.context import Context
from dermfhir.server.errors import BadRequest, operation_outcome
from dermfhir.server.http import FhirRequest, FhirResponse, etag, version_headers
from dermfhir.store import apply_elements, apply_summary

_SUMMARY = frozenset({"true", "false", "text", "data"})


def shaped(ctx: Context, request: FhirRequest, resource: dict) -> dict:
    """`resource` cut down by the request's `_summary` / `_elements`."""
    summary = request.param("_summary")
    if summary is not None and summary != "false":
        if summary not in _SUMMARY:
            raise BadRequest(f"_summary={summary!r} is not one of true, text, data, false (count on searches)")
        return apply_summary(resource, summary, ctx.services.definitions)
    elements = request.param("_elements")
    if elements:
        return apply_elements(resource, [item.strip() for item in elements.split(",") if item.strip()])
    return resource


def representation(ctx: Context, request: FhirRequest, resource: dict) -> FhirResponse:
    """200 with the resource, or 304 when If-None-Match names its current version."""
    headers = version_headers(resource, ctx.base)
    wanted = request.header("if-none-match")
    if wanted and wanted.strip().removeprefix("W/") == etag(resource).removeprefix("W/"):
        return FhirResponse(304, None, headers)
    return FhirResponse(200, shaped(ctx, request, resource), headers)


def written(
    request: FhirRequest, ctx: Context, resource: dict, status: int, outcome: dict | None = None
) -> FhirResponse:
    """The answer to a create or update, as the Prefer header asks (representation by default)."""
    headers = version_headers(resource, ctx.base, location=True)
    wanted = request.prefer("return")
    if wanted == "minimal":
        return FhirResponse(status, None, headers)
    if wanted == "OperationOutcome":
        found = outcome or operation_outcome(
            "information", "informational", f"{resource['resourceType']}/{resource['id']} stored"
        )
        return FhirResponse(status, found, headers)
    return FhirResponse(status, resource, headers)


def body_of_type(request: FhirRequest, resource_type: str) -> dict:
    """The request's resource, which must be a `resource_type` (400 otherwise)."""
    resource = request.json()
    if resource.get("resourceType") != resource_type:
        raise BadRequest(
            f"The body is a {str(resource.get('resourceType'))[:64]!r}, but the URL names {resource_type}",
            code="invalid",
        )
    return resource


def criteria(request: FhirRequest) -> list[tuple[str, str]]:
    """Search criteria of a conditional interaction: the query less the formatting parameters."""
    return [(name, value) for name, value in request.query if name not in ("_format", "_pretty")]


def if_none_exist(value: str) -> str:
    """`If-None-Exist` value → query string (accepts `Type?a=b`, `?a=b` and `a=b`)."""
    return value.partition("?")[2] if "?" in value else value
