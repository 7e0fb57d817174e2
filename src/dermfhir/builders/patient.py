"""Patient: the (pseudonymous) person shown in an image. Base R4 Patient; the guide defines no Patient profile.

Not handled: names, addresses, contacts or any other identifying data (imports are pseudonymous by design).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dermfhir.builders._base import Built, check_enum, check_id, check_text
from dermfhir.builders.enum import Gender


class Patient(Built):
    """A pseudonymous patient: an identifier from the source dataset and, when known, the administrative gender.

    >>> Patient("ham-HAM-0000118", identifier=("urn:example:lesion", "HAM_0000118"), gender="male").to_resource()
    {'resourceType': 'Patient', 'id': 'ham-HAM-0000118', 'identifier': [{'system': 'urn:example:lesion', \
'value': 'HAM_0000118'}], 'gender': 'male'}
    """

    resource_type = "Patient"

    def __init__(
        self, id: str, *, identifier: tuple[str, str] | None = None, gender: Gender | str | None = None
    ) -> None:
        self.id = check_id("id", id)
        if identifier is not None:
            check_text("identifier[0]", identifier[0])
            check_text("identifier[1]", identifier[1])
        self.identifier = identifier
        self.gender = check_enum("gender", Gender, gender, optional=True)

    def to_resource(self) -> dict:
        resource = self._header()
        if self.identifier:
            resource["identifier"] = [{"system": self.identifier[0], "value": self.identifier[1]}]
        if self.gender is not None:
            resource["gender"] = self.gender.value
        return resource

    @classmethod
    def from_resource(cls, resource: Mapping[str, Any]) -> Patient:
        cls._check_type(resource)
        identifiers = resource.get("identifier") or []
        identifier = (identifiers[0]["system"], identifiers[0]["value"]) if identifiers else None
        return cls(resource["id"], identifier=identifier, gender=resource.get("gender"))
