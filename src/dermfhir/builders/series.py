"""Profile annotation-series (Observation): the annotations of one lesion over time, with change detection.

Not handled: computing the change (see dermfhir.review); AI predictions are never members.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dermfhir.builders._base import (
    BuildError,
    Built,
    check_datetime,
    check_enum,
    check_id,
    check_reference,
    check_references,
    get_reference,
)
from dermfhir.builders._components import find, slice_code
from dermfhir.builders._vocabulary import pattern
from dermfhir.builders.enum import AnnotationStatus, ChangeType

PROFILE_ID = "annotation-series"


class AnnotationSeries(Built):
    """An annotation series (profile annotation-series).

    >>> series = AnnotationSeries("series-1", patient="Patient/p1", lesion="BodyStructure/l1",
    ...     members=["Observation/a1", "Observation/a2"], start="2025-10-14", end="2026-01-15",
    ...     change_detected=True, change_types=["size-increase"])
    >>> [c["code"]["coding"][0]["code"] for c in series.to_resource()["component"]]
    ['change-detected', 'change-type']
    """

    resource_type = "Observation"
    profile_id = PROFILE_ID

    def __init__(
        self,
        id: str,
        *,
        patient: Any,
        lesion: Any,
        members: Sequence[Any],
        start: Any,
        end: Any = None,
        status: AnnotationStatus | str = AnnotationStatus.PRELIMINARY,
        performer: Sequence[Any] = (),
        change_detected: bool | None = None,
        change_types: Sequence[ChangeType | str] = (),
    ) -> None:
        self.id = check_id("id", id)
        self.patient = check_reference("patient", patient, "Patient")
        self.lesion = check_reference("lesion", lesion, "BodyStructure")
        self.members = check_references("members", members, "Observation", minimum=1)
        self.start = check_datetime("start", start)
        self.end = check_datetime("end", end, optional=True)
        if self.end and self.start and self.end < self.start:
            raise BuildError(f'Argument "end" must not be before "start", got {self.end!r} < {self.start!r}.')
        self.status = check_enum("status", AnnotationStatus, status)
        self.performer = check_references("performer", performer, "Practitioner", "PractitionerRole")
        self.change_detected = change_detected
        self.change_types = [check_enum(f"change_types[{i}]", ChangeType, t) for i, t in enumerate(change_types)]
        if self.change_types and change_detected is None:
            raise BuildError('Argument "change_detected" is required when "change_types" are given.')
        if change_detected is False and any(t is not ChangeType.NO_CHANGE for t in self.change_types):
            raise BuildError('Argument "change_types" may only hold no-change when no change was detected.')

    def to_resource(self) -> dict:
        resource = self._header()
        resource["status"] = self.status.value
        resource["category"] = [
            pattern(PROFILE_ID, "Observation.category:imaging"),
            pattern(PROFILE_ID, "Observation.category:dermatologyAnnotation"),
        ]
        resource["code"] = pattern(PROFILE_ID, "Observation.code")
        resource["subject"] = {"reference": self.patient}
        resource["focus"] = [{"reference": self.lesion}]
        period = {"start": self.start}
        if self.end:
            period["end"] = self.end
        resource["effectivePeriod"] = period
        if self.performer:
            resource["performer"] = [{"reference": r} for r in self.performer]
        resource["hasMember"] = [{"reference": r} for r in self.members]
        components = []
        if self.change_detected is not None:
            components.append({"code": slice_code(PROFILE_ID, "changeDetected"), "valueBoolean": self.change_detected})
        for change in self.change_types:
            components.append({"code": slice_code(PROFILE_ID, "changeType"), "valueCodeableConcept": change.concept()})
        if components:
            resource["component"] = components
        return resource

    @classmethod
    def from_resource(cls, resource: Mapping[str, Any]) -> AnnotationSeries:
        cls._check_type(resource)
        components = resource.get("component", [])
        detected = [c.get("valueBoolean") for c in find(components, "change-detected")]
        types = [c["valueCodeableConcept"]["coding"][0]["code"] for c in find(components, "change-type")]
        period = resource.get("effectivePeriod", {})
        return cls(
            resource["id"],
            patient=resource["subject"]["reference"],
            lesion=resource["focus"][0]["reference"],
            members=[get_reference(r) for r in resource.get("hasMember", [])],
            start=period.get("start"),
            end=period.get("end"),
            status=resource["status"],
            performer=[get_reference(r) for r in resource.get("performer", [])],
            change_detected=detected[0] if detected else None,
            change_types=types,
        )
