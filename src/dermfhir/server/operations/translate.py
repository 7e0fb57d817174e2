"""ConceptMap/$translate: `[base]/ConceptMap/$translate?system=…&code=…[&url=…][&target=…|targetsystem=…]`,
`[base]/ConceptMap/[id]/$translate`, or POST Parameters with `coding` (https://hl7.org/fhir/R4/conceptmap-operation-translate.html);
e.g. ISIC diagnosis → SNOMED CT. Without a map URL every loaded map from the source system is used.
Not supported: reverse, dependency, conceptMapVersion."""

from __future__ import annotations

from typing import Any

from dermfhir.server.context import Context
from dermfhir.server.errors import BadRequest, ResourceNotFound
from dermfhir.server.http import FhirRequest, FhirResponse
from dermfhir.server.operations._parameters import Inputs


def translate(ctx: Context, request: FhirRequest, resource_type: str | None, resource_id: str | None) -> FhirResponse:
    if resource_type != "ConceptMap":
        raise BadRequest("$translate is an operation of ConceptMap")
    ctx.access.require("ConceptMap", "operation")
    inputs = Inputs(request)
    url = inputs.text("url")
    if resource_id is not None:
        found = ctx.services.definitions.read("ConceptMap", resource_id)
        if found is None:
            raise ResourceNotFound(f"ConceptMap/{resource_id} is not known to this server")
        url = found.get("url")
    system, code = inputs.text("system"), inputs.text("code")
    coding = inputs.get("coding")
    if isinstance(coding, dict):
        system, code = coding.get("system"), coding.get("code")
    if not system or not code:
        raise BadRequest("$translate needs system and code (or coding)", code="required")
    if inputs.text("reverse") == "true":
        raise BadRequest("$translate reverse is not supported", code="not-supported")
    target = inputs.text("targetsystem") or inputs.text("targetSystem")
    matches = ctx.services.terminology.translate(url, str(system), str(code), target)
    found_params: list[dict[str, Any]] = [{"name": "result", "valueBoolean": any(m.code for m in matches)}]
    if not matches:
        found_params.append({"name": "message", "valueString": f"No mapping found for {system}#{code}"})
    for match in matches:
        parts: list[dict[str, Any]] = [{"name": "equivalence", "valueCode": match.equivalence}]
        if match.code is not None:
            concept = {"system": match.system, "code": match.code}
            if match.display:
                concept["display"] = match.display
            parts.append({"name": "concept", "valueCoding": concept})
        parts.append({"name": "source", "valueUri": match.concept_map})
        if match.comment:
            parts.append({"name": "message", "valueString": match.comment})
        found_params.append({"name": "match", "part": parts})
    return FhirResponse(200, {"resourceType": "Parameters", "parameter": found_params})
