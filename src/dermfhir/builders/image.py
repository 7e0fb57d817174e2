"""Profile dermatology-image (DocumentReference): a clinical photograph or dermoscopic image; and derived images
(masks, heatmaps) on its pixel grid.

An image whose pixel size is unknown cannot carry the required image-size extension: it is built as a plain
DocumentReference without the profile claim (`conforms` is False) so that it stays valid.

Not handled: DICOM instances (use ImagingStudy), multi-image documents, R4 Media input.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dermfhir.builders._base import (
    BuildError,
    Built,
    check_datetime,
    check_enum,
    check_id,
    check_pixels,
    check_reference,
    check_text,
    get_reference,
)
from dermfhir.builders._vocabulary import pattern, profile
from dermfhir.builders.enum import ImagingModality

IMAGE_SIZE = profile("image-size")
PROFILE_ID = "dermatology-image"


class DermatologyImage(Built):
    """A dermatology image (profile dermatology-image) of a patient, with its modality and pixel size.

    >>> image = DermatologyImage("img-ISIC-0027419", subject="Patient/p1", url="ISIC_0027419.jpg",
    ...                          content_type="image/jpeg", modality="DMS", width=600, height=450)
    >>> image.to_resource()["context"]["event"][0]["coding"][0]["code"], image.conforms
    ('DMS', True)
    """

    resource_type = "DocumentReference"
    profile_id = PROFILE_ID

    def __init__(
        self,
        id: str,
        *,
        subject: Any,
        url: str | None = None,
        data: str | None = None,
        content_type: str = "image/jpeg",
        modality: ImagingModality | str = ImagingModality.DERMOSCOPY,
        width: int | None = None,
        height: int | None = None,
        lesion: Any = None,
        identifier: tuple[str, str] | None = None,
        title: str | None = None,
        description: str | None = None,
        created: Any = None,
        date: Any = None,
        extra_events: list[dict] | None = None,
    ) -> None:
        self.id = check_id("id", id)
        self.subject = check_reference("subject", subject, "Patient")
        if url is None and data is None:
            raise BuildError('Argument "url" or "data" is required: the image is given by url or inline data.')
        self.url = check_text("url", url, optional=True)
        self.data = check_text("data", data, optional=True)
        check_text("content_type", content_type)
        if not content_type.startswith("image/"):
            raise BuildError(f'Argument "content_type" must be an image/* media type, got {content_type!r}.')
        self.content_type = content_type
        self.modality = check_enum("modality", ImagingModality, modality)
        if (width is None) != (height is None):
            raise BuildError('Arguments "width" and "height" must be given together.')
        self.width = check_pixels("width", width, optional=True)
        self.height = check_pixels("height", height, optional=True)
        self.lesion = check_reference("lesion", lesion, "BodyStructure", optional=True)
        self.identifier = identifier
        self.title = check_text("title", title, optional=True)
        self.description = check_text("description", description, optional=True)
        self.created = check_datetime("created", created, optional=True)
        self.date = check_datetime("date", date, optional=True)
        self.extra_events = list(extra_events or [])

    @property
    def conforms(self) -> bool:
        """Whether the resource claims dermatology-image (it needs the pixel size)."""
        return self.width is not None

    def to_resource(self) -> dict:
        resource = self._header(claim_profile=self.conforms)
        if self.identifier:
            resource["identifier"] = [{"system": self.identifier[0], "value": self.identifier[1]}]
        resource["status"] = "current"
        resource["type"] = pattern(PROFILE_ID, "DocumentReference.type")
        resource["subject"] = {"reference": self.subject}
        if self.date and "T" in self.date:  # DocumentReference.date is an instant
            resource["date"] = self.date
        if self.description:
            resource["description"] = self.description
        attachment: dict[str, Any] = {}
        if self.width is not None:
            attachment["extension"] = [
                {
                    "url": IMAGE_SIZE,
                    "extension": [
                        {"url": "width", "valuePositiveInt": self.width},
                        {"url": "height", "valuePositiveInt": self.height},
                    ],
                }
            ]
        attachment["contentType"] = self.content_type
        if self.data:
            attachment["data"] = self.data
        if self.url:
            attachment["url"] = self.url
        if self.title:
            attachment["title"] = self.title
        if self.created:
            attachment["creation"] = self.created
        resource["content"] = [{"attachment": attachment}]
        context: dict[str, Any] = {"event": [{"coding": [self.modality.coding()]}, *self.extra_events]}
        if self.lesion:
            context["related"] = [{"reference": self.lesion}]
        resource["context"] = context
        return resource

    @classmethod
    def from_resource(cls, resource: Mapping[str, Any]) -> DermatologyImage:
        cls._check_type(resource)
        attachment = resource["content"][0]["attachment"]
        width = height = None
        for extension in attachment.get("extension", []):
            if extension.get("url") == IMAGE_SIZE:
                values = {e["url"]: e.get("valuePositiveInt") for e in extension.get("extension", [])}
                width, height = values.get("width"), values.get("height")
        context = resource.get("context", {})
        events = context.get("event") or []
        modality = events[0]["coding"][0]["code"] if events else ImagingModality.DERMOSCOPY
        related = [get_reference(r) for r in context.get("related", [])]
        identifiers = resource.get("identifier") or []
        return cls(
            resource["id"],
            subject=resource["subject"]["reference"],
            url=attachment.get("url"),
            data=attachment.get("data"),
            content_type=attachment.get("contentType", "image/jpeg"),
            modality=modality,
            width=width,
            height=height,
            lesion=next((r for r in related if r and r.startswith("BodyStructure/")), None),
            identifier=(identifiers[0]["system"], identifiers[0]["value"]) if identifiers else None,
            title=attachment.get("title"),
            description=resource.get("description"),
            created=attachment.get("creation"),
            date=resource.get("date"),
            extra_events=events[1:],
        )

    @property
    def file_name(self) -> str | None:
        """The last path segment of the url (the source file name), or None."""
        return self.url.rstrip("/").rpartition("/")[2] if self.url else None


class DerivedImage(Built):
    """A derived image on the pixel grid of a source image (segmentation mask, heatmap): a DocumentReference that
    `transforms` the source image; referenced from a component by the overlay-image extension.

    >>> DerivedImage("mask-1", subject="Patient/p1", source="DocumentReference/img-1", url="m.png",
    ...              kind="Lesion segmentation mask").to_resource()["relatesTo"][0]["code"]
    'transforms'
    """

    resource_type = "DocumentReference"

    def __init__(
        self,
        id: str,
        *,
        subject: Any,
        source: Any,
        url: str,
        kind: str,
        content_type: str = "image/png",
        width: int | None = None,
        height: int | None = None,
    ) -> None:
        self.id = check_id("id", id)
        self.subject = check_reference("subject", subject, "Patient")
        self.source = check_reference("source", source, "DocumentReference")
        self.url = check_text("url", url)
        self.kind = check_text("kind", kind)
        self.content_type = check_text("content_type", content_type)
        self.width = check_pixels("width", width, optional=True)
        self.height = check_pixels("height", height, optional=True)

    def to_resource(self) -> dict:
        resource = self._header()
        resource["status"] = "current"
        resource["type"] = {"text": self.kind}
        resource["subject"] = {"reference": self.subject}
        resource["relatesTo"] = [{"code": "transforms", "target": {"reference": self.source}}]
        attachment: dict[str, Any] = {}
        if self.width is not None and self.height is not None:
            attachment["extension"] = [
                {
                    "url": IMAGE_SIZE,
                    "extension": [
                        {"url": "width", "valuePositiveInt": self.width},
                        {"url": "height", "valuePositiveInt": self.height},
                    ],
                }
            ]
        attachment["contentType"] = self.content_type
        attachment["url"] = self.url
        resource["content"] = [{"attachment": attachment}]
        return resource

    @classmethod
    def from_resource(cls, resource: Mapping[str, Any]) -> DerivedImage:
        cls._check_type(resource)
        attachment = resource["content"][0]["attachment"]
        return cls(
            resource["id"],
            subject=resource["subject"]["reference"],
            source=resource["relatesTo"][0]["target"]["reference"],
            url=attachment["url"],
            kind=resource.get("type", {}).get("text", "Derived image"),
            content_type=attachment.get("contentType", "image/png"),
        )
