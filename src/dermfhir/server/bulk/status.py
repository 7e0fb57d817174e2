"""The status and file URLs of bulk export jobs (Bulk Data Access IG v2): `GET [base]/bulk/status/{job}` answers
202 with `X-Progress` while the job runs, 200 with the manifest when it is complete, 500 with an OperationOutcome
when it failed; `DELETE` cancels the job and deletes its files (202). `GET [base]/bulk/files/{job}/{file}` streams
an NDJSON file (`application/fhir+ndjson`).

Only the caller that started a job sees it (same token subject; with authentication off, anyone on the loopback);
any other caller gets 404, as for an unknown job.
"""

from __future__ import annotations

import time

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, Response
from starlette.concurrency import run_in_threadpool

from dermfhir.server.bulk.jobs import Job
from dermfhir.server.context import Services
from dermfhir.server.errors import ResourceNotFound, Unauthorized, error_outcome, operation_outcome
from dermfhir.server.http import FHIR_JSON, dumps
from dermfhir.server.origin import base_url
from dermfhir.server.security import ANONYMOUS, Principal

NDJSON = "application/fhir+ndjson"


def register(app: FastAPI, services: Services) -> None:
    """Add the status and file routes (before the FHIR catch-all route)."""

    @app.get("/bulk/status/{job_id}")
    async def status(request: Request, job_id: str) -> Response:
        return await run_in_threadpool(_status, services, request, job_id)

    @app.delete("/bulk/status/{job_id}")
    async def cancel(request: Request, job_id: str) -> Response:
        return await run_in_threadpool(_cancel, services, request, job_id)

    @app.get("/bulk/files/{job_id}/{name}")
    async def download(request: Request, job_id: str, name: str) -> Response:
        return await run_in_threadpool(_file, services, request, job_id, name)


def _owned(services: Services, request: Request, job_id: str) -> Job:
    principal = _principal(services, request.headers.get("authorization"))
    job = services.bulk.get(job_id)
    if job is None or job.owner != principal.subject:
        raise ResourceNotFound(f"No export job {job_id[:40]!r}")
    return job


def _principal(services: Services, authorization: str | None) -> Principal:
    if services.authenticator is None:
        return ANONYMOUS
    return services.authenticator.authenticate(authorization)


def _error(error: Exception) -> Response:
    status, outcome = error_outcome(error)
    headers = {"WWW-Authenticate": 'Bearer realm="dermfhir"'} if isinstance(error, Unauthorized) else {}
    return Response(content=dumps(outcome), status_code=status, headers=headers, media_type=FHIR_JSON)


def _status(services: Services, request: Request, job_id: str) -> Response:
    try:
        job = _owned(services, request, job_id)
    except Exception as error:
        return _error(error)
    if job.state == "running":
        return Response(status_code=202, headers={"X-Progress": job.progress, "Retry-After": "1"})
    if job.state == "failed":
        outcome = operation_outcome("error", "exception", f"The export failed: {job.error}")
        return Response(content=dumps(outcome), status_code=500, media_type=FHIR_JSON)
    base = base_url(request, services.config)
    manifest = {
        "transactionTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(job.started)),
        "request": job.request,
        "requiresAccessToken": services.authenticator is not None,
        "output": [
            {"type": o.resource_type, "url": f"{base}/bulk/files/{job.id}/{o.path.name}", "count": o.count}
            for o in job.outputs
        ],
        "error": [],
    }
    return Response(content=dumps(manifest), status_code=200, media_type="application/json")


def _cancel(services: Services, request: Request, job_id: str) -> Response:
    try:
        _owned(services, request, job_id)
    except Exception as error:
        return _error(error)
    services.bulk.delete(job_id)
    return Response(status_code=202)


def _file(services: Services, request: Request, job_id: str, name: str) -> Response:
    try:
        job = _owned(services, request, job_id)
        output = next((o for o in job.outputs if o.path.name == name), None)
        if output is None or job.state != "complete" or not output.path.is_file():
            raise ResourceNotFound(f"No file {name[:80]!r} in export {job_id[:40]!r}")
    except Exception as error:
        return _error(error)
    return FileResponse(output.path, media_type=NDJSON)
