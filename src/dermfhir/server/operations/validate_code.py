"""$validate-code on ValueSet (https://hl7.org/fhir/R4/valueset-operation-validate-code.html) and CodeSystem
(https://hl7.org/fhir/R4/codesystem-operation-validate-code.html), from the loaded packages.
Inputs: url, system, code, display, version, coding, codeableConcept (any coding valid → valid). Output
Parameters: result, message, display. A code that cannot be judged offline (SNOMED CT…) answers result false with
a message saying why, never "invalid".
Not supported: abstract, displayLanguage, context, date."""

from __future__ import annotations

from typing import Any

from dermfhir.server.context import Context
from dermfhir.server.errors import BadRequest, ResourceNotFound
from dermfhir.server.http import FhirRequest, FhirResponse
from dermfhir.server.operations._parameters import Inputs, parameters
from dermfhir.terminology import CodeCheck


def validate_code(
    ctx: Context, request: FhirRequest, resource_type: str | None, resource_id: str | None
) -> FhirResponse:
    if resource_type not in ("ValueSet", "CodeSystem"):
        raise BadRequest("$validate-code is an operation of ValueSet and CodeSystem")
    ctx.access.require(resource_type, "operation")
    inputs = Inputs(request)
    url = inputs.text("url")
    if resource_id is not None:
        found = ctx.services.definitions.read(resource_type, resource_id)
        if found is None:
            raise ResourceNotFound(f"{resource_type}/{resource_id} is not known to this server")
        url = found.get("url")
    codings = _codings(inputs, resource_type, url)
    if not codings:
        raise BadRequest("$validate-code needs code (with system), coding or codeableConcept", code="required")
    terminology = ctx.services.terminology
    checks: list[tuple[CodeCheck, dict]] = []
    for coding in codings:
        if resource_type == "ValueSet":
            if not url:
                raise BadRequest("ValueSet/$validate-code needs url", code="required")
            if not terminology.expand(url).resolved:
                raise ResourceNotFound(f"ValueSet {url[:200]!r} is not known to this server")
            check = terminology.validate_code(url, coding.get("system"), coding["code"], coding.get("display"))
        else:
            system = coding.get("system") or url
            if not system:
                raise BadRequest("CodeSystem/$validate-code needs url or system", code="required")
            check = terminology.validate_coding_in_system(system, coding["code"], coding.get("display"))
        checks.append((check, coding))
    best = next((item for item in checks if item[0].valid), checks[0])
    check = best[0]
    message = check.message or (f"Cannot be judged offline: {check.reason}" if check.unknown else None)
    result = parameters(
        ("result", "valueBoolean", check.valid and check.display_ok is not False),
        ("message", "valueString", message),
        ("display", "valueString", check.expected_display),
    )
    return FhirResponse(200, result)


def _codings(inputs: Inputs, resource_type: str, url: str | None) -> list[dict]:
    code = inputs.text("code")
    if code:
        system = inputs.text("system") or (url if resource_type == "CodeSystem" else None)
        return [{"system": system, "code": code, "display": inputs.text("display")}]
    coding = inputs.get("coding")
    if isinstance(coding, dict) and isinstance(coding.get("code"), str):
        return [_coding(coding)]
    concept = inputs.get("codeableConcept")
    if isinstance(concept, dict):
        return [_coding(item) for item in concept.get("coding") or [] if isinstance(item, dict) and item.get("code")]
    return []


def _coding(item: dict[str, Any]) -> dict:
    return {"system": item.get("system"), "code": str(item["code"]), "display": item.get("display")}
