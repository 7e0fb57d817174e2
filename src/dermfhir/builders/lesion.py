"""Profile skin-lesion (BodyStructure): one identified lesion of a patient, followed over time.

Not handled: laterality qualifiers (no sourced codes; use `description`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dermfhir.builders._base import Built, check_concept, check_id, check_reference, check_text


class SkinLesion(Built):
    """A skin lesion (profile skin-lesion) with its identifier, body site and, when known, its morphology.

    >>> lesion = SkinLesion("lesion-1", identifier=("urn:example:lesion", "L1"), patient="Patient/p1",
    ...                     location={"text": "unknown"})
    >>> lesion.to_resource()["location"]
    {'text': 'unknown'}
    """

    resource_type = "BodyStructure"
    profile_id = "skin-lesion"

    def __init__(
        self,
        id: str,
        *,
        identifier: tuple[str, str],
        patient: Any,
        location: Any,
        morphology: Any = None,
        description: str | None = None,
        active: bool | None = True,
    ) -> None:
        self.id = check_id("id", id)
        check_text("identifier[0]", identifier[0] if identifier else None)
        check_text("identifier[1]", identifier[1] if identifier else None)
        self.identifier = identifier
        self.patient = check_reference("patient", patient, "Patient")
        self.location = check_concept("location", location)
        self.morphology = check_concept("morphology", morphology, optional=True)
        self.description = check_text("description", description, optional=True)
        self.active = active

    def to_resource(self) -> dict:
        resource = self._header()
        resource["identifier"] = [{"system": self.identifier[0], "value": self.identifier[1]}]
        if self.active is not None:
            resource["active"] = self.active
        if self.morphology:
            resource["morphology"] = self.morphology
        resource["location"] = self.location
        if self.description:
            resource["description"] = self.description
        resource["patient"] = {"reference": self.patient}
        return resource

    @classmethod
    def from_resource(cls, resource: Mapping[str, Any]) -> SkinLesion:
        cls._check_type(resource)
        identifier = resource["identifier"][0]
        return cls(
            resource["id"],
            identifier=(identifier["system"], identifier["value"]),
            patient=resource["patient"]["reference"],
            location=resource["location"],
            morphology=resource.get("morphology"),
            description=resource.get("description"),
            active=resource.get("active"),
        )
