"""The FastAPI application: HTTP in, `FhirRequest` to the router, `FhirResponse` out, errors as OperationOutcome.

Every route goes through one endpoint: it enforces the body-size limit, `_format` / Accept, authentication
(`--auth token`) and turns any exception into a status + OperationOutcome (`errors.error_outcome`), so no stack
trace, SQL or exception text ever reaches a client. Store work runs in the thread pool.
Not supported: XML, PATCH, CORS, TLS termination (put a reverse proxy in front for TLS).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from dermfhir.definitions import Definitions
from dermfhir.server import dicomweb
from dermfhir.server.bulk import status as bulk_status
from dermfhir.server.config import ServerConfig
from dermfhir.server.context import Context, Services
from dermfhir.server.errors import Forbidden, PayloadTooLarge, Unauthorized, error_outcome
from dermfhir.server.http import FHIR_JSON, FhirRequest, FhirResponse, check_format, dumps
from dermfhir.server.router import dispatch
from dermfhir.server.security import ANONYMOUS, Principal
from dermfhir.store import Store, open_store
from dermfhir.validation import Validator

log = logging.getLogger("dermfhir.server")
_CONTENT_TYPE = f"{FHIR_JSON}; charset=utf-8"
_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"]


def create_app(
    config: ServerConfig | None = None,
    *,
    store: Store | None = None,
    definitions: Definitions | None = None,
    validator: Validator | None = None,
) -> FastAPI:
    """The server application; opens (and migrates) `config.db` unless a store is given (a validator may be
    shared between applications)."""
    config = config or ServerConfig()
    definitions = definitions or Definitions.default()
    owned = store is None
    store = store or open_store(config.db, definitions, default_count=config.default_count)
    services = Services(config, store, definitions, validator)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if "bulk" in services.__dict__:  # export jobs were started: stop them and remove their files
            services.bulk.close()
        if owned:
            services.store.close()

    app = FastAPI(
        lifespan=lifespan,
        title="dermfhir FHIR server",
        version="R4 4.0.1",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.services = services
    dicomweb.register(app, services)  # before the FHIR catch-all route
    bulk_status.register(app, services)

    @app.api_route("/{path:path}", methods=_METHODS)
    async def fhir(request: Request, path: str) -> Response:
        try:
            body = await _body(request, config.max_body_bytes)
        except PayloadTooLarge as error:
            return _error(error, request.method)
        headers = {key.lower(): value for key, value in request.headers.items()}
        query = list(request.query_params.multi_items())
        fhir_request = FhirRequest(request.method, path, query, headers, body or None)
        client = request.client.host if request.client else None
        base = config.base_url or _base(request)
        return await run_in_threadpool(_handle, services, fhir_request, base, client)

    return app


def _handle(services: Services, request: FhirRequest, base: str, client: str | None) -> Response:
    principal: Principal | None = None
    try:
        check_format(request.param("_format"), request.header("accept"))
        principal = _authenticate(services, request)
        response = dispatch(Context(services, principal, base, client), request)
    except Exception as error:  # the one place errors become responses
        if isinstance(error, Unauthorized | Forbidden):
            services.auditor.refused(_interaction(request), principal, client, error.message)
        return _error(error, request.method)
    return _render(response, request)


def _authenticate(services: Services, request: FhirRequest) -> Principal:
    if services.authenticator is None:
        return ANONYMOUS
    if request.path.strip("/") == "metadata" and request.method.upper() in ("GET", "HEAD"):
        return Principal("anonymous")
    return services.authenticator.authenticate(request.header("authorization"))


def _render(response: FhirResponse, request: FhirRequest) -> Response:
    headers = dict(response.headers)
    if response.status == 304 or (response.resource is None and response.raw is None):
        return Response(status_code=response.status, headers=headers)
    pretty = (request.param("_pretty") or "").lower() == "true"
    content = response.raw if response.raw is not None else dumps(response.resource, pretty)
    if request.method.upper() == "HEAD":
        content = b""
    return Response(content=content, status_code=response.status, headers=headers, media_type=_CONTENT_TYPE)


def _error(error: BaseException, method: str) -> Response:
    status, outcome = error_outcome(error)
    headers = {"WWW-Authenticate": 'Bearer realm="dermfhir"'} if status == 401 else {}
    content = b"" if method.upper() == "HEAD" else dumps(outcome)
    return Response(content=content, status_code=status, headers=headers, media_type=_CONTENT_TYPE)


async def _body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 past `limit` bytes (declared or actually sent)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"The body exceeds the limit of {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"The body exceeds the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _base(request: Request) -> str:
    host = request.headers.get("host") or "localhost"
    root = request.scope.get("root_path", "").rstrip("/")
    return f"{request.url.scheme}://{host}{root}"


def _interaction(request: FhirRequest) -> str:
    method = request.method.upper()
    parts = [part for part in request.path.split("/") if part]
    if method == "POST":
        return "transaction" if not parts else "create"
    if method == "PUT":
        return "update"
    if method == "DELETE":
        return "delete"
    if len(parts) == 2 and not parts[1].startswith(("_", "$")):
        return "read"
    return "search-type" if len(parts) == 1 else "operation"


def app_from_environment() -> FastAPI:
    """The app for `uvicorn --factory dermfhir.server.app:app_from_environment` (settings from DERMFHIR_* vars)."""
    import os

    config = ServerConfig(
        db=os.environ.get("DERMFHIR_DB", "dermfhir.db"),
        auth=os.environ.get("DERMFHIR_AUTH", "none"),
        tokens_file=Path(os.environ["DERMFHIR_TOKENS"]) if os.environ.get("DERMFHIR_TOKENS") else None,
        jwks_file=Path(os.environ["DERMFHIR_JWKS"]) if os.environ.get("DERMFHIR_JWKS") else None,
        jwt_audience=os.environ.get("DERMFHIR_JWT_AUDIENCE") or None,
        jwt_issuer=os.environ.get("DERMFHIR_JWT_ISSUER") or None,
        base_url=os.environ.get("DERMFHIR_BASE_URL") or None,
        validate=os.environ.get("DERMFHIR_VALIDATE", "1") != "0",
        dicom_store=Path(os.environ["DERMFHIR_DICOM_STORE"]) if os.environ.get("DERMFHIR_DICOM_STORE") else None,
    )
    return create_app(config)
