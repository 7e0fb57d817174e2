"""The review figures as operations:

- `POST Observation/$agreement` — inputs `image` (Reference, repeatable: the image set, required), `annotator`
  (Reference, repeatable: whose annotations to compare; default: those who rated the most images), `write`
  (boolean, default true: record kappa in the inter-annotator-agreement component of each annotation used; needs
  reviewer scopes). Answer: Parameters `method` (cohen | fleiss), `kappa`, `lower`, `upper` (95 % interval),
  `standardError`, `images`, `annotators`, `skipped` (images not rated by every annotator), `updated`.
- `POST BodyStructure/{id}/$series` — inputs `growth` (decimal, default 0.2), `iouThreshold` (decimal, default
  0.5): rebuilds the lesion's annotation-series; the answer is the transaction-response Bundle.
- `GET|POST Device/{id}/$performance` — input `cutoff` (dateTime, default now): the AI model's figures as
  Parameters (see `dermfhir.review.monitoring`).
"""

from __future__ import annotations

from typing import Any

from dermfhir.review import ReviewError
from dermfhir.review import resources as rr
from dermfhir.review.agreement import agreement_of, annotations_of_images, record_agreement
from dermfhir.review.monitoring import performance as model_performance
from dermfhir.review.series import build_series
from dermfhir.server.context import Context
from dermfhir.server.errors import BadRequest, MethodNotAllowed
from dermfhir.server.http import FhirRequest, FhirResponse
from dermfhir.server.operations._parameters import Inputs
from dermfhir.server.operations._review_support import refusal, require_reviewer, transaction_response
from dermfhir.server.security.audit import reference_of


def agreement(ctx: Context, request: FhirRequest, resource_type: str | None, resource_id: str | None) -> FhirResponse:
    if request.method.upper() != "POST":
        raise MethodNotAllowed("$agreement takes POST with a Parameters body")
    ctx.access.require("Observation", "search-type")
    inputs = Inputs(request)
    images = [_image(value) for value in inputs.values.get("image") or []]
    if not images:
        raise refusal(ReviewError("review-input", "$agreement needs the image set: one or more 'image' inputs"))
    write = inputs.get("write")
    write = True if write is None else write
    if not isinstance(write, bool):
        raise refusal(ReviewError("review-input", "The input 'write' is a boolean"))
    if write:
        require_reviewer(ctx, "agreement")
    try:
        annotations = (a for a in annotations_of_images(ctx.store, images) if ctx.access.visible(a))
        chosen = [_annotator(value) for value in inputs.values.get("annotator") or []] or None
        result = agreement_of(annotations, set(images), chosen)
        updated = record_agreement(ctx.store, result) if write else []
    except ReviewError as error:
        raise refusal(error) from None
    if updated:
        ctx.audit_write("operation", [reference_of(a) for a in updated])
    parameters = [
        {"name": "method", "valueCode": result.method},
        {"name": "kappa", "valueDecimal": round(result.kappa, 6)},
        {"name": "lower", "valueDecimal": round(result.lower, 6)},
        {"name": "upper", "valueDecimal": round(result.upper, 6)},
        {"name": "standardError", "valueDecimal": round(result.standard_error, 6)},
        {"name": "images", "valueInteger": result.images},
        {"name": "annotators", "valueInteger": result.annotators},
        {"name": "skipped", "valueInteger": result.skipped},
        {"name": "updated", "valueInteger": len(updated)},
    ]
    return FhirResponse(200, {"resourceType": "Parameters", "parameter": parameters})


def series(ctx: Context, request: FhirRequest, resource_type: str | None, resource_id: str | None) -> FhirResponse:
    if request.method.upper() != "POST":
        raise MethodNotAllowed("$series takes POST")
    if resource_id is None:
        raise BadRequest("$series is invoked on a lesion: [base]/BodyStructure/[id]/$series")
    ctx.access.require("Observation", "create")
    ctx.access.require("Observation", "update")
    inputs = Inputs(request)
    growth = _decimal(inputs.get("growth"), "growth", 0.2)
    iou = _decimal(inputs.get("iouThreshold"), "iouThreshold", 0.5)
    try:
        result = build_series(
            ctx.store,
            resource_id,
            growth=growth,
            iou_threshold=iou,
            visible=ctx.access.visible,
            authorize=lambda series: ctx.access.check(series, "update"),
        )
    except ReviewError as error:
        raise refusal(error) from None
    ctx.audit_write("operation", [reference_of(result.series)])
    return FhirResponse(200, transaction_response(ctx, [(result.series, result.created)]))


