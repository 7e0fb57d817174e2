"""A demo dataset that looks like a small dermatology practice: patients with lesions photographed over several
visits, expert annotations (finding, box, outline, mask), an AI model's predictions with class probabilities and
heatmaps, and a review history (confirmed, corrected, rejected, awaiting review) with its Provenance and Tasks.

Every clinical resource comes from the builders (so it claims and meets the guide's profiles); images are Binary
resources on this server, referenced by the image DocumentReferences (`Binary/{id}`). Deterministic: the same
seed and size give the same resources and pixels. Not modelled: encounters, consent, DICOM.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

import numpy as np

from dermfhir.builders import (
    AIModelDevice,
    AIPrediction,
    AIProvenance,
    AnnotationReviewTask,
    ClassProbability,
    ClassProbabilityAssessment,
    DerivedImage,
    DermatologyImage,
    DermatologyImageAnnotation,
    ModelCard,
    Patient,
    ReviewProvenance,
    SkinLesion,
)
from dermfhir.builders._vocabulary import code_system, mapped_concept
from dermfhir.demo.images import SyntheticImage, generate

CLASSES = ("MEL", "NV", "BCC", "BKL", "AK")
DEVICE = "Device/demo-dermai-2-1"
SITES = (
    ("77568009", "Back"),
    ("51185008", "Thorax"),
    ("40983000", "Upper arm"),
    ("68367000", "Thigh"),
    ("89545001", "Face"),
    ("30021000", "Lower leg"),
)
VISITS = (date(2025, 3, 10), date(2025, 9, 15), date(2026, 3, 16))
#: id, name, role, credential-ordinal (1-5, the guide's annotator credential level)
PRACTITIONERS = (
    ("demo-dermatologist", "Dr. Amira Haddad", "Dermatologist", 4),
    ("demo-clinician", "Dr. Jonas Berg", "General practitioner", 3),
    ("demo-qa", "Dr. Lucia Moreno", "Dermatologist, QA reviewer", 5),
)
CREDENTIAL_ORDINAL = "https://annotatemd.com/fhir/ig/StructureDefinition/credential-ordinal"
IDENTIFIER = "urn:dermfhir:demo"
MODEL_CARD = """# DermAI Classifier 2.1 (demo)

A synthetic model card for the dermfhir demo. The predictions in the demo were drawn at random around the
demo's own ground truth; they do not come from a trained model.

