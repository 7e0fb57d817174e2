"""Organization: the source of a dataset's ground truth (the performer of imported final annotations). Base R4.

Not handled: contacts, addresses, organisation hierarchies.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dermfhir.builders._base import Built, check_id, check_text


class Organization(Built):
    """An organization by name, e.g. the curators of a public dataset.

    >>> Organization("ham10000", name="HAM10000 dataset curators").to_resource()["name"]
    'HAM10000 dataset curators'
    """

    resource_type = "Organization"

    def __init__(self, id: str, *, name: str, url: str | None = None) -> None:
        self.id = check_id("id", id)
        self.name = check_text("name", name)
        self.url = check_text("url", url, optional=True)

    def to_resource(self) -> dict:
        resource = {**self._header(), "active": True, "name": self.name}
        if self.url:
            resource["telecom"] = [{"system": "url", "value": self.url}]
        return resource

    @classmethod
    def from_resource(cls, resource: Mapping[str, Any]) -> Organization:
        cls._check_type(resource)
        telecom = resource.get("telecom") or [{}]
        return cls(resource["id"], name=resource["name"], url=telecom[0].get("value"))
