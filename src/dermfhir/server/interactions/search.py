"""search: `GET [base]/[type]?…`, `POST [base]/[type]/_search`, and across types `GET [base]?_type=…`
(https://hl7.org/fhir/R4/http.html#search, https://hl7.org/fhir/R4/search.html). The store parses and runs the
query (every parameter is checked; an unknown one is a 400 naming it); this module adds the caller's compartment,
`_summary` / `_elements` shaping, paging links and the searchset Bundle. `Prefer: handling=lenient` drops unknown
or unsupported parameters and reports each in an OperationOutcome entry (search mode `outcome`); the default is
strict (400), except for parameters known clients add for themselves (`CLIENT_CONVENIENCES`), always dropped.
Not supported: compartment search (`[base]/Patient/[id]/[type]`), `_summary=text|data` on included resources."""

from __future__ import annotations

from dermfhir.server.bundles import links, searchset
from dermfhir.server.context import Context
from dermfhir.server.errors import Forbidden
from dermfhir.server.http import FhirRequest, FhirResponse
from dermfhir.server.interactions._common import shaped
from dermfhir.store import InvalidSearch, Visibility

#: With `Prefer: handling=lenient`, at most this many unknown parameters are dropped (and reported).
_MAX_IGNORED = 20
#: Parameters well-known clients add on their own, which mean nothing to this server: dropped (and reported) even
#: under the default strict handling (fhirpy sends `_totalMethod`).
CLIENT_CONVENIENCES = frozenset({"_totalMethod"})


def search(ctx: Context, request: FhirRequest, resource_type: str | None, path: str) -> FhirResponse:
    ignored = [f"'{name}' is a client-side parameter" for name, _ in request.query if name in CLIENT_CONVENIENCES]
    params = [(name, value) for name, value in request.query if name not in CLIENT_CONVENIENCES]
    if resource_type is not None:
        extra = ctx.access.search_criteria(resource_type)
    else:
        extra = []
        _check_system_search(ctx, request)
    visibility = ctx.access.visibility("s")
    lenient = request.prefer("handling") == "lenient"
    costly = _costly(ctx, resource_type, params + extra, visibility, lenient)
    with ctx.services.search_gate.admit(costly, ctx.services.config.pool_timeout):
        return _run(ctx, request, resource_type, path, params, extra, visibility, lenient, ignored)


def _costly(
    ctx: Context, resource_type: str | None, params: list[tuple[str, str]], visibility: Visibility, lenient: bool
) -> bool:
    """Whether the search is costly. An invalid one is not (it is answered at once), unless lenient handling will
    run it without the parameters in error: then it counts as costly, whatever remains."""
    try:
        return ctx.store.costly(resource_type, params, visibility=visibility)
    except InvalidSearch:
        return lenient


def _run(
    ctx: Context,
    request: FhirRequest,
    resource_type: str | None,
    path: str,
    params: list[tuple[str, str]],
    extra: list[tuple[str, str]],
    visibility: Visibility,
    lenient: bool,
    ignored: list[str],
) -> FhirResponse:
    while True:
        try:
            result = ctx.store.search(resource_type, params + extra, visibility=visibility)
            break
        except InvalidSearch as error:
            names = {name for name, _ in params}
            if not lenient or error.parameter not in names or len(ignored) >= _MAX_IGNORED:
                raise
            ignored.append(str(error))
            params = [(name, value) for name, value in params if name != error.parameter]
    matches = [shaped(ctx, request, resource) for resource in result.resources]
    included = [resource for resource in result.included if ctx.access.visible(resource)]
    link = links(ctx.base, path, params, result.offset, result.count, result.has_next)
    bundle = searchset(ctx.base, matches, included, result.total, link)
    if ignored:
        issues = [{"severity": "warning", "code": "not-supported", "diagnostics": f"Ignored: {t}"} for t in ignored]
        outcome = {"resourceType": "OperationOutcome", "issue": issues}
        bundle.setdefault("entry", []).append({"resource": outcome, "search": {"mode": "outcome"}})
    return FhirResponse(200, bundle)


def _check_system_search(ctx: Context, request: FhirRequest) -> None:
    if ctx.access.unrestricted("s"):
        return
    types = [item for value in (v for k, v in request.query if k == "_type") for item in value.split(",") if item]
    if not types:
        raise Forbidden("Searching every resource type needs a scope on every type (*); name them with _type")
    for resource_type in types:
        scope = ctx.access.require(resource_type, "search-system")
        if scope.context == "patient":
            raise Forbidden("A search across types is not available under patient scopes")