- Classes: MEL, NV, BCC, BKL, AK (ISIC 2019 challenge classes)
- Input: dermoscopic images, 480 x 360 pixels
- Intended use: decision support for dermatologists; every prediction is reviewed by a clinician
"""


@dataclass(frozen=True)
class DemoSize:
    patients: int = 8
    seed: int = 20260115


def concept(isic_class: str) -> dict:
    """The finding of an ISIC challenge class: its SNOMED CT concept(s) (from the guide's map) and the ISIC code."""
    return mapped_concept("isic-challenge-class-to-snomed", code_system("isic-challenge-class"), isic_class)


def practitioner(identifier: str, name: str, role: str, credential: int) -> dict:
    given, _, family = name.removeprefix("Dr. ").partition(" ")
    return {
        "resourceType": "Practitioner",
        "id": identifier,
        "extension": [{"url": CREDENTIAL_ORDINAL, "valueInteger": credential}],
        "identifier": [{"system": IDENTIFIER, "value": identifier}],
        "active": True,
        "name": [{"text": name, "family": family, "given": [given], "prefix": ["Dr."]}],
        "qualification": [{"code": {"text": role}}],
    }


def binary(identifier: str, content_type: str, data: bytes, patient: str) -> dict:
    """Image bytes; `securityContext` is the patient, so access to the bytes follows access to the patient's data."""
    return {
        "resourceType": "Binary",
        "id": identifier,
        "contentType": content_type,
        "securityContext": {"reference": patient},
        "data": base64.b64encode(data).decode("ascii"),
    }


def resources(size: DemoSize = DemoSize(), progress: Callable[[int], None] | None = None) -> Iterator[dict]:
    """Every resource of the demo, images first within each visit (so that references resolve in order)."""
    rng = np.random.default_rng(size.seed)
    card = ModelCard("demo-dermai-2-1-card", title="DermAI Classifier 2.1 model card", markdown=MODEL_CARD)
    yield card.to_resource()
    yield AIModelDevice(
        "demo-dermai-2-1",
        name="DermAI Classifier",
        version="2.1",
        manufacturer="dermfhir demo",
        model_card=card.reference,
        identifier=(IDENTIFIER, "dermai-2.1"),
    ).to_resource()
    for identifier, name, role, credential in PRACTITIONERS:
        yield practitioner(identifier, name, role, credential)
    counter = 0
    for number in range(1, size.patients + 1):
        patient_id = f"demo-p{number:02d}"
        yield Patient(
            patient_id, identifier=(IDENTIFIER, patient_id), gender=("female", "male")[number % 2]
        ).to_resource()
        for lesion_number in range(1, 1 + int(rng.integers(1, 3))):
            truth = CLASSES[int(rng.integers(len(CLASSES)))]
            code, display = SITES[int(rng.integers(len(SITES)))]
            lesion = SkinLesion(
                f"{patient_id}-l{lesion_number}",
                identifier=(IDENTIFIER, f"{patient_id}-l{lesion_number}"),
                patient=f"Patient/{patient_id}",
                location={"coding": [{"system": "http://snomed.info/sct", "code": code, "display": display}]},
                description=f"Lesion {lesion_number} on the {display.lower()}",
            )
            yield lesion.to_resource()
            visits = int(rng.integers(1, len(VISITS) + 1))
            growth = float(rng.uniform(1.0, 1.25)) if truth == "MEL" else 1.0
            for visit in range(visits):
                counter += 1
                seed = (size.seed % 100_000) * 1000 + number * 100 + lesion_number * 10 + visit
                picture = generate(seed, truth, scale=growth**visit)
                yield from _visit(rng, patient_id, lesion, visit, truth, picture, counter)
                if progress:
                    progress(1)


def _visit(
    rng: np.random.Generator,
    patient_id: str,
    lesion: SkinLesion,
    visit: int,
    truth: str,
    picture: SyntheticImage,
    counter: int,
) -> Iterator[dict]:
    day = VISITS[visit]
    when = f"{day.isoformat()}T09:{10 + visit:02d}:00Z"
    later = f"{day.isoformat()}T11:{20 + visit:02d}:00Z"
    key = f"{lesion.id}-v{visit + 1}"
    patient = f"Patient/{patient_id}"
    yield binary(f"{key}-jpeg", "image/jpeg", picture.jpeg, patient)
    yield binary(f"{key}-mask-png", "image/png", picture.mask_png, patient)
    yield binary(f"{key}-heatmap-png", "image/png", picture.heatmap_png, patient)
    image = DermatologyImage(
        f"{key}-img",
        subject=patient,
        url=f"Binary/{key}-jpeg",
        content_type="image/jpeg",
        modality="DMS",
        width=picture.width,
        height=picture.height,
        lesion=lesion.reference,
        identifier=(IDENTIFIER, f"{key}-img"),
        title=f"{key}.jpg",
        description=f"Dermoscopy of {lesion.id}, visit {visit + 1}",
        created=day.isoformat(),
        date=when,
    )
    yield image.to_resource()
    mask = DerivedImage(
        f"{key}-mask",
        subject=patient,
        source=image.reference,
        url=f"Binary/{key}-mask-png",
        kind="Lesion segmentation mask",
        width=picture.width,
        height=picture.height,
    )
    heatmap = DerivedImage(
        f"{key}-heatmap",
        subject=patient,
        source=image.reference,
        url=f"Binary/{key}-heatmap-png",
        kind="AI saliency heatmap",
        width=picture.width,
        height=picture.height,
    )
    yield mask.to_resource()
    yield heatmap.to_resource()
    site = lesion.location
    size = (picture.width, picture.height)
    # the expert's ground truth on every other image (and on the first visit of each lesion)
    if visit == 0 or counter % 2 == 0:
        yield DermatologyImageAnnotation(
            f"{key}-expert",
            subject=patient,
            image=image.reference,
            findings=[concept(truth)],
            method="expert-annotation",
            kind="full-annotation",
            performer=["Practitioner/demo-dermatologist"],
            lesion=lesion.reference,
            body_site=site,
            effective=when,
            confidence=round(float(rng.uniform(0.8, 0.99)), 2),
            bounding_boxes=[picture.box],
            polygons=[picture.outline],
            mask=mask.reference,
            image_size=size,
            identifier=(IDENTIFIER, f"{key}-expert"),
        ).to_resource()
    # the model: right about two times in three
    probabilities = rng.dirichlet(np.ones(len(CLASSES)) * 0.6)
    top = CLASSES.index(truth) if rng.uniform() < 0.6 else int(rng.integers(len(CLASSES)))
    probabilities[top] += 1.2
    probabilities = np.round(probabilities / probabilities.sum(), 3)
    probabilities[int(np.argmax(probabilities))] += round(1 - float(probabilities.sum()), 3)
    predicted = CLASSES[int(np.argmax(probabilities))]
    confidence = round(float(probabilities.max()), 3)
    jitter = [float(rng.uniform(-6, 6)) for _ in range(4)]
    box = (
        max(0.0, picture.box[0] + jitter[0]),
        max(0.0, picture.box[1] + jitter[1]),
        picture.box[2] + jitter[2],
        picture.box[3] + jitter[3],
    )
    prediction_id = f"{key}-ai"
    outcome = _review_outcome(counter)
    prediction = AIPrediction(
        prediction_id,
        subject=patient,
        image=image.reference,
        device=DEVICE,
        finding=concept(predicted),
        confidence=confidence,
        status="cancelled" if outcome == "rejected" else "preliminary",
        lesion=lesion.reference,
        body_site=site,
        effective=when,
        inference_time_ms=round(float(rng.uniform(40, 90)), 1),
        heatmaps=[heatmap.reference],
        bounding_boxes=[box],
        image_size=size,
    )
    yield prediction.to_resource()
    yield ClassProbabilityAssessment(
        f"{key}-ai-probabilities",
        subject=patient,
        device=DEVICE,
        basis=[prediction.reference, image.reference],
        classes=[
            ClassProbability(concept(name), float(p), name) for name, p in zip(CLASSES, probabilities, strict=True)
        ],
        occurrence=when,
        label_prefix="ISIC 2019 class ",
    ).to_resource()
    yield AIProvenance(
        f"{key}-ai-provenance",
        targets=[prediction.reference, f"RiskAssessment/{key}-ai-probabilities"],
        device=DEVICE,
        images=[image.reference],
        recorded=when,
    ).to_resource()
    yield from _review(key, patient, image.reference, prediction, predicted, truth, picture, outcome, later, size)


def _review_outcome(counter: int) -> str:
    """A review history: most predictions reviewed (confirmed, corrected or rejected), the newest still waiting."""
    return ("awaiting", "confirmed", "awaiting", "corrected", "confirmed", "awaiting", "rejected")[counter % 7]


def _review(
    key: str,
    patient: str,
    image: str,
    prediction: AIPrediction,
    predicted: str,
    truth: str,
    picture: SyntheticImage,
    outcome: str,
    recorded: str,
    size: tuple[int, int],
) -> Iterator[dict]:
    task_id = f"{key}-review"
    authored = prediction.effective
    if outcome == "awaiting":
        yield AnnotationReviewTask(
            task_id, prediction=prediction.reference, patient=patient, authored=authored
        ).to_resource()
        return
    reviewer = "Practitioner/demo-clinician"
    if outcome == "rejected":
        yield AnnotationReviewTask(
            task_id,
            prediction=prediction.reference,
            patient=patient,
            authored=authored,
            status="completed",
            outcome="rejected",
            owner=reviewer,
            last_modified=recorded,
        ).to_resource()
        return
    corrected = outcome == "corrected" or predicted != truth
    method = "ai-assisted-corrected" if corrected else "ai-assisted-confirmed"
    annotation = DermatologyImageAnnotation(
        f"{key}-reviewed",
        subject=patient,
        image=image,
        findings=[concept(truth if corrected else predicted)],
        method=method,
        performer=[reviewer],
        lesion=prediction.lesion,
        body_site=prediction.body_site,
        effective=recorded,
        bounding_boxes=[picture.box] if corrected else prediction.bounding_boxes,
        polygons=[picture.outline] if corrected else [],
        image_size=size,
        identifier=(IDENTIFIER, f"{key}-reviewed"),
        prediction=prediction.reference,
        label_available_at=recorded,
    ).to_resource()
    yield annotation
    yield ReviewProvenance(
        f"{key}-review-provenance",
        target=f"Observation/{annotation['id']}",
        reviewer=reviewer,
        prediction=prediction.reference,
        recorded=recorded,
        device=DEVICE,
        image=image,
    ).to_resource()
    yield AnnotationReviewTask(
        task_id,
        prediction=prediction.reference,
        patient=patient,
        authored=authored,
        status="completed",
        outcome="corrected" if corrected else "confirmed",
        owner=reviewer,
        result=f"Observation/{annotation['id']}",
        last_modified=recorded,
    ).to_resource()
