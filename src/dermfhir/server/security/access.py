"""Access control: the one authorization decision every path that touches a resource goes through.

`Access.may(permission, resource)` answers "may this token do `permission` (a SMART letter: c, r, u, d, s) on this
very resource?"; `Access.check(resource, interaction)` raises Forbidden when it may not. Every interaction, every
Bundle entry, every conditional match, history entry, `_include`d resource and operation asks it, so a resource is
reachable through a conditional create, update, patch, delete, `ifNoneExist`, `ifMatch`, a conditional reference, a
chain, `_has`, history or an operation exactly when a plain read or write of it is allowed.
`Access.visibility(permissions)` is the same decision in the form a search needs (extra criteria per type, and the
per-resource check); a match the caller may not see counts as no match, so no answer reveals that it exists.

Policy (SMART App Launch v2 scopes; https://hl7.org/fhir/R4/compartmentdefinition-patient.html):
- A `user/` or `system/` scope granting the letter on the type (or `*`) allows it on every resource of the type.
- A `patient/` scope needs a patient in context and reaches:
  - resources of the R4 Patient compartment of that patient (membership by the compartment's parameters);
  - Binary whose `securityContext` is that Patient, or a resource the scope may reach with the same letter;
  - Task whose `for` is that Patient;
  - Provenance through the compartment's `patient` parameter (a target that is that Patient); a Provenance whose
    targets are only other resources is out of reach of patient scopes;
  - other types outside the compartment (Device, Practitioner, Organization, terminology…) for reading and searching
    only; a patient scope never creates, updates or deletes them.
- AuditEvent: never under patient scopes; user scopes may read, search and append (create); only a system scope may
  update or delete one (AuditEvents are append-only for everyone else).
A patient-scoped search is narrowed with one compartment parameter (`patient`, else `subject`, else the first), so it
may return fewer resources than the whole compartment holds, never more.
Not supported: type and system history under patient scopes (403), `_has`-based compartment membership, granular
scopes with a query.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

from dermfhir.definitions import Definitions
from dermfhir.server.errors import Forbidden
from dermfhir.server.security.scopes import INTERACTION_PERMISSION, Principal, Scope
from dermfhir.store import Visibility
from dermfhir.store.search import reference
from dermfhir.store.search.registry import SearchRegistry

PATIENT_COMPARTMENT = "http://hl7.org/fhir/CompartmentDefinition/patient"
#: Types a patient scope reaches through a rule of its own rather than the compartment definition.
OWN_RULES = frozenset({"Binary", "Task", "AuditEvent"})
#: A Binary's securityContext is followed this many steps at most (a Binary pointing at a Binary…).
MAX_CONTEXT_DEPTH = 3

#: Reads a stored resource by type and id (None when absent or deleted).
Resolver = Callable[[str, str], dict | None]


class PatientCompartment:
    """Which resources belong to a patient's compartment."""

    def __init__(self, definitions: Definitions, registry: SearchRegistry) -> None:
        self.registry = registry
        definition = definitions.resolve(PATIENT_COMPARTMENT) or {}
        self._params: dict[str, tuple[str, ...]] = {
            item["code"]: tuple(item.get("param") or ()) for item in definition.get("resource", []) if item.get("code")
        }

    @cached_property
    def types(self) -> frozenset[str]:
        return frozenset(code for code, params in self._params.items() if params) | {"Patient"}

    def params(self, resource_type: str) -> tuple[str, ...]:
        return self._params.get(resource_type, ())

    def contains(self, resource: dict, patient_id: str) -> bool:
        """True when `resource` is in the compartment of Patient/`patient_id`."""
        resource_type = resource.get("resourceType", "")
        if resource_type == "Patient":
            return resource.get("id") == patient_id
        for code in self.params(resource_type):
            param = self.registry.param(resource_type, code)
            if param is None or param.compiled is None:
                continue
            try:
                items = param.compiled.evaluate(resource)
            except Exception:  # a malformed resource is simply not in the compartment
                continue
            for item in items:
                if any(_is_patient(found, patient_id) for found in reference.extract(item.value)):
                    return True
        return False

    def restriction(self, resource_type: str, patient_id: str) -> tuple[str, str] | None:
        """A search criterion keeping a search inside the compartment; None for types outside it."""
        if resource_type == "Patient":
            return ("_id", patient_id)
        params = [code for code in self.params(resource_type) if self.registry.param(resource_type, code)]
        if not params:
            return None
        code = next((c for c in ("patient", "subject") if c in params), params[0])
        return (code, f"Patient/{patient_id}")


def _is_patient(found: tuple[str | None, str | None, str | None], patient_id: str) -> bool:
    kind, found_id, url = found
    if kind in ("Patient", None) and found_id == patient_id:
        return True
    return bool(url) and str(url).rstrip("/").endswith(f"/Patient/{patient_id}")


