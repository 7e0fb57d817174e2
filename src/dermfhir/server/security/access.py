"""Access control: the caller's scopes checked per interaction, and the patient compartment for patient scopes.

Specification: https://hl7.org/fhir/R4/compartmentdefinition-patient.html and SMART v2 scopes. A patient scope
reaches the resources of the Patient compartment of the patient in context (membership is decided by the
compartment's parameters, evaluated on the resource), plus resources of types outside that compartment
(Practitioner, Device, Organization…), which hold no patient's data.
A patient-scoped search is narrowed with one compartment parameter (`patient`, else `subject`, else the first),
so it may return fewer resources than the whole compartment holds, never more.
Not supported: type and system history under patient scopes (403), `_has`-based compartment membership.
"""

from __future__ import annotations

from functools import cached_property

from dermfhir.definitions import Definitions
from dermfhir.server.errors import Forbidden
from dermfhir.server.security.scopes import INTERACTION_PERMISSION, Principal, Scope
from dermfhir.store.search import reference
from dermfhir.store.search.registry import SearchRegistry

PATIENT_COMPARTMENT = "http://hl7.org/fhir/CompartmentDefinition/patient"


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
                for kind, found_id, url in reference.extract(item.value):
                    if kind in ("Patient", None) and found_id == patient_id:
                        return True
                    if url and url.rstrip("/").endswith(f"/Patient/{patient_id}"):
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


class Access:
    """The caller's rights, checked by every interaction before it touches the store."""

    def __init__(self, principal: Principal, compartment: PatientCompartment) -> None:
        self.principal = principal
        self.compartment = compartment

    def unrestricted(self, permissions: str = "cruds") -> bool:
        """True when a user or system scope on every type grants all of `permissions`."""
        return any(
            scope.context != "patient" and scope.resource_type == "*" and set(permissions) <= set(scope.permissions)
            for scope in self.principal.scopes
        )

    def require(self, resource_type: str, interaction: str) -> Scope:
        """The scope that allows `interaction` on `resource_type`; Forbidden otherwise."""
        permission = INTERACTION_PERMISSION[interaction]
        scope = self.principal.scope_for(resource_type, permission)
        if scope is None:
            raise Forbidden(f"No granted scope allows {interaction} on {resource_type}")
        if scope.context == "patient" and not self.principal.patient:
            raise Forbidden("A patient scope needs a patient in context")
        return scope

    def patient_of(self, scope: Scope) -> str | None:
        return self.principal.patient if scope.context == "patient" else None

    def check(self, resource: dict, interaction: str) -> None:
        """Forbidden unless `interaction` is allowed on this very resource (its type, and compartment)."""
        scope = self.require(resource["resourceType"], interaction)
        patient = self.patient_of(scope)
        if patient is not None and not self.allows_in_compartment(resource, patient):
            raise Forbidden(f"{resource['resourceType']}/{resource.get('id', '')} is outside the patient's compartment")

    def allows_in_compartment(self, resource: dict, patient: str) -> bool:
        if resource.get("resourceType") not in self.compartment.types:
            return True
        return self.compartment.contains(resource, patient)

    def visible(self, resource: dict) -> bool:
        """Whether the caller may read `resource` (used to filter included resources)."""
        try:
            self.check(resource, "read")
        except Forbidden:
            return False
        return True

    def search_criteria(self, resource_type: str) -> list[tuple[str, str]]:
        """Extra criteria a search of `resource_type` must carry for this caller (after checking the right)."""
        scope = self.require(resource_type, "search-type")
        patient = self.patient_of(scope)
        if patient is None:
            return []
        found = self.compartment.restriction(resource_type, patient)
        return [found] if found else []
