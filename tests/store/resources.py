"""FHIR resources for the store tests."""

from __future__ import annotations

AIAST = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue|AIAST"


def patient(family: str = "Chalmers", **extra: object) -> dict:
    return {"resourceType": "Patient", "name": [{"family": family, "given": ["Peter", "James"]}], **extra}


def observation(subject: str | None, code: str = "72828-7", value: float | None = 4.2, **extra: object) -> dict:
    resource: dict = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": code, "display": "Lesion diameter"}]},
        **extra,
    }
    if subject:
        resource["subject"] = {"reference": subject}
    if value is not None:
        resource["valueQuantity"] = {"value": value, "unit": "mm", "system": "http://unitsofmeasure.org", "code": "mm"}
    return resource


LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
PROFILE = "http://example.org/fhir/StructureDefinition/lesion-annotation"
DEVICE_URL = "http://example.org/devices/lesionnet/v1"


def _quantity(value: float, unit: str = "mm") -> dict:
    return {"value": value, "unit": unit, "system": UCUM, "code": unit}


def dataset() -> list[dict]:
    """A small, connected dermatology case: patients, an AI device, images, lesion observations, a review task."""
    aiast = {"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "code": "AIAST"}
    return [
        {"resourceType": "Organization", "id": "org1", "name": "Derm Clinic"},
        {
            "resourceType": "Patient",
            "id": "p1",
            "active": True,
            "gender": "male",
            "birthDate": "1974-12-25",
            "identifier": [{"system": "urn:mrn", "value": "001"}],
            "name": [{"family": "Chalmers", "given": ["Peter", "James"]}],
            "telecom": [{"system": "email", "value": "peter@example.org"}],
        },
        {
            "resourceType": "Patient",
            "id": "p2",
            "gender": "female",
            "birthDate": "1990-06-15",
            "identifier": [{"system": "urn:mrn", "value": "002"}],
            "managingOrganization": {"reference": "Organization/org1"},
            "name": [{"family": "Müller", "given": ["Anna"]}],
        },
        {
            "resourceType": "Patient",
            "id": "p3",
            "gender": "other",
            "name": [{"family": "O'Brien; DROP TABLE resource"}],
        },
        {"resourceType": "Practitioner", "id": "pr1", "name": [{"family": "Smith", "given": ["Jane"]}]},
        {
            "resourceType": "Device",
            "id": "dev1",
            "status": "active",
            "url": DEVICE_URL,
            "manufacturer": "Acme AI",
            "deviceName": [{"name": "LesionNet", "type": "model-name"}],
            "type": {"coding": [{"system": SNOMED, "code": "706689003", "display": "Application program software"}]},
        },
        {
            "resourceType": "Media",
            "id": "m1",
            "status": "completed",
            "subject": {"reference": "Patient/p1"},
            "createdDateTime": "2021-03-04T10:00:00Z",
            "bodySite": {"coding": [{"system": SNOMED, "code": "368209003"}]},
            "content": {"contentType": "image/jpeg", "url": "http://example.org/images/m1.jpg"},
        },
        {
            "resourceType": "ImagingStudy",
            "id": "is1",
            "status": "available",
            "subject": {"reference": "Patient/p1"},
            "started": "2021-03-04T09:55:00Z",
        },
        {
            "resourceType": "BodyStructure",
            "id": "bs1",
            "patient": {"reference": "Patient/p1"},
            "location": {"coding": [{"system": SNOMED, "code": "368209003", "display": "Right upper arm"}]},
        },
        {
            "resourceType": "DocumentReference",
            "id": "doc1",
            "status": "current",
            "subject": {"reference": "Patient/p1"},
            "date": "2021-05-01T00:00:00Z",
            "description": "Dermoscopy report",
            "content": [{"attachment": {"url": "http://example.org/docs/doc1.pdf"}}],
        },
        {
            "resourceType": "Observation",
            "id": "o1",
            "status": "final",
            "meta": {"security": [aiast], "tag": [{"system": "http://example.org/tags", "code": "batch-7"}]},
            "code": {"coding": [{"system": LOINC, "code": "72828-7", "display": "Lesion diameter"}]},
            "subject": {"reference": "Patient/p1"},
            "focus": [{"reference": "BodyStructure/bs1"}],
            "derivedFrom": [{"reference": "Media/m1"}],
            "effectiveDateTime": "2021-03-04T10:30:00Z",
            "method": {"coding": [{"system": SNOMED, "code": "386053000"}]},
            "valueQuantity": _quantity(4.2),
        },
        {
            "resourceType": "Observation",
            "id": "o2",
            "status": "final",
            "meta": {"profile": [PROFILE]},
            "category": [
                {
                    "coding": [
                        {"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "imaging"}
                    ]
                }
            ],
            "code": {"coding": [{"system": LOINC, "code": "72828-7"}], "text": "Lesion size"},
            "subject": {"reference": "Patient/p1"},
            "effectivePeriod": {"start": "2021-01-01", "end": "2021-12-31"},
            "valueQuantity": _quantity(6.0),
        },
        {
            "resourceType": "Observation",
            "id": "o3",
            "status": "preliminary",
            "meta": {"security": [aiast]},
            "code": {"coding": [{"system": LOINC, "code": "39156-5"}]},
            "subject": {"reference": "Patient/p2"},
            "device": {"reference": "Device/dev1"},
            "effectiveDateTime": "2022-06-01T08:00:00Z",
            "valueQuantity": _quantity(0.75, "cm"),
            "component": [
                {"code": {"coding": [{"system": LOINC, "code": "8867-4"}]}, "valueQuantity": _quantity(72, "/min")}
            ],
        },
        {
            "resourceType": "Observation",
            "id": "o4",
            "status": "cancelled",
            "code": {"coding": [{"system": LOINC, "code": "72828-7"}]},
            "effectiveDateTime": "2020-02-02",
            "valueString": "not measured",
        },
        {
            "resourceType": "Provenance",
            "id": "prov1",
            "target": [{"reference": "Observation/o3"}],
            "recorded": "2022-06-01T12:00:00Z",
            "agent": [{"who": {"reference": "Device/dev1"}}],
        },
        {
            "resourceType": "Task",
            "id": "t1",
            "status": "requested",
            "intent": "order",
            "focus": {"reference": "Observation/o3"},
            "for": {"reference": "Patient/p2"},
            "owner": {"reference": "Practitioner/pr1"},
            "authoredOn": "2022-06-02T09:00:00Z",
            "requester": {"identifier": {"system": "urn:staff", "value": "S1"}},
        },
        {
            "resourceType": "RiskAssessment",
            "id": "ra1",
            "status": "final",
            "subject": {"reference": "Patient/p2"},
            "prediction": [
                {"probabilityDecimal": 0.83, "qualitativeRisk": {"coding": [{"system": SNOMED, "code": "high"}]}}
            ],
        },
        {
            "resourceType": "RiskAssessment",
            "id": "ra2",
            "status": "final",
            "subject": {"reference": "Patient/p1"},
            "prediction": [{"probabilityDecimal": 0.2}],
        },
    ]
