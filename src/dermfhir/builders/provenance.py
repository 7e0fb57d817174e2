"""Profiles ai-provenance and review-provenance (Provenance): which AI model created which outputs from which
image; which clinician reviewed an AI prediction.

Not handled: AI Transparency element-level targets (targetPath), signatures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dermfhir.builders._base import (
    BuildError,
    Built,
    check_datetime,
    check_id,
    check_reference,
    check_references,
    get_reference,
)
from dermfhir.builders._vocabulary import coding, pattern

IMAGE_TYPES = ("DocumentReference", "Media", "ImagingStudy")
DATA_OPERATION = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"


class AIProvenance(Built):
    """AI Provenance (profile ai-provenance): the AI model created `targets` from `images`.

    >>> provenance = AIProvenance("prov-1", targets=["Observation/pred-1"], device="Device/m1",
    ...                           images=["DocumentReference/img-1"], recorded="2026-01-15T09:05:01Z")
    >>> provenance.to_resource()["agent"][0]["who"]
    {'reference': 'Device/m1'}
    """

    resource_type = "Provenance"
    profile_id = "ai-provenance"

    def __init__(self, id: str, *, targets: Sequence[Any], device: Any, images: Sequence[Any], recorded: Any) -> None:
        self.id = check_id("id", id)
        self.targets = check_references("targets", targets, "Observation", "RiskAssessment", minimum=1)
        self.device = check_reference("device", device, "Device")
        self.images = check_references("images", images, *IMAGE_TYPES, minimum=1)
        self.recorded = check_datetime("recorded", recorded)
        if self.recorded is None or "T" not in self.recorded:
            raise BuildError(f'Argument "recorded" must be an instant (date and time), got {recorded!r}.')

    def to_resource(self) -> dict:
        resource = self._header()
        resource["target"] = [{"reference": r} for r in self.targets]
        resource["recorded"] = self.recorded
        resource["reason"] = [pattern("ai-provenance", "Provenance.reason:aiast")]
        resource["activity"] = pattern("ai-provenance", "Provenance.activity")
        resource["agent"] = [
            {"type": pattern("ai-provenance", "Provenance.agent:aiModel.type"), "who": {"reference": self.device}}
        ]
        resource["entity"] = [{"role": "source", "what": {"reference": r}} for r in self.images]
        return resource

    @classmethod
    def from_resource(cls, resource: Mapping[str, Any]) -> AIProvenance:
        cls._check_type(resource)
        return cls(
            resource["id"],
            targets=[get_reference(r) for r in resource.get("target", [])],
            device=resource["agent"][0]["who"]["reference"],
            images=[get_reference(e["what"]) for e in resource.get("entity", []) if e.get("role") == "source"],
            recorded=resource["recorded"],
        )


class ReviewProvenance(Built):
    """Review Provenance (profile review-provenance): a clinician (verifier) reviewed an AI prediction.

    `created` True: the review created the target annotation from the prediction (activity CREATE, entity role
    derivation); False: it updated the prediction itself, e.g. rejected it (UPDATE, role revision).

    >>> ReviewProvenance("rev-1", target="Observation/ann-1", reviewer="Practitioner/c1",
    ...     prediction="Observation/pred-1", recorded="2026-01-15T11:40:00Z").to_resource()["entity"][0]["role"]
    'derivation'
    """

    resource_type = "Provenance"
    profile_id = "review-provenance"

    def __init__(
        self,
        id: str,
        *,
        target: Any,
        reviewer: Any,
        prediction: Any,
        recorded: Any,
        device: Any = None,
        image: Any = None,
        created: bool = True,
    ) -> None:
        self.id = check_id("id", id)
        self.target = check_reference("target", target, "Observation")
        self.reviewer = check_reference("reviewer", reviewer, "Practitioner", "PractitionerRole")
        self.prediction = check_reference("prediction", prediction, "Observation")
        self.recorded = check_datetime("recorded", recorded)
        self.device = check_reference("device", device, "Device", optional=True)
        self.image = check_reference("image", image, *IMAGE_TYPES, optional=True)
        self.created = bool(created)

    def to_resource(self) -> dict:
        resource = self._header()
        resource["target"] = [{"reference": self.target}]
        resource["recorded"] = self.recorded
        resource["activity"] = {"coding": [coding(DATA_OPERATION, "CREATE" if self.created else "UPDATE")]}
        agents = [
            {
                "type": pattern("review-provenance", "Provenance.agent:verifier.type"),
                "who": {"reference": self.reviewer},
            }
        ]
        if self.device:
            informant = pattern("review-provenance", "Provenance.agent:aiModel.type")
            agents.append({"type": informant, "who": {"reference": self.device}})
        resource["agent"] = agents
        entities = [{"role": "derivation" if self.created else "revision", "what": {"reference": self.prediction}}]
        if self.image:
            entities.append({"role": "source", "what": {"reference": self.image}})
        resource["entity"] = entities
        return resource

    @classmethod
    def from_resource(cls, resource: Mapping[str, Any]) -> ReviewProvenance:
        cls._check_type(resource)
        agents = {a["type"]["coding"][0]["code"]: a["who"]["reference"] for a in resource.get("agent", [])}
        entities = {e["role"]: get_reference(e["what"]) for e in resource.get("entity", [])}
        created = resource["activity"]["coding"][0]["code"] == "CREATE"
        return cls(
            resource["id"],
            target=resource["target"][0]["reference"],
            reviewer=agents.get("verifier"),
            prediction=entities.get("derivation") or entities.get("revision"),
            recorded=resource["recorded"],
            device=agents.get("informant"),
            image=entities.get("source"),
            created=created,
        )
