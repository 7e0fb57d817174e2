"""The storage interface, named after the FHIR RESTful interactions, and the conditional ones built on it.

Specification: https://hl7.org/fhir/R4/http.html (create, read, vread, update, delete, history, search,
transaction) and https://hl7.org/fhir/R4/http.html#cond-update (conditional create/update/delete).
The store keeps `meta.versionId` (1, 2, 3…) and `meta.lastUpdated`; a delete writes a version without content.
Errors: see `dermfhir.store.errors`.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple, overload

import orjson

from dermfhir.store.errors import InvalidResource, NotFound, PreconditionFailed, VersionConflict
from dermfhir.store.search.params import Params, pairs
from dermfhir.store.search.registry import SearchRegistry

ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


class WriteResult(NamedTuple):
    """The stored resource (with its new meta) and whether the write created it (HTTP 201 rather than 200)."""

    resource: dict
    created: bool


class Loaded(NamedTuple):
    """What a bulk `load` wrote for one resource, without its body: the new version, and whether the write
    created the resource (absent or deleted before: HTTP 201) or updated it (200)."""

    resource_type: str
    id: str
    version_id: str
    last_updated: str
    created: bool

    def stamp(self, resource: dict) -> dict:
        """`resource` as it was stored: with this id, `meta.versionId` and `meta.lastUpdated`."""
        meta = dict(resource.get("meta") or {})
        meta["versionId"] = self.version_id
        meta["lastUpdated"] = self.last_updated
        return {**resource, "id": self.id, "meta": meta}


@dataclass
class SearchResult:
    """One page of search matches, the included resources, the total (None when `_total=none`) and paging."""

    resources: list[dict]
    included: list[dict] = field(default_factory=list)
    total: int | None = None
    offset: int = 0
    count: int = 0
    has_next: bool = False

    @property
    def has_previous(self) -> bool:
        return self.offset > 0


@dataclass
class HistoryEntry:
    """One version: `method` is create, update or delete; `resource` is None for a delete."""

    resource_type: str
    id: str
    version_id: str
    last_updated: str
    method: str
    resource: dict | None


@dataclass
class HistoryResult:
    """One page of versions, newest first."""

    entries: list[HistoryEntry]
    total: int
    offset: int = 0
    count: int = 0
    has_next: bool = False


@dataclass(frozen=True)
class Visibility:
    """What one caller may see: `criteria(type)` narrows a search of that type (None: nothing of it is visible),
    and `allows(resource)` decides for one resource. A resource outside it counts as absent (no match)."""

    criteria: Callable[[str], list[tuple[str, str]] | None]
    allows: Callable[[dict], bool]


def version_of(if_match: str | int) -> str:
    """`W/"3"`, `"3"` or `3` → `3` (the ETag forms an If-Match header may carry)."""
    text = str(if_match).strip()
    if text.startswith("W/"):
        text = text[2:]
    return text.strip('"')


class Store(ABC):
    """A FHIR resource store: versioned writes, history and search over one database."""

    registry: SearchRegistry

    # -- interactions -------------------------------------------------------------------------------------------
    @abstractmethod
    def create(self, resource: dict) -> dict:
        """Store a new resource under a server-assigned id (any id in `resource` is ignored); returns it."""

    @abstractmethod
    def update(self, resource: dict, *, if_match: str | int | None = None) -> WriteResult:
        """Store a new version of `resource` (its id is required); creates it when absent or deleted."""

    @abstractmethod
    def read(self, resource_type: str, resource_id: str) -> dict:
        """The current version; NotFound, or Gone when deleted."""

    @abstractmethod
    def vread(self, resource_type: str, resource_id: str, version_id: str) -> dict:
        """One version; NotFound, or Gone when that version is a delete."""

    @abstractmethod
    def delete(self, resource_type: str, resource_id: str, *, if_match: str | int | None = None) -> str | None:
        """Delete (a new, empty version); returns its version id, None when already deleted; NotFound if never."""

    @abstractmethod
    def history(
        self,
        resource_type: str | None = None,
        resource_id: str | None = None,
        *,
        since: str | None = None,
        count: int = 100,
        offset: int = 0,
    ) -> HistoryResult:
        """Versions of one resource, one type or everything, newest first, optionally since an instant."""

    @abstractmethod
    def search(
        self, resource_type: str | None, params: Params = None, *, visibility: Visibility | None = None
    ) -> SearchResult:
        """Search one type (or all types when None) with FHIR query parameters; `visibility` narrows what chains and
        `_has` look at (the caller narrows the searched type itself)."""

    def costly(self, resource_type: str | None, params: Params = None, *, visibility: Visibility | None = None) -> bool:
        """Whether this search's work grows with the stored data rather than with its page (chains, `_has`,
        substring matches, sorting, includes, large pages); raises InvalidSearch as `search` would."""
        return False

    @abstractmethod
    def transaction(self) -> AbstractContextManager[Store]:
        """`with store.transaction():` — every write inside commits together or not at all."""

    @overload
    def load(
        self,
        resources: Iterable[dict],
        *,
        batch_size: int = ...,
        return_resources: Literal[True] = ...,
        indexes: Sequence[Any] | None = ...,
        refresh_statistics: bool = ...,
    ) -> list[dict]: ...

    @overload
    def load(
        self,
        resources: Iterable[dict],
        *,
        batch_size: int = ...,
        return_resources: Literal[False],
        indexes: Sequence[Any] | None = ...,
        refresh_statistics: bool = ...,
    ) -> list[Loaded]: ...

    @abstractmethod
    def load(
        self,
        resources: Iterable[dict],
        *,
        batch_size: int = 1000,
        return_resources: bool = True,
        indexes: Sequence[Any] | None = None,
        refresh_statistics: bool = True,
    ) -> list[dict] | list[Loaded]:
        """Bulk write: creates (no id) or updates (id given), one transaction and one bulk insert per table per
        batch. Returns the stored resources, in order; with `return_resources=False` only a `Loaded` per
        resource (id, version, created or updated), which keeps a large load's memory flat. `indexes`, parallel to
        `resources`, holds what `index_of` returned for each (None: extract it during the write). A load of many
        resources refreshes the query planner's statistics afterwards, unless `refresh_statistics=False` (a
        streaming loader writing many chunks refreshes them itself, now and then, with `analyze()`)."""

    def index_of(self, resource: dict) -> Any:
        """The search index rows of `resource`, extracted now, so a caller can do this costly step before taking the
        write lock and hand the result to `load(indexes=…)`; None when the store has no such step."""
        return None

    def analyze(self) -> None:  # noqa: B027 - optional hook
        """Refresh the query planner's statistics (worth it after a large load); nothing by default."""

    @abstractmethod
    def reindex(self, resource_type: str | None = None) -> int:
        """Re-extract the search index of current resources (after the definitions changed); returns a count."""

    @abstractmethod
    def close(self) -> None:
        """Release connections."""

    # -- conditional interactions, written once on the primitives ----------------------------------------------
    def _serialize(self, resource_type: str) -> None:  # noqa: B027 - optional hook
        """Within a transaction: make conditional interactions on `resource_type` run one at a time."""

    def serialize_conditional(self, resource_type: str) -> None:
        """Within a transaction: wait for other conditional interactions on `resource_type` to commit, so that two
        identical conditional creates cannot both find no match (SQLite's write lock already does this)."""
        self._serialize(resource_type)

    def matches(
        self, resource_type: str, criteria: Params, limit: int = 2, visibility: Visibility | None = None
    ) -> list[dict]:
        """Up to `limit` resources matching `criteria` (control parameters are not allowed); with `visibility`, only
        those the caller may see: the others count as no match."""
        found = pairs(criteria)
        if not found:
            raise PreconditionFailed("A conditional interaction needs search criteria")
        if any(
            name.startswith(
                (
                    "_count",
                    "_offset",
                    "_sort",
                    "_include",
                    "_revinclude",
                    "_summary",
                    "_elements",
                    "_total",
                    "_getpagesoffset",
                    "_contained",
                )
            )
            for name, _ in found
        ):
            raise PreconditionFailed("A conditional interaction takes search criteria only, no result parameters")
        if visibility is not None:
            extra = visibility.criteria(resource_type)
            if extra is None:
                return []
            found += extra
        found += [("_count", str(limit)), ("_total", "none")]
        resources = self.search(resource_type, found, visibility=visibility).resources
        return [r for r in resources if visibility is None or visibility.allows(r)]

    def match_ids(
        self, resource_type: str, criteria: Params, limit: int = 2, visibility: Visibility | None = None
    ) -> list[str]:
        """Ids of up to `limit` resources matching `criteria` (see `matches`)."""
        return [resource["id"] for resource in self.matches(resource_type, criteria, limit, visibility)]

    def conditional_create(
        self, resource: dict, criteria: Params, *, visibility: Visibility | None = None
    ) -> WriteResult:
        """Create unless `criteria` (If-None-Exist) match: one match → it is returned, several → PreconditionFailed."""
        resource_type = _type_of(resource)
        with self.transaction():
            self._serialize(resource_type)
            ids = self.match_ids(resource_type, criteria, visibility=visibility)
            if len(ids) > 1:
                raise PreconditionFailed(f"If-None-Exist matched more than one {resource_type}")
            if ids:
                return WriteResult(self.read(resource_type, ids[0]), False)
            return WriteResult(self.create(resource), True)

    def conditional_update(self, resource: dict, criteria: Params, *, if_match: str | int | None = None) -> WriteResult:
        """Update the one resource matching `criteria`; none → create; several → PreconditionFailed."""
        resource_type = _type_of(resource)
        with self.transaction():
            self._serialize(resource_type)
            ids = self.match_ids(resource_type, criteria)
            if len(ids) > 1:
                raise PreconditionFailed(f"The conditional update matched more than one {resource_type}")
            if ids:
                if resource.get("id") not in (None, ids[0]):
                    raise InvalidResource(f"The id {resource['id']} differs from the matching resource {ids[0]}")
                return self.update({**resource, "id": ids[0]}, if_match=if_match)
            if "id" in resource:
                if self._exists(resource_type, resource["id"]):
                    raise InvalidResource(f"{resource_type}/{resource['id']} exists but does not match the criteria")
                return self.update(resource)
            return WriteResult(self.create(resource), True)

    def conditional_delete(self, resource_type: str, criteria: Params, *, multiple: bool = False) -> list[str]:
        """Delete the resource(s) matching `criteria`; several without `multiple` → PreconditionFailed."""
        with self.transaction():
            self._serialize(resource_type)
            ids = self.match_ids(resource_type, criteria, limit=1000 if multiple else 2)
            if len(ids) > 1 and not multiple:
                raise PreconditionFailed(f"The conditional delete matched more than one {resource_type}")
            for resource_id in ids:
                self.delete(resource_type, resource_id)
            return ids

    def _exists(self, resource_type: str, resource_id: str) -> bool:
        try:
            self.read(resource_type, resource_id)
        except NotFound:
            return False
        return True

    def check_version(self, current: str | None, if_match: str | int | None) -> None:
        """Raise VersionConflict unless `if_match` names the `current` version."""
        if if_match is None:
            return
        wanted = version_of(if_match)
        if current is None:
            raise VersionConflict(f"If-Match {wanted}: the resource does not exist")
        if wanted != current:
            raise VersionConflict(f"If-Match {wanted}: the current version is {current}")

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def iter_current(self, resource_type: str, since: int | None = None, page: int = 2000) -> Iterator[bytes]:
        """The JSON of every current resource of one type (updated after `since`, epoch µs), for bulk export.
        This default goes through search; SQL stores page by row key, so it costs the same at any depth."""
        params = [("_lastUpdated", f"gt{_instant(since)}")] if since is not None else None
        for resource in self.iter_search(resource_type, params, page):
            yield orjson.dumps(resource)

    def iter_search(self, resource_type: str | None, params: Params = None, page: int = 500) -> Iterator[dict]:
        """Every match of a search, page after page."""
        offset = 0
        while True:
            found = [*pairs(params), ("_count", str(page)), ("_offset", str(offset)), ("_total", "none")]
            resources, has_next = self._search_page(resource_type, found)
            yield from resources
            if not has_next:
                return
            offset += page

    @abstractmethod
    def iter_matches(self, resource_type: str, params: Params = None) -> Iterator[bytes]:
        """The stored JSON of every match of a search (`_sort` honoured, else in the order the resources were first
        stored), for a caller that reads a few values of many resources: one query whose rows are streamed, no
        pages, no total, no JSON decoded. `_include` / `_revinclude` are refused; `_count`, `_offset`, `_total`,
        `_summary` and `_elements` do not apply (every match, whole)."""

    @abstractmethod
    def iter_referring(
        self, resource_type: str, parameter: str, target_type: str, target_ids: Iterable[str]
    ) -> Iterator[bytes]:
        """The stored JSON of every current `resource_type` whose reference search parameter `parameter` points at
        `target_type`/`id` for one of `target_ids`, each once, in the order the resources were first stored: one
        query, however many ids (a search takes at most 100 alternatives per parameter)."""

    def _search_page(self, resource_type: str | None, params: Params) -> tuple[Iterable[dict], bool]:
        """One page of `iter_search` and whether another follows. A store may decode the page's resources one at a
        time, as they are consumed: a caller that keeps a few values of each then never holds a page of decoded
        resources, which Python's garbage collector would otherwise walk again and again."""
        result = self.search(resource_type, params)
        return result.resources, result.has_next


def _instant(micros: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(micros / 1_000_000, UTC).isoformat().replace("+00:00", "Z")


def _type_of(resource: dict) -> str:
    if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
        raise InvalidResource("Not a FHIR resource: no resourceType")
    return str(resource["resourceType"])
