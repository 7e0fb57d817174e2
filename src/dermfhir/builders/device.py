"""Profile ai-model-device (Device): the AI model behind AI predictions, following AI Transparency AI-Device; and
its model card (a DocumentReference in text/markdown).

Not handled: device properties / specializations beyond the AI Transparency must-support elements, UDI.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from dermfhir.builders._base import Built, check_id, check_reference, check_text
from dermfhir.builders._vocabulary import pattern

PROFILE_ID = "ai-model-device"
AI_KIND = "http://hl7.org/fhir/uv/aitransparency/StructureDefinition/aitransparency.AIKind"
MODEL_CARD = "http://hl7.org/fhir/uv/aitransparency/StructureDefinition/aitransparency.modelCardDescription"
#: AI Transparency AIdeviceTypeCS code used for image classifiers unless the caller gives another.
MEDICAL_IMAGE_ANALYSIS = "Medical-Image-Analysis"


class AIModelDevice(Built):
    """An AI model (profile ai-model-device).

    >>> device = AIModelDevice("model-1", name="DermAI", version="2.1.0", manufacturer="DermAI Labs")
    >>> [e["url"].rpartition(".")[2] for e in device.to_resource()["extension"]]
    ['AIKind']
    """

    resource_type = "Device"
    profile_id = PROFILE_ID

    def __init__(
        self,
        id: str,
        *,
        name: str,
        version: str,
        manufacturer: str,
        ai_kind: str = MEDICAL_IMAGE_ANALYSIS,
        model_card: Any = None,
        identifier: tuple[str, str] | None = None,
        model_number: str | None = None,
        url: str | None = None,
        safety: str | None = None,
    ) -> None:
        self.id = check_id("id", id)
        self.name = check_text("name", name)
        self.version = check_text("version", version)
        self.manufacturer = check_text("manufacturer", manufacturer)
        self.ai_kind = check_text("ai_kind", ai_kind)
        self.model_card = check_reference("model_card", model_card, "DocumentReference", optional=True)
        self.identifier = identifier
        self.model_number = check_text("model_number", model_number, optional=True)
        self.url = check_text("url", url, optional=True)
        self.safety = check_text("safety", safety, optional=True)

    def to_resource(self) -> dict:
        resource = self._header()
        device_type = pattern(PROFILE_ID, "Device.type")
        kind = {"system": device_type["coding"][0]["system"], "code": self.ai_kind}
        resource["extension"] = [{"url": AI_KIND, "valueCodeableConcept": {"coding": [kind]}}]
        if self.model_card:
            resource["extension"].append({"url": MODEL_CARD, "valueReference": {"reference": self.model_card}})
        if self.identifier:
            resource["identifier"] = [{"system": self.identifier[0], "value": self.identifier[1]}]
        resource["status"] = "active"
        resource["manufacturer"] = self.manufacturer
        resource["deviceName"] = [{"name": self.name, "type": "model-name"}]
        if self.model_number:
            resource["modelNumber"] = self.model_number
        resource["type"] = device_type
        resource["version"] = [{"value": self.version}]
        if self.url:
            resource["url"] = self.url
        if self.safety:
            resource["safety"] = [{"text": self.safety}]
        return resource

    @classmethod
    def from_resource(cls, resource: Mapping[str, Any]) -> AIModelDevice:
        cls._check_type(resource)
        extensions = {e["url"]: e for e in resource.get("extension", [])}
        kind = extensions.get(AI_KIND, {}).get("valueCodeableConcept", {}).get("coding", [{}])[0].get("code")
        card = extensions.get(MODEL_CARD, {}).get("valueReference", {}).get("reference")
        identifiers = resource.get("identifier") or []
        return cls(
            resource["id"],
            name=resource["deviceName"][0]["name"],
            version=resource["version"][0]["value"],
            manufacturer=resource["manufacturer"],
            ai_kind=kind or MEDICAL_IMAGE_ANALYSIS,
            model_card=card,
            identifier=(identifiers[0]["system"], identifiers[0]["value"]) if identifiers else None,
            model_number=resource.get("modelNumber"),
            url=resource.get("url"),
            safety=(resource.get("safety") or [{}])[0].get("text"),
        )


class ModelCard(Built):
    """The model card of an AI model: Hugging Face style markdown, inline, in a DocumentReference.

    >>> ModelCard("card-1", title="DermAI model card", markdown="# DermAI").to_resource()["content"][0][
    ...     "attachment"]["contentType"]
    'text/markdown'
    """

    resource_type = "DocumentReference"

    def __init__(self, id: str, *, title: str, markdown: str) -> None:
        self.id = check_id("id", id)
        self.title = check_text("title", title)
        self.markdown = check_text("markdown", markdown)

    def to_resource(self) -> dict:
        data = base64.b64encode(self.markdown.encode("utf-8")).decode("ascii")
        return {
            **self._header(),
            "status": "current",
            "type": {"text": "AI model card"},
            "description": self.title,
            "content": [{"attachment": {"contentType": "text/markdown", "title": self.title, "data": data}}],
        }

    @classmethod
    def from_resource(cls, resource: Mapping[str, Any]) -> ModelCard:
        cls._check_type(resource)
        attachment = resource["content"][0]["attachment"]
        markdown = base64.b64decode(attachment["data"]).decode("utf-8")
        return cls(resource["id"], title=attachment.get("title") or resource.get("description", ""), markdown=markdown)
