"""FHIR → NDJSON (FHIR Bulk Data style): one `{Type}.ndjson` file per resource type.

Not handled: the Bulk Data manifest and `_since` / `_type` filters.
"""

from __future__ import annotations

from collections.abc import Iterable

from dermfhir.ingest.output import ndjson_files


def export(resources: Iterable[dict]) -> dict[str, bytes]:
    """File name → content, one file per resource type, resources deduplicated by type and id (last wins)."""
    unique = {(r["resourceType"], r.get("id")): r for r in resources}
    return ndjson_files(unique.values())
