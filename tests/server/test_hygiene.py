"""Deployment hygiene and degradation: links never built from the Host header, no password in the banner, a valid
R4 CapabilityStatement, SMART discovery, OPTIONS, explicit refusal of query strings on create, client conveniences,
loopback-only anonymous serving in every entry point, 503 with Retry-After, and one resource from concurrent
identical conditional creates."""

from __future__ import annotations

import argparse
import socket
import threading
import time
import warnings

import pytest

from dermfhir.cli.serve_commands import _banner
from dermfhir.server import ServerConfig
from dermfhir.server.app import app_from_environment
from dermfhir.store import QueryTimeout, Unavailable
from tests.server.conftest import FHIR, start_server
from tests.server.resources import patient

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def test_links_ignore_the_host_header(client) -> None:
    evil = {"Host": "evil.example", **FHIR}
    created = client.post("/Patient", json=patient(), headers=evil)
    assert "evil" not in created.headers["location"]
    found = client.get("/Patient", headers=evil).json()
    assert all("evil" not in link["url"] for link in found["link"])
    assert "evil" not in client.get("/metadata", headers=evil).text


def test_banner_hides_the_password(capsys) -> None:
    arguments = argparse.Namespace(db="postgresql://dermfhir:s3cret@db.example/fhir", auth="token", no_site=False)
    _banner("http://127.0.0.1:8080", arguments)
    shown = capsys.readouterr().out
    assert "s3cret" not in shown and "dermfhir:***@db.example" in shown


def test_capability_statement_is_valid_r4(client) -> None:
    statement = client.get("/metadata").json()
    types = {item["type"] for item in statement["rest"][0]["resource"]}
    assert "SubscriptionStatus" not in types and {"Patient", "Observation", "Binary"} <= types
    outcome = client.post("/CapabilityStatement/$validate", json=statement, headers=FHIR).json()
    errors = [issue for issue in outcome["issue"] if issue["severity"] in ("error", "fatal")]
    assert errors == []


def test_smart_configuration_is_public(make_client, tmp_path) -> None:
    tokens = tmp_path / "tokens.json"
    tokens.write_text('{"tokens": []}')
    client = make_client(auth="token", tokens_file=tokens, jwt_issuer="https://auth.example")
    answer = client.get("/.well-known/smart-configuration")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/json")
    found = answer.json()
    assert "permission-v2" in found["capabilities"] and found["issuer"] == "https://auth.example"
    assert client.get("/Patient").status_code == 401


def test_options_answers_fhir(client) -> None:
    answer = client.options("/Patient")
    assert answer.status_code == 200 and answer.json()["resourceType"] == "CapabilityStatement"
    assert "GET" in answer.headers["allow"]


def test_create_with_a_query_string_is_refused(client) -> None:
    answer = client.post("/Patient?identifier=urn:x|1", json=patient(), headers=FHIR)
    assert answer.status_code == 400 and answer.json()["issue"][0]["code"] == "not-supported"
    assert client.get("/Patient?_summary=count").json()["total"] == 0


def test_client_conveniences_are_dropped(client) -> None:
    client.post("/Patient", json=patient(), headers=FHIR)
    answer = client.get("/Patient?_totalMethod=count")
    assert answer.status_code == 200 and answer.json()["total"] == 1
    assert client.get("/Patient?_unknownThing=1").status_code == 400


def test_anonymous_serving_refuses_remote_clients(make_client) -> None:
    remote = make_client(loopback_clients_only=True)
    assert remote.get("/metadata").status_code == 403
    # every route, not only the FHIR API: images, DICOMweb, Bulk Data status, the web UI
    for path in ("/images/DocumentReference/x", "/dicomweb/studies/1/series/2/instances/3", "/bulk/status/x", "/ui/"):
        refused = remote.get(path)
        assert refused.status_code == 403, path
        assert refused.json()["resourceType"] == "OperationOutcome"
    local = TestClient(remote.app, client=("127.0.0.1", 40000))
    assert local.get("/metadata").status_code == 200


def test_factory_entry_point_checks_the_binding(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("DERMFHIR_DB", str(tmp_path / "f.db"))
    monkeypatch.setenv("DERMFHIR_AUTH", "none")
    monkeypatch.setenv("DERMFHIR_HOST", "0.0.0.0")
    with pytest.raises(ValueError, match="Refusing"):
        app_from_environment()
    monkeypatch.delenv("DERMFHIR_HOST")
    app = app_from_environment()
    assert app.state.services.config.loopback_clients_only
    assert TestClient(app).get("/metadata").status_code == 403
    app.state.services.store.close()


@pytest.mark.parametrize("error", [QueryTimeout("slow"), Unavailable("busy")])
def test_busy_database_is_503_with_retry_after(client, monkeypatch, error) -> None:
    def busy(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(client.app.state.services.store, "search", busy)
    answer = client.get("/Patient")
    assert answer.status_code == 503 and int(answer.headers["retry-after"]) > 0
    assert answer.json()["resourceType"] == "OperationOutcome"


def test_concurrent_identical_if_none_exist_transactions_make_one(client) -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "resource": patient(identifier=[{"system": "urn:x", "value": "one"}]),
                "request": {"method": "POST", "url": "Patient", "ifNoneExist": "identifier=urn:x|one"},
            }
        ],
    }
    barrier = threading.Barrier(8)
    statuses: list[int] = []

    def post() -> None:
        barrier.wait()
        statuses.append(client.post("/", json=bundle, headers=FHIR).status_code)

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert statuses == [200] * 8
    assert client.get("/Patient?identifier=urn:x|one&_summary=count").json()["total"] == 1


def test_slow_headers_are_cut_off(tmp_path) -> None:
    server = start_server(str(tmp_path / "h.db"), "--header-timeout", "1")
    try:
        host, port = server.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(b"GET /metadata HTTP/1.1\r\nHost: x\r\n")
            started = time.monotonic()
            assert sock.recv(100) == b""  # closed by the server
            assert time.monotonic() - started < 8
    finally:
        server.stop()


def test_config_defaults_bound_the_work() -> None:
    config = ServerConfig()
    assert config.statement_timeout and config.statement_timeout <= 10
    assert config.pool_timeout <= 10


@pytest.mark.parametrize("path", ["/Patient", "/Patient/$validate", "/Patient/big"])
def test_validation_holds_no_lock(client, monkeypatch, path: str) -> None:
    """While one large resource is being validated, another writer completes (the check runs outside the write)."""
    gate = client.app.state.services.gate
    original = gate.outcome
    other_done = threading.Event()
    first = threading.Event()

    def slow_outcome(resource: dict, profiles: list[str] | None = None) -> dict:
        if resource.get("id") == "big" or resource.get("name", [{}])[0].get("family") == "Big":
            first.set()
            assert other_done.wait(30), "another writer was blocked while a resource was validated"
        return original(resource, profiles)

    monkeypatch.setattr(gate, "outcome", slow_outcome)
    big = patient("Big", id="big")
    method = "PUT" if path.endswith("/big") else "POST"
    answers: list[int] = []
    worker = threading.Thread(
        target=lambda: answers.append(client.request(method, path, json=big, headers=FHIR).status_code)
    )
    worker.start()
    assert first.wait(30)
    assert client.post("/Patient", json=patient("Other"), headers=FHIR).status_code == 201
    other_done.set()
    worker.join(30)
    assert answers and answers[0] in (200, 201)
