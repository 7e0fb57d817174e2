"""Every builder produces a resource that validates, reads back with from_resource(), and rejects bad arguments
with a message naming the argument."""

from __future__ import annotations

import pytest

import dermfhir.builders as build
from dermfhir.builders import (
    AIModelDevice,
    AIPrediction,
    AIProvenance,
    AnnotationReviewTask,
    AnnotationSeries,
    BuildError,
    ClassProbability,
    ClassProbabilityAssessment,
    DerivedImage,
    DermatologyImage,
    DermatologyImageAnnotation,
    ModelCard,
    Organization,
    Patient,
    ReviewProvenance,
    SkinLesion,
)
from dermfhir.builders._vocabulary import code_system, mapped_concept

MEL = mapped_concept("isic-challenge-class-to-snomed", code_system("isic-challenge-class"), "MEL")
DF = mapped_concept("isic-challenge-class-to-snomed", code_system("isic-challenge-class"), "DF")
SITE = mapped_concept("ham10000-localization-to-snomed", code_system("ham10000-localization"), "back")


def _all() -> list:
    patient = Patient("p1", identifier=("urn:example:patient", "1"), gender="female")
    lesion = SkinLesion("l1", identifier=("urn:example:lesion", "L1"), patient=patient, location=SITE)
    image = DermatologyImage(
        "img-1",
        subject=patient,
        url="https://images.example.org/1.jpg",
        width=1024,
        height=768,
        lesion=lesion,
        created="2026-01-15T09:00:00Z",
    )
    mask = DerivedImage(
        "mask-1",
        subject=patient,
        source=image,
        url="https://images.example.org/1-mask.png",
        kind="Lesion segmentation mask",
    )
    organization = Organization("org-1", name="Curators")
    annotation = DermatologyImageAnnotation(
        "ann-1",
        subject=patient,
        image=image,
        findings=[MEL],
        method="expert-annotation",
        performer=[organization],
        lesion=lesion,
        body_site=SITE,
        effective="2026-01-15T14:00:00Z",
        confidence=0.9,
        bounding_boxes=[(10, 20, 100, 80)],
        polygons=[[(10, 20), (110, 20), (60, 100)]],
        mask=mask,
        image_size=(1024, 768),
        lesion_diameter_mm=6.5,
        qa_status="approved",
        agreement=0.8,
    )
    card = ModelCard("card-1", title="TestNet card", markdown="# TestNet")
    device = AIModelDevice("dev-1", name="TestNet", version="1.0", manufacturer="Example", model_card=card)
    prediction = AIPrediction(
        "pred-1",
        subject=patient,
        image=image,
        device=device,
        finding=MEL,
        confidence=0.7,
        inference_time_ms=12,
        bounding_boxes=[(1, 2, 3, 4)],
        image_size=(1024, 768),
    )
    assessment = ClassProbabilityAssessment(
        "prob-1",
        subject=patient,
        device=device,
        basis=[prediction, image],
        classes=[ClassProbability(MEL, 0.7, "MEL"), ClassProbability(DF, 0.3, "DF")],
    )
    provenance = AIProvenance(
        "prov-1", targets=[prediction, assessment], device=device, images=[image], recorded="2026-01-15T09:05:01Z"
    )
    review = ReviewProvenance(
        "rev-1",
        target=annotation,
        reviewer="Practitioner/c1",
        prediction=prediction,
        recorded="2026-01-15T11:40:00Z",
        device=device,
        image=image,
    )
    task = AnnotationReviewTask(
        "task-1",
        prediction=prediction,
        patient=patient,
        authored="2026-01-15T09:05:02Z",
        status="completed",
        outcome="confirmed",
        owner="Practitioner/c1",
        result=annotation,
    )
    series = AnnotationSeries(
        "series-1",
        patient=patient,
        lesion=lesion,
        members=[annotation],
        start="2025-10-14T10:30:00Z",
        end="2026-01-15T14:00:00Z",
        status="final",
        change_detected=True,
        change_types=["size-increase"],
    )
    return [
        patient,
        lesion,
        image,
        mask,
        organization,
        annotation,
        card,
        device,
        prediction,
        assessment,
        provenance,
        review,
        task,
        series,
    ]


