"""A generated hostile-input suite (over 2,000 cases per backend): search values, control parameters, chains and
`_has`, paths, bodies, headers, Bundle entries and mutated resources. Every answer must be a well-formed FHIR answer:
never a 500, and an OperationOutcome for every error. Timing is measured in bench/server.py, not here.
"""

from __future__ import annotations

import base64
import json
import random
import warnings
from collections.abc import Iterator

import pytest

from dermfhir.definitions import Definitions
from dermfhir.server import ServerConfig, create_app
from dermfhir.store import Store
from dermfhir.store.sqlite import SqliteStore
from dermfhir.validation import Validator
from tests.conftest import NO_POSTGRES, POSTGRES_URL, open_postgres

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

FHIR = "application/fhir+json"
VALUES = [
    "",
    "' OR 1=1 --",
    "x'); DROP TABLE resource; --",
    "%",
    "_",
    "\\",
    "\\,",
    ",,,",
    "|",
    "||||",
    "a|b|c",
    "9" * 400,
    "1e999999",
    "-0",
    "NaN",
    "Infinity",
    "gt",
    "ge9999-12-31",
    "lt0001-01-01",
    "eq9999-12-31T23:59:59.999999999+14:00",
    "ap2024-02-30",
    "sa2024-13-01",
    "2024-01-01T25:00:00Z",
    "ne-1",
    "Patient/",
    "/Patient/x",
    "Patient/../../etc",
    "http://evil.example/Patient/1",
    "urn:uuid:",
    "😀" * 40,
    "\u202e\u200b",
    "\ud7ff",
    "x" * 5000,
    "1.0000000000000000000000001",
    "5.4|http://unitsofmeasure.org|mm",
    "5.4||",
    "$$$",
    "a,b,c," * 40,
]
PARAMETERS = [
    ("Patient", "name"),
    ("Patient", "name:exact"),
    ("Patient", "name:contains"),
    ("Patient", "family:missing"),
    ("Patient", "birthdate"),
    ("Patient", "identifier"),
    ("Patient", "identifier:text"),
    ("Patient", "gender:not"),
    ("Patient", "_id"),
    ("Patient", "_lastUpdated"),
    ("Patient", "_tag"),
    ("Patient", "_profile"),
    ("Patient", "general-practitioner"),
    ("Patient", "general-practitioner:Practitioner.name"),
    ("Patient", "_has:Observation:subject:code"),
    ("Patient", "_has:Observation:subject:_has:Provenance:target:agent"),
    ("Observation", "subject"),
    ("Observation", "subject:Patient.gender"),
    ("Observation", "subject:Patient.general-practitioner.name"),
    ("Observation", "subject:identifier"),
    ("Observation", "value-quantity"),
    ("Observation", "code-value-quantity"),
    ("Observation", "date"),
    ("Observation", "focus"),
    ("Observation", "component-code"),
    ("Observation", "_source"),
    ("Observation", "nonsense"),
    ("Observation", "subject.nonsense"),
]
CONTROLS = [
    "_count",
    "_offset",
    "_sort",
    "_include",
    "_revinclude",
    "_include:iterate",
    "_elements",
    "_summary",
    "_total",
    "_contained",
    "_type",
    "_format",
    "_pretty",
    "_text",
    "_filter",
]
CONTROL_VALUES = [
    "",
    "-1",
    "0",
    "²",
    "١٢",
    "99999999999999999999",
    "1e3",
    "*",
    "*:*",
    "Observation:*",
    "Observation:subject:Patient",
    "Nope:subject",
    "-_lastUpdated,_id,-name",
    "name,,,",
    "count",
    "xml",
    "text/turtle",
    "true",
    "id,meta,text",
    "a" * 300,
]
PATHS = [
    "/Patient/%2e%2e",
    "/Patient/a%00b",
    "/Patient/" + "a" * 65,
    "/Patient/x/_history/abc",
    "/Patient/x/_history/99999999999999999999",
    "/Patient/x/_history/1/extra",
    "/Patient/x/$nonsense",
    "/Patient/$",
    "/$validate",
    "/$everything",
    "/Nope",
    "/patient",
    "/Patient/../Observation",
    "/Patient/x/y/z",
    "/_history/x",
    "/metadata/x",
    "/_search/x",
    "/Patient/_history/x",
    "/ValueSet/$expand",
    "/CodeSystem/$lookup",
    "/ConceptMap/$translate",
    "/ValueSet/$validate-code",
    "/Patient/\u00e9",
    "/SubscriptionStatus",
    "/Observation/_search",
    "/.well-known/nothing",
    "/%ff%fe",
    "/Patient/x/$validate",
]
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"]
BODIES: list[bytes] = [
    b"",
    b"null",
    b"[]",
    b"{}",
    b"0",
    b'"text"',
    b"{",
    b'{"resourceType":',
    b'{"resourceType": null}',
    b'{"resourceType": 1}',
    b'{"resourceType": "Nope"}',
    b'{"resourceType": "Patient", "id": ["x"]}',
    b'{"resourceType": "Patient", "id": "' + b"a" * 200 + b'"}',
    b'{"resourceType": "Patient", "name": "x"}',
    b'{"resourceType": "Patient", "birthDate": "9999-12-31"}',
    b'{"resourceType": "Patient", "birthDate": 20240101}',
    b'{"resourceType": "Patient", "multipleBirthInteger": 1e999}',
    b'{"resourceType": "Patient", "multipleBirthInteger": 123456789012345678901234567890}',
    b'{"resourceType": "Patient", "multipleBirthInteger": NaN}',
    b'{"resourceType": "Patient", "active": "true"}',
    b'{"resourceType": "Patient", "name": [{"family": "\\ud800"}]}',
    b'{"resourceType": "Patient", "name": [{"family": "a\\u0000b"}]}',
    b'{"resourceType": "Patient", "name": [{"family": "x"}], "name": [{"family": "y"}]}',
    b'{"resourceType": "Patient"} trailing',
    b'{"resourceType": "Patient", "meta": {"versionId": {"x": 1}}}',
    b'{"resourceType": "Patient", "contained": [{"resourceType": "Patient", "contained": []}]}',
    b'{"resourceType": "Bundle", "type": "transaction", "entry": "x"}',
    b'{"resourceType": "Bundle", "type": "transaction", "entry": [null, 1, "x", []]}',
    b'{"resourceType": "Bundle", "type": "batch", "entry": [{"request": {"method": "GET", "url": 7}}]}',
    b'{"resourceType": "Bundle", "type": "history"}',
    b'{"resourceType": "Parameters", "parameter": "x"}',
    b'{"resourceType": "Parameters", "parameter": [{"name": "resource", "resource": 1}]}',
    b"\xff\xfe\x00\x00",
    b"\xef\xbb\xbf{}",
    b'{"resourceType": "Patient", "extension": [' + b'{"url": "http://x", "extension": [' * 150 + b"]}" * 150 + b"]}",
    b"[" * 5000 + b"]" * 5000,
    b'{"a":' * 3000 + b"1" + b"}" * 3000,
    b'{"resourceType": "Patient", "text": {"status": "generated", "div": "<div><script>x</script></div>"}}',
    b'{"resourceType": "Observation", "status": "final", "code": {}, "valueQuantity": {"value": 1.10}}',
    b'{"resourceType": "Observation", "subject": {"reference": "Patient?identifier=nope"}}',
]
BODY_TARGETS = [
    ("POST", "/Patient"),
    ("PUT", "/Patient/hx"),
    ("POST", "/"),
    ("POST", "/Patient/$validate"),
    ("PUT", "/Patient?identifier=urn:x|1"),
    ("POST", "/Patient/_search"),
]
HEADERS = (
    [
        ("if-none-exist", value)
        for value in [
            "",
            "?",
            "Patient?",
            "_id=",
            "name=x&_count=0",
            "_sort=name",
            "nonsense=1",
            "identifier=" + "x" * 500,
        ]
    ]
    + [("if-match", value) for value in ["", "W/", 'W/"x"', '"1', "*", 'W/"99999999999999999999"', "1,2"]]
    + [
        ("prefer", value)
        for value in ["return=", "return=nonsense", "handling=lenient", "handling=strict", "respond-async", ";;;,,,="]
    ]
    + [
        ("accept", value)
        for value in ["application/fhir+xml", "text/turtle", "*/*;q=x", "application/json;fhirVersion=3.0", ",,,"]
    ]
    + [
        ("content-type", value)
        for value in [
            "text/plain",
            "application/xml",
            "multipart/form-data; boundary=x",
            "application/json; charset=latin1",
        ]
    ]
)
HEADER_TARGETS = [("POST", "/Patient"), ("PUT", "/Patient/hx"), ("GET", "/Patient/hx"), ("DELETE", "/Patient/hx")]
ENTRY_URLS = [
    "Patient",
    "Patient/",
    "Patient/hx",
    "Patient?identifier=urn:x|1",
    "Patient?_count=0",
    "Patient?",
    "/Patient/hx/_history/1",
    "Patient/hx/$validate",
    "http://evil.example/Patient/1",
    "",
    "?",
    "Nope/1",
    "metadata",
    "Patient/hx/_history",
    "Patient?_has:Observation:subject:code=x",
    "urn:uuid:1",
    "Patient/../x",
    "Observation?subject:Patient.name=x",
]


