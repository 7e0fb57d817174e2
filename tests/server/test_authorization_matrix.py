"""The authorization matrix: every interaction and every transaction and batch entry kind, from tokens of every scope
shape, against the resources of two patients (and of types outside the Patient compartment).

For each (token, interaction) the store is seeded afresh and the interaction is run against every seeded resource
and against an id that does not exist. Each answer is then held to the policy written out below (`permitted`), which
is this test's own statement of the rules, independent of the server's code:
- nothing the token may not read appears in any answer (every seeded resource carries a secret marker);
- nothing the token may not update or delete changed in the store; every resource the request created is one the
  token may create;
- a conditional interaction, search, chain or `_has` that matches only a resource the token may not read answers
  exactly as when nothing matches (no existence oracle);
- what the token may read, it reads (the matrix would pass vacuously on a server that refuses everything).
Runs on SQLite, and on PostgreSQL when DERMFHIR_TEST_POSTGRES is set.
"""

from __future__ import annotations

import base64
import copy
import json
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from dermfhir.definitions import Definitions
from dermfhir.server import ServerConfig, create_app
from dermfhir.server.security import parse_scopes
from dermfhir.store import Store
from dermfhir.store.sqlite import SqliteStore
from dermfhir.validation import Validator
from tests.conftest import NO_POSTGRES, POSTGRES_URL, TABLES, open_postgres

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

FHIR = "application/fhir+json"
ABSENT = "absent-0000"


def _tag(marker: str) -> dict:
    return {"tag": [{"system": "urn:test:marker", "code": marker}]}


def _observation(resource_id: str, patient: str) -> dict:
    return {
        "resourceType": "Observation",
        "id": resource_id,
        "meta": _tag(f"secret-{resource_id}"),
        "status": "final",
        "code": {"text": "lesion"},
        "subject": {"reference": f"Patient/{patient}"},
    }


SEED: list[dict] = [
    {"resourceType": "Patient", "id": "pa", "meta": _tag("secret-pa")},
    {"resourceType": "Patient", "id": "pb", "meta": _tag("secret-pb")},
    _observation("oa", "pa"),
    _observation("ob", "pb"),
    {
        "resourceType": "Binary",
        "id": "ba",
        "meta": _tag("secret-ba"),
        "contentType": "text/plain",
        "securityContext": {"reference": "Patient/pa"},
    },
    {
        "resourceType": "Binary",
        "id": "bb",
        "meta": _tag("secret-bb"),
        "contentType": "text/plain",
        "securityContext": {"reference": "Observation/ob"},
    },
    {"resourceType": "Task", "id": "ta", "meta": _tag("secret-ta"), "status": "ready", "intent": "order"}
    | {"for": {"reference": "Patient/pa"}},
    {"resourceType": "Task", "id": "tb", "meta": _tag("secret-tb"), "status": "ready", "intent": "order"}
    | {"for": {"reference": "Patient/pb"}},
    {"resourceType": "Device", "id": "dv", "meta": _tag("secret-dv")},
    {
        "resourceType": "AuditEvent",
        "id": "ae",
        "meta": _tag("secret-ae"),
        "type": {"code": "rest"},
        "recorded": "2024-01-01T00:00:00Z",
        "agent": [{"requestor": True}],
        "source": {"observer": {"display": "x"}},
    },
]
#: whose data each seeded resource is (None: no patient's)
OWNER = {"pa": "pa", "pb": "pb", "oa": "pa", "ob": "pb", "ba": "pa", "bb": "pb", "ta": "pa", "tb": "pb"}
BY_ID = {resource["id"]: resource for resource in SEED}
SEEDED = {(resource["resourceType"], resource["id"]) for resource in SEED}
SEEDED_TYPES = sorted({resource["resourceType"] for resource in SEED})


@dataclass(frozen=True)
class Token:
    name: str
    scope: str
    patient: str | None = None

    @property
    def bearer(self) -> str:
        return f"token-{self.name}".ljust(24, "x")


