"""The review operations (POST only; inputs in a Parameters body; the answer is the transaction-response Bundle
of what was written, every step atomic):

- `POST Observation/{id}/$confirm` — `reviewer`;
- `POST Observation/{id}/$correct` — `reviewer`, `finding` (CodeableConcept) and / or `region` (parts
  `boundingBox` string "x y w h" (repeatable), `polygon` string "x1 y1 x2 y2 …" (repeatable), `mask` Reference to a
  DocumentReference, `imageWidth` / `imageHeight` integers);
- `POST Observation/{id}/$reject` — `reviewer`, `reason` (CodeableConcept or string);
- `POST Observation/{id}/$qa-review` — `reviewer`, `result` (code approve | reject | request-changes), `comment`;
- `POST Task/{id}/$claim` — `reviewer` (the new owner); `POST Task/{id}/$release` — `reviewer`: the answer is the
  Task.
Rules: see `dermfhir.review` and `_review_support` (reviewer scopes, reviewer = token user). Each refusal is an
OperationOutcome whose issue names its rule (`details.text`)."""

from __future__ import annotations

from typing import Any

from dermfhir import review
from dermfhir.review import Region, ReviewError
from dermfhir.server.context import Context
from dermfhir.server.errors import BadRequest, MethodNotAllowed
from dermfhir.server.http import FhirRequest, FhirResponse, version_headers
from dermfhir.server.operations._parameters import Inputs
from dermfhir.server.operations._review_support import (
    refusal,
    require_reviewer,
    reviewer_input,
    transaction_response,
)
from dermfhir.server.security.audit import reference_of


def _prepare(ctx: Context, request: FhirRequest, name: str, resource_id: str | None) -> tuple[Inputs, str, str]:
    if request.method.upper() != "POST":
        raise MethodNotAllowed(f"${name} takes POST with a Parameters body")
    if resource_id is None:
        raise BadRequest(f"${name} is invoked on an instance: [base]/[type]/[id]/${name}")
    require_reviewer(ctx, name)
    inputs = Inputs(request)
    if inputs.body is not None and inputs.body.get("resourceType") != "Parameters":
        raise BadRequest(f"${name} takes a Parameters body", code="structure")
    reviewer = reviewer_input(ctx, inputs.get("reviewer"))
    return inputs, reviewer, resource_id


def _answer(ctx: Context, written: list[review.Written]) -> FhirResponse:
    ctx.audit_write("operation", [reference_of(w.resource) for w in written])
    return FhirResponse(200, transaction_response(ctx, [(w.resource, w.created) for w in written]))


def confirm(ctx: Context, request: FhirRequest, resource_type: str | None, resource_id: str | None) -> FhirResponse:
    _, reviewer, target = _prepare(ctx, request, "confirm", resource_id)
    try:
        return _answer(ctx, review.confirm(ctx.store, target, reviewer))
    except ReviewError as error:
        raise refusal(error) from None


def correct(ctx: Context, request: FhirRequest, resource_type: str | None, resource_id: str | None) -> FhirResponse:
    inputs, reviewer, target = _prepare(ctx, request, "correct", resource_id)
    finding = inputs.get("finding")
    if finding is not None and not isinstance(finding, dict):
        raise refusal(ReviewError("review-input", "The input 'finding' must be a CodeableConcept"), BadRequest)
    try:
        region = _region(inputs.values.get("region") or [])
        return _answer(ctx, review.correct(ctx.store, target, reviewer, finding=finding, region=region))
    except ReviewError as error:
        raise refusal(error) from None


def reject(ctx: Context, request: FhirRequest, resource_type: str | None, resource_id: str | None) -> FhirResponse:
    inputs, reviewer, target = _prepare(ctx, request, "reject", resource_id)
    reason = inputs.get("reason")
    if not isinstance(reason, dict | str) or not reason:
        raise refusal(ReviewError("review-input", "$reject needs a 'reason' (CodeableConcept or string)"), BadRequest)
    try:
        return _answer(ctx, review.reject(ctx.store, target, reviewer, reason=reason))
    except ReviewError as error:
        raise refusal(error) from None


