"""What a request handler works with: the server's services and the caller's access, in one value."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from dermfhir.definitions import Definitions
from dermfhir.server.admission import SearchGate
from dermfhir.server.config import ServerConfig
from dermfhir.server.conformance import Gate
from dermfhir.server.security import Access, Auditor, Authenticator, PatientCompartment
from dermfhir.store import Store
from dermfhir.terminology import Terminology
from dermfhir.validation import Validator

if TYPE_CHECKING:
    from dermfhir.server.bulk.jobs import Jobs
    from dermfhir.server.security.scopes import Principal


class Services:
    """Long-lived parts shared by every request: store, validation, terminology, security."""

    def __init__(
        self, config: ServerConfig, store: Store, definitions: Definitions, validator: Validator | None = None
    ) -> None:
        self.config = config
        self.store = store
        self.definitions = definitions
        self.validator = validator or Validator(definitions)
        self.gate = Gate(self.validator, config.validate)
        self.auditor = Auditor(store, config.audit)
        self.compartment = PatientCompartment(definitions, store.registry)
        self.search_gate = SearchGate(config.search_concurrency, config.costly_search_concurrency)
        self.authenticator: Authenticator | None = None
        if config.auth == "token":
            self.authenticator = Authenticator(
                config.tokens_file, config.jwks_file, audience=config.jwt_audience, issuer=config.jwt_issuer
            )

    @cached_property
    def terminology(self) -> Terminology:
        return Terminology(self.definitions)

    @cached_property
    def bulk(self) -> Jobs:
        """Bulk `$export` jobs of this server process (files under DERMFHIR_BULK_DIR or a temporary folder)."""
        from dermfhir.server.bulk.jobs import Jobs

        return Jobs(self.store, key=str(self.config.db))

    @cached_property
    def resource_types(self) -> frozenset[str]:
        """Types this server serves: those the store indexes that R4 defines (`http://hl7.org/fhir/resource-types`;
        the definitions carry a few later ones, such as SubscriptionStatus, which R4 clients cannot use)."""
        system = self.definitions.resolve("http://hl7.org/fhir/resource-types") or {}
        codes = {concept.get("code") for concept in system.get("concept", [])}
        found = self.store.registry.resource_types
        return frozenset(found & codes) if codes else found


@dataclass
class Context:
    """One request's view: the services, who is calling, from where, and the base URL links are made from."""

    services: Services
    principal: Principal
    base: str
    client: str | None = None

    @cached_property
    def access(self) -> Access:
        return Access(self.principal, self.services.compartment, self._resolve)

    def _resolve(self, resource_type: str, resource_id: str) -> dict | None:
        from dermfhir.store import NotFound

        try:
            return self.services.store.read(resource_type, resource_id)
        except NotFound:
            return None

    @property
    def store(self) -> Store:
        return self.services.store

    def audit_write(self, interaction: str, references: list[str]) -> None:
        self.services.auditor.written(interaction, self.principal, self.client, references)