JSON_PATCH = "application/json-patch+json"
_DIV = '<div xmlns="http://www.w3.org/1999/xhtml">' + "x" * 20000 + "</div>"
JSON_PATCHES: list[bytes] = [
    b"[]",
    b"{}",
    b"null",
    b'"add"',
    b"[1, null, []]",
    b'[{"op": "add"}]',
    b'[{"op": "add", "path": "/active"}]',
    b'[{"op": "add", "path": 7, "value": true}]',
    b'[{"op": "jump", "path": "/active", "value": true}]',
    b'[{"op": "move", "path": "/name"}]',
    b'[{"op": "remove", "path": "/id"}]',
    b'[{"op": "replace", "path": "/id", "value": "other"}]',
    b'[{"op": "replace", "path": "/id", "value": ["hx"]}]',
    b'[{"op": "replace", "path": "/resourceType", "value": "Observation"}]',
    b'[{"op": "remove", "path": "/resourceType"}]',
    b'[{"op": "replace", "path": "", "value": []}]',
    b'[{"op": "replace", "path": "", "value": {"resourceType": "Patient", "id": "hx"}}]',
    b'[{"op": "replace", "path": "", "value": {"resourceType": "Bundle", "id": "hx", "type": "transaction"}}]',
    b'[{"op": "move", "from": "/name", "path": "/name/0"}]',
    b'[{"op": "copy", "from": "", "path": "/contained/-"}]',
    b'[{"op": "add", "path": "/name/99", "value": {}}]',
    b'[{"op": "add", "path": "/name/-1", "value": {}}]',
    b'[{"op": "add", "path": "/name/01", "value": {}}]',
    b'[{"op": "test", "path": "/name", "value": null}]',
    b'[{"op": "add", "path": "/~2", "value": 1}]',
    b'[{"op": "add", "path": "name", "value": 1}]',
    b'[{"op": "add", "path": "/birthDate", "value": "9999-12-31"}]',
    b'[{"op": "add", "path": "/birthDate", "value": 1e999}]',
    b'[{"op": "add", "path": "/name/0/family", "value": "a\\u0000b"}]',
    b'[{"op": "add", "path": "/name/0/family", "value": "\\ud800"}]',
    b'[{"op": "add", "path": "/multipleBirthInteger", "value": 123456789012345678901234567890}]',
    b'[{"op": "add", "path": "' + b"/a" * 20000 + b'", "value": 1}]',
    b'[{"op": "add", "path": "/extension", "value": ' + b"[" * 300 + b"]" * 300 + b"}]",
    b'[{"op": "add", "path": "/active", "value": true}'
    + b', {"op": "add", "path": "/active", "value": true}' * 5000
    + b"]",
    json.dumps(
        [{"op": "add", "path": "/text", "value": {"status": "generated", "div": _DIV}}]
        + [{"op": "copy", "from": "", "path": f"/contained{n}"} for n in range(200)]
    ).encode(),
    json.dumps([{"op": "copy", "from": "", "path": "/extension/0/extension/0"}] * 50).encode(),
]


