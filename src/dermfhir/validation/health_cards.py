"""SMART Health Card files (`.smart-health-card`, SMART Health Cards framework): `{"verifiableCredential": [JWS…]}`.

Each credential is a JWS in compact serialization (`header.payload.signature`, base64url parts); its header's `zip`
`DEF` says the payload is raw DEFLATE. The payload is a JWT whose `vc.credentialSubject.fhirBundle` is a FHIR
Bundle: validated as any resource, at `verifiableCredential[i].payload.vc.credentialSubject.fhirBundle`. The
signature is not verified (the issuer's keys are published online, at its `/.well-known/jwks.json`): an information
issue says so.
"""

from __future__ import annotations

import base64
import binascii
import zlib
from typing import TYPE_CHECKING, Any

import orjson

from dermfhir.validation.messages import MessageId
from dermfhir.validation.outcome import IssueType

if TYPE_CHECKING:
    from dermfhir.validation.checker import Checker


def is_health_card_file(value: Any) -> bool:
    """A JSON object with no resourceType and a `verifiableCredential` array: a SMART Health Card file."""
    return (
        isinstance(value, dict) and "resourceType" not in value and isinstance(value.get("verifiableCredential"), list)
    )


def check(walker: Checker, value: dict) -> None:
    for index, credential in enumerate(value["verifiableCredential"]):
        location = f"verifiableCredential[{index}]"
        parts = credential.split(".") if isinstance(credential, str) else []
        if len(parts) != 3:
            walker.run.error(IssueType.STRUCTURE, MessageId.SHC_NOT_JWS, location)
            continue
        try:
            header = orjson.loads(_base64url(parts[0]))
            payload_bytes = _base64url(parts[1])
            if isinstance(header, dict) and header.get("zip") == "DEF":
                payload_bytes = _inflate(payload_bytes)
            payload = orjson.loads(payload_bytes)
        except (ValueError, binascii.Error, zlib.error, orjson.JSONDecodeError) as error:
            walker.run.error(IssueType.STRUCTURE, MessageId.SHC_PAYLOAD_UNREADABLE, location, error=error)
            continue
        walker.run.info(IssueType.INFORMATIONAL, MessageId.SHC_SIGNATURE_NOT_CHECKED, location)
        vc = payload.get("vc") if isinstance(payload, dict) else None
        subject = vc.get("credentialSubject") if isinstance(vc, dict) else None
        bundle = subject.get("fhirBundle") if isinstance(subject, dict) else None
        if not isinstance(bundle, dict):
            walker.run.error(IssueType.REQUIRED, MessageId.SHC_NO_BUNDLE, f"{location}.payload")
            continue
        walker.resource(bundle, f"{location}.payload.vc.credentialSubject.fhirBundle", explicit=True)


#: The most a payload may inflate to: a health card is small (it fits in QR codes); a payload inflating further is
#: not one, and inflating it on would only fill memory.
MAX_PAYLOAD = 1 << 24


def _inflate(data: bytes) -> bytes:
    inflater = zlib.decompressobj(-15)
    inflated = inflater.decompress(data, MAX_PAYLOAD)
    if inflater.unconsumed_tail:
        raise ValueError(f"the payload inflates to more than {MAX_PAYLOAD} bytes")
    return inflated


def _base64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
