"""DICOMweb WADO-RS reads (DICOM PS3.18 §10.4) of the instances the DICOM importer stored, SMART Imaging Access
style: the same bearer tokens and scopes as the FHIR API.

    GET /dicomweb/studies/{study}/series/{series}/instances/{instance}   multipart/related; type="application/dicom"
    GET …/instances/{instance}/rendered   image/jpeg (default) or image/png

The study is found by its identifier (`urn:dicom:uid|urn:oid:{study}`); the caller needs what a plain read of that
ImagingStudy needs (`read` scope on ImagingStudy, and for patient scopes the study in the patient's compartment);
the instance must be listed in the study, and its bytes are the Binary (id = SOP Instance UID) whose
securityContext is that study, else the file in the server's DICOM folder (`--dicom-store`, see
`dermfhir.ingest.dicom.filestore`). Anything else is 404, refusals 401/403, as OperationOutcome JSON.
`Accept: application/dicom` alone is answered with the bare instance (a convenience; PS3.18 asks for multipart).
Not supported: study / series level retrieval, metadata (`/metadata`), frames, bulk data, QIDO-RS, STOW-RS,
rendered parameters (window, viewport, quality), multi-frame rendering.
"""

from __future__ import annotations

import base64
import io
import re
import uuid
import warnings

import numpy as np
import pydicom
from fastapi import FastAPI, Request
from fastapi.responses import Response
from PIL import Image
from starlette.concurrency import run_in_threadpool

from dermfhir.builders.imaging_study import DICOM_UID
from dermfhir.ingest.dicom import filestore
from dermfhir.server.context import Context, Services
from dermfhir.server.errors import Forbidden, NotAcceptable, ResourceNotFound, Unauthorized, error_outcome
from dermfhir.server.http import FHIR_JSON, dumps
from dermfhir.server.origin import base_url
from dermfhir.server.security import ANONYMOUS, Principal
from dermfhir.store.errors import Gone, NotFound

_UID = re.compile(r"^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$")
DICOM = "application/dicom"


def register(app: FastAPI, services: Services) -> None:
    """Add the WADO-RS routes (before the FHIR catch-all route)."""

    @app.get("/dicomweb/studies/{study}/series/{series}/instances/{instance}")
    async def instance(request: Request, study: str, series: str, instance: str) -> Response:
        return await run_in_threadpool(_serve, services, request, study, series, instance, False)

    @app.get("/dicomweb/studies/{study}/series/{series}/instances/{instance}/rendered")
    async def rendered(request: Request, study: str, series: str, instance: str) -> Response:
        return await run_in_threadpool(_serve, services, request, study, series, instance, True)


def _serve(services: Services, request: Request, study: str, series: str, instance: str, render: bool) -> Response:
    principal: Principal | None = None
    client = request.client.host if request.client else None
    try:
        principal = _authenticate(services, request.headers.get("authorization"))
        ctx = Context(services, principal, base_url(request, services.config), client)
        data = instance_bytes(ctx, study, series, instance)
        accept = request.headers.get("accept", "")
        if render:
            media = _rendered_type(accept)
            return Response(content=render_image(data, media), media_type=media)
        return _dicom_response(data, accept)
    except Exception as error:  # the one place errors become responses here, as in the FHIR app
        if isinstance(error, Unauthorized | Forbidden):
            services.auditor.refused("read", principal, client, error.message)
        status, outcome = error_outcome(error)
        headers = {"WWW-Authenticate": 'Bearer realm="dermfhir"'} if status == 401 else {}
        return Response(content=dumps(outcome), status_code=status, headers=headers, media_type=FHIR_JSON)


def _authenticate(services: Services, authorization: str | None) -> Principal:
    if services.authenticator is None:
        return ANONYMOUS
    return services.authenticator.authenticate(authorization)