def _fhirpath_operation(*parts: tuple[str, str, object]) -> dict:
    return {"name": "operation", "part": [{"name": name, key: value} for name, key, value in parts]}


def _fhirpath_patches() -> list[bytes]:
    def op(kind: object, path: object, *more: tuple[str, str, object]) -> dict:
        return _fhirpath_operation(("type", "valueCode", kind), ("path", "valueString", path), *more)

    value = ("value", "valueString", "x")
    nested: dict = {"name": "value", "valueString": "x"}
    for _ in range(300):
        nested = {"name": "value", "part": [nested]}
    operations: list[object] = [
        None,
        [],
        [{"name": "other"}],
        [{"name": "operation"}],
        [{"name": "operation", "part": "x"}],
        [{"name": "operation", "part": [{"name": "type", "valueCode": "add"}, {"name": "type", "valueCode": "add"}]}],
        [op("explode", "Patient", value)],
        [op(7, "Patient", value)],
        [op("add", "Patient")],
        [op("add", "", ("name", "valueString", "active"), ("value", "valueBoolean", True))],
        [op("add", "Patient", ("name", "valueString", "id"), value)],
        [op("add", "Patient", ("name", "valueString", "resourceType"), value)],
        [op("add", "Patient", ("name", "valueString", "../x"), value)],
        [op("add", "Patient", ("name", "valueString", "contact"), ("value", "part", [nested]))],
        [op("add", "Patient", ("name", "valueString", "contact"), ("value", "part", [{"name": "nope"}]))],
        [op("add", "Patient", ("name", "valueString", "active"), ("value", "valueBoolean", True))] * 2000,
        [op("replace", "Patient.id", ("value", "valueId", "other"))],
        [op("replace", "Patient", value)],
        [op("replace", "Patient.resourceType", value)],
        [op("delete", "Patient")],
        [op("delete", "Patient.id")],
        [op("delete", "Patient.name.resolve()")],
        [op("delete", "Patient.name.where(")],
        [op("delete", "Patient.name[0")],
        [op("delete", "Patient.name.where(1/0)")],
        [op("delete", "Patient.name.where(repeat(name).exists())")],
        [op("delete", "Patient.descendants()")],
        [op("delete", "Observation.subject")],
        [op("delete", "(" * 5000)],
        [op("delete", "Patient" + ".name" * 5000)],
        [op("delete", "Patient.name[99999999999999999999]")],
        [op("delete", "Patient.name.where(family = '" + "x" * 100000 + "')")],
        [op("insert", "Patient.name", ("index", "valueInteger", -1), value)],
        [op("insert", "Patient.name", ("index", "valueInteger", 10**12), value)],
        [op("insert", "Patient.gender", ("index", "valueInteger", 0), value)],
        [op("insert", "Patient.name.where(true)", ("index", "valueInteger", 0), value)],
        [op("move", "Patient.name", ("source", "valueInteger", 0), ("destination", "valueInteger", 10**12))],
        [op("move", "Patient", ("source", "valueInteger", 0), ("destination", "valueInteger", 0))],
        [op("replace", "Patient.birthDate", ("value", "valueDate", "9999-12-31"))],
        [op("replace", "Patient.name.family", ("value", "valueString", "a\u0000b"))],
    ]
    return [json.dumps({"resourceType": "Parameters", "parameter": item}).encode() for item in operations]


