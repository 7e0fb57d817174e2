"""Routing a `FhirRequest` to its interaction or operation by method and path, the same way for an HTTP call
and for an entry of a batch or transaction Bundle (https://hl7.org/fhir/R4/http.html#summary).

Paths: `metadata`; `` (transaction/batch, search across types); `_history`; `[type]`; `[type]/_search`;
`[type]/_history`; `[type]/$op`; `[type]/[id]`; `[type]/[id]/_history`; `[type]/[id]/_history/[vid]`;
`[type]/[id]/$op`; PATCH on `[type]/[id]` and (conditional) on `[type]?criteria`. Not supported: compartment
search, `$`-operations other than those listed in `dermfhir.server.operations`.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from dermfhir.server.context import Context
from dermfhir.server.errors import BadRequest, MethodNotAllowed, ResourceNotFound
from dermfhir.server.http import FhirRequest, FhirResponse, is_form
from dermfhir.server.interactions import capabilities, create, delete, history, patch, read, search, update, vread
from dermfhir.server.operations import run_operation

_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


def dispatch(ctx: Context, request: FhirRequest) -> FhirResponse:
    """Run `request` and return the response; errors propagate as exceptions (see `errors.error_outcome`)."""
    parts = [part for part in request.path.split("/") if part]
    method = request.method.upper()
    if method == "HEAD":
        method = "GET"
    if method == "OPTIONS":  # the FHIR answer to OPTIONS: the CapabilityStatement, and what the path allows
        response = capabilities.capabilities(ctx, request)
        response.headers["Allow"] = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"
        return response
    if parts == [".well-known", "smart-configuration"]:
        _only(method, "GET")
        return capabilities.smart_configuration(ctx, request)
    if not parts:
        if method == "GET":
            return search.search(ctx, request, None, "")
        if method == "POST":
            from dermfhir.server.interactions.transaction import bundle

            return bundle(ctx, request)
        raise MethodNotAllowed(f"{method} is not allowed on the base URL")
    head = parts[0]
    if head == "metadata" and len(parts) == 1:
        _only(method, "GET")
        return capabilities.capabilities(ctx, request)
    if head == "_history" and len(parts) == 1:
        _only(method, "GET")
        return history.history(ctx, request, None, None, "_history")
    if head == "_search" and len(parts) == 1:
        _only(method, "POST")
        return search.search(ctx, _with_form(request), None, "")
    if head.startswith("$"):
        return run_operation(ctx, request, head[1:], None, None)
    if head not in ctx.services.resource_types:
        raise ResourceNotFound(f"Unknown resource type {head[:64]!r}", code="not-supported")
    if len(parts) == 1:
        if method == "GET":
            return search.search(ctx, request, head, head)
        if method == "POST":
            return create.create(ctx, request, head)
        if method == "PUT":
            return update.conditional_update(ctx, request, head)
        if method == "DELETE":
            return delete.conditional_delete(ctx, request, head)
        if method == "PATCH":
            return patch.conditional_patch(ctx, request, head)
        raise MethodNotAllowed(f"{method} is not allowed on {head}")
    second = parts[1]
    if len(parts) == 2:
        if second == "_search":
            _only(method, "POST")
            return search.search(ctx, _with_form(request), head, head)
        if second == "_history":
            _only(method, "GET")
            return history.history(ctx, request, head, None, f"{head}/_history")
        if second.startswith("$"):
            return run_operation(ctx, request, second[1:], head, None)
        _check_id(second)
        if method == "GET":
            return read.read(ctx, request, head, second)
        if method == "PUT":
            return update.update(ctx, request, head, second)
        if method == "DELETE":
            return delete.delete(ctx, request, head, second)
        if method == "PATCH":
            return patch.patch(ctx, request, head, second)
        raise MethodNotAllowed(f"{method} is not supported on {head}/[id]")
    _check_id(second)
    if len(parts) == 3 and parts[2].startswith("$"):
        return run_operation(ctx, request, parts[2][1:], head, second)
    if parts[2] == "_history" and len(parts) == 3:
        _only(method, "GET")
        return history.history(ctx, request, head, second, f"{head}/{second}/_history")
    if parts[2] == "_history" and len(parts) == 4:
        _only(method, "GET")
        return vread.vread(ctx, request, head, second, parts[3])
    raise ResourceNotFound(f"No such path: {request.path[:120]!r}", code="not-supported")


def _only(method: str, allowed: str) -> None:
    if method != allowed:
        raise MethodNotAllowed(f"{method} is not allowed here; use {allowed}")


def _check_id(value: str) -> None:
    if not _ID.match(value):
        raise BadRequest(f"{value[:80]!r} is not a valid resource id")


def _with_form(request: FhirRequest) -> FhirRequest:
    """POST _search: the form body's parameters join the URL's."""
    if request.body and not is_form(request.header("content-type")):
        raise BadRequest("POST _search takes an application/x-www-form-urlencoded body", code="not-supported")
    try:
        form = parse_qsl((request.body or b"").decode(), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise BadRequest("The form body is not UTF-8") from None
    return FhirRequest(request.method, request.path, [*request.query, *form], request.headers, None)
