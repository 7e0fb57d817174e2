"""The FHIR R4 server (FastAPI): REST interactions, search, batch/transaction, operations, security, auditing.

>>> from dermfhir.server import ServerConfig, create_app     # doctest: +SKIP
>>> app = create_app(ServerConfig(db="dermfhir.db"))          # doctest: +SKIP

Supported: create (conditional), read (conditional), vread, update (If-Match, create-on-update, conditional),
delete (soft, versioned; conditional), history (instance, type, system), search (GET and POST `_search`, across
types), capabilities, batch and transaction Bundles, `$validate`, `ValueSet/$expand`, `$validate-code`,
`CodeSystem/$lookup`, `ConceptMap/$translate`; `application/fhir+json`, `_format`, `_pretty`, `Prefer: return=`,
`_summary`, `_elements`; SMART v2 scopes from a tokens file or JWT + JWKS; AuditEvents; 422 on non-conformance.
Not supported: XML, PATCH, compartment search URLs, `_at` history, asynchronous requests, bulk `$export`,
subscriptions, CORS, TLS (terminate TLS in a reverse proxy).
"""

from dermfhir.server.app import create_app
from dermfhir.server.config import ServerConfig, check_binding

__all__ = ["ServerConfig", "check_binding", "create_app"]