TOKENS = [
    Token("patient-all-v2", "patient/*.cruds", "pa"),
    Token("patient-all-v1", "patient/*.read patient/*.write", "pa"),
    Token("patient-star-v1", "patient/*.*", "pb"),
    Token("patient-obs", "patient/Observation.cruds patient/Patient.rs", "pa"),
    Token("patient-obs-create", "patient/Observation.c", "pa"),
    Token("patient-obs-read", "patient/Observation.rs", "pa"),
    Token("patient-obs-write-v1", "patient/Observation.write", "pa"),
    Token("patient-binary-task", "patient/Binary.cruds patient/Task.cruds patient/Device.rs", "pa"),
    Token("user-read-patient-write", "user/*.rs patient/Observation.cud patient/Task.cud patient/Binary.cud", "pa"),
    Token("user-obs", "user/Observation.cruds"),
    Token("user-obs-create", "user/Observation.c"),
    Token("user-all", "user/*.cruds"),
    Token("user-read-v1", "user/*.read"),
    Token("system-all", "system/*.cruds"),
    Token("system-obs-read-v1", "system/Observation.read"),
]


def permitted(token: Token, letter: str, resource: dict) -> bool:
    """The policy, stated here on its own: may `token` do `letter` (c r u d s) on `resource`?"""
    kind = resource["resourceType"]
    scopes = [s for s in parse_scopes(token.scope) if s.resource_type in ("*", kind) and letter in s.permissions]
    if any(s.context == "system" for s in scopes):
        return True
    if any(s.context == "user" for s in scopes):
        return kind != "AuditEvent" or letter in "crs"
    if not scopes or token.patient is None:
        return False
    if kind == "AuditEvent":
        return False
    if kind == "Device":
        return letter in "rs"
    if kind == "Binary":
        context = resource.get("securityContext", {}).get("reference", "")
        if context == f"Patient/{token.patient}":
            return True
        target_type, _, target_id = context.partition("/")
        target = BY_ID.get(target_id)
        return target is not None and target["resourceType"] == target_type and permitted(token, letter, target)
    if kind == "Task":
        return resource.get("for", {}).get("reference") == f"Patient/{token.patient}"
    if kind == "Patient":
        return resource.get("id") == token.patient
    return resource.get("subject", {}).get("reference") == f"Patient/{token.patient}"


# -- the app, on each backend --------------------------------------------------------------------------------------
@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def matrix_store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    definitions = Definitions.default()
    if request.param == "postgres":
        if not POSTGRES_URL:
            pytest.skip(NO_POSTGRES)
        store: Store = open_postgres(definitions)
    else:
        store = SqliteStore(tmp_path_factory.mktemp("matrix") / "matrix.db", definitions)
    AT_SEED.discard(id(store))  # a new store is empty, even if an earlier, closed one had the same id
    try:
        yield store
    finally:
        store.close()


