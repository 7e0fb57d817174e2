"""Bundles: entry resolution index and the Bundle rules beyond the element tree.

Checked: every entry with a resource has a fullUrl (except in transactions and batches and for entries being
created or reporting on a search); fullUrl is absolute and its id part agrees with the resource's id; duplicate
fullUrls (bdl-7); unique link relations; references between entries (resolution by fullUrl, urn:uuid, relative URLs
against the entry's base, with `_history` versions; several matches are errors); in a document, the Composition's
subject, author, encounter, custodian, attester.party, event.detail and every section's author, focus and entries
must resolve to exactly one entry, and every entry but a Provenance must be reachable from the Composition (a
warning); in a search set, each entry agrees with its search mode (an `outcome` is an OperationOutcome, a `match`
or `include` has an id, a `match` is of a type the `self` link searched), and a missing self link or search mode is
a warning. Each entry is validated against its own
meta.profile (done by the walk); in a transaction or batch, an update's URL names the type and id of the resource it
sends, a create's its type. The bdl-* invariants run as FHIRPath from the Bundle definition. Not checked: other
transaction/batch request semantics (conditional references, ordering), search-set scores, signatures.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from dermfhir.validation.context import Frame
from dermfhir.validation.messages import MessageId
from dermfhir.validation.outcome import IssueType

if TYPE_CHECKING:
    from dermfhir.validation.checker import Checker

_RESTFUL = re.compile(r"^(.*/)?([A-Z][A-Za-z]+)/([A-Za-z0-9\-\.]{1,64})(/_history/[A-Za-z0-9\-\.]{1,64})?$")
_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


class BundleIndex:
    """The entries of a Bundle by fullUrl and by type/id, for resolving references."""

    def __init__(self, bundle: dict) -> None:
        self.entries: list[tuple[str | None, dict]] = []
        entries = bundle.get("entry")
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict) and isinstance(entry.get("resource"), dict):
                full_url = entry.get("fullUrl") if isinstance(entry.get("fullUrl"), str) else None
                self.entries.append((full_url, entry["resource"]))
        self._full_urls = {id(resource): full_url for full_url, resource in self.entries}
        # Positions of the entries by fullUrl (with and without its `/_history/…`) and, for entries without one,
        # by (type, id): `find` runs for every reference, and scanning a Bundle of n entries each time is O(n²).
        self._by_url: dict[str, list[int]] = {}
        self._by_type_id: dict[tuple[str, str], list[int]] = {}
        for position, (full_url, resource) in enumerate(self.entries):
            if full_url is None:
                resource_type, resource_id = resource.get("resourceType"), resource.get("id")
                if isinstance(resource_type, str) and isinstance(resource_id, str):
                    self._by_type_id.setdefault((resource_type, resource_id), []).append(position)
                continue
            self._by_url.setdefault(full_url, []).append(position)
            unversioned = full_url.partition("/_history/")[0]
            if unversioned != full_url:
                self._by_url.setdefault(unversioned, []).append(position)

    def full_url_of(self, resource: dict) -> str | None:
        """The fullUrl of the entry holding `resource` (this very object), if it is one of the entries."""
        return self._full_urls.get(id(resource))

    def find(self, reference: str, from_full_url: str | None) -> list[dict]:
        base_reference, _, version = reference.partition("/_history/")
        candidates: list[str] = [base_reference]
        if not _ABSOLUTE.match(base_reference) and from_full_url:
            match = _RESTFUL.match(from_full_url)
            if match and match.group(1):
                candidates.append(match.group(1) + base_reference)
        positions = sorted({position for candidate in candidates for position in self._by_url.get(candidate, ())})
        found = []
        for position in positions:
            resource = self.entries[position][1]
            if version:
                meta = resource.get("meta")
                if not isinstance(meta, dict) or meta.get("versionId") != version:
                    continue
            found.append(resource)
        if not found and not _ABSOLUTE.match(base_reference):
            parts = base_reference.split("/")
            if len(parts) == 2:
                found = [self.entries[position][1] for position in self._by_type_id.get((parts[0], parts[1]), ())]
        return found


def check(walker: Checker, bundle: dict, path: str, frame: Frame) -> None:
    run = walker.run
    links = bundle.get("link")
    if isinstance(links, list):
        seen: set[str] = set()
        for index, link in enumerate(links):
            relation = link.get("relation") if isinstance(link, dict) else None
            if isinstance(relation, str):
                if relation in seen:
                    run.error(
                        IssueType.INVALID, MessageId.BUNDLE_LINK_UNIQUE, f"{path}.link[{index}]", relation=relation
                    )
                seen.add(relation)
    entries = bundle.get("entry")
    if not isinstance(entries, list):
        return
    if bundle.get("type") == "document":
        _document_references(walker, entries, path, frame)
    if bundle.get("type") == "searchset":
        _search_entries(walker, bundle, entries, path)
    if bundle.get("type") in ("transaction", "batch"):
        _request_entries(walker, entries, path)
    full_urls: dict[str, int] = {}
    identified = bundle.get("type") not in _UNIDENTIFIED_TYPES
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            continue
        location = f"{path}.entry[{index}]"
        full_url = entry.get("fullUrl")
        resource = entry.get("resource")
        if full_url is None and identified and isinstance(resource, dict) and not _unidentified(entry):
            run.error(IssueType.REQUIRED, MessageId.BUNDLE_BUNDLE_ENTRY_FULLURL_REQUIRED, location)
        if not isinstance(full_url, str):
            continue
        if not _ABSOLUTE.match(full_url):
            run.error(IssueType.INVALID, MessageId.BUNDLE_BUNDLE_ENTRY_CANONICAL, location, full_url=full_url)
            continue
        if isinstance(resource, dict):
            match = _RESTFUL.match(full_url)
            if match and not full_url.startswith(
                ("urn:", "http://hl7.org/fhir/ValueSet", "http://hl7.org/fhir/CodeSystem")
            ):
                resource_id = resource.get("id")
                # a fullUrl that looks like a RESTful URL ends with the resource's id (R4 Bundle.entry.fullUrl)
                if isinstance(resource_id, str) and resource_id != match.group(3):
                    run.error(
                        IssueType.INVALID,
                        MessageId.BUNDLE_BUNDLE_ENTRY_IDURLMISMATCH,
                        location,
                        full_url=full_url,
                        resource_id=resource_id,
                    )
            key = (
                full_url
                + "|"
                + str((resource.get("meta") or {}).get("versionId") if isinstance(resource.get("meta"), dict) else "")
            )
            full_urls[key] = full_urls.get(key, 0) + 1


def _request_entries(walker: Checker, entries: list, path: str) -> None:
    """The request of each entry of a transaction or batch agrees with the resource it sends (R4 http.html):

    - an update (`PUT [type]/[id]`) sends a resource of that type whose id "has an identical value to the [id] in
      the URL" ("if no id element is provided, or the id disagrees with the id in the URL", the server refuses it);
    - a create (`POST [type]`) sends a resource of that type.

    Conditional updates (a URL with a query) and operations (`$name`) name no single resource and are left alone.
    """
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            continue
        resource, request = entry.get("resource"), entry.get("request")
        if not isinstance(resource, dict) or not isinstance(request, dict):
            continue
        method, url = request.get("method"), request.get("url")
        if not isinstance(url, str) or "?" in url or "$" in url:
            continue
        location = f"{path}.entry[{index}].request.url"
        resource_type, resource_id = resource.get("resourceType"), resource.get("id")
        segments = url.rstrip("/").split("/")
        if method == "PUT" and len(segments) >= 2 and _is_resource_type(walker, segments[-2]):
            if resource_id is None:
                walker.run.error(IssueType.INVALID, MessageId.BUNDLE_ENTRY_PUT_NO_ID, location, url=url)
            elif segments[-2] != resource_type or segments[-1] != resource_id:
                walker.run.error(
                    IssueType.INVALID,
                    MessageId.BUNDLE_ENTRY_URL_MATCHES_TYPE_ID,
                    location,
                    url=url,
                    resource_type=resource_type,
                    resource_id=resource_id,
                )
        elif method == "POST" and _is_resource_type(walker, segments[-1]) and segments[-1] != resource_type:
            walker.run.error(
                IssueType.INVALID,
                MessageId.BUNDLE_ENTRY_URL_MATCHES_TYPE,
                location,
                url=url,
                resource_type=resource_type,
            )


def _search_entries(walker: Checker, bundle: dict, entries: list, path: str) -> None:
    """The entries of a search set, by their search mode (R4 search-entry-mode, search.html):

    - an `outcome` entry is "an OperationOutcome that provides additional information about the processing of a
      search";
    - a `match` or `include` entry is a resource the server holds, so it has an id (R4 Resource.id: "the only time
      that a resource does not have an id is when it is being submitted to the server using a create operation");
    - a `match` entry "matched the search specification": its type is one the search named, in the `self` link's
      URL (`[base]/[type]?…`, or `[base]?_type=[types]…` for a search of several types).
    """
    if _self_link(bundle) is None:
        # the server "SHALL return the parameters that were actually used to process the search" (search.html), in
        # the self link
        walker.run.warning(IssueType.INVALID, MessageId.BUNDLE_SEARCH_NOSELF, path)
    searched = _searched_types(walker, bundle)
    modeless = False
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            continue
        resource, search = entry.get("resource"), entry.get("search")
        mode = search.get("mode") if isinstance(search, dict) else None
        if isinstance(resource, dict) and mode is None:
            modeless = True
        if not isinstance(resource, dict) or not isinstance(mode, str):
            continue
        location = f"{path}.entry[{index}].resource"
        resource_type = resource.get("resourceType")
        if mode == "outcome":
            if resource_type != "OperationOutcome":
                walker.run.error(
                    IssueType.INVALID, MessageId.BUNDLE_SEARCH_OUTCOME_NOT_OO, location, resource_type=resource_type
                )
            continue
        if mode not in ("match", "include"):
            continue
        if not isinstance(resource.get("id"), str):
            walker.run.error(IssueType.INVALID, MessageId.BUNDLE_SEARCH_NOID, location)
        if mode == "match" and searched and resource_type not in searched:
            walker.run.error(
                IssueType.INVALID,
                MessageId.BUNDLE_SEARCH_WRONG_TYPE,
                location,
                resource_type=resource_type,
                types=", ".join(searched),
            )
    if modeless:
        # without a mode, whether an entry matched, was included or reports on the search is unknown
        walker.run.warning(IssueType.INVALID, MessageId.BUNDLE_SEARCH_NO_MODE, path)


def _searched_types(walker: Checker, bundle: dict) -> list[str]:
    """The resource types a search set's `self` link says were searched: the type of a type-level search
    (`[base]/[type]?…`, `[base]/[type]/_search`, `[base]/[compartment]/[id]/[type]`), or the `_type` parameter of a
    search across types; none when the link names no type (nothing to compare with)."""
    url = _self_link(bundle)
    if url is None:
        return []
    address, _, query = url.partition("?")
    segments = [segment for segment in address.split("/") if segment]
    if segments and segments[-1] == "_search":
        segments.pop()
    if segments and _is_resource_type(walker, segments[-1]):
        return [segments[-1]]
    for parameter in query.split("&"):
        name, _, value = parameter.partition("=")
        if name == "_type" and value:
            types = [part for part in value.split(",") if part]
            return types if all(_is_resource_type(walker, part) for part in types) else []
    return []


def _self_link(bundle: dict) -> str | None:
    links = bundle.get("link")
    for link in links if isinstance(links, list) else []:
        if isinstance(link, dict) and link.get("relation") == "self" and isinstance(link.get("url"), str):
            return str(link["url"])
    return None


def _is_resource_type(walker: Checker, name: str) -> bool:
    model = walker.models.get(name)
    return model is not None and model.kind == "resource" and model.derivation != "constraint" and not model.abstract


#: Bundle types whose entries may carry resources that have no identity yet (Bundle.entry.fullUrl: "fullUrl can be
#: empty on a POST")
_UNIDENTIFIED_TYPES = frozenset({"transaction", "batch", "transaction-response", "batch-response"})


def _unidentified(entry: dict) -> bool:
    """An entry whose resource may lack an identity: one being created (request POST), or an OperationOutcome about
    a search (R4 Bundle.entry.fullUrl: "Results from operations might involve resources that are not identified")."""
    request, search = entry.get("request"), entry.get("search")
    if isinstance(request, dict) and request.get("method") == "POST":
        return True
    return isinstance(search, dict) and search.get("mode") == "outcome"


#: The references of a document's Composition that must resolve inside the document: (path, repeats) steps.
_COMPOSITION_REFERENCES = (
    (("subject",), "Composition.subject"),
    (("author",), "Composition.author"),
    (("encounter",), "Composition.encounter"),
    (("custodian",), "Composition.custodian"),
    (("attester", "party"), "Composition.attester.party"),
    (("event", "detail"), "Composition.event.detail"),
)


def _document_references(walker: Checker, entries: list, path: str, frame: Frame) -> None:
    """A document is self-contained: the Composition's subject, authors, … and every section entry must resolve to
    exactly one entry of the Bundle (by the Bundle reference resolution rules, versions included)."""
    first = entries[0] if entries else None
    if not isinstance(first, dict):
        return
    composition = first.get("resource")
    if not isinstance(composition, dict) or composition.get("resourceType") != "Composition":
        return
    index = frame.bundle if isinstance(frame.bundle, BundleIndex) else BundleIndex({"entry": entries})
    full_url = first.get("fullUrl") if isinstance(first.get("fullUrl"), str) else None
    location = f"{path}.entry[0].resource"
    for steps, name in _COMPOSITION_REFERENCES:
        for reference, where in _references_at(composition, steps, location):
            _document_reference(walker, index, reference, full_url, name, where)
    _section_references(walker, index, composition, full_url, location)
    if frame.bundle is index:  # a streamed document is seen a chunk at a time: reachability needs all its entries
        _unreachable_entries(walker, index, entries, composition, full_url, path)


def _unreachable_entries(
    walker: Checker, index: BundleIndex, entries: list, composition: dict, full_url: str | None, path: str
) -> None:
    """A document is a Composition "followed by a series of other resources, referenced from the Composition" (R4
    documents.html): an entry that no chain of references from the Composition reaches is a warning, except a
    Provenance (it refers to what it is about, not the other way round)."""
    reached = {id(composition)}
    pending: list[tuple[dict, str | None]] = [(composition, full_url)]
    while pending:
        resource, base = pending.pop()
        for reference in _all_references(resource):
            found = index.find(reference, base)
            for target in found if len(found) == 1 else []:  # several matches resolve to none
                if id(target) not in reached:
                    reached.add(id(target))
                    pending.append((target, index.full_url_of(target)))
    for number, entry in enumerate(entries):
        held = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(held, dict) or id(held) in reached or held.get("resourceType") == "Provenance":
            continue
        walker.run.warning(
            IssueType.INVALID,
            MessageId.BUNDLE_BUNDLE_ENTRY_ORPHAN_DOCUMENT,
            f"{path}.entry[{number}]",
            full_url=entry.get("fullUrl") or held.get("id"),
        )


def _all_references(resource: dict) -> list[str]:
    """The Reference.reference values anywhere in a resource (its contained resources included), `#…` left out."""
    found: list[str] = []
    stack: list[object] = [resource]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            reference = current.get("reference")
            if isinstance(reference, str) and reference and not reference.startswith("#"):
                found.append(reference)
            stack.extend(value for value in current.values() if isinstance(value, dict | list))
        elif isinstance(current, list):
            stack.extend(current)
    return found


def _section_references(walker: Checker, index: BundleIndex, holder: dict, full_url: str | None, location: str) -> None:
    for number, section in enumerate(holder.get("section") or []):
        if not isinstance(section, dict):
            continue
        where = f"{location}.section[{number}]"
        for steps, name in (
            (("author",), "Section.author"),
            (("focus",), "Section.focus"),
            (("entry",), "Section Entry"),
        ):
            for reference, at in _references_at(section, steps, where):
                _document_reference(walker, index, reference, full_url, name, at)
        _section_references(walker, index, section, full_url, where)


def _references_at(holder: dict, steps: tuple[str, ...], location: str) -> list[tuple[str, str]]:
    """(reference, location) of the Reference values at `steps` below `holder` (each step may repeat)."""
    current: list[tuple[object, str]] = [(holder, location)]
    for step in steps:
        following: list[tuple[object, str]] = []
        for value, where in current:
            item = value.get(step) if isinstance(value, dict) else None
            if isinstance(item, list):
                following.extend((entry, f"{where}.{step}[{number}]") for number, entry in enumerate(item))
            elif item is not None:
                following.append((item, f"{where}.{step}"))
        current = following
    return [
        (value["reference"], where)
        for value, where in current
        if isinstance(value, dict) and isinstance(value.get("reference"), str) and value["reference"]
    ]


def _document_reference(
    walker: Checker, index: BundleIndex, reference: str, full_url: str | None, name: str, location: str
) -> None:
    if reference.startswith("#"):
        return
    found = index.find(reference, full_url)
    if not found:
        walker.run.error(
            IssueType.INVALID, MessageId.BUNDLE_BUNDLE_ENTRY_NOTFOUND, location, reference=reference, name=name
        )
    elif len(found) > 1:
        walker.run.error(
            IssueType.INVALID,
            MessageId.BUNDLE_BUNDLE_ENTRY_FOUND_MULTIPLE,
            location,
            count=len(found),
            reference=reference,
            name=name,
        )


def index(bundle: dict) -> BundleIndex:
    return BundleIndex(bundle)
