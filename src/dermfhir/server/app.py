"""The FastAPI application: HTTP in, `FhirRequest` to the router, `FhirResponse` out, errors as OperationOutcome.

Every route goes through one endpoint: it enforces the body-size limit, `_format` / Accept, authentication
(`--auth token`) and turns any exception into a status + OperationOutcome (`errors.error_outcome`), so no stack
trace, SQL or exception text ever reaches a client. Store work runs in the thread pool.
Not supported: XML, CORS, TLS termination (put a reverse proxy in front for TLS).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from dermfhir.definitions import Definitions
from dermfhir.server import dicomweb, images
from dermfhir.server.bulk import status as bulk_status
from dermfhir.server.config import ServerConfig
from dermfhir.server.context import Context, Services
from dermfhir.server.errors import Forbidden, PayloadTooLarge, ResourceNotFound, Unauthorized, error_outcome
from dermfhir.server.http import FHIR_JSON, FhirRequest, FhirResponse, check_format, dumps
from dermfhir.server.images import ThumbnailCache
from dermfhir.server.origin import LoopbackOnly, base_url
from dermfhir.server.router import dispatch
from dermfhir.server.security import ANONYMOUS, Principal
from dermfhir.store import Store, open_store
from dermfhir.store.cancel import Cancellation, current
from dermfhir.validation import Validator
from dermfhir.web import PREFIX as WEB_PREFIX
from dermfhir.web import mount as mount_web
from dermfhir.web import wants_page

log = logging.getLogger("dermfhir.server")
#: Paths anyone may read: the CapabilityStatement and SMART discovery.
PUBLIC_PATHS = frozenset({"metadata", ".well-known/smart-configuration"})
#: Seconds a client is asked to wait after a 503 (busy database, statement timeout).
RETRY_AFTER = 2
_CONTENT_TYPE = f"{FHIR_JSON}; charset=utf-8"
_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
#: Seconds between two checks whether the client of a running request has gone away.
DISCONNECT_POLL = 0.25


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
    _bound(store, config)
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
    if config.loopback_clients_only:
        app.add_middleware(LoopbackOnly)
    if config.site_folder is not None:
        # the guide's static site (public content, no authentication); mounted before the FHIR catch-all route
        app.add_api_route("/ig", lambda: RedirectResponse("/ig/"), include_in_schema=False)
        app.mount("/ig", StaticFiles(directory=config.site_folder, html=True), name="ig")
    thumbnails = app.state.thumbnails = ThumbnailCache()
    mount_web(app)

    @app.get("/images/{resource_type}/{resource_id}")
    @app.get("/images/{resource_type}/{resource_id}/{size}")
    async def image_bytes(request: Request, resource_type: str, resource_id: str, size: str = "") -> Response:
        client = request.client.host if request.client else None
        fhir_request = FhirRequest("GET", request.url.path, [], {k.lower(): v for k, v in request.headers.items()})
        base = base_url(request, config)
        return await run_in_threadpool(
            _image, services, fhir_request, base, client, (resource_type, resource_id, size), thumbnails
        )

    dicomweb.register(app, services)  # before the FHIR catch-all route
    bulk_status.register(app, services)

    @app.api_route("/{path:path}", methods=_METHODS)
    async def fhir(request: Request, path: str) -> Response:
        client = request.client.host if request.client else None
        if wants_page(request.method, path, request.headers.get("accept"), bool(request.query_params)):
            return RedirectResponse(f"{WEB_PREFIX}/", status_code=303)
        try:
            body = await _body(request, config.max_body_bytes)
        except PayloadTooLarge as error:
            return _error(error, request.method)
        headers = {key.lower(): value for key, value in request.headers.items()}
        query = list(request.query_params.multi_items())
        fhir_request = FhirRequest(request.method, path, query, headers, body or None)
        base = base_url(request, config)
        cancellation = Cancellation()
        watcher = asyncio.ensure_future(_watch(request, cancellation))
        try:
            with current(cancellation):
                return await run_in_threadpool(_handle, services, fhir_request, base, client)
        finally:
            watcher.cancel()

    return app


def _bound(store: Store, config: ServerConfig) -> None:
    """Give the store the server's limits: a statement timeout, and a pool timeout (PostgreSQL)."""
    if hasattr(store, "statement_timeout"):
        store.statement_timeout = config.statement_timeout
    if hasattr(store, "pool_timeout"):
        store.pool_timeout = config.pool_timeout


async def _watch(request: Request, cancellation: Cancellation) -> None:
    """Cancel the request's database work when its client disconnects."""
    while not cancellation.cancelled:
        await asyncio.sleep(DISCONNECT_POLL)
        if await request.is_disconnected():
            cancellation.cancel()


def _handle(services: Services, request: FhirRequest, base: str, client: str | None) -> Response:
    principal: Principal | None = None
    try:
        principal = _authenticate(services, request)  # 401 before any other answer (406, 404…)
        check_format(request.param("_format"), request.header("accept"))
        response = dispatch(Context(services, principal, base, client), request)
    except Exception as error:  # the one place errors become responses
        if isinstance(error, Unauthorized | Forbidden):
            services.auditor.refused(_interaction(request), principal, client, error.message, asked(request))
        return _error(error, request.method)
    return _render(response, request)


