"""history: `GET [base]/[type]/[id]/_history`, `[base]/[type]/_history`, `[base]/_history`
(https://hl7.org/fhir/R4/http.html#history), newest first, with `_since`, `_count` and offset paging.
Not supported: `_at`, `_list`; type and system history under patient scopes (403)."""

from __future__ import annotations

from dermfhir.server.bundles import history as history_bundle
from dermfhir.server.bundles import links
from dermfhir.server.context import Context
from dermfhir.server.errors import BadRequest, Forbidden
from dermfhir.server.http import FhirRequest, FhirResponse

MAX_COUNT = 1000


def history(
    ctx: Context, request: FhirRequest, resource_type: str | None, resource_id: str | None, path: str
) -> FhirResponse:
    if resource_id is not None and resource_type is not None:
        ctx.access.require(resource_type, "history-instance")
    else:
        scope = ctx.access.require(resource_type or "*", "history-type" if resource_type else "history-system")
        if scope.context == "patient":
            raise Forbidden("Type and system history are not available under patient scopes")
    for name, _ in request.query:
        if name not in ("_count", "_since", "_offset", "_format", "_pretty"):
            raise BadRequest(f"History parameter {name!r} is not supported", code="not-supported")
    count = _number(request, "_count", ctx.services.config.default_count)
    offset = _number(request, "_offset", 0)
    result = ctx.store.history(
        resource_type, resource_id, since=request.param("_since"), count=min(count, MAX_COUNT), offset=offset
    )
    if resource_id is not None and resource_type is not None:
        _check_versions(ctx, resource_type, resource_id)
    link = links(ctx.base, path, list(request.query), result.offset, result.count, result.has_next)
    return FhirResponse(200, history_bundle(ctx.base, result, link))


def _check_versions(ctx: Context, resource_type: str, resource_id: str) -> None:
    """Every version of the resource must be readable by the caller (not only the page asked for): a history whose
    earlier versions belonged to another patient is refused as a whole."""
    offset = 0
    while True:
        found = ctx.store.history(resource_type, resource_id, count=MAX_COUNT, offset=offset)
        for entry in found.entries:
            if entry.resource is not None:
                ctx.access.check(entry.resource, "history-instance")
        if not found.has_next:
            return
        offset += MAX_COUNT


def _number(request: FhirRequest, name: str, default: int) -> int:
    value = request.param(name)
    if value is None or value == "":
        return default
    if not (value.isascii() and value.isdigit()) or len(value) > 9:
        raise BadRequest(f"{name} must be a non-negative integer, got {value[:40]!r}")
    return int(value)
