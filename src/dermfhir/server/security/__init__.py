"""Security: SMART v2 scopes, bearer tokens (tokens file, JWT + JWKS), patient compartment, AuditEvents."""

from dermfhir.server.security.access import Access, PatientCompartment
from dermfhir.server.security.audit import Auditor
from dermfhir.server.security.scopes import ANONYMOUS, Principal, Scope, parse_scope, parse_scopes
from dermfhir.server.security.tokens import Authenticator

__all__ = [
    "ANONYMOUS",
    "Access",
    "Auditor",
    "Authenticator",
    "PatientCompartment",
    "Principal",
    "Scope",
    "parse_scope",
    "parse_scopes",
]