def asked(request: FhirRequest) -> str:
    """The request line an AuditEvent of a refusal records: method, path and query."""
    query = urlencode(request.query)
    return f"{request.method.upper()} {request.path}" + (f"?{query}" if query else "")


def _image(
    services: Services,
    request: FhirRequest,
    base: str,
    client: str | None,
    target: tuple[str, str, str],
    thumbnails: ThumbnailCache,
) -> Response:
    """An image route: authenticated and authorised like a read of the resource holding the image."""
    principal: Principal | None = None
    resource_type, resource_id, size = target
    try:
        if size not in ("", "thumbnail"):
            raise ResourceNotFound(f"No such image size {size[:40]!r}; use /thumbnail", code="not-supported")
        principal = _authenticate(services, request)
        found = images.image(
            Context(services, principal, base, client),
            resource_type,
            resource_id,
            thumbnail=size == "thumbnail",
            cache=thumbnails,
        )
    except Exception as error:
        if isinstance(error, Unauthorized | Forbidden):
            services.auditor.refused("read", principal, client, error.message, asked(request))
        return _error(error, "GET")
    if request.header("if-none-match") == found.etag:
        return Response(status_code=304, headers={"ETag": found.etag, **images.HEADERS})
    return Response(found.content, media_type=found.media_type, headers={"ETag": found.etag, **images.HEADERS})


def _authenticate(services: Services, request: FhirRequest) -> Principal:
    if services.authenticator is None:
        return ANONYMOUS
    public = request.path.strip("/") in PUBLIC_PATHS and request.method.upper() in ("GET", "HEAD")
    if public or request.method.upper() == "OPTIONS":
        return Principal("anonymous")
    return services.authenticator.authenticate(request.header("authorization"))


def _render(response: FhirResponse, request: FhirRequest) -> Response:
    headers = dict(response.headers)
    media = headers.pop("Content-Type", _CONTENT_TYPE)
    if response.status == 304 or (response.resource is None and response.raw is None):
        return Response(status_code=response.status, headers=headers)
    pretty = (request.param("_pretty") or "").lower() == "true"
    content = response.raw if response.raw is not None else dumps(response.resource, pretty)
    if request.method.upper() == "HEAD":
        content = b""
    return Response(content=content, status_code=response.status, headers=headers, media_type=media)


def _error(error: BaseException, method: str) -> Response:
    status, outcome = error_outcome(error)
    headers = {"WWW-Authenticate": 'Bearer realm="dermfhir"'} if status == 401 else {}
    if status == 503:
        headers["Retry-After"] = str(RETRY_AFTER)
    content = b"" if method.upper() == "HEAD" else dumps(outcome)
    return Response(content=content, status_code=status, headers=headers, media_type=_CONTENT_TYPE)


async def _body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 past `limit` bytes (declared or actually sent)."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"The body exceeds the limit of {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"The body exceeds the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


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

    from dermfhir.server.config import check_binding

    auth = os.environ.get("DERMFHIR_AUTH", "none")
    if os.environ.get("DERMFHIR_HOST"):
        check_binding(os.environ["DERMFHIR_HOST"], auth)
    timeout = os.environ.get("DERMFHIR_STATEMENT_TIMEOUT")
    config = ServerConfig(
        db=os.environ.get("DERMFHIR_DB", "dermfhir.db"),
        auth=auth,
        tokens_file=Path(os.environ["DERMFHIR_TOKENS"]) if os.environ.get("DERMFHIR_TOKENS") else None,
        jwks_file=Path(os.environ["DERMFHIR_JWKS"]) if os.environ.get("DERMFHIR_JWKS") else None,
        jwt_audience=os.environ.get("DERMFHIR_JWT_AUDIENCE") or None,
        jwt_issuer=os.environ.get("DERMFHIR_JWT_ISSUER") or None,
        base_url=os.environ.get("DERMFHIR_BASE_URL") or None,
        validate=os.environ.get("DERMFHIR_VALIDATE", "1") != "0",
        statement_timeout=float(timeout) if timeout else ServerConfig.statement_timeout,
        loopback_clients_only=auth == "none",  # uvicorn --factory may bind anywhere: refuse remote clients
        site_folder=Path(os.environ["DERMFHIR_SITE"]) if os.environ.get("DERMFHIR_SITE") else None,
        dicom_store=Path(os.environ["DERMFHIR_DICOM_STORE"]) if os.environ.get("DERMFHIR_DICOM_STORE") else None,
    )
    if os.environ.get("DERMFHIR_SEARCH_CONCURRENCY"):
        config.search_concurrency = int(os.environ["DERMFHIR_SEARCH_CONCURRENCY"])
    if os.environ.get("DERMFHIR_COSTLY_SEARCH_CONCURRENCY"):
        config.costly_search_concurrency = int(os.environ["DERMFHIR_COSTLY_SEARCH_CONCURRENCY"])
    from dermfhir.server.serving import tune_process

    tune_process()
    return create_app(config)
