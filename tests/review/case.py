"""One small review case as FHIR JSON, built with the guide's builders: a patient, three clinicians with
credential-ordinals, an AI model Device, a dermoscopic image and AI predictions on it."""

from __future__ import annotations

from dermfhir.builders import AIModelDevice, AIPrediction, DermatologyImage, Patient, SkinLesion

ORDINAL = "https://annotatemd.com/fhir/ig/StructureDefinition/credential-ordinal"
SNOMED = "http://snomed.info/sct"
MELANOMA = {"coding": [{"system": SNOMED, "code": "372244006", "display": "Malignant melanoma (disorder)"}]}
NEVUS = {"coding": [{"system": SNOMED, "code": "1163403006", "display": "Pigmented nevus"}]}
SEBK = {"coding": [{"system": SNOMED, "code": "25499005", "display": "Seborrheic keratosis"}]}


def practitioner(id: str, ordinal: int | None) -> dict:
    resource: dict = {"resourceType": "Practitioner", "id": id, "active": True, "name": [{"family": id}]}
    if ordinal is not None:
        resource["extension"] = [{"url": ORDINAL, "valueInteger": ordinal}]
    return resource


def base_resources() -> list[dict]:
    """Patient p1, lesion l1, image img1 (1024x768), Device model1, practitioners clin (3), derm (5), junior (2)."""
    return [
        Patient("p1", gender="female").to_resource(),
        SkinLesion(
            "l1", identifier=("urn:example:lesion", "L1"), patient="Patient/p1", location={"text": "back"}
        ).to_resource(),
        DermatologyImage(
            "img1", subject="Patient/p1", url="https://example.org/img1.jpg", width=1024, height=768
        ).to_resource(),
        DermatologyImage(
            "img2", subject="Patient/p1", url="https://example.org/img2.jpg", width=1024, height=768
        ).to_resource(),
        AIModelDevice("model1", name="Classifier", version="1.0", manufacturer="Example Labs").to_resource(),
        practitioner("clin", 3),
        practitioner("derm", 5),
        practitioner("junior", 2),
    ]


def prediction(id: str, finding: dict = MELANOMA, confidence: float = 0.9, image: str = "img1") -> dict:
    return AIPrediction(
        id,
        subject="Patient/p1",
        image=f"DocumentReference/{image}",
        device="Device/model1",
        finding=finding,
        confidence=confidence,
        lesion="BodyStructure/l1",
        effective="2026-01-15T09:05:00Z",
        bounding_boxes=[(100, 120, 200, 180)],
        image_size=(1024, 768),
    ).to_resource()


def parameters(reviewer: str, **values: object) -> dict:
    """A Parameters body: reviewer, then name → (value[x] key, value) pairs or parts lists."""
    items: list[dict] = [{"name": "reviewer", "valueReference": {"reference": reviewer}}]
    for name, value in values.items():
        name = name.replace("_", "-")
        if isinstance(value, tuple):
            items.append({"name": name, value[0]: value[1]})
        else:
            items.append({"name": name, "part": value})
    return {"resourceType": "Parameters", "parameter": items}


def expert_annotation(id: str, when: str, finding: dict, box: tuple[int, int, int, int], image: str = "img1") -> dict:
    """A final expert annotation of lesion l1 by derm, with one bounding box on a 1024 x 768 image."""
    from dermfhir.builders import DermatologyImageAnnotation

    return DermatologyImageAnnotation(
        id,
        subject="Patient/p1",
        image=f"DocumentReference/{image}",
        findings=[finding],
        method="expert-annotation",
        performer=["Practitioner/derm"],
        lesion="BodyStructure/l1",
        effective=when,
        bounding_boxes=[box],
        image_size=(1024, 768),
    ).to_resource()
