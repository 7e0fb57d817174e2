"""SMART App Launch v2 scopes (`patient/Observation.rs`, `user/*.cruds`, `system/*.*`) and who holds them.

Specification: https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html. v1 forms (`.read`, `.write`,
`.*`) are read as their v2 equivalents (`rs`, `cud`, `cruds`). Interactions map to permissions: create → c;
read, vread, instance history → r; update → u; delete → d; type/system search and history → s.
Not supported: granular scopes with a query (`patient/Observation.rs?category=…` grants nothing), `launch`
scopes beyond reading the `patient` claim, `online_access`/`offline_access` semantics (no refresh tokens here).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_SCOPE = re.compile(r"^(patient|user|system)/([A-Za-z]+|\*)\.([a-z*]+)$")
_V1 = {"read": "rs", "write": "cud", "*": "cruds"}
PERMISSIONS = "cruds"

#: interaction name → SMART permission letter
INTERACTION_PERMISSION = {
    "create": "c",
    "read": "r",
    "vread": "r",
    "history-instance": "r",
    "update": "u",
    "delete": "d",
    "search-type": "s",
    "search-system": "s",
    "history-type": "s",
    "history-system": "s",
    "operation": "r",
}


@dataclass(frozen=True)
class Scope:
    """One clinical scope: context (patient, user, system), resource type (or *), permission letters."""

    context: str
    resource_type: str
    permissions: str

    def grants(self, resource_type: str, permission: str) -> bool:
        return self.resource_type in ("*", resource_type) and permission in self.permissions


def parse_scope(text: str) -> Scope | None:
    """A clinical scope, or None for other scopes (openid, launch/patient…) and granular ones."""
    match = _SCOPE.match(text.strip())
    if match is None:
        return None
    context, resource_type, permissions = match.groups()
    permissions = _V1.get(permissions, permissions)
    if not permissions or any(letter not in PERMISSIONS for letter in permissions):
        return None
    order = [letter for letter in PERMISSIONS if letter in permissions]
    if "".join(order) != permissions:  # v2 requires c-r-u-d-s order
        return None
    return Scope(context, resource_type, permissions)


def parse_scopes(text: str | list[str]) -> tuple[Scope, ...]:
    items = text.split() if isinstance(text, str) else [str(item) for item in text]
    return tuple(scope for item in items if (scope := parse_scope(item)) is not None)


@dataclass(frozen=True)
class Principal:
    """Who is calling: a subject, granted scopes and, for patient scopes, the patient in context."""

    subject: str
    scopes: tuple[Scope, ...] = field(default_factory=tuple)
    patient: str | None = None

    def scope_for(self, resource_type: str, permission: str) -> Scope | None:
        """The broadest scope granting `permission` on `resource_type` (system/user before patient), or None."""
        found = [scope for scope in self.scopes if scope.grants(resource_type, permission)]
        if not found:
            return None
        return min(found, key=lambda scope: scope.context == "patient")


#: The caller when authentication is off (loopback only): everything is allowed.
ANONYMOUS = Principal("anonymous", (Scope("system", "*", PERMISSIONS),))
