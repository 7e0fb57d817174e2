"""Server settings, with the defaults `dermfhir serve` uses."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: Largest request body accepted (a transaction of ~10,000 annotations fits).
MAX_BODY_BYTES = 64 * 1024 * 1024
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


@dataclass
class ServerConfig:
    """What the server stores into, how it authenticates, and its limits."""

    db: str = "dermfhir.db"
    auth: str = "none"  # "none" (loopback only) or "token"
    tokens_file: Path | None = None
    jwks_file: Path | None = None
    jwt_audience: str | None = None
    jwt_issuer: str | None = None
    base_url: str | None = None  # taken from each request when None
    max_body_bytes: int = MAX_BODY_BYTES
    validate: bool = True
    audit: bool = True
    default_count: int = 20
    dicom_store: Path | None = None  # folder of DICOM instances (dermfhir import dicom --dicom-store)


def check_binding(host: str, auth: str) -> None:
    """Refuse to serve without authentication anywhere but on the loopback interface."""
    if auth not in ("none", "token"):
        raise ValueError(f"Unknown --auth mode {auth!r}: use none or token")
    if auth == "none" and host not in LOOPBACK:
        raise ValueError(f"Refusing to listen on {host} without authentication: use --auth token, or bind to 127.0.0.1")
