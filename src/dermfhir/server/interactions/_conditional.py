"""What conditional interactions and id-addressed writes share: finding the matches the caller may see, and the
resource a write replaces (a deleted one is judged by its last content, so deletion hides nothing).

Every function here runs inside the caller's database transaction."""

from __future__ import annotations

from dermfhir.server.context import Context
from dermfhir.store import Gone, NotFound
from dermfhir.store.search.params import Params


def visible_matches(ctx: Context, resource_type: str, criteria: Params) -> list[dict]:
    """Up to two resources matching `criteria` that the caller may read; the others count as no match. Conditional
    interactions on one type run one at a time (so two identical conditional creates make one resource)."""
    ctx.store.serialize_conditional(resource_type)
    return ctx.store.matches(resource_type, criteria, 2, ctx.access.visibility())


def current_or_last(ctx: Context, resource_type: str, resource_id: str) -> dict | None:
    """The current version; for a deleted resource its last content; None when it never existed."""
    try:
        return ctx.store.read(resource_type, resource_id)
    except Gone:
        return last_content(ctx, resource_type, resource_id)
    except NotFound:
        return None


def last_content(ctx: Context, resource_type: str, resource_id: str) -> dict | None:
    """The newest version of a resource that has content (a delete has none)."""
    offset = 0
    while True:
        found = ctx.store.history(resource_type, resource_id, count=100, offset=offset)
        for entry in found.entries:
            if entry.resource is not None:
                return entry.resource
        if not found.has_next:
            return None
        offset += 100


def check_deleted(ctx: Context, resource_type: str, resource_id: str, interaction: str) -> None:
    """Forbidden when the deleted resource's last content is outside the caller's rights (before answering 410)."""
    last = last_content(ctx, resource_type, resource_id)
    if last is not None:
        ctx.access.check(last, interaction)