def qa_review(ctx: Context, request: FhirRequest, resource_type: str | None, resource_id: str | None) -> FhirResponse:
    inputs, reviewer, target = _prepare(ctx, request, "qa-review", resource_id)
    result = inputs.get("result")
    comment = inputs.get("comment")
    if not isinstance(result, str):
        raise refusal(
            ReviewError("qa-result", "$qa-review needs 'result' (approve | reject | request-changes)"), BadRequest
        )
    if comment is not None and not isinstance(comment, str):
        raise refusal(ReviewError("review-input", "The input 'comment' must be a string"), BadRequest)
    try:
        return _answer(ctx, review.qa_review(ctx.store, target, reviewer, result=result, comment=comment))
    except ReviewError as error:
        raise refusal(error) from None


def claim(ctx: Context, request: FhirRequest, resource_type: str | None, resource_id: str | None) -> FhirResponse:
    _, reviewer, target = _prepare(ctx, request, "claim", resource_id)
    try:
        task = review.claim(ctx.store, target, reviewer)
    except ReviewError as error:
        raise refusal(error) from None
    ctx.audit_write("operation", [reference_of(task)])
    return FhirResponse(200, task, version_headers(task, ctx.base))


def release(ctx: Context, request: FhirRequest, resource_type: str | None, resource_id: str | None) -> FhirResponse:
    _, reviewer, target = _prepare(ctx, request, "release", resource_id)
    try:
        task = review.release(ctx.store, target, reviewer)
    except ReviewError as error:
        raise refusal(error) from None
    ctx.audit_write("operation", [reference_of(task)])
    return FhirResponse(200, task, version_headers(task, ctx.base))


def _region(items: list[Any]) -> Region | None:
    """The `region` input (parts) as a Region; None when absent."""
    if not items:
        return None
    boxes: list[tuple[float, float, float, float]] = []
    polygons: list[list[tuple[float, float]]] = []
    mask = None
    size: dict[str, int] = {}
    for item in items:
        if not isinstance(item, list):
            raise ReviewError(
                "review-input", "The input 'region' takes parts: boundingBox, polygon, mask, imageWidth, imageHeight"
            )
        for part in item:
            name = part.get("name") if isinstance(part, dict) else None
            if name == "boundingBox":
                numbers = _numbers(part.get("valueString"), "boundingBox")
                if len(numbers) != 4:
                    raise ReviewError("review-input", "region.boundingBox is 4 numbers: x y width height")
                boxes.append((numbers[0], numbers[1], numbers[2], numbers[3]))
            elif name == "polygon":
                numbers = _numbers(part.get("valueString"), "polygon")
                if len(numbers) < 6 or len(numbers) % 2:
                    raise ReviewError("review-input", "region.polygon is at least 3 x y pairs")
                polygons.append([(numbers[i], numbers[i + 1]) for i in range(0, len(numbers), 2)])
            elif name == "mask":
                ref = (part.get("valueReference") or {}).get("reference")
                if not isinstance(ref, str) or not ref.startswith("DocumentReference/"):
                    raise ReviewError("review-input", "region.mask is a Reference to a DocumentReference")
                mask = ref
            elif name in ("imageWidth", "imageHeight"):
                value = part.get("valueInteger", part.get("valuePositiveInt"))
                if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                    raise ReviewError("review-input", f"region.{name} is a positive integer")
                size[name] = value
            else:
                raise ReviewError("review-input", f"Unknown region part {str(name)[:40]!r}")
    image_size = None
    if size:
        if set(size) != {"imageWidth", "imageHeight"}:
            raise ReviewError("review-input", "region needs both imageWidth and imageHeight, or neither")
        image_size = (size["imageWidth"], size["imageHeight"])
    return Region(boxes=boxes, polygons=polygons, mask=mask, image_size=image_size)


def _numbers(value: Any, name: str) -> list[float]:
    if not isinstance(value, str):
        raise ReviewError("review-input", f"region.{name} is a valueString of numbers")
    try:
        return [float(item) for item in value.split()]
    except ValueError:
        raise ReviewError("review-input", f"region.{name} holds something other than numbers") from None
