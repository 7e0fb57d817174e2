"""capabilities: `GET [base]/metadata` (https://hl7.org/fhir/R4/http.html#capabilities).

The guide's CapabilityStatement (`annotatemd-server`) completed with what this server really does: kind
`instance`, every resource type the store accepts with its interactions, conditional support, `_include` /
`_revinclude` values and supported search parameters, the system interactions and operations (the review workflow's
per resource type, defined by the guide's OperationDefinitions), and the security mode in force. Built once per
server and served pre-serialised.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from dermfhir import __version__
from dermfhir.server.context import Context, Services
from dermfhir.server.http import FhirRequest, FhirResponse, dumps

GUIDE_STATEMENT = "CapabilityStatement/annotatemd-server"
_INTERACTIONS = (
    "read",
    "vread",
    "update",
    "patch",
    "delete",
    "history-instance",
    "history-type",
    "create",
    "search-type",
)
_OPERATIONS = {
    "Resource": [("validate", "http://hl7.org/fhir/OperationDefinition/Resource-validate")],
    "ValueSet": [
        ("expand", "http://hl7.org/fhir/OperationDefinition/ValueSet-expand"),
        ("validate-code", "http://hl7.org/fhir/OperationDefinition/ValueSet-validate-code"),
    ],
    "CodeSystem": [("lookup", "http://hl7.org/fhir/OperationDefinition/CodeSystem-lookup")],
    "ConceptMap": [("translate", "http://hl7.org/fhir/OperationDefinition/ConceptMap-translate")],
}
#: The review workflow's operations, at the level of their resource type, defined by the guide's OperationDefinitions
_REVIEW = "https://annotatemd.com/fhir/ig/OperationDefinition"
_REVIEW_OPERATIONS = {
    "Observation": [
        (name, f"{_REVIEW}/observation-{name}") for name in ("confirm", "correct", "reject", "qa-review", "agreement")
    ],
    "Task": [("claim", f"{_REVIEW}/task-claim"), ("release", f"{_REVIEW}/task-release")],
    "BodyStructure": [("series", f"{_REVIEW}/bodystructure-series")],
    "Device": [("performance", f"{_REVIEW}/device-performance")],
}
_COMMON = ("_id", "_lastUpdated", "_tag", "_profile", "_security", "_source")


def capabilities(ctx: Context, request: FhirRequest) -> FhirResponse:
    return FhirResponse(200, None, {}, raw=statement_bytes(ctx.services, ctx.base))


def statement_bytes(services: Services, base: str) -> bytes:
    cache: dict[str, bytes] = services.__dict__.setdefault("_capabilities", {})
    if base not in cache:
        cache[base] = dumps(statement(services, base))
    return cache[base]


def statement(services: Services, base: str) -> dict:
    guide = services.definitions.read("CapabilityStatement", "annotatemd-server") or {}
    empty = {"resourceType": "CapabilityStatement", "rest": [{"mode": "server"}]}
    found: dict[str, Any] = copy.deepcopy(guide) if guide else empty
    found.pop("text", None)
    found.update(
        {
            "id": "dermfhir-server",
            "url": f"{base}/metadata",
            "name": "DermfhirServer",
            "title": "dermfhir FHIR server",
            "status": "active",
            "date": datetime.now(UTC).date().isoformat(),
            "kind": "instance",
            "instantiates": [guide["url"]] if guide.get("url") else [],
            "software": {"name": "dermfhir", "version": __version__},
            "implementation": {"description": "dermfhir FHIR R4 server", "url": base},
            "fhirVersion": "4.0.1",
            "format": ["json", "application/fhir+json"],
            "patchFormat": ["application/json-patch+json", "application/fhir+json"],
        }
    )
    rest: dict[str, Any] = (found.get("rest") or [{"mode": "server"}])[0]
    guide_resources = {item.get("type"): item for item in rest.get("resource", [])}
    registry = services.store.registry
    resources = []
    for resource_type in sorted(services.resource_types):
        item = guide_resources.get(resource_type, {"type": resource_type})
        resources.append(_resource(services, resource_type, item, registry))
    rest["resource"] = resources
    rest["interaction"] = [{"code": code} for code in ("transaction", "batch", "search-system", "history-system")]
    rest["searchParam"] = [
        {"name": code, "type": param.type, "definition": param.url}
        for code in _COMMON
        if (param := registry.param(None, code)) is not None
    ]
    rest["operation"] = [{"name": name, "definition": url} for items in _OPERATIONS.values() for name, url in items]
    rest["security"] = _security(services)
    found["rest"] = [rest]
    return _pruned(found)


def _pruned(value: Any) -> Any:
    """`value` without empty arrays and objects (FHIR JSON forbids them)."""
    if isinstance(value, dict):
        kept = {key: _pruned(item) for key, item in value.items()}
        return {key: item for key, item in kept.items() if item not in ([], {}, None, "")}
    if isinstance(value, list):
        kept_items = [_pruned(item) for item in value]
        return [item for item in kept_items if item not in ([], {}, None, "")]
    return value


def smart_configuration(ctx: Context, request: FhirRequest) -> FhirResponse:
    """SMART App Launch discovery (`/.well-known/smart-configuration`): what this server accepts. It issues no tokens
    itself: the issuer and endpoints are those of the configured authorization server, when given."""
    config = ctx.services.config
    found: dict[str, Any] = {
        "capabilities": ["permission-v1", "permission-v2", "permission-patient", "permission-user"],
        "scopes_supported": ["patient/*.cruds", "user/*.cruds", "system/*.cruds", "patient/*.read", "user/*.read"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "grant_types_supported": ["client_credentials", "authorization_code"],
    }
    if config.jwt_issuer:
        found["issuer"] = config.jwt_issuer
    if config.token_endpoint:
        found["token_endpoint"] = config.token_endpoint
    if config.authorization_endpoint:
        found["authorization_endpoint"] = config.authorization_endpoint
    return FhirResponse(200, found, {"Content-Type": "application/json"})


def _resource(services: Services, resource_type: str, guide: dict, registry: object) -> dict:
    params = services.store.registry.params(resource_type)
    item = {key: value for key, value in guide.items() if key not in ("interaction", "searchParam")}
    item["type"] = resource_type
    item["interaction"] = [{"code": code} for code in _INTERACTIONS]
    item["versioning"] = "versioned-update"
    item["readHistory"] = True
    item["updateCreate"] = True
    item["conditionalCreate"] = True
    item["conditionalRead"] = "not-match"
    item["conditionalUpdate"] = True
    item["conditionalDelete"] = "single"
    item["referencePolicy"] = ["literal", "logical", "local"]
    references = sorted(code for code, p in params.items() if p.type == "reference" and p.supported)
    item["searchInclude"] = ["*", *(f"{resource_type}:{code}" for code in references)]
    item["searchRevInclude"] = (
        sorted(
            f"{source}:{code}"
            for source in services.resource_types
            for code, p in services.store.registry.params(source).items()
            if p.type == "reference" and p.supported and resource_type in p.targets
        )
        if resource_type in _GUIDE_TYPES
        else []
    )
    documented = {p.get("name"): p for p in guide.get("searchParam", [])}
    item["searchParam"] = [
        {**documented.get(code, {}), "name": code, "type": p.type, "definition": p.url}
        for code, p in sorted(params.items())
        if p.supported and code not in _COMMON
    ]
    operations = [
        *_OPERATIONS["Resource"],
        *_OPERATIONS.get(resource_type, []),
        *_REVIEW_OPERATIONS.get(resource_type, []),
    ]
    item["operation"] = [{"name": name, "definition": url} for name, url in operations]
    return item


_GUIDE_TYPES = frozenset(
    {
        "Patient",
        "Practitioner",
        "Device",
        "DocumentReference",
        "Media",
        "ImagingStudy",
        "BodyStructure",
        "Observation",
        "Provenance",
        "Task",
        "RiskAssessment",
    }
)


def _security(services: Services) -> dict:
    if services.config.auth == "none":
        return {"cors": False, "description": "No authentication: the server listens on the loopback interface only."}
    return {
        "cors": False,
        "service": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                        "code": "SMART-on-FHIR",
                    }
                ]
            }
        ],
        "description": "Bearer tokens carrying SMART App Launch v2 scopes (patient/, user/, system/).",
    }
