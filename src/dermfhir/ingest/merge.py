"""Re-importing another file of the same dataset: merging what it says into what is stored, field by field.

The files of one dataset are often published (or imported) apart: ISIC 2019 metadata and ground truth, ISIC 2020
ground truth and duplicates. An import only knows what its own files say, so the Patient, BodyStructure and image it
writes for an image named by another file lack the fields that other file set (age, sex, site …). FHIR has no
"merge" write: a PUT replaces, and PATCH cannot create, and a transaction may not both create and patch one resource.
So the import marks every resource it makes from dataset rows with the tag `TAG`, and `dermfhir load` (into a store
with `--db`, or a server with `--server`) and `dermfhir serve --load` merge such a resource into the stored one with
the same type and id (`merge`):

- an element the incoming resource does not have, or has only as the import's placeholder (`location` "not
  recorded"), keeps its stored value;
- an element only the incoming resource has is added;
- `extension` and `component` items are merged by what names them (extension URL, plus the dataset of a split, the
  concept of a score, the scale of a skin tone; a component's code), `identifier` items are united;
- an element both give with different values is a conflict: the stored value is kept and the conflict reported
  (`Type/id: element: stored …, incoming …`), never overwritten silently;
- a stored `final` Observation (an annotation) that the merge changes becomes `amended`, as FHIR defines a change
  after final (and as the server's review rules require); a stored `amended` one stays so when a file says `final`.

Resources without the tag are written as given (a replacement, as a PUT). Why hand-written: FHIRPath Patch and JSON
Patch describe edits, not "keep what the other file said", and no library merges FHIR resources by element.

A file that names neither patient nor lesion for its images makes a stand-in Patient and BodyStructure per image,
tagged `FALLBACK`. Loaded after a file that named them, the image keeps its stored patient and lesion, the stand-ins
are not written, and the load's other resources (the annotation) refer to the stored ones (`Merger`). Loaded
before, the image takes the named patient and lesion when the later file gives them.

In that second order, the annotations loaded earlier keep referring to the stand-ins until their own file is loaded
again: the merge then turns them to the named patient and lesion, and a final annotation so changed is `amended`.
"""

from __future__ import annotations

from typing import Any

import orjson

from dermfhir import fhirjson

#: the tag of resources made from dataset rows: `dermfhir load` merges them into their stored version
TAG = {"system": "urn:dermfhir:import", "code": "merge", "display": "merged into the stored resource on load"}
#: values an import writes when its file does not give the element (the element counts as not given)
PLACEHOLDERS = ({"text": "not recorded"},)
#: elements never merged (the resource's identity and its bookkeeping)
_OWN = frozenset({"resourceType", "id", "meta", "text"})
#: the resource types whose `status` has `final` and `amended` with FHIR's meaning (a change after final is amended)
_AMENDABLE = frozenset({"Observation", "DiagnosticReport", "RiskAssessment"})
#: sub-extensions that tell items of one extension URL apart (a split per dataset, a score per concept…)
_NAMING = ("dataset", "concept", "scale")


#: the tag of a Patient (BodyStructure) made per image because the file names neither patient nor lesion
FALLBACK = {"system": "urn:dermfhir:import", "code": "stand-in", "display": "made per image: no patient or lesion id"}


def _has(resource: dict, wanted: dict) -> bool:
    return any(
        isinstance(tag, dict) and tag.get("system") == wanted["system"] and tag.get("code") == wanted["code"]
        for tag in (resource.get("meta") or {}).get("tag") or []
    )


def tagged(resource: dict) -> bool:
    """Whether `resource` was made by a dataset import (and so is merged on load)."""
    return _has(resource, TAG)


def is_fallback(resource: dict) -> bool:
    return _has(resource, FALLBACK)


def _tagged_with(resource: dict, wanted: dict) -> dict:
    if not _has(resource, wanted):
        meta = dict(resource.get("meta") or {})
        meta["tag"] = [*(meta.get("tag") or []), wanted]
        resource["meta"] = meta
    return resource


def tag(resource: dict) -> dict:
    """`resource` with the merge tag added to its meta (in place; returned for convenience)."""
    return _tagged_with(resource, TAG)


def fallback(resource: dict) -> dict:
    """`resource` marked as a stand-in Patient / BodyStructure (in place; returned)."""
    return _tagged_with(resource, FALLBACK)


