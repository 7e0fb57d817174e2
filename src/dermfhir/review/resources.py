"""Reading the workflow's resources: which Observation is an AI prediction or an annotation, a review Task's
state, a component's value, a reviewer's credential-ordinal. Plain FHIR JSON in, plain values out."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from dermfhir.store import NotFound, Store

GUIDE = "https://annotatemd.com/fhir/ig"
METHOD_SYSTEM = f"{GUIDE}/CodeSystem/annotation-method"
TYPE_SYSTEM = f"{GUIDE}/CodeSystem/annotation-type"
REVIEW_SYSTEM = f"{GUIDE}/CodeSystem/annotation-review"
QA_SYSTEM = f"{GUIDE}/CodeSystem/qa-review-status"
CREDENTIAL_ORDINAL = f"{GUIDE}/StructureDefinition/credential-ordinal"
LABEL_AVAILABLE_AT = f"{GUIDE}/StructureDefinition/label-available-at"
PREDICTION_PROFILE = f"{GUIDE}/StructureDefinition/ai-prediction"
ANNOTATION_PROFILE = f"{GUIDE}/StructureDefinition/dermatology-image-annotation"
TASK_PROFILE = f"{GUIDE}/StructureDefinition/annotation-review-task"
SNOMED = "http://snomed.info/sct"
SKIN_FINDING = "106076001"
AIAST_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue"
AI_METHODS = frozenset({"ai-inference", "ai-assisted-confirmed", "ai-assisted-corrected"})
AI_ASSISTED = frozenset({"ai-assisted-confirmed", "ai-assisted-corrected"})
REVIEWER_TYPES = ("Practitioner", "PractitionerRole")


def now() -> str:
    """The current instant, UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def codes(concept: Any, system: str) -> list[str]:
    if not isinstance(concept, dict):
        return []
    return [
        str(c["code"])
        for c in concept.get("coding") or []
        if isinstance(c, dict) and c.get("system") == system and c.get("code") is not None
    ]


def method_of(resource: dict) -> str | None:
    found = codes(resource.get("method"), METHOD_SYSTEM)
    return found[0] if found else None


def profiles(resource: dict) -> list[str]:
    return [str(p).split("|")[0] for p in (resource.get("meta") or {}).get("profile") or []]


def is_prediction(resource: dict | None) -> bool:
    """An AI prediction: an Observation made by AI inference alone (method ai-inference, or its profile)."""
    if not resource or resource.get("resourceType") != "Observation":
        return False
    return method_of(resource) == "ai-inference" or PREDICTION_PROFILE in profiles(resource)


def is_annotation(resource: dict | None) -> bool:
    """A dermatology annotation: an Observation with an annotation method other than ai-inference (or the profile)."""
    if not resource or resource.get("resourceType") != "Observation" or is_prediction(resource):
        return False
    return method_of(resource) is not None or ANNOTATION_PROFILE in profiles(resource)


def is_review_task(resource: dict | None) -> bool:
    if not resource or resource.get("resourceType") != "Task":
        return False
    return "ai-prediction-review" in codes(resource.get("code"), REVIEW_SYSTEM) or TASK_PROFILE in profiles(resource)


def has_aiast(resource: dict) -> bool:
    security = (resource.get("meta") or {}).get("security") or []
    return any(isinstance(s, dict) and s.get("system") == AIAST_SYSTEM and s.get("code") == "AIAST" for s in security)


def component(resource: dict, code: str, system: str = TYPE_SYSTEM) -> dict | None:
    for item in resource.get("component") or []:
        if code in codes(item.get("code"), system):
            return dict(item)
    return None


def qa_status(resource: dict) -> str | None:
    found = component(resource, "qa-review-status")
    if not found:
        return None
    values = codes(found.get("valueCodeableConcept"), QA_SYSTEM)
    return values[0] if values else None


def finding(resource: dict) -> dict | None:
    found = component(resource, SKIN_FINDING, SNOMED)
    return found.get("valueCodeableConcept") if found else None


def finding_code(resource: dict) -> str | None:
    """The first coded skin finding as `system|code` (or its text), for comparing findings."""
    return concept_code(finding(resource))


def concept_code(concept: dict | None) -> str | None:
    """A finding's first coding as `system|code` (or its text)."""
    if not concept:
        return None
    for coding in concept.get("coding") or []:
        if coding.get("code"):
            return f"{coding.get('system', '')}|{coding['code']}"
    return concept.get("text")


def reference(value: Any) -> str | None:
    """`Type/id` of a Reference (absolute URLs and version suffixes cut away)."""
    if not isinstance(value, dict) or not isinstance(value.get("reference"), str):
        return None
    text = value["reference"].split("/_history/")[0]
    parts = text.rstrip("/").split("/")
    return "/".join(parts[-2:]) if len(parts) >= 2 else None


def performers(resource: dict) -> list[str]:
    return [r for r in (reference(p) for p in resource.get("performer") or []) if r]


def label_available_at(resource: dict) -> str | None:
    for extension in (resource.get("_effectiveDateTime") or {}).get("extension") or []:
        if extension.get("url") == LABEL_AVAILABLE_AT:
            value = extension.get("valueDateTime")
            return str(value) if value else None
    return None


def read_reference(store: Store, ref: str) -> dict | None:
    kind, _, ident = ref.partition("/")
    try:
        return store.read(kind, ident)
    except NotFound:
        return None
    except Exception:  # an unknown type or malformed id: not a stored resource
        return None


def credential_ordinal(store: Store, ref: str) -> int | None:
    """The credential-ordinal of a Practitioner or PractitionerRole (a role without one: its practitioner's)."""
    resource = read_reference(store, ref)
    if resource is None:
        return None
    for extension in resource.get("extension") or []:
        if extension.get("url") == CREDENTIAL_ORDINAL and isinstance(extension.get("valueInteger"), int):
            return int(extension["valueInteger"])
    if resource.get("resourceType") == "PractitionerRole":
        practitioner = reference(resource.get("practitioner"))
        if practitioner:
            return credential_ordinal(store, practitioner)
    return None


def same_party(store: Store, first: str, second: str) -> bool:
    """Whether two Practitioner / PractitionerRole references name the same person."""
    return _person(store, first) == _person(store, second)


def _person(store: Store, ref: str) -> str:
    if ref.startswith("PractitionerRole/"):
        role = read_reference(store, ref)
        practitioner = reference((role or {}).get("practitioner"))
        if practitioner:
            return practitioner
    return ref