@pytest.mark.parametrize("built", _all(), ids=lambda b: type(b).__name__)
def test_builder_output_validates_and_reads_back(built, errors) -> None:
    resource = built.to_resource()
    assert errors(resource) == []
    again = type(built).from_resource(resource)
    assert again.to_resource() == resource


def test_profiles_are_claimed() -> None:
    claimed = {
        type(b).__name__: b.to_resource().get("meta", {}).get("profile", [""])[0].rpartition("/")[2] for b in _all()
    }
    assert claimed["DermatologyImageAnnotation"] == "dermatology-image-annotation"
    assert claimed["AIPrediction"] == "ai-prediction"
    assert claimed["ClassProbabilityAssessment"] == "class-probability-assessment"
    assert claimed["AnnotationSeries"] == "annotation-series"
    assert claimed["DermatologyImage"] == "dermatology-image"
    assert claimed["SkinLesion"] == "skin-lesion"
    assert claimed["AIModelDevice"] == "ai-model-device"
    assert claimed["AIProvenance"] == "ai-provenance"
    assert claimed["ReviewProvenance"] == "review-provenance"
    assert claimed["AnnotationReviewTask"] == "annotation-review-task"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: AIPrediction(
                "p", subject="Patient/p", image="DocumentReference/i", device="Device/d", finding=MEL, confidence=1.7
            ),
            'Argument "confidence" must be between 0 and 1, got 1.7.',
        ),
        (
            lambda: DermatologyImageAnnotation(
                "a", subject="Patient/p", image="DocumentReference/i", findings=[MEL], method="expert-annotation"
            ),
            'Argument "performer" is required',
        ),
        (
            lambda: DermatologyImageAnnotation(
                "a",
                subject="Patient/p",
                image="DocumentReference/i",
                findings=[MEL],
                method="guess",
                status="preliminary",
            ),
            'Argument "method" must be one of',
        ),
        (
            lambda: DermatologyImageAnnotation(
                "a",
                subject="Patient/p",
                image="DocumentReference/i",
                findings=[MEL],
                method="expert-annotation",
                status="preliminary",
                bounding_boxes=[(1, 2, 3, 4)],
            ),
            'Argument "image_size" is required',
        ),
        (lambda: DermatologyImage("i", subject="Observation/x", url="a.jpg"), 'Argument "subject" must reference'),
        (lambda: DermatologyImage("i", subject="Patient/p"), 'Argument "url" or "data" is required'),
        (lambda: Patient("bad id!"), 'Argument "id" must be a FHIR id'),
        (
            lambda: ClassProbabilityAssessment(
                "c",
                subject="Patient/p",
                device="Device/d",
                basis=["Observation/o", "DocumentReference/i"],
                classes=[ClassProbability(MEL, 0.8), ClassProbability(DF, 0.8)],
            ),
            "summing to 1.6000",
        ),
        (
            lambda: AnnotationSeries(
                "s",
                patient="Patient/p",
                lesion="BodyStructure/l",
                members=["Observation/a"],
                start="2026-01-02",
                end="2026-01-01",
            ),
            'Argument "end" must not be before',
        ),
        (
            lambda: AnnotationReviewTask(
                "t",
                prediction="Observation/p",
                patient="Patient/p",
                authored="2026-01-01",
                status="completed",
                outcome="confirmed",
                owner="Practitioner/c",
            ),
            'Argument "result" is required',
        ),
    ],
)
def test_bad_arguments_are_named(make, message) -> None:
    with pytest.raises(BuildError) as caught:
        make()
    assert message in str(caught.value)


def test_image_without_size_does_not_claim_the_profile(errors) -> None:
    image = DermatologyImage("img-2", subject="Patient/p1", url="ISIC_0000000.jpg")
    resource = image.to_resource()
    assert not image.conforms and "meta" not in resource
    assert errors(resource) == []


def test_public_names_are_exported_and_sorted() -> None:
    assert build.__all__ == sorted(build.__all__)
    for name in build.__all__:
        assert hasattr(build, name)