FHIRPATH_PATCHES = _fhirpath_patches()
PATCH_TARGETS = ["/Patient/hx", "/Patient?name=Hostile", "/Patient?identifier=urn:x|none", "/Patient/none"]


def _patient_body(**extra: object) -> dict:
    return {"resourceType": "Patient", "name": [{"family": "Hostile"}], **extra}


def _entry_bundle(kind: str, method: str, url: str) -> bytes:
    request: dict = {"method": method, "url": url}
    entry: dict = {"request": request}
    if method in ("POST", "PUT"):
        entry["resource"] = _patient_body(id="hx") if method == "PUT" else _patient_body()
    if method == "POST":
        request["ifNoneExist"] = url.partition("?")[2] or "identifier=urn:x|1"
    return json.dumps({"resourceType": "Bundle", "type": kind, "entry": [entry, entry]}).encode()


def _patch_bundle(kind: str, patch: bytes) -> bytes:
    """A Bundle whose PATCH entry carries `patch` (a JSON Patch in a Binary, or a Parameters as it is)."""
    try:
        parsed = json.loads(patch)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict) and parsed.get("resourceType") == "Parameters":
        resource = parsed
    else:
        resource = {"resourceType": "Binary", "contentType": JSON_PATCH, "data": base64.b64encode(patch).decode()}
    entry = {"request": {"method": "PATCH", "url": "Patient/hx"}, "resource": resource}
    return json.dumps({"resourceType": "Bundle", "type": kind, "entry": [entry]}).encode()


