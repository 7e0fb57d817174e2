"""Security: loopback-only anonymous mode, bearer tokens with SMART v2 scopes (tokens file, JWT + JWKS), patient
compartment, AuditEvents for writes and refused access, body-size limit, no internals in error responses."""

from __future__ import annotations

import json
import time
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from dermfhir.server import check_binding
from dermfhir.server.security import parse_scope
from tests.server.conftest import FHIR
from tests.server.resources import observation, patient

ADMIN, READER, PATIENT_APP, NOTHING = ("a" * 32, "r" * 32, "p" * 32, "n" * 32)


@pytest.fixture
def tokens_file(tmp_path: Path) -> Path:
    path = tmp_path / "tokens.yaml"
    path.write_text(
        json.dumps(
            {
                "tokens": [
                    {"token": ADMIN, "subject": "admin", "scope": "system/*.cruds"},
                    {"token": READER, "subject": "reader", "scope": "user/Patient.rs user/Observation.read"},
                    {"token": PATIENT_APP, "subject": "app", "scope": "patient/*.cruds", "patient": "pa"},
                    {"token": NOTHING, "subject": "nobody", "scope": "openid fhirUser"},
                ]
            }
        )
    )
    return path


@pytest.fixture
def secured(make_client, tokens_file: Path):
    client = make_client(auth="token", tokens_file=tokens_file)
    admin = {"Authorization": f"Bearer {ADMIN}", **FHIR}
    client.put("/Patient/pa", json=patient("A", id="pa"), headers=admin)
    client.put("/Patient/pb", json=patient("B", id="pb"), headers=admin)
    client.put("/Observation/oa", json=observation("Patient/pa", id="oa"), headers=admin)
    client.put("/Observation/ob", json=observation("Patient/pb", id="ob"), headers=admin)
    return client


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}", **FHIR}


def test_scope_parsing() -> None:
    assert parse_scope("patient/Observation.rs").permissions == "rs"
    assert parse_scope("user/*.write").permissions == "cud"
    assert parse_scope("system/*.*").permissions == "cruds"
    assert parse_scope("patient/Observation.sr") is None  # v2 order is c r u d s
    assert parse_scope("patient/Observation.rs?category=x") is None
    assert parse_scope("openid") is None


def test_anonymous_only_on_loopback() -> None:
    check_binding("127.0.0.1", "none")
    check_binding("::1", "none")
    with pytest.raises(ValueError, match="Refusing"):
        check_binding("0.0.0.0", "none")
    check_binding("0.0.0.0", "token")


def test_authentication_required(secured) -> None:
    assert secured.get("/metadata").status_code == 200  # the capability statement is public
    missing = secured.get("/Patient/pa")
    assert missing.status_code == 401 and missing.headers["www-authenticate"].startswith("Bearer")
    assert missing.json()["issue"][0]["code"] == "login"
    assert secured.get("/Patient/pa", headers={"Authorization": "Bearer wrong-token-123456"}).status_code == 401
    assert secured.get("/Patient/pa", headers={"Authorization": f"Basic {ADMIN}"}).status_code == 401


def test_scopes_per_interaction(secured) -> None:
    assert secured.get("/Patient/pa", headers=bearer(READER)).status_code == 200
    assert secured.get("/Observation?subject=Patient/pa", headers=bearer(READER)).status_code == 200
    refused = secured.post("/Patient", json=patient(), headers=bearer(READER))
    assert refused.status_code == 403 and refused.json()["issue"][0]["code"] == "forbidden"
    assert secured.get("/Practitioner", headers=bearer(READER)).status_code == 403
    assert secured.get("/Patient/pa", headers=bearer(NOTHING)).status_code == 403
    assert secured.get("/_history", headers=bearer(READER)).status_code == 403
    assert secured.get("/?_type=Patient", headers=bearer(READER)).status_code == 200


def test_patient_compartment(secured) -> None:
    app = bearer(PATIENT_APP)
    assert secured.get("/Patient/pa", headers=app).status_code == 200
    assert secured.get("/Patient/pb", headers=app).status_code == 403
    assert secured.get("/Observation/oa", headers=app).status_code == 200
    assert secured.get("/Observation/ob", headers=app).status_code == 403
    found = secured.get("/Observation", headers=app).json()
    assert [e["resource"]["id"] for e in found["entry"]] == ["oa"]
    patients = secured.get("/Patient?_revinclude=Observation:subject", headers=app).json()
    assert {e["resource"]["id"] for e in patients["entry"]} == {"pa", "oa"}
    assert secured.post("/Observation", json=observation("Patient/pb"), headers=app).status_code == 403
    assert secured.post("/Observation", json=observation("Patient/pa"), headers=app).status_code == 201
    moved = observation("Patient/pb", id="oa")
    assert secured.put("/Observation/oa", json=moved, headers=app).status_code == 403
    assert secured.delete("/Observation/ob", headers=app).status_code == 403
    assert secured.get("/Observation/_history", headers=app).status_code == 403
    included = secured.get("/Observation?_id=oa&_include=Observation:subject", headers=app).json()
    assert {e["resource"]["id"] for e in included["entry"]} == {"oa", "pa"}


