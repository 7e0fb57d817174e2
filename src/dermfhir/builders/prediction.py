"""Profile ai-prediction (Observation): the top-1 output of an AI model for one image, AIAST-labelled, never final.

Not handled: several predicted findings in one Observation (the profile allows one; the distribution is a
class-probability-assessment), AI Transparency element-level labels.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dermfhir.builders import _components as parts
from dermfhir.builders._base import (
    Built,
    check_concept,
    check_datetime,
    check_enum,
    check_id,
    check_number,
    check_reference,
    check_references,
    get_reference,
)
from dermfhir.builders._vocabulary import SNOMED, pattern
from dermfhir.builders.annotation import IMAGE_TYPES
from dermfhir.builders.enum import AnnotationKind, PredictionStatus

PROFILE_ID = "ai-prediction"


class AIPrediction(Built):
    """An AI prediction (profile ai-prediction): predicted finding, confidence, model Device, source image.

    >>> prediction = AIPrediction("pred-1", subject="Patient/p1", image="DocumentReference/img-1",
    ...     device="Device/model-1", finding={"text": "Dermatofibroma"}, confidence=0.7)
    >>> resource = prediction.to_resource()
    >>> resource["status"], resource["meta"]["security"][0]["code"]
    ('preliminary', 'AIAST')
    >>> AIPrediction.from_resource(resource).confidence
    0.7
    """

    resource_type = "Observation"
    profile_id = PROFILE_ID

    def __init__(
        self,
        id: str,
        *,
        subject: Any,
        image: Any,
        device: Any,
        finding: Any,
        confidence: float | None = None,
        status: PredictionStatus | str = PredictionStatus.PRELIMINARY,
        kind: AnnotationKind | str = AnnotationKind.LESION_CLASSIFICATION,
        lesion: Any = None,
        body_site: Any = None,
        effective: Any = None,
        inference_time_ms: float | None = None,
        heatmaps: Sequence[Any] = (),
        bounding_boxes: Sequence[tuple[float, float, float, float]] = (),
        polygons: Sequence[Sequence[tuple[float, float]]] = (),
        mask: Any = None,
        image_size: tuple[int, int] | None = None,
    ) -> None:
        self.id = check_id("id", id)
        self.subject = check_reference("subject", subject, "Patient")
        self.images = check_references("image", image, *IMAGE_TYPES, minimum=1)
        self.device = check_reference("device", device, "Device")
        self.finding = check_concept("finding", finding)
        self.confidence = check_number("confidence", confidence, 0, 1, optional=True)
        self.status = check_enum("status", PredictionStatus, status)
        self.kind = check_enum("kind", AnnotationKind, kind)
        self.lesion = check_reference("lesion", lesion, "BodyStructure", optional=True)
        self.body_site = check_concept("body_site", body_site, optional=True)
        self.effective = check_datetime("effective", effective, optional=True)
        self.inference_time_ms = check_number("inference_time_ms", inference_time_ms, 0, optional=True)
        self.heatmaps = check_references("heatmaps", heatmaps, "DocumentReference")
        self.bounding_boxes = parts.check_boxes("bounding_boxes", bounding_boxes)
        self.polygons = [parts.check_polygon(f"polygons[{i}]", p) for i, p in enumerate(polygons)]
        self.mask = check_reference("mask", mask, "DocumentReference", optional=True)
        self.image_size = image_size
        self._components = self._build_components()

    def _build_components(self) -> list[dict]:
        components = [parts.skin_finding(PROFILE_ID, self.finding)]
        if self.confidence is not None:
            components.append(parts.unit_quantity(PROFILE_ID, "predictionConfidence", self.confidence, "1"))
        if self.inference_time_ms is not None:
            components.append(parts.unit_quantity(PROFILE_ID, "inferenceTimeMs", self.inference_time_ms, "ms"))
        for heatmap in self.heatmaps:
            components.append(
                {
                    "extension": [{"url": parts.OVERLAY_IMAGE, "valueReference": {"reference": heatmap}}],
                    "code": parts.slice_code(PROFILE_ID, "heatmap"),
                }
            )
        components += parts.regions(
            PROFILE_ID, boxes=self.bounding_boxes, polygons=self.polygons, mask=self.mask, image_size=self.image_size
        )
        return components

    def to_resource(self) -> dict:
        resource = self._header()
        resource["meta"]["security"] = [pattern(PROFILE_ID, "Observation.meta.security:aiast")]
        resource["status"] = self.status.value
        resource["category"] = [
            pattern(PROFILE_ID, "Observation.category:imaging"),
            pattern(PROFILE_ID, "Observation.category:dermatologyAnnotation"),
        ]
        resource["code"] = self.kind.concept()
        resource["subject"] = {"reference": self.subject}
        if self.lesion:
            resource["focus"] = [{"reference": self.lesion}]
        if self.effective:
            resource["effectiveDateTime"] = self.effective
        if self.body_site:
            resource["bodySite"] = self.body_site
        resource["method"] = pattern(PROFILE_ID, "Observation.method")
        resource["device"] = {"reference": self.device}
        resource["derivedFrom"] = [{"reference": r} for r in self.images]
        resource["component"] = [dict(c) for c in self._components]
        return resource

    @classmethod
    def from_resource(cls, resource: Mapping[str, Any]) -> AIPrediction:
        cls._check_type(resource)
        components = resource.get("component", [])
        region = parts.read_regions(components)
        heatmaps = [
            e["valueReference"]["reference"]
            for c in parts.find(components, "heatmap")
            for e in c.get("extension", [])
            if e.get("url") == parts.OVERLAY_IMAGE
        ]
        return cls(
            resource["id"],
            subject=resource["subject"]["reference"],
            image=[get_reference(r) for r in resource.get("derivedFrom", [])],
            device=resource["device"]["reference"],
            finding=parts.find(components, "106076001", SNOMED)[0]["valueCodeableConcept"],
            confidence=parts.read_quantity(components, "prediction-confidence"),
            status=resource["status"],
            kind=resource["code"]["coding"][0]["code"],
            lesion=get_reference((resource.get("focus") or [None])[0]),
            body_site=resource.get("bodySite"),
            effective=resource.get("effectiveDateTime"),
            inference_time_ms=parts.read_quantity(components, "inference-time-ms"),
            heatmaps=heatmaps,
            bounding_boxes=region["boxes"],
            polygons=region["polygons"],
            mask=region["mask"],
            image_size=region["image_size"],
        )
