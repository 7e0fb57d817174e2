"""Server settings, with the defaults `dermfhir serve` uses."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from dermfhir.store.redact import redact

__all__ = ["LOOPBACK", "MAX_BODY_BYTES", "ServerConfig", "check_binding", "redact"]

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
    base_url: str | None = None  # the address the server listens on when None (never the Host header)
    token_endpoint: str | None = None  # announced in /.well-known/smart-configuration
    authorization_endpoint: str | None = None
    max_body_bytes: int = MAX_BODY_BYTES
    validate: bool = True
    audit: bool = True
    default_count: int = 20
    #: Seconds one database statement may run before the request answers 503 (None: no limit).
    statement_timeout: float | None = 5.0
    #: Seconds a request waits for a free database connection before answering 503 with Retry-After.
    pool_timeout: float = 5.0
    #: Serve only clients on the loopback interface (set by every command-line entry point for `--auth none`).
    loopback_clients_only: bool = False
    #: Searches run at once; more wait (up to `pool_timeout`, then 503), so costly searches cannot starve reads.
    search_concurrency: int = field(default_factory=lambda: max(2, os.cpu_count() or 1))
    #: Of those, costly searches (chains, `_has`, `:contains`, `_sort`, includes, large pages) run at once: half the
    #: cores, at least one, so that they leave ordinary reads and searches the other half.
    costly_search_concurrency: int = field(default_factory=lambda: max(1, (os.cpu_count() or 1) // 2))
    #: Seconds a client may take to send a request's headers (`dermfhir serve` only).
    header_timeout: float = 10.0
    site_folder: Path | None = None  # the rendered guide site (`dermfhir site build`), served at /ig/
    dicom_store: Path | None = None  # folder of DICOM instances (dermfhir import dicom --dicom-store)


def check_binding(host: str, auth: str) -> None:
    """Refuse to serve without authentication anywhere but on the loopback interface."""
    if auth not in ("none", "token"):
        raise ValueError(f"Unknown --auth mode {auth!r}: use none or token")
    if auth == "none" and host not in LOOPBACK:
        raise ValueError(f"Refusing to listen on {host} without authentication: use --auth token, or bind to 127.0.0.1")
