"""transaction and batch: `POST [base]` with a Bundle (https://hl7.org/fhir/R4/http.html#transaction).

A transaction commits every entry or none: entries are processed in the specification's order (DELETE, POST,
PUT, GET), `urn:uuid:` / `urn:oid:` full URLs of created resources are replaced by their new `Type/id` wherever
the Bundle references them, conditional references (`Patient?identifier=…`) are resolved to the one match
(none or several → 412), `ifNoneExist` (conditional create), `ifMatch`, conditional PUT and PATCH are honoured.
A PATCH entry's resource is a Binary holding a JSON Patch or a Parameters FHIRPath Patch
(`dermfhir.server.interactions.patch`); patches are applied after the other writes, inside the transaction. Every
created or updated resource is validated, and indexed when its content is final, before the database is touched
(so a large transaction does not hold the write lock while it is checked); all creates and plain updates are
written with one bulk store call. One AuditEvent records the whole transaction.
A batch runs each entry on its own (as its own HTTP call would run) and reports each entry's status.
Not supported: nested Bundles processed as transactions, `Prefer: respond-async`.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlencode

from dermfhir import fhirjson
from dermfhir.server.context import Context
from dermfhir.server.errors import (
    BadRequest,
    Forbidden,
    PreconditionFailed,
    Unprocessable,
    error_outcome,
)
from dermfhir.server.http import FhirRequest, FhirResponse, etag
from dermfhir.server.interactions._common import if_none_exist
from dermfhir.server.interactions._conditional import current_or_last, visible_matches
from dermfhir.server.interactions.delete import delete_matching
from dermfhir.server.interactions.patch import one_match, patch_stored, stored
from dermfhir.server.interactions.update import check_rights
from dermfhir.server.operations._review_support import enforce, queue_new_predictions
from dermfhir.server.patching import Patch, read_patch
from dermfhir.server.security.audit import reference_of
from dermfhir.store import NotFound

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"})
_ORDER = {"DELETE": 0, "POST": 1, "PUT": 2, "PATCH": 2, "GET": 3, "HEAD": 3}
_CONDITIONAL_REFERENCE = re.compile(r"^([A-Z][A-Za-z]+)\?(.+)$")
_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
_INTERACTION = {"GET": "read", "HEAD": "read", "POST": "create", "PUT": "update", "PATCH": "update", "DELETE": "delete"}
#: Entries one Bundle may hold.
MAX_ENTRIES = 20_000


@dataclass
class _Entry:
    index: int
    method: str
    path: str
    query: list[tuple[str, str]]
    full_url: str | None
    resource: dict | None
    headers: dict[str, str] = field(default_factory=dict)
    target: str | None = None  # "Type/id" the entry writes, once known
    response: dict | None = None
    result: dict | None = None
    patch: Patch | None = None
    index_rows: Any = None  # search index rows of `indexed`, extracted before the write lock
    indexed: dict | None = None

    @property
    def resource_type(self) -> str:
        return self.path.split("/")[0]

    @property
    def conditional(self) -> bool:
        return bool(self.query) and self.path.count("/") == 0


def bundle(ctx: Context, request: FhirRequest) -> FhirResponse:
    """Run a transaction or batch Bundle."""
    body = request.json()
    if body.get("resourceType") != "Bundle":
        raise BadRequest("POST to the base URL takes a transaction or batch Bundle")
    kind = body.get("type")
    if kind not in ("transaction", "batch"):
        raise BadRequest(f"Bundle.type must be transaction or batch, got {str(kind)[:40]!r}")
    raw = body.get("entry") or []
    if not isinstance(raw, list):
        raise BadRequest("Bundle.entry must be a list", code="structure")
    if len(raw) > MAX_ENTRIES:
        raise BadRequest(f"A Bundle may hold at most {MAX_ENTRIES} entries", code="too-costly")
    entries = [_parse_entry(ctx, index, item) for index, item in enumerate(raw)]
    representation = request.prefer("return") != "minimal"
    if kind == "batch":
        responses = [_batch_entry(ctx, request, entry) for entry in entries]
        return FhirResponse(200, {"resourceType": "Bundle", "type": "batch-response", "entry": responses})
    _transaction(ctx, entries)
    out = []
    for entry in entries:
        item: dict[str, Any] = {}
        if entry.target is not None:
            item["fullUrl"] = f"{ctx.base}/{entry.target}"
        if entry.result is not None and (representation or entry.method in ("GET", "HEAD")):
            item["resource"] = entry.result
        item["response"] = entry.response or {"status": "200 OK"}
        out.append(item)
    return FhirResponse(200, {"resourceType": "Bundle", "type": "transaction-response", "entry": out})


# -- parsing ------------------------------------------------------------------------------------------------------
def _parse_entry(ctx: Context, index: int, item: Any) -> _Entry:
    where = f"Bundle.entry[{index}]"
    if not isinstance(item, dict) or not isinstance(item.get("request"), dict):
        raise BadRequest(f"{where} has no request", code="structure")
    request = item["request"]
    method = str(request.get("method", "")).upper()
    if method not in _METHODS:
        raise BadRequest(f"{where}.request.method {method[:20]!r} is not supported", code="not-supported")
    url = request.get("url")
    if not isinstance(url, str) or not url:
        raise BadRequest(f"{where}.request.url is required", code="required")
    if url.startswith(ctx.base + "/"):
        url = url[len(ctx.base) + 1 :]
    elif "://" in url.split("?")[0]:
        raise BadRequest(f"{where}.request.url {url[:120]!r} is not on this server")
    path, _, query = url.lstrip("/").partition("?")
    resource = item.get("resource")
    if resource is not None and (not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str)):
        raise BadRequest(f"{where}.resource is not a FHIR resource", code="structure")
    if method in ("POST", "PUT", "PATCH") and resource is None:
        raise BadRequest(f"{where}: a {method} entry needs a resource", code="required")
    full_url = item.get("fullUrl") if isinstance(item.get("fullUrl"), str) else None
    headers = {
        header: str(request[key])
        for key, header in (("ifMatch", "if-match"), ("ifNoneExist", "if-none-exist"), ("ifNoneMatch", "if-none-match"))
        if request.get(key)
    }
    entry = _Entry(index, method, path, parse_qsl(query, keep_blank_values=True), full_url, resource, headers)
    if method in ("POST", "PUT") and resource is not None and resource["resourceType"] != entry.resource_type:
        raise BadRequest(f"{where}: the resource is a {resource['resourceType'][:64]}, the URL names {path[:64]}")
    return entry


# -- batch --------------------------------------------------------------------------------------------------------
def _batch_entry(ctx: Context, request: FhirRequest, entry: _Entry) -> dict:
    from dermfhir.server.router import dispatch

    headers = {**entry.headers, "content-type": "application/fhir+json"}
    if request.header("prefer"):
        headers["prefer"] = request.header("prefer") or ""
    single = FhirRequest(entry.method, entry.path, entry.query, headers, None, entry.resource)
    try:
        response = dispatch(ctx, single)
    except Exception as error:  # one failing entry does not stop a batch
        if isinstance(error, Forbidden):
            ctx.services.auditor.refused(
                _INTERACTION.get(entry.method, "batch"),
                ctx.principal,
                ctx.client,
                f"Bundle.entry[{entry.index}]: {error.message}",
                f"{entry.method} {entry.path}" + (f"?{urlencode(entry.query)}" if entry.query else ""),
            )
        status, outcome = error_outcome(error)
        return {"response": {"status": _status(status), "outcome": outcome}}
    item: dict[str, Any] = {}
    if response.resource is not None:
        item["resource"] = response.resource
    item["response"] = _response(response.status, response.resource if entry.method != "GET" else None, response)
    return item


# -- transaction --------------------------------------------------------------------------------------------------
def _transaction(ctx: Context, entries: list[_Entry]) -> None:
    mapping: dict[str, str] = {}
    writes: set[str] = set()
    for entry in entries:
        _plan(entry, mapping, writes)
    for entry in entries:  # rights and conformance, before the database is locked
        if entry.resource is not None:
            entry.resource = _rewrite(entry.resource, mapping)
        try:
            _check_rights(ctx, entry)
        except Forbidden as error:  # the refusal (and its AuditEvent) names the entry and what it asked
            query = f"?{urlencode(entry.query)}" if entry.query else ""
            raise Forbidden(
                f"Bundle.entry[{entry.index}] ({entry.method} {entry.path}{query}): {error.message}"
            ) from None
        if entry.method in ("POST", "PUT"):
            _validate(ctx, entry)
            _index(ctx, entry)
    store = ctx.store
    known = len(mapping)
    ordered = sorted(entries, key=lambda e: (_ORDER[e.method], e.index))
    with store.transaction():
        for entry in ordered:
            if entry.method == "DELETE":
                _delete(ctx, entry)
        for entry in ordered:
            if entry.method == "POST" and entry.target is None:
                _conditional_create(ctx, entry, mapping)
            elif entry.method == "PUT" and entry.target is None:
                _conditional_put(ctx, entry, mapping)
            elif entry.method == "PUT" and entry.resource is not None:
                check_rights(ctx, entry.resource)  # again under the write lock: the stored version may have moved
        resolved = len(mapping) != known
        for entry in ordered:
            if entry.resource is not None and entry.method in ("POST", "PUT") and entry.response is None:
                if resolved:
                    entry.resource = _rewrite(entry.resource, mapping)
                resolved_resource = _resolve_conditional_references(ctx, entry.resource)
                if resolved_resource is not entry.resource:  # the resolved references may move it to a compartment
                    ctx.access.check(resolved_resource, "create" if entry.method == "POST" else "update")
                entry.resource = resolved_resource
        pending = [e for e in ordered if e.method in ("POST", "PUT") and e.response is None]
        for entry in pending:
            assert entry.resource is not None
            enforce(ctx, entry.resource, current=True if entry.method == "PUT" else None)
        _write(ctx, pending)
        queue_new_predictions(ctx, [e.result for e in pending if e.result is not None])
        for entry in ordered:
            if entry.method == "PATCH":
                _patch(ctx, entry, mapping)
        for entry in ordered:
            if entry.method in ("GET", "HEAD"):
                _read(ctx, entry)
        written = [
            reference_of(e.result) for e in entries if e.method in ("POST", "PUT", "PATCH") and e.result is not None
        ]
        written += [e.target for e in entries if e.method == "DELETE" and e.target is not None]
        ctx.audit_write("transaction", written)


def _plan(entry: _Entry, mapping: dict[str, str], writes: set[str]) -> None:
    """Give plain creates their ids and note what each write targets (a resource written twice is a 400)."""
    where = f"Bundle.entry[{entry.index}]"
    parts = entry.path.split("/")
    if entry.method == "POST":
        if len(parts) != 1 or not parts[0]:
            raise BadRequest(f"{where}: POST goes to [type], not {entry.path[:80]!r}")
        if "if-none-exist" not in entry.headers:
            resource_id = str(uuid.uuid4())
            assert entry.resource is not None
            entry.resource = {**entry.resource, "id": resource_id}
            entry.target = f"{parts[0]}/{resource_id}"
    elif entry.method == "PUT" and not entry.conditional:
        if len(parts) != 2 or not _ID.match(parts[1]):
            raise BadRequest(f"{where}: PUT goes to [type]/[id] or [type]?criteria, not {entry.path[:80]!r}")
        assert entry.resource is not None
        if entry.resource.get("id") not in (None, parts[1]):
            raise BadRequest(f"{where}: the resource id differs from the URL's id")
        entry.resource = {**entry.resource, "id": parts[1]}
        entry.target = entry.path
    elif entry.method == "PATCH" and not entry.conditional:
        if len(parts) != 2 or not _ID.match(parts[1]):
            raise BadRequest(f"{where}: PATCH goes to [type]/[id] or [type]?criteria, not {entry.path[:80]!r}")
        entry.target = entry.path
    elif entry.method == "DELETE" and not entry.conditional:
        if len(parts) != 2:
            raise BadRequest(f"{where}: DELETE goes to [type]/[id] or [type]?criteria")
        entry.target = entry.path
    if entry.target is not None and entry.method != "GET":
        if entry.target in writes:
            raise BadRequest(f"{where}: {entry.target} is written by more than one entry of the transaction")
        writes.add(entry.target)
        if entry.full_url:
            mapping[entry.full_url] = entry.target


def _check_rights(ctx: Context, entry: _Entry) -> None:
    if entry.method == "POST":
        assert entry.resource is not None
        ctx.access.check(entry.resource, "create")
    elif entry.method == "PUT":
        assert entry.resource is not None
        if entry.conditional:  # the match is judged inside the transaction (_conditional_put)
            ctx.access.require(entry.resource_type, "update")
        else:
            check_rights(ctx, entry.resource)
    elif entry.method == "PATCH":
        ctx.access.require(entry.resource_type, "update")
        if entry.path.count("/") == 0 and not entry.query:
            raise BadRequest(f"Bundle.entry[{entry.index}]: PATCH goes to [type]/[id] or [type]?criteria")
        try:
            entry.patch = read_patch(None, None, entry.resource)
        except BadRequest as error:
            raise BadRequest(f"Bundle.entry[{entry.index}]: {error.message}", code=error.code) from None
    elif entry.method == "DELETE":
        ctx.access.require(entry.resource_type, "delete")


def _validate(ctx: Context, entry: _Entry) -> None:
    assert entry.resource is not None
    # conditional references are resolved later, inside the database transaction: validate with a stand-in id
    resource = _replace_conditional_references(entry.resource, lambda kind, _: f"{kind}/conditional")
    try:
        ctx.services.gate.check(resource, f"Bundle.entry[{entry.index}]")
    except Unprocessable as error:
        error.outcome = _relocate(error.outcome or {}, entry.index, entry.resource["resourceType"])
        raise


def _index(ctx: Context, entry: _Entry) -> None:
    """Extract the search index rows now, outside the write lock, when the entry's content is final already (an
    entry whose id or conditional references are settled inside the transaction is indexed there)."""
    resource = entry.resource
    if resource is None or entry.target is None or b"?" in fhirjson.dumps(resource):
        return
    entry.index_rows, entry.indexed = ctx.store.index_of(resource), resource


def _relocate(outcome: dict, index: int, resource_type: str) -> dict:
    """Issue locations made relative to the Bundle (`Observation.code` → `Bundle.entry[3].resource.code`)."""
    prefix = f"Bundle.entry[{index}].resource"
    issues = []
    for issue in outcome.get("issue", []):
        issue = dict(issue)
        for key in ("expression", "location"):
            if isinstance(issue.get(key), list):
                issue[key] = [
                    prefix + str(path)[len(resource_type) :] if str(path).startswith(resource_type) else str(path)
                    for path in issue[key]
                ]
        issues.append(issue)
    return {**outcome, "issue": issues}


def _delete(ctx: Context, entry: _Entry) -> None:
    store = ctx.store
    if entry.conditional:
        ids = delete_matching(ctx, entry.resource_type, entry.query)
        entry.target = f"{entry.resource_type}/{ids[0]}" if ids else None
        entry.response = {"status": "200 OK" if ids else "204 No Content"}
        return
    resource_type, resource_id = entry.path.split("/")
    current = current_or_last(ctx, resource_type, resource_id)
    if current is not None:
        ctx.access.check(current, "delete")
    try:
        version = store.delete(resource_type, resource_id, if_match=entry.headers.get("if-match"))
    except NotFound:  # never existed: nothing to do
        version = None
    if version is None:  # never existed, or already deleted
        entry.response = {"status": "204 No Content"}
        return
    entry.response = {"status": "200 OK", "etag": f'W/"{version}"'}


def _conditional_create(ctx: Context, entry: _Entry, mapping: dict[str, str]) -> None:
    assert entry.resource is not None
    criteria = if_none_exist(entry.headers["if-none-exist"])
    found = visible_matches(ctx, entry.resource_type, criteria)
    if len(found) > 1:
        raise PreconditionFailed(f"Bundle.entry[{entry.index}]: ifNoneExist matched more than one resource")
    if found:
        entry.target = f"{entry.resource_type}/{found[0]['id']}"
        entry.result = found[0]
        entry.response = _response(200, found[0])
    else:
        resource_id = str(uuid.uuid4())
        entry.resource = {**entry.resource, "id": resource_id}
        entry.target = f"{entry.resource_type}/{resource_id}"
    if entry.full_url:
        mapping[entry.full_url] = entry.target


def _conditional_put(ctx: Context, entry: _Entry, mapping: dict[str, str]) -> None:
    assert entry.resource is not None
    found = visible_matches(ctx, entry.resource_type, entry.query)
    if len(found) > 1:
        raise PreconditionFailed(f"Bundle.entry[{entry.index}]: the conditional update matched several resources")
    if found and entry.resource.get("id") not in (None, found[0]["id"]):
        raise BadRequest(f"Bundle.entry[{entry.index}]: the resource id differs from the matching resource")
    resource_id = found[0]["id"] if found else str(entry.resource.get("id") or uuid.uuid4())
    entry.resource = {**entry.resource, "id": resource_id}
    if found:
        ctx.access.check(found[0], "update")
        ctx.access.check(entry.resource, "update")
    else:
        check_rights(ctx, entry.resource)
    entry.target = f"{entry.resource_type}/{resource_id}"
    if entry.full_url:
        mapping[entry.full_url] = entry.target


def _patch(ctx: Context, entry: _Entry, mapping: dict[str, str]) -> None:
    assert entry.patch is not None
    where = f"Bundle.entry[{entry.index}]"
    try:
        if entry.conditional:
            current = one_match(ctx, entry.resource_type, entry.query)
        else:
            current = stored(ctx, entry.resource_type, entry.path.split("/")[1])
        found, _ = patch_stored(
            ctx,
            current,
            entry.patch,
            entry.headers.get("if-match"),
            lambda resource: _rewrite(resource, mapping),
            audit=False,  # the transaction's one AuditEvent names it
        )
    except Forbidden as error:
        raise Forbidden(f"{where} (PATCH {entry.path}): {error.message}") from None
    entry.target = f"{current['resourceType']}/{current['id']}"
    entry.result = found.resource
    entry.response = _response(200, found.resource)


def _write(ctx: Context, entries: list[_Entry]) -> None:
    """Plain creates and updates in one bulk store call; updates with ifMatch one by one."""
    bulk = [entry for entry in entries if "if-match" not in entry.headers]
    if bulk:
        written = ctx.store.load(
            [entry.resource for entry in bulk if entry.resource is not None],
            return_resources=False,
            indexes=[entry.index_rows if entry.indexed is entry.resource else None for entry in bulk],
        )
        for entry, loaded in zip(bulk, written, strict=True):
            assert entry.resource is not None
            entry.result = loaded.stamp(entry.resource)
            entry.response = _response(201 if loaded.created else 200, entry.result)
    for entry in entries:
        if "if-match" in entry.headers:
            assert entry.resource is not None
            result = ctx.store.update(entry.resource, if_match=entry.headers["if-match"])
            entry.result = result.resource
            entry.response = _response(201 if result.created else 200, result.resource)


def _read(ctx: Context, entry: _Entry) -> None:
    from dermfhir.server.router import dispatch

    request = FhirRequest("GET", entry.path, entry.query, dict(entry.headers))
    response = dispatch(ctx, request)
    entry.result = response.resource
    entry.response = _response(response.status, None, response)


def _response(status: int, resource: dict | None, response: FhirResponse | None = None) -> dict:
    found: dict[str, Any] = {"status": _status(status)}
    if resource is not None and resource.get("meta", {}).get("versionId"):
        found["location"] = reference_of(resource)
        found["etag"] = etag(resource)
        found["lastModified"] = resource["meta"].get("lastUpdated")
    elif response is not None and "ETag" in response.headers:
        found["etag"] = response.headers["ETag"]
    return found


def _status(code: int) -> str:
    try:
        return f"{code} {HTTPStatus(code).phrase}"
    except ValueError:
        return str(code)


# -- references ---------------------------------------------------------------------------------------------------
def _rewrite(value: Any, mapping: dict[str, str]) -> Any:
    """A copy of `value` with every reference (and every string) equal to a mapped full URL replaced."""
    if not mapping:
        return value
    if isinstance(value, dict):
        return {key: _rewrite(item, mapping) for key, item in value.items()}
    if isinstance(value, list):
        return [_rewrite(item, mapping) for item in value]
    if isinstance(value, str):
        return mapping.get(value, value)
    return value


def _resolve_conditional_references(ctx: Context, resource: dict) -> dict:
    """Replace `Type?criteria` references by the one matching resource (412 for none or several)."""
    return _replace_conditional_references(resource, lambda kind, query: _resolve(ctx, kind, query))


def _replace_conditional_references(resource: dict, resolve: Callable[[str, str], str]) -> dict:
    found: dict[str, str] = {}

    def visit(value: Any) -> Any:
        if isinstance(value, dict):
            reference = value.get("reference")
            if isinstance(reference, str) and (match := _CONDITIONAL_REFERENCE.match(reference)):
                if reference not in found:
                    found[reference] = resolve(match.group(1), match.group(2))
                value = {**value, "reference": found[reference]}
            return {key: visit(item) if isinstance(item, dict | list) else item for key, item in value.items()}
        if isinstance(value, list):
            return [visit(item) for item in value]
        return value

    return visit(resource) if b"?" in fhirjson.dumps(resource) else resource


def _resolve(ctx: Context, resource_type: str, query: str) -> str:
    if resource_type not in ctx.services.resource_types:
        raise BadRequest(f"Conditional reference to an unknown type {resource_type[:64]!r}")
    ids = [resource["id"] for resource in visible_matches(ctx, resource_type, query)]
    if len(ids) != 1:
        what = "no" if not ids else "more than one"
        raise PreconditionFailed(f"The conditional reference {resource_type}?{query[:200]} matched {what} resource")
    return f"{resource_type}/{ids[0]}"
