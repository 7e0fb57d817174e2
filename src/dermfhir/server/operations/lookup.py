"""CodeSystem/$lookup: `[base]/CodeSystem/$lookup?system=…&code=…` or POST Parameters with `coding`
(https://hl7.org/fhir/R4/codesystem-operation-lookup.html), from the loaded code systems.
Output: name, version, display, designation, property (including parent and child), definition.
Not supported: date, displayLanguage, selecting properties; SNOMED CT, LOINC and other external code systems."""

from __future__ import annotations

from typing import Any

from dermfhir.server.context import Context
from dermfhir.server.errors import BadRequest, ResourceNotFound
from dermfhir.server.http import FhirRequest, FhirResponse
from dermfhir.server.operations._parameters import Inputs


def lookup(ctx: Context, request: FhirRequest, resource_type: str | None, resource_id: str | None) -> FhirResponse:
    if resource_type != "CodeSystem":
        raise BadRequest("$lookup is an operation of CodeSystem")
    ctx.access.require("CodeSystem", "operation")
    inputs = Inputs(request)
    system, code = inputs.text("system"), inputs.text("code")
    coding = inputs.get("coding")
    if isinstance(coding, dict):
        system, code = coding.get("system"), coding.get("code")
    if not system or not code:
        raise BadRequest("$lookup needs system and code (or coding)", code="required")
    terminology = ctx.services.terminology
    concept = terminology.lookup(str(system), str(code), inputs.text("version"))
    if concept is None:
        raise ResourceNotFound(f"Code {code!r} is not known in {system!r} on this server")
    index = terminology.code_system(concept.system)
    name = (index.resource.get("title") or index.resource.get("name")) if index is not None else None
    found: list[dict[str, Any]] = [{"name": "name", "valueString": name or concept.system}]
    if concept.version:
        found.append({"name": "version", "valueString": concept.version})
    if concept.display:
        found.append({"name": "display", "valueString": concept.display})
    if concept.definition:
        found.append({"name": "definition", "valueString": concept.definition})
    for designation in concept.designations:
        parts: list[dict[str, Any]] = [{"name": "value", "valueString": designation.value}]
        if designation.language:
            parts.insert(0, {"name": "language", "valueCode": designation.language})
        found.append({"name": "designation", "part": parts})
    for item in concept.properties:
        found.append({"name": "property", "part": [{"name": "code", "valueCode": item.code}, _value(item.value)]})
    for relation, codes in (("parent", concept.parents), ("child", concept.children)):
        for other in codes:
            parts = [{"name": "code", "valueCode": relation}, {"name": "value", "valueCode": other}]
            found.append({"name": "property", "part": parts})
    return FhirResponse(200, {"resourceType": "Parameters", "parameter": found})


def _value(value: Any) -> dict:
    if isinstance(value, bool):
        return {"name": "value", "valueBoolean": value}
    if isinstance(value, int):
        return {"name": "value", "valueInteger": value}
    if isinstance(value, float):
        return {"name": "value", "valueDecimal": value}
    if isinstance(value, dict):
        return {"name": "value", "valueCoding": value}
    return {"name": "value", "valueString": str(value)}