def instance_bytes(ctx: Context, study: str, series: str, instance: str) -> bytes:
    """The stored DICOM instance, after the same checks as reading its ImagingStudy."""
    for name, uid in (("study", study), ("series", series), ("instance", instance)):
        if len(uid) > 64 or not _UID.match(uid):
            raise ResourceNotFound(f"The {name} UID {uid[:80]!r} is not a DICOM UID")
    ctx.access.require("ImagingStudy", "read")  # what a plain read needs: no search right is asked for
    criteria = [("identifier", f"{DICOM_UID}|urn:oid:{study}"), ("_count", "2")]
    found = ctx.store.search("ImagingStudy", criteria).resources
    if not found:
        raise ResourceNotFound(f"No study {study} is stored here")
    imaging = found[0]
    ctx.access.check(imaging, "read")  # the read decision on this very study (scope, patient compartment)
    listed = any(
        element.get("uid") == series and any(item.get("uid") == instance for item in element.get("instance", []))
        for element in imaging.get("series", [])
    )
    if not listed:
        raise ResourceNotFound(f"Study {study} lists no instance {instance} in series {series}")
    try:
        binary = ctx.store.read("Binary", instance)
    except (NotFound, Gone):
        folder = ctx.services.config.dicom_store
        data = filestore.get(folder, study, series, instance) if folder is not None else None
        if data is None:
            raise ResourceNotFound(f"Instance {instance} is listed but its DICOM file is not stored here") from None
        return data
    context = (binary.get("securityContext") or {}).get("reference")
    if binary.get("contentType") != DICOM or context != f"ImagingStudy/{imaging['id']}" or not binary.get("data"):
        raise ResourceNotFound(f"Instance {instance} is listed but its DICOM file is not stored here")
    return base64.b64decode(binary["data"])


def _accepts(accept: str) -> list[tuple[str, dict[str, str]]]:
    """(media type, parameters) of an Accept header, in order (quality values are ignored)."""
    found = []
    for part in accept.split(","):
        pieces = [p.strip() for p in part.split(";") if p.strip()]
        if not pieces:
            continue
        params = {}
        for piece in pieces[1:]:
            key, _, value = piece.partition("=")
            params[key.strip().lower()] = value.strip().strip('"')
        found.append((pieces[0].lower(), params))
    return found


def _dicom_response(data: bytes, accept: str) -> Response:
    wanted = _accepts(accept) or [("multipart/related", {"type": DICOM})]
    for media, params in wanted:
        if media == DICOM:
            return Response(content=data, media_type=DICOM)
        if media in ("multipart/related", "*/*", "multipart/*") and params.get("type", DICOM) == DICOM:
            if params.get("transfer-syntax") not in (None, "*"):
                continue  # no transcoding: only the stored transfer syntax is offered
            boundary = uuid.uuid4().hex
            body = f"--{boundary}\r\nContent-Type: {DICOM}\r\n\r\n".encode() + data + f"\r\n--{boundary}--\r\n".encode()
            return Response(content=body, media_type=f'multipart/related; type="{DICOM}"; boundary={boundary}')
    raise NotAcceptable('Instances are returned as multipart/related; type="application/dicom"')


def _rendered_type(accept: str) -> str:
    for media, _ in _accepts(accept) or [("image/jpeg", {})]:
        if media in ("image/jpeg", "image/*", "*/*"):
            return "image/jpeg"
        if media == "image/png":
            return "image/png"
    raise NotAcceptable("Rendered instances are image/jpeg or image/png")


def render_image(data: bytes, media: str) -> bytes:
    """The first frame as an 8-bit JPEG or PNG (colour as stored; monochrome scaled to its value range)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            dataset = pydicom.dcmread(io.BytesIO(data))
            pixels = np.asarray(dataset.pixel_array)
        except Exception as error:  # undecodable pixel data (transfer syntax without a decoder, damage)
            raise NotAcceptable(f"The instance cannot be rendered ({type(error).__name__})") from None
    if int(dataset.get("NumberOfFrames") or 1) > 1:
        pixels = pixels[0]
    if pixels.dtype != np.uint8:
        low, high = float(pixels.min()), float(pixels.max())
        pixels = ((pixels - low) * (255.0 / (high - low or 1))).astype(np.uint8)
    if str(dataset.get("PhotometricInterpretation", "")).startswith("YBR"):
        from pydicom.pixels import convert_color_space

        pixels = convert_color_space(pixels, str(dataset.PhotometricInterpretation), "RGB")
    image = Image.fromarray(pixels)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG" if media == "image/jpeg" else "PNG")
    return buffer.getvalue()
