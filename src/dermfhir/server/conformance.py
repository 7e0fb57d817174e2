"""Conformance at the door: every resource written is validated; errors refuse the write with 422.

A resource is checked against the base R4 definitions and the profiles in its `meta.profile`; an Observation
carrying the guide's annotation category and declaring none of the guide's profiles is checked against
dermatology-image-annotation. Warnings and information do not refuse a write.
Not supported: validating references against what is stored (a reference to a missing resource is accepted).
"""

from __future__ import annotations

from dermfhir.server.errors import Unprocessable, error_count
from dermfhir.validation import Validator

GUIDE = "https://annotatemd.com/fhir/ig/"
ANNOTATION_PROFILE = GUIDE + "StructureDefinition/dermatology-image-annotation"
ANNOTATION_CATEGORY = (GUIDE + "CodeSystem/annotation-type", "dermatology-annotation")


def required_profiles(resource: dict) -> list[str]:
    """Profiles the server imposes beyond the resource's own `meta.profile`."""
    if resource.get("resourceType") != "Observation" or not _is_annotation(resource):
        return []
    declared = (resource.get("meta") or {}).get("profile") or []
    if any(isinstance(url, str) and url.startswith(GUIDE) for url in declared):
        return []
    return [ANNOTATION_PROFILE]


def _is_annotation(resource: dict) -> bool:
    for concept in resource.get("category") or []:
        if not isinstance(concept, dict):
            continue
        for coding in concept.get("coding") or []:
            if isinstance(coding, dict) and (coding.get("system"), coding.get("code")) == ANNOTATION_CATEGORY:
                return True
    return False


class Gate:
    """Validates resources on their way into the store."""

    def __init__(self, validator: Validator, enabled: bool = True) -> None:
        self.validator = validator
        self.enabled = enabled

    def outcome(self, resource: dict, profiles: list[str] | None = None) -> dict:
        """The validator's OperationOutcome (with the imposed profiles added)."""
        return self.validator.validate(resource, [*(profiles or []), *required_profiles(resource)])

    def check(self, resource: dict, where: str | None = None) -> dict | None:
        """Raise Unprocessable with the OperationOutcome when `resource` has errors; returns the outcome."""
        if not self.enabled:
            return None
        outcome = self.outcome(resource)
        errors = error_count(outcome)
        if errors:
            prefix = f"{where}: " if where else ""
            raise Unprocessable(
                f"{prefix}{resource.get('resourceType')} does not conform ({errors} error(s))", outcome=outcome
            )
        return outcome
