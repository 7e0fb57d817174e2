"""Transaction Bundles of built resources: one PUT per resource at `Type/id`, so that importing the same source
again updates in place and creates nothing new.

Not handled: conditional create/update (`ifNoneExist`), batch bundles, urn:uuid references.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def entry(resource: dict, base: str | None = None) -> dict:
    """A transaction entry: PUT `Type/id` with fullUrl `{base}/Type/id` (or the relative reference)."""
    location = f"{resource['resourceType']}/{resource['id']}"
    return {
        "fullUrl": f"{base.rstrip('/')}/{location}" if base else location,
        "resource": resource,
        "request": {"method": "PUT", "url": location},
    }


def transaction(resources: Iterable[Any], base: str | None = None) -> dict:
    """A transaction Bundle of resources (dicts or builders with `to_resource()`).

    >>> transaction([{"resourceType": "Patient", "id": "p1"}])["entry"][0]["request"]
    {'method': 'PUT', 'url': 'Patient/p1'}
    """
    items = [r.to_resource() if hasattr(r, "to_resource") else r for r in resources]
    return {"resourceType": "Bundle", "type": "transaction", "entry": [entry(r, base) for r in items]}


def resources_of(bundle: dict) -> list[dict]:
    """The resources of a Bundle's entries."""
    return [e["resource"] for e in bundle.get("entry", []) if "resource" in e]
