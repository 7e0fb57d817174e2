"""Bundles: entry resolution index and the Bundle rules beyond the element tree.

Checked: fullUrl is absolute and agrees with the resource's type and id; duplicate fullUrls (bdl-7); unique link
relations; references between entries (resolution by fullUrl, urn:uuid, relative URLs against the entry's base, with
`_history` versions; several matches are errors). Each entry is validated against its own meta.profile (done by the
walk). The bdl-* invariants run as FHIRPath from the Bundle definition. Not checked: transaction/batch request
semantics, search-set scores, signatures.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from dermfhir.validation.context import Frame

if TYPE_CHECKING:
    from dermfhir.validation.structure import Walker

_RESTFUL = re.compile(r"^(.*/)?([A-Z][A-Za-z]+)/([A-Za-z0-9\-\.]{1,64})(/_history/[A-Za-z0-9\-\.]{1,64})?$")
_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


class BundleIndex:
    """The entries of a Bundle by fullUrl and by type/id, for resolving references."""

    def __init__(self, bundle: dict) -> None:
        self.entries: list[tuple[str | None, dict]] = []
        for entry in bundle.get("entry") or []:
            if isinstance(entry, dict) and isinstance(entry.get("resource"), dict):
                full_url = entry.get("fullUrl") if isinstance(entry.get("fullUrl"), str) else None
                self.entries.append((full_url, entry["resource"]))

    def find(self, reference: str, from_full_url: str | None) -> list[dict]:
        base_reference, _, version = reference.partition("/_history/")
        candidates: list[str] = [base_reference]
        if not _ABSOLUTE.match(base_reference) and from_full_url:
            match = _RESTFUL.match(from_full_url)
            if match and match.group(1):
                candidates.append(match.group(1) + base_reference)
        found = []
        for full_url, resource in self.entries:
            if full_url is None:
                continue
            if full_url in candidates or (full_url.partition("/_history/")[0] in candidates):
                if version:
                    meta = resource.get("meta") if isinstance(resource.get("meta"), dict) else {}
                    if meta.get("versionId") != version:
                        continue
                found.append(resource)
        if not found and not _ABSOLUTE.match(base_reference):
            parts = base_reference.split("/")
            if len(parts) == 2:
                for full_url, resource in self.entries:
                    if full_url is None and resource.get("resourceType") == parts[0] and resource.get("id") == parts[1]:
                        found.append(resource)
        return found


def check(walker: Walker, bundle: dict, path: str, frame: Frame) -> None:
    run = walker.run
    links = bundle.get("link")
    if isinstance(links, list):
        seen: set[str] = set()
        for index, link in enumerate(links):
            relation = link.get("relation") if isinstance(link, dict) else None
            if isinstance(relation, str):
                if relation in seen:
                    run.error(
                        "invalid",
                        f"The link relationship type '{relation}' can only occur once",
                        f"{path}.link[{index}]",
                        "BUNDLE_LINK_UNIQUE",
                    )
                seen.add(relation)
    entries = bundle.get("entry")
    if not isinstance(entries, list):
        return
    full_urls: dict[str, int] = {}
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            continue
        location = f"{path}.entry[{index}]"
        full_url = entry.get("fullUrl")
        resource = entry.get("resource")
        if not isinstance(full_url, str):
            continue
        if not _ABSOLUTE.match(full_url):
            run.error(
                "invalid",
                f"The fullUrl must be an absolute URL (not '{full_url}')",
                location,
                "Bundle_BUNDLE_Entry_Canonical",
            )
            continue
        if isinstance(resource, dict):
            match = _RESTFUL.match(full_url)
            if match and not full_url.startswith(
                ("urn:", "http://hl7.org/fhir/ValueSet", "http://hl7.org/fhir/CodeSystem")
            ):
                resource_id = resource.get("id")
                if (
                    match.group(2) == resource.get("resourceType")
                    and isinstance(resource_id, str)
                    and resource_id != match.group(3)
                ):
                    run.error(
                        "invalid",
                        f"The fullUrl '{full_url}' does not match the resource id '{resource_id}'",
                        location,
                        "Bundle_BUNDLE_Entry_IdUrlMismatch",
                    )
            key = (
                full_url
                + "|"
                + str((resource.get("meta") or {}).get("versionId") if isinstance(resource.get("meta"), dict) else "")
            )
            full_urls[key] = full_urls.get(key, 0) + 1


def index(bundle: dict) -> BundleIndex:
    return BundleIndex(bundle)
