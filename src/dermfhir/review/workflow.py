"""The clinician and QA review of AI predictions, each step one store transaction (everything or nothing):

- `confirm`: a new annotation (ai-assisted-confirmed, final, AIAST, derivedFrom the image then the prediction,
  performer the reviewer, label-available-at), a review Provenance (reviewer verifier, AI Device informant,
  prediction as derivation entity), the review Task completed;
- `correct`: the same with the reviewer's finding and / or region (ai-assisted-corrected); the prediction is unchanged;
- `reject`: the prediction cancelled, the reason on the Task (statusReason), a Provenance (UPDATE, revision);
- `qa_review`: approve / reject / request-changes on a final or amended annotation: a new version with the QA
  status component (and the comment as a note), a Provenance with the QA reviewer as verifier;
- `amend`: the annotator's correction after QA asked for changes: a new version, status amended, QA pending.

A label becomes available for inference (label-available-at) when one reviewer accepted it: the agreement
threshold of this workflow is one reviewer. Every step returns the `Written` resources in write order.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from dermfhir.builders import DermatologyImageAnnotation, ReviewProvenance
from dermfhir.builders import _components as parts
from dermfhir.builders._base import BuildError
from dermfhir.review import queue
from dermfhir.review import resources as r
from dermfhir.review.errors import (
    InvalidInput,
    NotReviewer,
    ReviewConflict,
    RuleViolation,
    StaleReview,
    UnknownResource,
)
from dermfhir.review.rules import check_write
from dermfhir.store import Store, VersionConflict

QA_RESULTS = {"approve": "approved", "reject": "rejected", "request-changes": "needs-revision"}


@dataclass(frozen=True)
class Written:
    """One resource a step wrote, as stored, and whether it was created (201) or updated (200)."""

    resource: dict
    created: bool


@dataclass(frozen=True)
class Region:
    """A reviewer's region: bounding boxes (x, y, width, height), polygons of (x, y), a mask DocumentReference,
    the image size in pixels (default: the prediction's)."""

    boxes: Sequence[tuple[float, float, float, float]] = ()
    polygons: Sequence[Sequence[tuple[float, float]]] = ()
    mask: str | None = None
    image_size: tuple[int, int] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def empty(self) -> bool:
        return not self.boxes and not self.polygons and self.mask is None


def confirm(store: Store, prediction_id: str, reviewer: str, *, at: str | None = None) -> list[Written]:
    """The reviewer accepts the AI prediction unchanged."""
    return _accept(store, prediction_id, reviewer, None, None, at)


def correct(
    store: Store,
    prediction_id: str,
    reviewer: str,
    *,
    finding: dict | None = None,
    region: Region | None = None,
    at: str | None = None,
) -> list[Written]:
    """The reviewer replaces the AI's finding, region or both; the prediction stays unchanged and linked."""
    if finding is None and (region is None or region.empty()):
        raise InvalidInput("review-input", "$correct needs a finding, a region or both")
    return _accept(store, prediction_id, reviewer, finding, region, at)


def reject(
    store: Store, prediction_id: str, reviewer: str, *, reason: dict | str, at: str | None = None
) -> list[Written]:
    """The reviewer rejects the prediction: it is cancelled, the Task completes with the reason."""
    concept = {"text": reason} if isinstance(reason, str) else reason
    if not isinstance(concept, dict) or not (concept.get("text") or concept.get("coding")):
        raise InvalidInput("review-input", "$reject needs a reason (CodeableConcept or string)")
    moment = at or r.now()
    with store.transaction():
        prediction, task = _start(store, prediction_id, reviewer)
        cancelled = {**prediction, "status": "cancelled"}
        check_write(store, cancelled, prediction, reviewer=True)
        stored_prediction = _versioned(store, cancelled, prediction)
        provenance = ReviewProvenance(
            str(uuid.uuid4()),
            target=f"Observation/{prediction_id}",
            reviewer=reviewer,
            prediction=f"Observation/{prediction_id}",
            recorded=moment,
            device=r.reference(prediction.get("device")),
            image=_images(prediction)[0] if _images(prediction) else None,
            created=False,
        ).to_resource()
        stored_provenance = store.create(provenance)
        done = _complete(task, reviewer, "rejected", None, moment)
        done["statusReason"] = concept
        stored_task = _versioned(store, done, task)
    return [Written(stored_prediction, False), Written(stored_provenance, True), Written(stored_task, False)]


def qa_review(
    store: Store,
    annotation_id: str,
    reviewer: str,
    *,
    result: str,
    comment: str | None = None,
    at: str | None = None,
) -> list[Written]:
    """A QA decision on a final or amended annotation by a reviewer who is not its annotator and whose
    credential-ordinal is at least the annotator's."""
    status = QA_RESULTS.get(result)
    if status is None:
        raise InvalidInput("qa-result", f"The QA result must be approve, reject or request-changes, got {result!r}")
    _reviewer_reference(reviewer)
    moment = at or r.now()
    with store.transaction():
        annotation = r.read_reference(store, f"Observation/{annotation_id}")
        if annotation is None:
            raise UnknownResource("review-target", f"Observation/{annotation_id} is not stored")
        if not r.is_annotation(annotation) or annotation.get("status") not in ("final", "amended"):
            raise RuleViolation("review-target", "$qa-review acts on a final or amended dermatology annotation")
        _known_reviewer(store, reviewer)
        _check_qa_reviewer(store, annotation, reviewer)
        changed = _with_qa(annotation, status)
        if comment:
            note = {"authorReference": {"reference": reviewer}, "time": moment, "text": comment}
            changed["note"] = [*(annotation.get("note") or []), note]
        check_write(store, changed, annotation, reviewer=True)
        stored = _versioned(store, changed, annotation)
        provenance = ReviewProvenance(
            str(uuid.uuid4()),
            target=f"Observation/{annotation_id}",
            reviewer=reviewer,
            prediction=f"Observation/{annotation_id}",
            recorded=moment,
            created=False,
        ).to_resource()
        provenance["target"] = [{"reference": f"Observation/{annotation_id}/_history/{stored['meta']['versionId']}"}]
        provenance["entity"][0]["what"] = {
            "reference": f"Observation/{annotation_id}/_history/{annotation['meta']['versionId']}"
        }
        stored_provenance = store.create(provenance)
    return [Written(stored, False), Written(stored_provenance, True)]


def amend(
    store: Store,
    annotation_id: str,
    annotator: str,
    *,
    finding: dict | None = None,
    region: Region | None = None,
    at: str | None = None,
) -> list[Written]:
    """The annotator corrects a final annotation after QA: a new version, status amended, QA pending."""
    if finding is None and (region is None or region.empty()):
        raise InvalidInput("review-input", "An amendment needs a finding, a region or both")
    with store.transaction():
        annotation = r.read_reference(store, f"Observation/{annotation_id}")
        if annotation is None or not r.is_annotation(annotation):
            raise UnknownResource("review-target", f"Observation/{annotation_id} is not a stored annotation")
        if annotator not in r.performers(annotation):
            raise NotReviewer("qa-not-annotator", "Only the annotator amends an annotation")
        changed = _apply(annotation, finding, region)
        changed = _with_qa({**changed, "status": "amended"}, "pending")
        check_write(store, changed, annotation, reviewer=True)
        stored = _versioned(store, changed, annotation)
    return [Written(stored, False)]


# -- the shared steps ---------------------------------------------------------------------------------------------
def _accept(
    store: Store, prediction_id: str, reviewer: str, finding: dict | None, region: Region | None, at: str | None
) -> list[Written]:
    corrected = finding is not None or region is not None
    moment = at or r.now()
    with store.transaction():
        prediction, task = _start(store, prediction_id, reviewer)
        annotation = _annotation_from(prediction, reviewer, corrected, moment)
        if corrected:
            annotation = _apply(annotation, finding, region)
            if _same_result(annotation, prediction):
                raise InvalidInput("review-input", "The correction equals the prediction: use $confirm")
        check_write(store, annotation, None, reviewer=True)
        stored_annotation = store.update(annotation).resource
        reference = f"Observation/{stored_annotation['id']}"
        images = _images(prediction)
        provenance = ReviewProvenance(
            str(uuid.uuid4()),
            target=reference,
            reviewer=reviewer,
            prediction=f"Observation/{prediction_id}",
            recorded=moment,
            device=r.reference(prediction.get("device")),
            image=images[0] if images else None,
        ).to_resource()
        stored_provenance = store.create(provenance)
        outcome = "corrected" if corrected else "confirmed"
        stored_task = _versioned(store, _complete(task, reviewer, outcome, reference, moment), task)
    return [Written(stored_annotation, True), Written(stored_provenance, True), Written(stored_task, False)]


def _start(store: Store, prediction_id: str, reviewer: str) -> tuple[dict, dict]:
    """Inside the transaction: the preliminary prediction and its open review Task (created when missing)."""
    _reviewer_reference(reviewer)
    prediction = r.read_reference(store, f"Observation/{prediction_id}")
    if prediction is None:
        raise UnknownResource("review-target", f"Observation/{prediction_id} is not stored")
    if not r.is_prediction(prediction):
        raise RuleViolation("review-target", f"Observation/{prediction_id} is not an AI prediction")
    _known_reviewer(store, reviewer)
    task = queue.task_for(store, prediction_id)
    if prediction.get("status") != "preliminary" or (task is not None and task.get("status") == "completed"):
        raise ReviewConflict("one-review-per-prediction", f"Observation/{prediction_id} was already reviewed")
    if task is None:
        task = store.create(queue.review_task(prediction))
    status = task.get("status")
    if status not in ("requested", "in-progress", "received", "accepted", "ready"):
        raise ReviewConflict("review-task-transition", f"The review task is {status}")
    owner = r.reference(task.get("owner"))
    if status == "in-progress" and owner and not r.same_party(store, owner, reviewer):
        raise ReviewConflict("review-task-owner", f"The review task is claimed by {owner}")
    return prediction, task


def _annotation_from(prediction: dict, reviewer: str, corrected: bool, moment: str) -> dict:
    components = prediction.get("component") or []
    region = parts.read_regions(components)
    try:
        built = DermatologyImageAnnotation(
            str(uuid.uuid4()),
            subject=r.reference(prediction.get("subject")),
            image=_images(prediction),
            prediction=f"Observation/{prediction['id']}",
            findings=[r.finding(prediction)],
            method="ai-assisted-corrected" if corrected else "ai-assisted-confirmed",
            status="final",
            kind=(r.codes(prediction.get("code"), r.TYPE_SYSTEM) or ["lesion-classification"])[0],
            performer=[reviewer],
            lesion=r.reference((prediction.get("focus") or [None])[0]),
            body_site=prediction.get("bodySite"),
            effective=moment,
            label_available_at=moment,
            bounding_boxes=region["boxes"],
            polygons=region["polygons"],
            mask=region["mask"],
            image_size=region["image_size"],
            qa_status="pending",
        )
    except BuildError as error:
        raise InvalidInput("review-input", f"The AI prediction cannot be turned into an annotation: {error}") from None
    return built.to_resource()


def _apply(annotation: dict, finding: dict | None, region: Region | None) -> dict:
    """`annotation` with the skin finding and / or the region replaced (the other components kept)."""
    components = list(annotation.get("component") or [])
    if finding is not None:
        if not isinstance(finding, dict) or not (finding.get("coding") or finding.get("text")):
            raise InvalidInput("review-input", "The finding must be a CodeableConcept")
        components = [c for c in components if r.SKIN_FINDING not in r.codes(c.get("code"), r.SNOMED)]
        components.insert(0, parts.skin_finding("dermatology-image-annotation", finding))
    if region is not None and not region.empty():
        kept = {"bounding-boxes", "polygon", "segmentation-mask", "image-width", "image-height"}
        old = parts.read_regions(components)
        components = [c for c in components if not set(r.codes(c.get("code"), r.TYPE_SYSTEM)) & kept]
        size = region.image_size or old["image_size"]
        try:
            boxes = parts.check_boxes("region.boundingBox", list(region.boxes))
            polygons = [parts.check_polygon(f"region.polygon[{i}]", p) for i, p in enumerate(region.polygons)]
            components += parts.regions(
                "dermatology-image-annotation", boxes=boxes, polygons=polygons, mask=region.mask, image_size=size
            )
        except BuildError as error:
            raise InvalidInput("review-input", str(error)) from None
    return {**annotation, "component": components}


def _same_result(annotation: dict, prediction: dict) -> bool:
    region_codes = {"bounding-boxes", "polygon", "segmentation-mask"}

    def regions(resource: dict) -> list:
        return [
            {k: v for k, v in c.items() if k != "code"}
            for c in resource.get("component") or []
            if set(r.codes(c.get("code"), r.TYPE_SYSTEM)) & region_codes
        ]

    return r.finding_code(annotation) == r.finding_code(prediction) and regions(annotation) == regions(prediction)


def _with_qa(annotation: dict, status: str) -> dict:
    code = parts.slice_code("dermatology-image-annotation", "qaReviewStatus")
    from dermfhir.builders.enum import QAReviewStatus

    component = {"code": code, "valueCodeableConcept": QAReviewStatus(status).concept()}
    kept = [
        c for c in annotation.get("component") or [] if "qa-review-status" not in r.codes(c.get("code"), r.TYPE_SYSTEM)
    ]
    return {**annotation, "component": [*kept, component]}


def _complete(task: dict, reviewer: str, outcome: str, result: str | None, moment: str) -> dict:
    from dermfhir.builders.enum import ReviewOutcome

    done = {k: v for k, v in task.items() if k not in ("output",)}
    done.update(status="completed", owner={"reference": reviewer}, lastModified=moment)
    done["businessStatus"] = ReviewOutcome(outcome).concept()
    if result is not None:
        output_type = {"coding": [{"system": r.TYPE_SYSTEM, "code": "dermatology-annotation"}]}
        from dermfhir.builders._vocabulary import pattern

        output_type = pattern("annotation-review-task", "Task.output:resultingAnnotation.type") or output_type
        done["output"] = [{"type": output_type, "valueReference": {"reference": result}}]
    return done


def _versioned(store: Store, changed: dict, current: dict) -> dict:
    """Write `changed` only if `current` is still the stored version (else StaleReview, 412)."""
    try:
        return store.update(changed, if_match=current["meta"]["versionId"]).resource
    except VersionConflict:
        raise StaleReview("one-review-per-prediction", "Another review changed this resource first") from None


def _images(resource: dict) -> list[str]:
    found = [r.reference(d) for d in resource.get("derivedFrom") or []]
    return [ref for ref in found if ref and ref.split("/")[0] in ("DocumentReference", "Media", "ImagingStudy")]


def _reviewer_reference(value: Any) -> None:
    if not isinstance(value, str) or value.count("/") != 1 or value.split("/")[0] not in r.REVIEWER_TYPES:
        raise InvalidInput(
            "review-input", f"The reviewer must be a Practitioner or PractitionerRole reference, got {value!r}"
        )


def _known_reviewer(store: Store, reviewer: str) -> None:
    if r.read_reference(store, reviewer) is None:
        raise UnknownResource("review-input", f"The reviewer {reviewer} is not stored")


def _check_qa_reviewer(store: Store, annotation: dict, reviewer: str) -> None:
    annotators = r.performers(annotation)
    if any(r.same_party(store, annotator, reviewer) for annotator in annotators):
        raise NotReviewer("qa-not-annotator", "The QA reviewer is the annotator of this annotation")
    needed = [o for o in (r.credential_ordinal(store, a) for a in annotators) if o is not None]
    own = r.credential_ordinal(store, reviewer)
    if needed and own is None:
        raise NotReviewer(
            "qa-credential-ordinal", f"{reviewer} has no credential-ordinal; the annotator has {max(needed)}"
        )
    if needed and own is not None and own < max(needed):
        raise NotReviewer(
            "qa-credential-ordinal", f"{reviewer} has credential-ordinal {own}, below the annotator's {max(needed)}"
        )
