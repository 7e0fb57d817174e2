"""AuditEvents: one per write (in the write's own database transaction) and one per refused access.

A refusal records what was asked (method, path and query, and the resource it named) and why; refusals of entries
inside a batch are recorded like refusals of plain requests. Unauthenticated requests are aggregated: at most one
AuditEvent per `UNAUTHENTICATED_WINDOW` seconds, whose description counts the refusals it stands for (so a flood of
anonymous requests cannot fill the disk).

Specification: https://hl7.org/fhir/R4/auditevent.html (type `rest`, subtype from restful-interaction). A batch or
transaction Bundle is one write and gets one AuditEvent naming every resource it wrote.
Not supported: sending audit events elsewhere (syslog, another server), auditing reads that succeed.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from datetime import UTC, datetime

from dermfhir.server.security.scopes import Principal
from dermfhir.store import Store

log = logging.getLogger("dermfhir.server.audit")

_ACTIONS = {"create": "C", "update": "U", "delete": "D", "read": "R", "vread": "R", "transaction": "E", "batch": "E"}
#: AuditEvent.entity holds at most this many resources (a large transaction names its first ones).
MAX_ENTITIES = 1000
#: Unauthenticated refusals are recorded at most once per this many seconds (with a count).
UNAUTHENTICATED_WINDOW = 60.0
_NAMED = re.compile(r"^/?([A-Z][A-Za-z]{1,63})/([A-Za-z0-9\-.]{1,64})(?:/|$)")


class Auditor:
    """Writes AuditEvents into the store."""

    def __init__(self, store: Store, enabled: bool = True) -> None:
        self.store = store
        self.enabled = enabled
        self._lock = threading.Lock()
        self._anonymous_at = float("-inf")
        self._anonymous_held = 0

    def event(
        self,
        interaction: str,
        principal: Principal,
        client: str | None,
        *,
        outcome: str = "0",
        description: str | None = None,
        entities: list[str] = (),  # type: ignore[assignment]
    ) -> dict:
        """An AuditEvent for `interaction` by `principal`; `entities` are references (Type/id/_history/n)."""
        agent: dict = {"who": {"display": principal.subject}, "requestor": True}
        if client:
            agent["network"] = {"address": client[:200], "type": "2"}
        event: dict = {
            "resourceType": "AuditEvent",
            "type": {
                "system": "http://terminology.hl7.org/CodeSystem/audit-event-type",
                "code": "rest",
                "display": "RESTful Operation",
            },
            "subtype": [{"system": "http://hl7.org/fhir/restful-interaction", "code": interaction}],
            "action": _ACTIONS.get(interaction, "E"),
            "recorded": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "outcome": outcome,
            "agent": [agent],
            "source": {
                "observer": {"display": "dermfhir server"},
                "type": [{"system": "http://terminology.hl7.org/CodeSystem/security-source-type", "code": "4"}],
            },
        }
        if description:
            event["outcomeDesc"] = description[:500]
        if entities:
            event["entity"] = [{"what": {"reference": ref}} for ref in list(entities)[:MAX_ENTITIES]]
        return event

    def written(self, interaction: str, principal: Principal, client: str | None, references: list[str]) -> None:
        """Record a successful write; call inside the write's transaction so both commit together."""
        if self.enabled:
            self.store.create(self.event(interaction, principal, client, entities=references))

    def refused(
        self, interaction: str, principal: Principal | None, client: str | None, reason: str, asked: str = ""
    ) -> None:
        """Record a refused access (401/403) in a transaction of its own; `asked` is the request line (method, path,
        query). Never raises."""
        if not self.enabled:
            return
        description = f"{asked[:300]}: {reason}" if asked else reason
        if principal is None:
            with self._lock:
                now = time.monotonic()
                if now - self._anonymous_at < UNAUTHENTICATED_WINDOW:
                    self._anonymous_held += 1
                    return
                held, self._anonymous_held, self._anonymous_at = self._anonymous_held, 0, now
            if held:
                description += f" (and {held} other unauthenticated request(s) refused before it)"
        who = principal or Principal("unauthenticated")
        named = _NAMED.match(asked.partition(" ")[2].partition("?")[0]) if asked else None
        entities = [f"{named.group(1)}/{named.group(2)}"] if named else []
        try:
            self.store.create(
                self.event(interaction, who, client, outcome="4", description=description, entities=entities)
            )
        except Exception:  # auditing must not turn a 401 into a 500
            log.exception("could not record a refused access")


def reference_of(resource: dict) -> str:
    version = resource.get("meta", {}).get("versionId")
    base = f"{resource['resourceType']}/{resource['id']}"
    return f"{base}/_history/{version}" if version else base
