"""Bundles the server answers with: searchset (with paging links) and history.

Specification: https://hl7.org/fhir/R4/bundle.html, https://hl7.org/fhir/R4/http.html#paging.
Paging is by offset: `next` and `previous` links carry `_offset` and `_count`.
"""

from __future__ import annotations

from urllib.parse import urlencode

from dermfhir.server.http import http_date
from dermfhir.store import HistoryResult

_PAGING = frozenset({"_offset", "_getpagesoffset", "_count"})


def page_url(base: str, path: str, params: list[tuple[str, str]], offset: int, count: int) -> str:
    kept = [(name, value) for name, value in params if name not in _PAGING]
    kept += [("_count", str(count)), ("_offset", str(offset))]
    return f"{base}/{path}?{urlencode(kept)}" if path else f"{base}?{urlencode(kept)}"


def links(base: str, path: str, params: list[tuple[str, str]], offset: int, count: int, has_next: bool) -> list[dict]:
    found = [{"relation": "self", "url": page_url(base, path, params, offset, count)}]
    if count > 0:
        found.append({"relation": "first", "url": page_url(base, path, params, 0, count)})
        if offset > 0:
            found.append({"relation": "previous", "url": page_url(base, path, params, max(0, offset - count), count)})
        if has_next:
            found.append({"relation": "next", "url": page_url(base, path, params, offset + count, count)})
    return found


def searchset(
    base: str,
    matches: list[dict],
    included: list[dict],
    total: int | None,
    link: list[dict],
) -> dict:
    bundle: dict = {"resourceType": "Bundle", "type": "searchset"}
    if total is not None:
        bundle["total"] = total
    bundle["link"] = link
    entries = [_entry(base, resource, "match") for resource in matches]
    entries += [_entry(base, resource, "include") for resource in included]
    if entries:
        bundle["entry"] = entries
    return bundle


def _entry(base: str, resource: dict, mode: str) -> dict:
    return {
        "fullUrl": f"{base}/{resource['resourceType']}/{resource.get('id', '')}",
        "resource": resource,
        "search": {"mode": mode},
    }


def history(base: str, result: HistoryResult, link: list[dict]) -> dict:
    entries = []
    for item in result.entries:
        url = f"{item.resource_type}/{item.id}"
        entry: dict = {"fullUrl": f"{base}/{url}"}
        if item.resource is not None:
            entry["resource"] = item.resource
        method = {"create": "POST", "update": "PUT", "delete": "DELETE"}.get(item.method, "PUT")
        entry["request"] = {"method": method, "url": url if method != "POST" else item.resource_type}
        entry["response"] = {
            "status": {"create": "201 Created", "delete": "204 No Content"}.get(item.method, "200 OK"),
            "etag": f'W/"{item.version_id}"',
            "lastModified": item.last_updated,
        }
        entries.append(entry)
    bundle: dict = {"resourceType": "Bundle", "type": "history", "total": result.total, "link": link}
    if entries:
        bundle["entry"] = entries
    return bundle


__all__ = ["history", "http_date", "links", "page_url", "searchset"]
