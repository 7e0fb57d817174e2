"""ImagingStudy (base R4; the guide defines no ImagingStudy profile): a DICOM study of dermatology images, with
its series and instances, as SMART Imaging Access clients expect to find it.

UIDs follow the R4 conventions: the Study Instance UID is an identifier (`urn:dicom:uid`, `urn:oid:<uid>`);
series and instance UIDs are the `uid` elements; an instance's SOP Class is a Coding of system
`urn:ietf:rfc:3986` with the code `urn:oid:<uid>`. Modalities are DICOM DCM codes.

Not handled: procedure codes, referrers, interpreters, reason codes, series performers, `ImagingStudy.note`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dermfhir.builders._base import BuildError, Built, check_datetime, check_id, check_reference, check_text

DICOM_UID = "urn:dicom:uid"
DCM = "http://dicom.nema.org/resources/ontology/DCM"
URI = "urn:ietf:rfc:3986"
_UID = re.compile(r"^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$")


def check_uid(name: str, value: Any) -> str:
    """A DICOM UID: dot-separated numbers without leading zeros, at most 64 characters (PS3.5 §9.1)."""
    if not isinstance(value, str) or len(value) > 64 or not _UID.match(value):
        raise BuildError(f'Argument "{name}" must be a DICOM UID (digits and dots, at most 64), got {value!r}.')
    return value


def uid_identifier(uid: str) -> dict[str, str]:
    """The R4 identifier form of a DICOM UID."""
    return {"system": DICOM_UID, "value": f"urn:oid:{uid}"}


def uid_of(identifier: Mapping[str, Any]) -> str | None:
    """The UID of a `urn:dicom:uid` identifier, else None."""
    value = identifier.get("value")
    if identifier.get("system") == DICOM_UID and isinstance(value, str) and value.startswith("urn:oid:"):
        return value.removeprefix("urn:oid:")
    return None


@dataclass
class Instance:
    """One SOP instance of a series."""

    uid: str
    sop_class: str
    number: int | None = None
    title: str | None = None

    def to_element(self) -> dict:
        element: dict[str, Any] = {
            "uid": self.uid,
            "sopClass": {"system": URI, "code": f"urn:oid:{self.sop_class}"},
        }
        if self.number is not None:
            element["number"] = self.number
        if self.title:
            element["title"] = self.title
        return element


@dataclass
class Series:
    """One series: its modality (DCM code), body site and laterality Codings, and instances."""

    uid: str
    modality: str
    number: int | None = None
    description: str | None = None
    body_site: dict | None = None
    laterality: dict | None = None
    started: str | None = None
    instances: list[Instance] = field(default_factory=list)

    def to_element(self) -> dict:
        element: dict[str, Any] = {"uid": self.uid}
        if self.number is not None:
            element["number"] = self.number
        element["modality"] = {"system": DCM, "code": self.modality}
        if self.description:
            element["description"] = self.description
        element["numberOfInstances"] = len(self.instances)
        if self.body_site:
            element["bodySite"] = self.body_site
        if self.laterality:
            element["laterality"] = self.laterality
        if self.started:
            element["started"] = self.started
        element["instance"] = [instance.to_element() for instance in sorted(self.instances, key=_instance_order)]
        return element


def _instance_order(instance: Instance) -> tuple[int, str]:
    return (instance.number if instance.number is not None else 1 << 30, instance.uid)


class ImagingStudy(Built):
    """A DICOM study of one patient (base R4 ImagingStudy).

    >>> study = ImagingStudy("1.2.3", uid="1.2.3", subject="Patient/p1")
    >>> study.add(Series("1.2.3.1", "DMS", instances=[Instance("1.2.3.1.1", "1.2.840.10008.5.1.4.1.1.77.1.7")]))
    >>> study.to_resource()["series"][0]["instance"][0]["sopClass"]["code"]
    'urn:oid:1.2.840.10008.5.1.4.1.1.77.1.7'
    """

    resource_type = "ImagingStudy"

    def __init__(
        self,
        id: str,
        *,
        uid: str,
        subject: Any,
        started: Any = None,
        description: str | None = None,
        accession: tuple[str, str] | None = None,
        endpoint: Any = None,
        series: list[Series] | None = None,
    ) -> None:
        self.id = check_id("id", id)
        self.uid = check_uid("uid", uid)
        self.subject = check_reference("subject", subject, "Patient")
        self.started = check_datetime("started", started, optional=True)
        self.description = check_text("description", description, optional=True)
        self.accession = accession
        self.endpoint = check_reference("endpoint", endpoint, "Endpoint", optional=True)
        self.series: dict[str, Series] = {}
        for item in series or []:
            self.add(item)

    def add(self, series: Series) -> None:
        """Add a series, or merge its instances into the series already held under the same UID."""
        check_uid("series.uid", series.uid)
        for instance in series.instances:
            check_uid("instance.uid", instance.uid)
            check_uid("instance.sop_class", instance.sop_class)
        held = self.series.get(series.uid)
        if held is None:
            self.series[series.uid] = Series(**{**series.__dict__, "instances": list(series.instances)})
            return
        known = {instance.uid for instance in held.instances}
        held.instances.extend(instance for instance in series.instances if instance.uid not in known)

    def to_resource(self) -> dict:
        resource = self._header()
        identifiers: list[dict[str, Any]] = [uid_identifier(self.uid)]
        if self.accession:
            identifiers.append(
                {
                    "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "ACSN"}]},
                    "system": self.accession[0],
                    "value": self.accession[1],
                }
            )
        resource["identifier"] = identifiers
        resource["status"] = "available"
        modalities = sorted({series.modality for series in self.series.values()})
        if modalities:
            resource["modality"] = [{"system": DCM, "code": code} for code in modalities]
        resource["subject"] = {"reference": self.subject}
        if self.started:
            resource["started"] = self.started
        if self.endpoint:
            resource["endpoint"] = [{"reference": self.endpoint}]
        resource["numberOfSeries"] = len(self.series)
        resource["numberOfInstances"] = sum(len(series.instances) for series in self.series.values())
        if self.description:
            resource["description"] = self.description
        ordered = sorted(self.series.values(), key=lambda s: (s.number if s.number is not None else 1 << 30, s.uid))
        if ordered:
            resource["series"] = [series.to_element() for series in ordered]
        return resource

    @classmethod
    def from_resource(cls, resource: Mapping[str, Any]) -> ImagingStudy:
        cls._check_type(resource)
        uid = next((found for item in resource.get("identifier", []) if (found := uid_of(item))), None)
        if uid is None:
            raise BuildError('Argument "resource" has no Study Instance UID identifier (system urn:dicom:uid).')
        accession = next(
            (
                (item.get("system", ""), item["value"])
                for item in resource.get("identifier", [])
                if item.get("type", {}).get("coding", [{}])[0].get("code") == "ACSN"
            ),
            None,
        )
        endpoints = resource.get("endpoint") or []
        study = cls(
            resource["id"],
            uid=uid,
            subject=resource["subject"]["reference"],
            started=resource.get("started"),
            description=resource.get("description"),
            accession=accession,
            endpoint=endpoints[0].get("reference") if endpoints else None,
        )
        for element in resource.get("series", []):
            study.add(
                Series(
                    uid=element["uid"],
                    modality=element["modality"]["code"],
                    number=element.get("number"),
                    description=element.get("description"),
                    body_site=element.get("bodySite"),
                    laterality=element.get("laterality"),
                    started=element.get("started"),
                    instances=[
                        Instance(
                            uid=item["uid"],
                            sop_class=item["sopClass"]["code"].removeprefix("urn:oid:"),
                            number=item.get("number"),
                            title=item.get("title"),
                        )
                        for item in element.get("instance", [])
                    ],
                )
            )
        return study

    def instance(self, series_uid: str, instance_uid: str) -> Instance | None:
        """The instance with these UIDs, or None."""
        series = self.series.get(series_uid)
        if series is None:
            return None
        return next((item for item in series.instances if item.uid == instance_uid), None)
