"""Operation inputs: from the query string (GET) or a Parameters resource (POST)."""

from __future__ import annotations

from typing import Any

from dermfhir.server.errors import BadRequest
from dermfhir.server.http import FhirRequest


class Inputs:
    """Named operation inputs; values are strings, or resources / complex values from a Parameters body."""

    def __init__(self, request: FhirRequest) -> None:
        self.values: dict[str, list[Any]] = {}
        for name, value in request.query:
            if name not in ("_format", "_pretty"):
                self.values.setdefault(name, []).append(value)
        self.body: dict | None = None
        if request.method.upper() == "POST" and (request.body or request.resource is not None):
            body = request.json()
            self.body = body
            if body.get("resourceType") == "Parameters":
                for parameter in body.get("parameter") or []:
                    if not isinstance(parameter, dict) or not isinstance(parameter.get("name"), str):
                        raise BadRequest("Parameters.parameter needs a name", code="structure")
                    self.values.setdefault(parameter["name"], []).append(_value(parameter))

    def get(self, name: str) -> Any:
        found = self.values.get(name)
        return found[-1] if found else None

    def text(self, name: str) -> str | None:
        value = self.get(name)
        if value is None:
            return None
        if not isinstance(value, str | int | float | bool):
            raise BadRequest(f"Parameter {name!r} must be a simple value", code="invalid")
        return str(value).lower() if isinstance(value, bool) else str(value)

    def integer(self, name: str) -> int | None:
        value = self.text(name)
        if value is None:
            return None
        if not (value.isascii() and value.isdigit()) or len(value) > 9:
            raise BadRequest(f"Parameter {name!r} must be a non-negative integer, got {value[:40]!r}")
        return int(value)


def _value(parameter: dict) -> Any:
    if "resource" in parameter:
        return parameter["resource"]
    for key, value in parameter.items():
        if key.startswith("value"):
            return value
    return parameter.get("part")


def parameters(*items: tuple[str, str, Any]) -> dict:
    """A Parameters resource from (name, value[x] key, value) triples; None values are left out."""
    found = []
    for name, key, value in items:
        if value is None:
            continue
        found.append({"name": name, key: value})
    return {"resourceType": "Parameters", "parameter": found}