def _json(value: Any) -> bytes:
    """Canonical JSON text: a stored decimal and the same number read from a file compare equal."""
    return fhirjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def _same(first: Any, second: Any) -> bool:
    return _json(first) == _json(second)


def _placeholder(value: Any) -> bool:
    return any(_same(value, p) for p in PLACEHOLDERS)


def _key(name: str, item: Any) -> Any:
    """What names an item of a merged list (`extension`, `component`)."""
    if not isinstance(item, dict):
        return _json(item)
    if name == "component":
        return _json(item.get("code"))
    inner = tuple(
        (e.get("url"), _json(e)) for e in item.get("extension") or [] if isinstance(e, dict) and e.get("url") in _NAMING
    )
    return (item.get("url"), inner)


def _shown(value: Any) -> str:
    text = fhirjson.dumps(value).decode()
    return text if len(text) <= 80 else text[:77] + "..."


def _list(name: str, stored: list, incoming: list, where: str, conflicts: list[str]) -> list:
    result = list(stored)
    if name == "identifier":
        known = {_json(item) for item in stored}
        return result + [item for item in incoming if _json(item) not in known]
    by_key = {_key(name, item): item for item in stored}
    for item in incoming:
        key = _key(name, item)
        earlier = by_key.get(key)
        if earlier is None:
            result.append(item)
            by_key[key] = item
        elif not _same(earlier, item):
            label = item.get("url", "").rsplit("/", 1)[-1] if name == "extension" else _shown(item.get("code"))
            conflicts.append(f"{where}.{name}[{label}]: stored {_shown(earlier)}, incoming {_shown(item)}")
    return result


def merge(stored: dict, incoming: dict) -> tuple[dict, list[str]]:
    """`incoming` merged into `stored` (see the module's rules): (the merged resource, conflicts)."""
    where = f"{incoming.get('resourceType')}/{incoming.get('id')}"
    merged = dict(stored)
    conflicts: list[str] = []
    amendable = stored.get("resourceType") in _AMENDABLE
    for name, value in incoming.items():
        if name in _OWN or _placeholder(value):
            continue
        if amendable and name == "status" and (stored.get(name), value) == ("amended", "final"):
            continue
        if name not in stored or _placeholder(stored[name]):
            merged[name] = value
        elif _same(stored[name], value):
            continue
        elif name in ("extension", "component", "identifier") and isinstance(value, list):
            merged[name] = _list(name, stored[name], value, where, conflicts)
        else:
            conflicts.append(f"{where}.{name}: stored {_shown(stored[name])}, incoming {_shown(value)}")
    merged = _amended(stored, merged)
    meta = dict(stored.get("meta") or {})
    for key, value in (incoming.get("meta") or {}).items():
        if key in ("profile", "tag", "security"):
            meta[key] = [*(meta.get(key) or []), *(v for v in value if v not in (meta.get(key) or []))]
    if meta:
        meta.pop("versionId", None)
        meta.pop("lastUpdated", None)
        merged["meta"] = meta
    return merged, conflicts