def test_audit_events(secured) -> None:
    admin = bearer(ADMIN)
    before = secured.get("/AuditEvent?_summary=count", headers=admin).json()["total"]
    secured.post("/Patient", json=patient(), headers=admin)
    secured.get("/Patient/pb", headers=bearer(PATIENT_APP))  # refused
    secured.get("/Patient/pa")  # unauthenticated
    events = secured.get("/AuditEvent?_sort=-_lastUpdated&_count=3", headers=admin).json()["entry"]
    assert secured.get("/AuditEvent?_summary=count", headers=admin).json()["total"] == before + 3
    unauthenticated, refused, written = (e["resource"] for e in events)
    assert written["outcome"] == "0" and written["action"] == "C"
    assert written["entity"][0]["what"]["reference"].startswith("Patient/")
    assert written["agent"][0]["who"]["display"] == "admin"
    assert refused["outcome"] == "4" and refused["agent"][0]["who"]["display"] == "app"
    assert unauthenticated["outcome"] == "4"


def test_body_size_limit(make_client) -> None:
    client = make_client(max_body_bytes=2000)
    div = '<div xmlns="http://www.w3.org/1999/xhtml">' + "x" * 5000 + "</div>"
    big = patient(text={"status": "generated", "div": div})
    response = client.post("/Patient", json=big, headers=FHIR)
    assert response.status_code == 413 and response.json()["issue"][0]["code"] == "too-costly"
    assert client.post("/Patient", json=patient(), headers=FHIR).status_code == 201


def _jwks(tmp_path: Path) -> tuple[Path, object, object]:
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    rsa_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(rsa_key.public_key()))
    ec_jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(ec_key.public_key()))
    rsa_jwk.update(kid="rsa-1", alg="RS256", use="sig")
    ec_jwk.update(kid="ec-1", alg="ES256", use="sig")
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": [rsa_jwk, ec_jwk]}))
    return path, rsa_key, ec_key


def test_jwt_with_jwks(make_client, tmp_path: Path) -> None:
    path, rsa_key, ec_key = _jwks(tmp_path)
    client = make_client(auth="token", jwks_file=path, jwt_audience="dermfhir")
    now = int(time.time())
    claims = {"sub": "svc", "aud": "dermfhir", "exp": now + 300, "scope": "system/Patient.cruds"}
    rs = jwt.encode(claims, rsa_key, algorithm="RS256", headers={"kid": "rsa-1"})
    es = jwt.encode({**claims, "scope": "system/Patient.rs"}, ec_key, algorithm="ES256", headers={"kid": "ec-1"})
    assert client.post("/Patient", json=patient(), headers=bearer(rs)).status_code == 201
    assert client.get("/Patient", headers=bearer(es)).status_code == 200
    assert client.post("/Patient", json=patient(), headers=bearer(es)).status_code == 403
    expired = jwt.encode({**claims, "exp": now - 3600}, rsa_key, algorithm="RS256", headers={"kid": "rsa-1"})
    assert client.get("/Patient", headers=bearer(expired)).status_code == 401
    wrong_aud = jwt.encode({**claims, "aud": "other"}, rsa_key, algorithm="RS256", headers={"kid": "rsa-1"})
    assert client.get("/Patient", headers=bearer(wrong_aud)).status_code == 401
    forged = jwt.encode(claims, ec_key, algorithm="ES256", headers={"kid": "rsa-1"})
    assert client.get("/Patient", headers=bearer(forged)).status_code == 401
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    foreign = jwt.encode(claims, other, algorithm="RS256", headers={"kid": "rsa-1"})
    assert client.get("/Patient", headers=bearer(foreign)).status_code == 401
    unsigned = jwt.encode(claims, None, algorithm="none")
    assert client.get("/Patient", headers=bearer(unsigned)).status_code == 401


def test_errors_reveal_no_internals(client, monkeypatch) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("SELECT secret FROM resource -- Traceback")

    monkeypatch.setattr(client.app.state.services.store, "read", explode)
    response = client.get("/Patient/abc")
    assert response.status_code == 500
    assert response.json()["resourceType"] == "OperationOutcome"
    assert "SELECT" not in response.text and "Traceback" not in response.text
