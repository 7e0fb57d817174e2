"""SMART Health Card files: each credential's FHIR Bundle is validated where it sits in the JWS payload."""

from __future__ import annotations

import base64
import json
import zlib

from dermfhir.validation import Validator

_PATIENT = {"resourceType": "Patient", "name": [{"family": "Doe"}]}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _card(bundle: object, compressed: bool = True) -> dict:
    header = {"alg": "ES256", "kid": "k1", **({"zip": "DEF"} if compressed else {})}
    payload = json.dumps(
        {
            "iss": "https://issuer.example.org",
            "nbf": 1631679478,
            "vc": {
                "type": ["https://smarthealth.cards#health-card"],
                "credentialSubject": {"fhirVersion": "4.0.1", "fhirBundle": bundle},
            },
        }
    ).encode()
    if compressed:
        deflater = zlib.compressobj(wbits=-15)
        payload = deflater.compress(payload) + deflater.flush()
    return {"verifiableCredential": [f"{_b64(json.dumps(header).encode())}.{_b64(payload)}.{_b64(b'signature')}"]}


def _bundle(patient: dict) -> dict:
    return {"resourceType": "Bundle", "type": "collection", "entry": [{"fullUrl": "resource:0", "resource": patient}]}


def _issues(validator: Validator, card: dict) -> list[tuple[str, str, str]]:
    return [(issue.severity, issue.location, issue.message_id) for issue in validator.issues(card)]


def test_a_health_card_bundle_is_validated(validator: Validator) -> None:
    assert _issues(validator, _card(_bundle(_PATIENT))) == [
        ("information", "verifiableCredential[0]", "SHC_SIGNATURE_NOT_CHECKED")
    ]
    assert _issues(validator, _card(_bundle(_PATIENT), compressed=False)) == [
        ("information", "verifiableCredential[0]", "SHC_SIGNATURE_NOT_CHECKED")
    ]
    wrong = _bundle({**_PATIENT, "gender": "x"})
    plain = [issue.message_id for issue in validator.issues(wrong) if issue.is_error]
    assert plain  # the same errors as the Bundle alone, where the Bundle sits in the card
    in_card = [issue for issue in validator.issues(_card(wrong)) if issue.is_error]
    assert [issue.message_id for issue in in_card] == plain
    assert {issue.location for issue in in_card} == {
        "verifiableCredential[0].payload.vc.credentialSubject.fhirBundle.entry[0].resource.gender"
    }


def test_what_is_no_health_card_is_said_clearly(validator: Validator) -> None:
    assert _issues(validator, {"verifiableCredential": ["not-a-jws", 3]}) == [
        ("error", "verifiableCredential[0]", "SHC_NOT_JWS"),
        ("error", "verifiableCredential[1]", "SHC_NOT_JWS"),
    ]
    unreadable = {"verifiableCredential": [f"{_b64(b'{}')}.%%%.{_b64(b's')}"]}
    assert _issues(validator, unreadable) == [("error", "verifiableCredential[0]", "SHC_PAYLOAD_UNREADABLE")]
    without_bundle = _card(None)
    assert ("error", "verifiableCredential[0].payload", "SHC_NO_BUNDLE") in _issues(validator, without_bundle)
    # an object that is no card and no resource is still no resource
    assert [issue.message_id for issue in validator.issues({"verifiable": []})] == ["Unable_to_find_resourceType"]