class Access:
    """The caller's rights, checked by every interaction before it touches the store."""

    def __init__(self, principal: Principal, compartment: PatientCompartment, resolve: Resolver | None = None) -> None:
        self.principal = principal
        self.compartment = compartment
        self.resolve = resolve

    # -- the decision ---------------------------------------------------------------------------------------------
    def may(self, permission: str, resource: dict, _depth: int = 0) -> bool:
        """Whether the caller may do `permission` (c, r, u, d or s) on `resource` — the one authorization decision."""
        resource_type = resource.get("resourceType")
        if not isinstance(resource_type, str):
            return False
        scopes = [scope for scope in self.principal.scopes if scope.grants(resource_type, permission)]
        if any(scope.context == "system" for scope in scopes):
            return True
        if any(scope.context == "user" for scope in scopes):
            return resource_type != "AuditEvent" or permission in "crs"
        patient = self.principal.patient
        if not scopes or not patient:
            return False
        return self._patient_may(permission, resource, patient, _depth)

    def _patient_may(self, permission: str, resource: dict, patient: str, depth: int) -> bool:
        resource_type = resource["resourceType"]
        if resource_type == "AuditEvent":
            return False
        if resource_type == "Binary":
            return self._binary_may(permission, resource, depth)
        if resource_type == "Task":
            target = resource.get("for")
            value = target.get("reference") if isinstance(target, dict) else None
            return isinstance(value, str) and any(_is_patient(f, patient) for f in reference.extract(value))
        if resource_type in self.compartment.types:
            return self.compartment.contains(resource, patient)
        return permission in "rs"  # outside every patient's compartment: readable, never written

    def _binary_may(self, permission: str, resource: dict, depth: int) -> bool:
        context = resource.get("securityContext")
        value = context.get("reference") if isinstance(context, dict) else None
        if not isinstance(value, str) or depth >= MAX_CONTEXT_DEPTH:
            return False
        for kind, found_id, _ in reference.extract(value):
            if kind == "Patient" and found_id == self.principal.patient:
                return True
            if kind and found_id and self.resolve is not None:
                target = self.resolve(kind, found_id)
                return target is not None and self.may("r" if permission == "s" else permission, target, depth + 1)
        return False

    def check(self, resource: dict, interaction: str) -> None:
        """Forbidden unless `interaction` is allowed on this very resource (see `may`)."""
        self.require(resource["resourceType"], interaction)
        if not self.may(INTERACTION_PERMISSION[interaction], resource):
            what = f"{resource['resourceType']}/{resource.get('id', '')}".rstrip("/")
            raise Forbidden(f"No granted scope allows {interaction} on {what}")

    def visible(self, resource: dict) -> bool:
        """Whether the caller may read `resource` (used to filter included resources and history)."""
        return self.may("r", resource)

    # -- type-level rights (before any resource is at hand) -------------------------------------------------------
    def require(self, resource_type: str, interaction: str) -> Scope:
        """The scope that allows `interaction` on some `resource_type`; Forbidden otherwise."""
        permission = INTERACTION_PERMISSION[interaction]
        scope = self.principal.scope_for(resource_type, permission)
        if scope is None:
            raise Forbidden(f"No granted scope allows {interaction} on {resource_type}")
        if scope.context == "patient" and not self.principal.patient:
            raise Forbidden("A patient scope needs a patient in context")
        return scope

    def unrestricted(self, permissions: str = "cruds") -> bool:
        """True when a system scope on every type grants all of `permissions`."""
        return any(
            scope.context == "system" and scope.resource_type == "*" and set(permissions) <= set(scope.permissions)
            for scope in self.principal.scopes
        )

    def patient_of(self, scope: Scope) -> str | None:
        return self.principal.patient if scope.context == "patient" else None

    def criteria(self, resource_type: str, permissions: str = "s") -> list[tuple[str, str]] | None:
        """Criteria keeping a search of `resource_type` to what the caller may see with one of `permissions`;
        None when it may see nothing of that type."""
        scopes = [
            s for s in self.principal.scopes for p in permissions if s.grants(resource_type, p)
        ]  # any letter suffices for seeing; the per-resource check decides the rest
        if not scopes:
            return None
        if any(scope.context != "patient" for scope in scopes):
            return []
        patient = self.principal.patient
        if not patient or resource_type in ("AuditEvent", "Binary"):
            return None
        if resource_type == "Task":
            return [("patient", f"Patient/{patient}")]
        found = self.compartment.restriction(resource_type, patient)
        return [found] if found else []

    def search_criteria(self, resource_type: str) -> list[tuple[str, str]]:
        """Extra criteria a search of `resource_type` must carry for this caller (after checking the right)."""
        self.require(resource_type, "search-type")
        found = self.criteria(resource_type, "s")
        if found is None:
            raise Forbidden(f"Searching {resource_type} is not available under patient scopes")
        return found

    def visibility(self, permissions: str = "rs") -> Visibility:
        """What the caller may see, for the store: criteria per type (chains, `_has`, conditional matches) and the
        per-resource decision (a resource outside it counts as absent)."""
        return Visibility(lambda kind: self.criteria(kind, permissions), lambda resource: self.may("r", resource))
