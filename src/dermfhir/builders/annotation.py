"""Profile dermatology-image-annotation (Observation): the skin finding of one image, how it was made, regions,
confidence, QA status, agreement, plus the source dataset's own facts as extra components.

An annotation informed by AI (method ai-inference, ai-assisted-confirmed, ai-assisted-corrected) carries the AIAST
security label (published AI-transparency page); an AI-assisted one also names the reviewed AI prediction in
`derivedFrom`, after the image.

Not handled: heatmaps (AI predictions only), several findings with separate confidences (the confidence refers
to the first finding, as the profile says).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dermfhir.builders import _components as parts
from dermfhir.builders._base import (
    BuildError,
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
from dermfhir.builders.enum import AnnotationKind, AnnotationMethod, AnnotationStatus, QAReviewStatus

PROFILE_ID = "dermatology-image-annotation"
AI_METHODS = frozenset(
    {AnnotationMethod.AI_INFERENCE, AnnotationMethod.AI_ASSISTED_CONFIRMED, AnnotationMethod.AI_ASSISTED_CORRECTED}
)
AI_ASSISTED_METHODS = frozenset({AnnotationMethod.AI_ASSISTED_CONFIRMED, AnnotationMethod.AI_ASSISTED_CORRECTED})
AIAST = {
    "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
    "code": "AIAST",
    "display": "artificial intelligence asserted",
}
LABEL_AVAILABLE_AT = "https://annotatemd.com/fhir/ig/StructureDefinition/label-available-at"
IMAGE_TYPES = ("DocumentReference", "Media", "ImagingStudy")
PERFORMER_TYPES = ("Practitioner", "PractitionerRole", "Organization", "CareTeam", "Patient", "RelatedPerson")
_KNOWN = {
    "106076001",
    "confidence-score",
    "bounding-boxes",
    "polygon",
    "segmentation-mask",
    "image-width",
    "image-height",
    "lesion-diameter",
    "qa-review-status",
    "inter-annotator-agreement",
}


class DermatologyImageAnnotation(Built):
    """A dermatology image annotation (profile dermatology-image-annotation).

    >>> annotation = DermatologyImageAnnotation(
    ...     "ann-1", subject="Patient/p1", image="DocumentReference/img-1", performer=["Organization/o1"],
    ...     findings=[{"coding": [{"system": "http://snomed.info/sct", "code": "372244006"}]}],
    ...     method="expert-annotation", confidence=0.92)
    >>> resource = annotation.to_resource()
    >>> resource["status"], [c["code"]["coding"][0]["code"] for c in resource["component"]]
    ('final', ['106076001', 'confidence-score'])
    >>> DermatologyImageAnnotation.from_resource(resource).confidence
    0.92
    """

    resource_type = "Observation"
    profile_id = PROFILE_ID

    def __init__(
        self,
        id: str,
        *,
        subject: Any,
        image: Any,
        findings: Sequence[Any],
        method: AnnotationMethod | str,
        status: AnnotationStatus | str = AnnotationStatus.FINAL,
        kind: AnnotationKind | str = AnnotationKind.LESION_CLASSIFICATION,
        performer: Sequence[Any] = (),
        lesion: Any = None,
        body_site: Any = None,
        effective: Any = None,
        issued: Any = None,
        confidence: float | None = None,
        bounding_boxes: Sequence[tuple[float, float, float, float]] = (),
        polygons: Sequence[Sequence[tuple[float, float]]] = (),
        mask: Any = None,
        image_size: tuple[int, int] | None = None,
        lesion_diameter_mm: float | None = None,
        qa_status: QAReviewStatus | str | None = None,
        agreement: float | None = None,
        interpretation: Any = None,
        extra_components: Sequence[dict] = (),
        identifier: tuple[str, str] | None = None,
        prediction: Any = None,
        label_available_at: Any = None,
    ) -> None:
        self.id = check_id("id", id)
        self.subject = check_reference("subject", subject, "Patient")
        self.images = check_references("image", image, *IMAGE_TYPES, minimum=1)
        if not findings:
            raise BuildError('Argument "findings" needs at least one skin finding.')
        self.findings = [check_concept(f"findings[{i}]", f) for i, f in enumerate(findings)]
        self.method = check_enum("method", AnnotationMethod, method)
        self.status = check_enum("status", AnnotationStatus, status)
        self.kind = check_enum("kind", AnnotationKind, kind)
        self.performer = check_references("performer", performer, *PERFORMER_TYPES)
        if self.status in (AnnotationStatus.FINAL, AnnotationStatus.AMENDED) and not self.performer:
            raise BuildError(f'Argument "performer" is required for a {self.status.value} annotation.')
        self.lesion = check_reference("lesion", lesion, "BodyStructure", optional=True)
        self.body_site = check_concept("body_site", body_site, optional=True)
        self.effective = check_datetime("effective", effective, optional=True)
        self.issued = check_datetime("issued", issued, optional=True)
        self.confidence = check_number("confidence", confidence, 0, 1, optional=True)
        self.bounding_boxes = parts.check_boxes("bounding_boxes", bounding_boxes)
        self.polygons = [parts.check_polygon(f"polygons[{i}]", p) for i, p in enumerate(polygons)]
        self.mask = check_reference("mask", mask, "DocumentReference", optional=True)
        self.image_size = image_size
        self.lesion_diameter_mm = check_number("lesion_diameter_mm", lesion_diameter_mm, 0, optional=True)
        self.qa_status = check_enum("qa_status", QAReviewStatus, qa_status, optional=True)
        self.agreement = check_number("agreement", agreement, -1, 1, optional=True)
        self.interpretation = check_concept("interpretation", interpretation, optional=True)
        self.extra_components = [dict(c) for c in extra_components]
        self.identifier = identifier
        self.prediction = check_reference("prediction", prediction, "Observation", optional=True)
        if self.method in AI_ASSISTED_METHODS and self.prediction is None:
            raise BuildError(f'Argument "prediction" is required for a {self.method.value} annotation.')
        self.label_available_at = check_datetime("label_available_at", label_available_at, optional=True)
        if self.label_available_at is not None and self.effective is None:
            raise BuildError('Argument "label_available_at" needs "effective" (the extension is on effectiveDateTime).')
        self._components = self._build_components()  # raises now, not at to_resource()

    def _build_components(self) -> list[dict]:
        components = [parts.skin_finding(PROFILE_ID, finding) for finding in self.findings]
        if self.confidence is not None:
            components.append(parts.unit_quantity(PROFILE_ID, "confidenceScore", self.confidence, "1"))
        components += parts.regions(
            PROFILE_ID,
            boxes=self.bounding_boxes,
            polygons=self.polygons,
            mask=self.mask,
            image_size=self.image_size,
        )
        if self.lesion_diameter_mm is not None:
            components.append(parts.unit_quantity(PROFILE_ID, "lesionDiameter", self.lesion_diameter_mm, "mm"))
        if self.qa_status is not None:
            code = parts.slice_code(PROFILE_ID, "qaReviewStatus")
            components.append({"code": code, "valueCodeableConcept": self.qa_status.concept()})
        if self.agreement is not None:
            components.append(parts.unit_quantity(PROFILE_ID, "interAnnotatorAgreement", self.agreement, "1"))
        return components + self.extra_components

    def to_resource(self) -> dict:
        resource = self._header()
        if self.method in AI_METHODS:
            resource["meta"]["security"] = [dict(AIAST)]
        if self.identifier:
            resource["identifier"] = [{"system": self.identifier[0], "value": self.identifier[1]}]
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
            if self.label_available_at:
                extension = {"url": LABEL_AVAILABLE_AT, "valueDateTime": self.label_available_at}
                resource["_effectiveDateTime"] = {"extension": [extension]}
        if self.issued:
            resource["issued"] = self.issued
        if self.performer:
            resource["performer"] = [{"reference": r} for r in self.performer]
        if self.interpretation:
            resource["interpretation"] = [self.interpretation]
        if self.body_site:
            resource["bodySite"] = self.body_site
        resource["method"] = self.method.concept()
        resource["derivedFrom"] = [{"reference": r} for r in self.images]
        if self.prediction:
            resource["derivedFrom"].append({"reference": self.prediction})
        resource["component"] = [dict(c) for c in self._components]
        return resource

    @classmethod
    def from_resource(cls, resource: Mapping[str, Any]) -> DermatologyImageAnnotation:
        cls._check_type(resource)
        components = resource.get("component", [])
        findings = [c["valueCodeableConcept"] for c in parts.find(components, "106076001", SNOMED)]
        region = parts.read_regions(components)
        qa = [c["valueCodeableConcept"]["coding"][0]["code"] for c in parts.find(components, "qa-review-status")]
        extra = [c for c in components if parts.component_code(c)[1] not in _KNOWN]
        identifiers = resource.get("identifier") or []
        sources = [get_reference(r) for r in resource.get("derivedFrom", [])]
        predictions = [r for r in sources if r and r.startswith("Observation/")]
        available = [
            e.get("valueDateTime")
            for e in (resource.get("_effectiveDateTime") or {}).get("extension", [])
            if e.get("url") == LABEL_AVAILABLE_AT
        ]
        return cls(
            resource["id"],
            subject=resource["subject"]["reference"],
            image=[r for r in sources if r not in predictions],
            prediction=predictions[0] if predictions else None,
            label_available_at=available[0] if available else None,
            findings=findings,
            method=resource["method"]["coding"][0]["code"],
            status=resource["status"],
            kind=resource["code"]["coding"][0]["code"],
            performer=[get_reference(r) for r in resource.get("performer", [])],
            lesion=get_reference((resource.get("focus") or [None])[0]),
            body_site=resource.get("bodySite"),
            effective=resource.get("effectiveDateTime"),
            issued=resource.get("issued"),
            confidence=parts.read_quantity(components, "confidence-score"),
            bounding_boxes=region["boxes"],
            polygons=region["polygons"],
            mask=region["mask"],
            image_size=region["image_size"],
            lesion_diameter_mm=parts.read_quantity(components, "lesion-diameter"),
            qa_status=qa[0] if qa else None,
            agreement=parts.read_quantity(components, "inter-annotator-agreement"),
            interpretation=(resource.get("interpretation") or [None])[0],
            extra_components=extra,
            identifier=(identifiers[0]["system"], identifiers[0]["value"]) if identifiers else None,
        )

    def extra(self, code: str) -> dict | None:
        """The first extra component whose annotation-type code (see `_components.FACT_SLICES`) or text is `code`."""
        return next((c for c in self.extra_components if code in parts.component_code(c)[1:]), None)