@pytest.fixture(scope="module")
def matrix_client(matrix_store: Store, tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    path = Path(tmp_path_factory.mktemp("tokens")) / "tokens.json"
    entries = [
        {"token": t.bearer, "subject": t.name, "scope": t.scope, **({"patient": t.patient} if t.patient else {})}
        for t in TOKENS
    ]
    path.write_text(json.dumps({"tokens": entries}))
    definitions = matrix_store.definitions  # type: ignore[attr-defined]
    config = ServerConfig(  # no time limits here: a slow machine must not turn a refusal into a 503
        auth="token", tokens_file=path, validate=False, audit=False, statement_timeout=None, pool_timeout=60
    )
    app = create_app(config, store=matrix_store, definitions=definitions, validator=Validator(definitions))
    return TestClient(app, base_url="http://testserver", raise_server_exceptions=False)


#: the stores known to hold exactly the seed (each case leaves its store so, or leaves it out of this set)
AT_SEED: set[int] = set()


def _reseed(store: Store) -> None:
    AT_SEED.discard(id(store))
    if isinstance(store, SqliteStore):
        with store.transaction():
            conn = store._local.conn
            for table in TABLES:
                conn.execute(f"DELETE FROM {table}")
    else:
        with store.pool.connection() as conn:  # type: ignore[attr-defined]
            conn.execute(f"TRUNCATE {', '.join(TABLES)}")
    store.load(copy.deepcopy(SEED))
    AT_SEED.add(id(store))


def _state(store: Store) -> dict[tuple[str, str], dict]:
    """Every live resource of the seeded types (created ones too), by type and id: one search per type."""
    return {(r["resourceType"], r["id"]): r for kind in SEEDED_TYPES for r in store.iter_search(kind)}


def _versions(state: dict[tuple[str, str], dict]) -> dict[str, str | None]:
    """Each seeded resource's current version in `state` (None when deleted)."""
    found = {}
    for resource in SEED:
        live = state.get((resource["resourceType"], resource["id"]))
        found[resource["id"]] = live["meta"]["versionId"] if live else None
    return found


# -- the interactions ----------------------------------------------------------------------------------------------
@dataclass
class Call:
    method: str
    url: str
    body: dict | None = None
    headers: dict[str, str] | None = None


def _mine(token: Token, kind: str) -> dict:
    """A new resource of `kind` belonging to the token's own patient (or to pa), with no marker of the seed."""
    patient = token.patient or "pa"
    if kind == "Observation":
        return {
            "resourceType": kind,
            "status": "final",
            "code": {"text": "new"},
            "subject": {"reference": f"Patient/{patient}"},
        }
    if kind == "Task":
        return {"resourceType": kind, "status": "ready", "intent": "order", "for": {"reference": f"Patient/{patient}"}}
    if kind == "Binary":
        return {
            "resourceType": kind,
            "contentType": "text/plain",
            "securityContext": {"reference": f"Patient/{patient}"},
        }
    if kind == "Patient":
        return {"resourceType": kind, "active": True}
    return {"resourceType": kind}


def _changed(resource_type: str, resource_id: str) -> dict:
    found = copy.deepcopy(BY_ID.get(resource_id) or {"resourceType": resource_type, "id": resource_id})
    found["id"] = resource_id
    found["language"] = "en"
    found.pop("meta", None)  # what the token sends carries no secret; the answer must not add one
    return found


JSON_PATCH = "application/json-patch+json"
#: The element holding a resource's owner, for a patch that moves it to another patient.
OWNER_ELEMENT = {"Observation": "subject", "Task": "for", "Binary": "securityContext"}


def _patch_ops(kind: str, resource_id: str, move: bool = False) -> list[dict]:
    """A JSON Patch: a harmless change, or one moving the resource to the other patient (away from the token's
    patient, or into it)."""
    if move and kind in OWNER_ELEMENT:
        other = "pb" if OWNER.get(resource_id) == "pa" else "pa"
        return [{"op": "add", "path": f"/{OWNER_ELEMENT[kind]}", "value": {"reference": f"Patient/{other}"}}]
    return [{"op": "add", "path": "/language", "value": "en"}]


def _fhirpath_patch(kind: str) -> dict:
    return {
        "resourceType": "Parameters",
        "parameter": [
            {
                "name": "operation",
                "part": [
                    {"name": "type", "valueCode": "add"},
                    {"name": "path", "valueString": kind},
                    {"name": "name", "valueString": "language"},
                    {"name": "value", "valueCode": "en"},
                ],
            }
        ],
    }


def _binary_patch(operations: list[dict]) -> dict:
    data = base64.b64encode(json.dumps(operations).encode()).decode()
    return {"resourceType": "Binary", "contentType": JSON_PATCH, "data": data}


def _patch(url: str, operations: list[dict]) -> Call:
    return Call("PATCH", url, {"_raw": json.dumps(operations)}, {"content-type": JSON_PATCH})


def _bundle(kind: str, request: dict, resource: dict | None = None, full_url: str | None = None) -> dict:
    entry: dict = {"request": request}
    if resource is not None:
        entry["resource"] = resource
    if full_url:
        entry["fullUrl"] = full_url
    return {"resourceType": "Bundle", "type": kind, "entry": [entry]}


def _post_bundle(kind: str, request: dict, resource: dict | None = None) -> Call:
    return Call("POST", "/", _bundle(kind, request, resource))


Interaction = Callable[[Token, str, str], Call]
INTERACTIONS: dict[str, Interaction] = {
    "read": lambda t, k, i: Call("GET", f"/{k}/{i}"),
    "vread": lambda t, k, i: Call("GET", f"/{k}/{i}/_history/1"),
    "history-instance": lambda t, k, i: Call("GET", f"/{k}/{i}/_history"),
    "search-id": lambda t, k, i: Call("GET", f"/{k}?_id={i}"),
    "search-post": lambda t, k, i: Call(
        "POST",
        f"/{k}/_search",
        headers={"content-type": "application/x-www-form-urlencoded"},
        body={"_form": f"_id={i}"},
    ),
    "validate-instance": lambda t, k, i: Call("GET", f"/{k}/{i}/$validate"),
    "update": lambda t, k, i: Call("PUT", f"/{k}/{i}", _changed(k, i)),
    "delete": lambda t, k, i: Call("DELETE", f"/{k}/{i}"),
    "conditional-create": lambda t, k, i: Call("POST", f"/{k}", _mine(t, k), {"if-none-exist": f"_id={i}"}),
    "conditional-update": lambda t, k, i: Call("PUT", f"/{k}?_id={i}", _mine(t, k)),
    "conditional-delete": lambda t, k, i: Call("DELETE", f"/{k}?_id={i}"),
    "transaction-if-none-exist": lambda t, k, i: _post_bundle(
        "transaction", {"method": "POST", "url": k, "ifNoneExist": f"_id={i}"}, _mine(t, k)
    ),
    "transaction-conditional-put": lambda t, k, i: _post_bundle(
        "transaction", {"method": "PUT", "url": f"{k}?_id={i}"}, _mine(t, k)
    ),
    "transaction-conditional-delete": lambda t, k, i: _post_bundle(
        "transaction", {"method": "DELETE", "url": f"{k}?_id={i}"}
    ),
    "transaction-delete": lambda t, k, i: _post_bundle("transaction", {"method": "DELETE", "url": f"{k}/{i}"}),
    "transaction-put": lambda t, k, i: _post_bundle(
        "transaction", {"method": "PUT", "url": f"{k}/{i}"}, _changed(k, i)
    ),
    "transaction-put-if-match": lambda t, k, i: _post_bundle(
        "transaction", {"method": "PUT", "url": f"{k}/{i}", "ifMatch": 'W/"1"'}, _changed(k, i)
    ),
    "transaction-get": lambda t, k, i: _post_bundle("transaction", {"method": "GET", "url": f"{k}/{i}"}),
    "transaction-search": lambda t, k, i: _post_bundle("transaction", {"method": "GET", "url": f"{k}?_id={i}"}),
    "transaction-conditional-reference": lambda t, k, i: _post_bundle(
        "transaction",
        {"method": "POST", "url": "Observation"},
        _mine(t, "Observation") | {"focus": [{"reference": f"{k}?_id={i}"}]},
    ),
    "batch-if-none-exist": lambda t, k, i: _post_bundle(
        "batch", {"method": "POST", "url": k, "ifNoneExist": f"_id={i}"}, _mine(t, k)
    ),
    "batch-conditional-put": lambda t, k, i: _post_bundle(
        "batch", {"method": "PUT", "url": f"{k}?_id={i}"}, _mine(t, k)
    ),
    "batch-conditional-delete": lambda t, k, i: _post_bundle("batch", {"method": "DELETE", "url": f"{k}?_id={i}"}),
    "batch-delete": lambda t, k, i: _post_bundle("batch", {"method": "DELETE", "url": f"{k}/{i}"}),
    "batch-put": lambda t, k, i: _post_bundle("batch", {"method": "PUT", "url": f"{k}/{i}"}, _changed(k, i)),
    "batch-get": lambda t, k, i: _post_bundle("batch", {"method": "GET", "url": f"{k}/{i}"}),
    "patch": lambda t, k, i: _patch(f"/{k}/{i}", _patch_ops(k, i)),
    "patch-move": lambda t, k, i: _patch(f"/{k}/{i}", _patch_ops(k, i, move=True)),
    "patch-fhirpath": lambda t, k, i: Call("PATCH", f"/{k}/{i}", _fhirpath_patch(k)),
    "conditional-patch": lambda t, k, i: _patch(f"/{k}?_id={i}", _patch_ops(k, i)),
    "conditional-patch-move": lambda t, k, i: _patch(f"/{k}?_id={i}", _patch_ops(k, i, move=True)),
    "transaction-patch": lambda t, k, i: _post_bundle(
        "transaction", {"method": "PATCH", "url": f"{k}/{i}"}, _binary_patch(_patch_ops(k, i))
    ),
    "transaction-patch-move": lambda t, k, i: _post_bundle(
        "transaction", {"method": "PATCH", "url": f"{k}/{i}"}, _binary_patch(_patch_ops(k, i, move=True))
    ),
    "transaction-conditional-patch": lambda t, k, i: _post_bundle(
        "transaction", {"method": "PATCH", "url": f"{k}?_id={i}"}, _fhirpath_patch(k)
    ),
    "batch-patch": lambda t, k, i: _post_bundle(
        "batch", {"method": "PATCH", "url": f"{k}/{i}"}, _binary_patch(_patch_ops(k, i))
    ),
    "batch-conditional-patch": lambda t, k, i: _post_bundle(
        "batch", {"method": "PATCH", "url": f"{k}?_id={i}"}, _fhirpath_patch(k)
    ),
    "batch-search": lambda t, k, i: _post_bundle("batch", {"method": "GET", "url": f"{k}?_id={i}"}),
}
#: Interactions on Observation reaching other resources through references (target: an Observation's id).
REFERENCE_INTERACTIONS: dict[str, Interaction] = {
    "include": lambda t, k, i: Call("GET", f"/Observation?_id={i}&_include=Observation:subject"),
    "revinclude": lambda t, k, i: Call(
        "GET", "/Patient?_id=pa,pb&_revinclude=Observation:subject&_revinclude=Binary:*"
    ),
    "chain": lambda t, k, i: Call("GET", f"/Observation?subject:Patient._id={OWNER.get(i, ABSENT)}"),
    "chain-reverse": lambda t, k, i: Call("GET", "/Binary?_id=ba,bb"),
    "has": lambda t, k, i: Call("GET", f"/Patient?_has:Observation:subject:_id={i}"),
    "has-task": lambda t, k, i: Call("GET", f"/Patient?_has:Task:patient:_id={i.replace('o', 't')}"),
    "history-type": lambda t, k, i: Call("GET", "/Observation/_history"),
    "history-system": lambda t, k, i: Call("GET", "/_history"),
    "search-system": lambda t, k, i: Call("GET", f"/?_type=Observation,Task&_id={i}"),
    "chain-conditional-create": lambda t, k, i: Call(
        "POST",
        "/Observation",
        _mine(t, "Observation"),
        {"if-none-exist": f"subject:Patient._id={OWNER.get(i, ABSENT)}&_id={i}"},
    ),
}
#: Conditional and search forms: a match the token may not read must answer as no match at all.
NO_ORACLE = {
    name
    for name in (*INTERACTIONS, *REFERENCE_INTERACTIONS)
    if "conditional" in name or "if-none-exist" in name or "search" in name or name in ("has", "has-task", "chain")
}
TARGETS = [(resource["resourceType"], resource["id"]) for resource in SEED]


def _send(client: TestClient, token: Token, call: Call):
    headers = {"authorization": f"Bearer {token.bearer}", "content-type": FHIR, **(call.headers or {})}
    if call.body is not None and "_form" in call.body:
        return client.request(call.method, call.url, content=call.body["_form"], headers=headers)
    if call.body is not None and "_raw" in call.body:
        return client.request(call.method, call.url, content=call.body["_raw"], headers=headers)
    content = json.dumps(call.body) if call.body is not None else None
    return client.request(call.method, call.url, content=content, headers=headers)


def _shape(response) -> tuple:
    """What an answer says, less ids and times: status, and per Bundle entry its status and resource type."""
    try:
        body = response.json()
    except ValueError:
        return (response.status_code,)
    if not isinstance(body, dict):
        return (response.status_code,)
    entries = tuple(
        (
            (entry.get("response") or {}).get("status", "").split(" ")[0],
            (entry.get("resource") or {}).get("resourceType"),
            (entry.get("search") or {}).get("mode"),
        )
        for entry in body.get("entry", [])
    )
    issues = (
        tuple(issue.get("code") for issue in body.get("issue", []))
        if body.get("resourceType") == "OperationOutcome"
        else ()
    )
    return (response.status_code, body.get("resourceType"), body.get("total"), entries, issues)


def _run(
    client: TestClient, store: Store, token: Token, name: str, make: Interaction, targets: list[tuple[str, str]]
) -> None:
    if id(store) not in AT_SEED:
        _reseed(store)
    AT_SEED.discard(id(store))  # until this case has put the seed back (a failing assertion leaves it out)
    secrets = {resource["id"]: f"secret-{resource['id']}" for resource in SEED}
    readable = {i for i in secrets if permitted(token, "r", BY_ID[i])}
    shapes: dict[tuple[str, str], tuple] = {}
    state = _state(store)
    for kind, resource_id in [*targets, *((kind, ABSENT) for kind in sorted({k for k, _ in targets}))]:
        before = _versions(state)
        response = _send(client, token, make(token, kind, resource_id))
        text = response.text
        where = f"{token.name} {name} {kind}/{resource_id}: {response.status_code} {text[:300]}"
        assert response.status_code < 500, where
        for seeded, secret in secrets.items():
            assert seeded in readable or secret not in text, f"{where} reveals {seeded}"
        state_after = _state(store)
        after = _versions(state_after)
        for seeded, version in before.items():
            if after[seeded] != version:
                resource = BY_ID[seeded]
                letter = "d" if after[seeded] is None else "u"
                assert permitted(token, letter, resource), f"{where} changed {seeded} ({version} → {after[seeded]})"
                if after[seeded] is not None:  # and what it wrote is still within the token's reach
                    current = state_after[(resource["resourceType"], seeded)]
                    assert permitted(token, "u", current), f"{where} moved {seeded} out of reach"
        created = [resource for key, resource in state_after.items() if key not in SEEDED]
        for resource in created:
            assert permitted(token, "c", resource), f"{where} created {resource['resourceType']}/{resource['id']}"
        shapes[(kind, resource_id)] = _shape(response)
        if after != before or created:
            _reseed(store)
            AT_SEED.discard(id(store))
            state_after = _state(store)
        state = state_after
    AT_SEED.add(id(store))
    if name in NO_ORACLE:
        for kind, resource_id in targets:
            if resource_id not in readable:
                assert shapes[(kind, resource_id)] == shapes[(kind, ABSENT)], (
                    f"{token.name} {name}: a hidden {kind}/{resource_id} answers {shapes[(kind, resource_id)]}, "
                    f"nothing answers {shapes[(kind, ABSENT)]}"
                )
    if name == "read":
        for kind, resource_id in targets:
            if resource_id in readable and permitted(token, "r", BY_ID[resource_id]):
                assert shapes[(kind, resource_id)][0] == 200, f"{token.name} may read {kind}/{resource_id}"


@pytest.mark.parametrize("token", TOKENS, ids=lambda t: t.name)
@pytest.mark.parametrize("name", sorted(INTERACTIONS))
def test_interaction(matrix_client: TestClient, matrix_store: Store, token: Token, name: str) -> None:
    _run(matrix_client, matrix_store, token, name, INTERACTIONS[name], TARGETS)


@pytest.mark.parametrize("token", TOKENS, ids=lambda t: t.name)
@pytest.mark.parametrize("name", sorted(REFERENCE_INTERACTIONS))
def test_reference_interaction(matrix_client: TestClient, matrix_store: Store, token: Token, name: str) -> None:
    _run(
        matrix_client,
        matrix_store,
        token,
        name,
        REFERENCE_INTERACTIONS[name],
        [("Observation", "oa"), ("Observation", "ob")],
    )
