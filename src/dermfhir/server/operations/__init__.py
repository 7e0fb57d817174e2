"""FHIR operations, one module each: `$validate` (every type and instance), `ValueSet/$expand`,
`ValueSet|CodeSystem/$validate-code`, `CodeSystem/$lookup`, `ConceptMap/$translate`; the review operations
`Observation/[id]/$confirm`, `$correct`, `$reject`, `$qa-review`, `Task/[id]/$claim`, `$release` (module `review`);
`Observation/$agreement`, `BodyStructure/[id]/$series`, `Device/[id]/$performance` (module `analysis`);
Bulk Data `$export`. Any other operation answers 404 (not-supported)."""

from __future__ import annotations

from collections.abc import Callable

from dermfhir.server.bulk.kickoff import export as bulk_export
from dermfhir.server.context import Context
from dermfhir.server.errors import BadRequest, MethodNotAllowed, ResourceNotFound
from dermfhir.server.http import FhirRequest, FhirResponse
from dermfhir.server.operations.analysis import agreement, performance, series
from dermfhir.server.operations.expand import expand
from dermfhir.server.operations.lookup import lookup
from dermfhir.server.operations.review import claim, confirm, correct, qa_review, reject, release
from dermfhir.server.operations.translate import translate
from dermfhir.server.operations.validate import validate
from dermfhir.server.operations.validate_code import validate_code

Handler = Callable[[Context, FhirRequest, str | None, str | None], FhirResponse]

#: operation name → (handler, resource types it applies to, or None for every type)
OPERATIONS: dict[str, tuple[Handler, frozenset[str] | None]] = {
    "validate": (validate, None),
    "expand": (expand, frozenset({"ValueSet"})),
    "validate-code": (validate_code, frozenset({"ValueSet", "CodeSystem"})),
    "lookup": (lookup, frozenset({"CodeSystem"})),
    "translate": (translate, frozenset({"ConceptMap"})),
    "confirm": (confirm, frozenset({"Observation"})),
    "correct": (correct, frozenset({"Observation"})),
    "reject": (reject, frozenset({"Observation"})),
    "qa-review": (qa_review, frozenset({"Observation"})),
    "claim": (claim, frozenset({"Task"})),
    "release": (release, frozenset({"Task"})),
    "agreement": (agreement, frozenset({"Observation"})),
    "series": (series, frozenset({"BodyStructure"})),
    "performance": (performance, frozenset({"Device"})),
    "export": (bulk_export, None),  # system, Patient and Group/[id]: checked by the handler
}


def run_operation(
    ctx: Context, request: FhirRequest, name: str, resource_type: str | None, resource_id: str | None
) -> FhirResponse:
    found = OPERATIONS.get(name)
    if found is None:
        raise ResourceNotFound(f"Operation ${name[:64]} is not supported", code="not-supported")
    handler, types = found
    if types is not None and resource_type not in types:
        raise BadRequest(f"${name} applies to {', '.join(sorted(types))}", code="not-supported")
    if request.method.upper() not in ("GET", "POST", "HEAD"):
        raise MethodNotAllowed(f"${name} takes GET or POST")
    return handler(ctx, request, resource_type, resource_id)


__all__ = ["OPERATIONS", "run_operation"]