def _mutations(count: int) -> list[bytes]:
    """Valid-looking resources with one part swapped for something odd (seeded: the same cases every run)."""
    chooser = random.Random(8)
    odd = [None, [], {}, "", 0, -1, 1e308, True, "x" * 3000, [None], {"x": None}, [[1]], "9999-12-31", "\u0000"]
    keys = ["id", "meta", "name", "birthDate", "identifier", "subject", "code", "valueQuantity", "status", "extension"]
    found = []
    for _ in range(count):
        resource_type = chooser.choice(["Patient", "Observation"])
        body: dict = {"resourceType": resource_type}
        if resource_type == "Observation":
            body |= {"status": "final", "code": {"text": "x"}, "subject": {"reference": "Patient/hx"}}
        else:
            body |= {"name": [{"family": "M"}]}
        for _ in range(chooser.randint(1, 3)):
            body[chooser.choice(keys)] = chooser.choice(odd)
        found.append(json.dumps(body).encode())
    return found


def _cases() -> list[tuple[str, str, dict[str, str], bytes | None]]:
    """(method, url, headers, body) for every generated case."""
    cases: list[tuple[str, str, dict[str, str], bytes | None]] = []
    for resource_type, name in PARAMETERS:
        for value in VALUES:
            cases.append(("GET", f"/{resource_type}", {"_query": f"{name}={value}"}, None))
    for name in CONTROLS:
        for value in CONTROL_VALUES:
            cases.append(("GET", "/Observation", {"_query": f"{name}={value}"}, None))
    for path in PATHS:
        for method in METHODS:
            body = json.dumps(_patient_body()).encode() if method in ("POST", "PUT") else None
            cases.append((method, path, {}, body))
    for body in BODIES:
        for method, path in BODY_TARGETS:
            cases.append((method, path, {"content-type": FHIR}, body))
    for header, value in HEADERS:
        for method, path in HEADER_TARGETS:
            body = json.dumps(_patient_body(id="hx")).encode() if method in ("POST", "PUT") else None
            cases.append((method, path, {"content-type": FHIR, header: value}, body))
    for kind in ("transaction", "batch"):
        for url in ENTRY_URLS:
            for method in ("GET", "POST", "PUT", "DELETE", "HEAD", "PATCH"):
                cases.append(("POST", "/", {"content-type": FHIR}, _entry_bundle(kind, method, url)))
    for path in PATCH_TARGETS:
        for body in JSON_PATCHES:
            cases.append(("PATCH", path, {"content-type": JSON_PATCH}, body))
        for body in FHIRPATH_PATCHES:
            cases.append(("PATCH", path, {"content-type": FHIR}, body))
    for body in [*JSON_PATCHES, *FHIRPATH_PATCHES]:
        for kind in ("transaction", "batch"):
            cases.append(("POST", "/", {"content-type": FHIR}, _patch_bundle(kind, body)))
    for index, body in enumerate(_mutations(300)):
        method, path = BODY_TARGETS[index % 2]
        cases.append((method, path, {"content-type": FHIR}, body))
    return cases


CASES = _cases()


def test_the_suite_is_large_enough() -> None:
    assert len(CASES) >= 2000


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def hostile_client(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    definitions = Definitions.default()
    if request.param == "postgres":
        if not POSTGRES_URL:
            pytest.skip(NO_POSTGRES)
        store: Store = open_postgres(definitions)
    else:
        store = SqliteStore(tmp_path_factory.mktemp("hostile") / "hostile.db", definitions)
    app = create_app(ServerConfig(), store=store, definitions=definitions, validator=Validator(definitions))
    client = TestClient(app, base_url="http://testserver", raise_server_exceptions=False)
    store.update({"resourceType": "Patient", "id": "hx", "name": [{"family": "Hostile"}]})
    store.create(
        {
            "resourceType": "Observation",
            "status": "final",
            "code": {"text": "x"},
            "subject": {"reference": "Patient/hx"},
        }
    )
    try:
        yield client
    finally:
        store.close()


@pytest.mark.parametrize("case", range(len(CASES)))
def test_hostile_case(hostile_client: TestClient, case: int) -> None:
    method, path, headers, body = CASES[case]
    headers = dict(headers)
    query = headers.pop("_query", None)
    url = f"{path}?{query}" if query is not None else path
    answer = hostile_client.request(method, url, content=body, headers=headers)
    assert answer.status_code < 500, f"{method} {url[:200]} → {answer.status_code} {answer.text[:300]}"
    if answer.status_code >= 400 and method != "HEAD":
        assert answer.json()["resourceType"] == "OperationOutcome", answer.text[:300]