class Merger:
    """Merges the resources of one load into the store, chunk by chunk (`merge_stored`), remembering which
    Patients and BodyStructures were made per image because a file named none (`FALLBACK`): when the
    stored image already names another one, the stored reference is kept and every later reference of the load to
    the stand-in is turned to the stored target (the stand-in itself is then not written)."""

    def __init__(self, store: Any) -> None:
        self.store = store  # anything with `read(type, id)` raising `dermfhir.store.NotFound` when absent
        self.aliases: dict[str, str] = {}  # `Type/id` of a stand-in → `Type/id` the store already has
        self.fallbacks: set[str] = set()  # stand-ins of this load
        #: `Type/id` → the version a merge read (for a write conditional on it: If-Match); None when absent
        self.versions: dict[str, str | None] = {}

    def _stored(self, resource_type: str, id: str) -> dict | None:
        from dermfhir.store.errors import NotFound

        try:
            found: dict = self.store.read(resource_type, id)
        except NotFound:  # Gone is a NotFound: a deleted resource is written anew
            self.versions[f"{resource_type}/{id}"] = None
            return None
        version = (found.get("meta") or {}).get("versionId")
        self.versions[f"{resource_type}/{id}"] = version if isinstance(version, str) else None
        return found

    def _is_fallback(self, reference: str) -> bool:
        if reference in self.fallbacks:
            return True
        kind, _, id = reference.partition("/")
        stored = self._stored(kind, id) if kind and id else None
        return stored is not None and is_fallback(stored)

    def _settle(self, stored: dict, incoming: dict) -> tuple[dict, dict]:
        """(stored, incoming) with references that differ only by a stand-in settled: a stand-in given now gives
        way to the stored target (an alias); a stored stand-in gives way to the target named now."""
        theirs, mine = list(_references(stored)), list(_references(incoming))
        if len(theirs) != len(mine):
            return stored, incoming
        keep: dict[str, str] = {}
        take: dict[str, str] = {}
        for old, new in zip(theirs, mine, strict=True):
            if old == new:
                continue
            if new in self.fallbacks:
                keep[new] = old
            elif self._is_fallback(old):
                take[old] = new
            else:
                return stored, incoming  # a real conflict: reported by merge
        self.aliases.update(keep)
        return (_renamed(stored, take) if take else stored), (_renamed(incoming, keep) if keep else incoming)

    def merge_stored(self, resources: list[dict]) -> tuple[list[dict], list[str]]:
        """Each tagged resource of `resources` merged into its stored version (when there is one), the others as
        given: (what to write, conflicts). A stored version the merge would not change is not written again."""
        out, conflicts = self.merge_each(resources)
        return [r for r in out if r is not None], conflicts

    def merge_each(self, resources: list[dict]) -> tuple[list[dict | None], list[str]]:
        """As `merge_stored`, one item per resource of `resources`, in order: what to write in its place, or None
        when nothing is to be written (the stored version already holds it, or a stand-in gave way)."""
        out: list[dict | None] = []
        conflicts: list[str] = []
        standins: list[int] = []
        for resource in resources:
            if is_fallback(resource):
                self.fallbacks.add(f"{resource['resourceType']}/{resource['id']}")
        for resource in resources:
            if self.aliases:
                resource = _renamed(resource, self.aliases)
            if not tagged(resource) or not isinstance(resource.get("id"), str):
                out.append(resource)
                continue
            stored = self._stored(resource["resourceType"], resource["id"])
            if stored is None:
                if is_fallback(resource):
                    standins.append(len(out))
                out.append(resource)
                continue
            merged, found = merge(*self._settle(stored, resource))
            merged = _amended(stored, merged)  # settling a stand-in changes the stored version too
            conflicts.extend(found)
            out.append(merged if _content(merged) != _content(stored) else None)
        for index in standins:  # a stand-in that gave way to a stored resource is not written
            standin = out[index]
            if standin is not None and f"{standin['resourceType']}/{standin['id']}" in self.aliases:
                out[index] = None
        return out, conflicts


def merge_stored(store: Any, resources: list[dict]) -> tuple[list[dict], list[str]]:
    """`Merger(store).merge_stored(resources)`, for one chunk on its own."""
    return Merger(store).merge_stored(resources)


def _references(node: Any) -> Any:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference" and isinstance(value, str):
                yield value
            elif isinstance(value, dict | list):
                yield from _references(value)
    elif isinstance(node, list):
        for item in node:
            yield from _references(item)


def _renamed(node: Any, names: dict[str, str]) -> Any:
    """A copy of `node` with every reference found in `names` replaced (the others shared)."""
    if isinstance(node, dict):
        return {
            key: names.get(value, value)
            if key == "reference" and isinstance(value, str)
            else (_renamed(value, names) if isinstance(value, dict | list) else value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_renamed(item, names) if isinstance(item, dict | list) else item for item in node]
    return node


def _amended(stored: dict, merged: dict) -> dict:
    """`merged` with status `amended` when it changes a stored `final` resource whose status means so."""
    if (
        stored.get("resourceType") in _AMENDABLE
        and stored.get("status") == "final"
        and _content(merged, meta=False) != _content(stored, meta=False)
    ):
        return {**merged, "status": "amended"}
    return merged


def _content(resource: dict, *, meta: bool = True) -> bytes:
    """The resource as canonical JSON without its version bookkeeping (and without `meta` at all unless `meta`)."""
    if not meta:
        return _json({k: v for k, v in resource.items() if k != "meta"})
    kept = {k: v for k, v in (resource.get("meta") or {}).items() if k not in ("versionId", "lastUpdated")}
    return _json({**resource, "meta": kept})