def performance(ctx: Context, request: FhirRequest, resource_type: str | None, resource_id: str | None) -> FhirResponse:
    if resource_id is None:
        raise BadRequest("$performance is invoked on a model: [base]/Device/[id]/$performance")
    for kind in ("Observation", "RiskAssessment", "Task", "Device"):
        ctx.access.require(kind, "search-type")
    cutoff = Inputs(request).get("cutoff")
    if cutoff is not None and not isinstance(cutoff, str):
        raise refusal(ReviewError("review-input", "The input 'cutoff' is a dateTime"))
    try:
        # the figures cover only what the caller could find by searching (a patient scope: that patient's data)
        visible = None if ctx.access.unrestricted("s") else (lambda resource: ctx.access.may("s", resource))
        result = model_performance(ctx.store, resource_id, cutoff=cutoff, visible=visible)
    except ReviewError as error:
        raise refusal(error) from None
    except ValueError:
        raise refusal(ReviewError("review-input", "The input 'cutoff' is not a dateTime")) from None
    return FhirResponse(200, _performance_parameters(result))


def _performance_parameters(result: Any) -> dict:
    def decimal(name: str, value: float | None) -> list[dict]:
        return [] if value is None else [{"name": name, "valueDecimal": round(value, 6)}]

    items: list[dict] = [
        {"name": "device", "valueReference": {"reference": result.device}},
        {"name": "cutoff", "valueDateTime": result.cutoff},
        {"name": "predictions", "valueInteger": result.predictions},
        {"name": "labelled", "valueInteger": result.labelled},
        *decimal("accuracy", result.accuracy),
        *decimal("balancedAccuracy", result.balanced_accuracy),
        *decimal("ece", result.ece),
        *decimal("overrideRate", result.override_rate),
    ]
    for c in result.classes:
        system, _, code = c.label.rpartition("|")
        part = [{"name": "finding", "valueCoding": {"system": system, "code": code, "display": c.display}}]
        part.append({"name": "support", "valueInteger": c.support})
        part += decimal("sensitivity", c.sensitivity) + decimal("specificity", c.specificity)
        part += decimal("auroc", c.auroc)
        items.append({"name": "class", "part": part})
    for i, truth in enumerate(result.labels):
        for j, guess in enumerate(result.labels):
            count = result.confusion[i][j]
            if count:
                items.append(
                    {
                        "name": "confusion",
                        "part": [
                            {"name": "truth", "valueString": truth},
                            {"name": "predicted", "valueString": guess},
                            {"name": "count", "valueInteger": count},
                        ],
                    }
                )
    for outcome, count in sorted(result.reviews.items()):
        items.append(
            {
                "name": "reviews",
                "part": [{"name": "outcome", "valueCode": outcome}, {"name": "count", "valueInteger": count}],
            }
        )
    return {"resourceType": "Parameters", "parameter": items}


def _image(value: Any) -> str:
    found = rr.reference(value) if isinstance(value, dict) else value if isinstance(value, str) else None
    if not found or found.split("/")[0] not in ("DocumentReference", "Media", "ImagingStudy"):
        raise refusal(
            ReviewError("review-input", "Each 'image' is a Reference to a DocumentReference, Media or ImagingStudy")
        )
    return found


def _annotator(value: Any) -> str:
    found = rr.reference(value) if isinstance(value, dict) else value if isinstance(value, str) else None
    if not found or found.split("/")[0] not in rr.REVIEWER_TYPES:
        raise ReviewError("review-input", "Each 'annotator' is a Reference to a Practitioner or PractitionerRole")
    return found


def _decimal(value: Any, name: str, default: float) -> float:
    if value is None:
        return default
    try:
        return float(value)
    except (TypeError, ValueError):
        raise refusal(ReviewError("review-input", f"The input '{name}' is a decimal")) from None
