"""The SQL implementation of `Store` shared by SQLite and PostgreSQL, and the search-to-SQL builder.

Tables (see `migrations/`): `resource` (one row per resource: type, id, current version, lastUpdated in epoch µs,
deleted flag), `resource_version` (every version's JSON, orjson bytes; NULL for a delete) and one index table per
parameter type (`idx_token`, `idx_string`, `idx_reference`, `idx_date`, `idx_number`, `idx_quantity`, `idx_uri`)
holding the current versions' values only. A search is one SQL statement of `rid IN (SELECT rid FROM idx_… WHERE
pkey = ? AND …)` conditions, never a scan of JSON. SQL is written with `?` placeholders and always parameterised;
the PostgreSQL backend turns `?` into `%s`.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from dermfhir import fhirjson
from dermfhir.definitions import Definitions
from dermfhir.store import migrations
from dermfhir.store.base import (
    ID,
    HistoryEntry,
    HistoryResult,
    Loaded,
    SearchResult,
    Store,
    Visibility,
    WriteResult,
    _type_of,
)
from dermfhir.store.errors import Gone, InvalidResource, InvalidSearch, NotFound, SchemaError
from dermfhir.store.search import date, number, quantity, reference, string, token, uri
from dermfhir.store.search.index import TABLES, IndexRows, extract
from dermfhir.store.search.params import (
    MAX_ITERATE,
    AllOf,
    ChainFilter,
    Filter,
    HasFilter,
    Include,
    ParamFilter,
    Params,
    Query,
    SortKey,
    is_costly,
    parse,
)
from dermfhir.store.search.registry import COLUMN_PARAMETERS, SearchParam, SearchRegistry

Row = Sequence[Any]
#: A bulk load of at least this many resources refreshes the planner's statistics.
ANALYZE_AFTER = 1000
#: Counting a filter's matches for choosing the driving filter stops here.
_ESTIMATE_LIMIT = 2000


@dataclass
class _State:
    rid: int
    version: int
    deleted: bool


@dataclass
class _Pending:
    resource: dict
    state: _State | None
    method: str
    index: IndexRows | None = None  # extracted before the write transaction, when known


class SqlStore(Store):
    """`Store` over a DB-API connection; subclasses provide connections, transactions and dialect details."""

    dialect = "sqlite"

    def __init__(self, definitions: Definitions | None = None, *, default_count: int = 20) -> None:
        self.definitions = definitions if definitions is not None else Definitions.default()
        self.registry = SearchRegistry(self.definitions)
        self.default_count = default_count
        self._local = threading.local()
        self._clock_lock = threading.Lock()
        self._last_micros = 0

    # -- backend hooks -------------------------------------------------------------------------------------------
    def _begin(self) -> Any:
        """Context manager: a connection inside a write transaction, committed on exit, rolled back on error."""
        raise NotImplementedError

    def _reader(self) -> Any:
        """Context manager: a connection for reading outside any transaction."""
        raise NotImplementedError

    def _query(self, conn: Any, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return list(conn.execute(sql, params).fetchall())

    def _execute(self, conn: Any, sql: str, params: Sequence[Any] = ()) -> None:
        conn.execute(sql, params)

    def _executemany(self, conn: Any, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            conn.executemany(sql, rows)

    def _allocate_rids(self, conn: Any, count: int) -> list[int]:
        raise NotImplementedError

    def _for_update(self) -> str:
        return ""

    def _in_values(self, column: str, values: list[str]) -> tuple[str, list[Any]]:
        """SQL for `column IN (values)` with the values bound as one parameter, however many there are."""
        raise NotImplementedError

    def _stream(self, conn: Any, sql: str, params: Sequence[Any]) -> Iterator[bytes]:
        """The first column (stored JSON) of every row of one query, as bytes, read a thousand rows at a time."""
        raise NotImplementedError

    # -- schema --------------------------------------------------------------------------------------------------
    def migrate(self) -> int:
        """Apply the pending numbered migrations; returns the schema version now in force."""
        steps = migrations.steps(self.dialect)
        latest = steps[-1][0] if steps else 0
        with self.transaction():
            conn = self._local.conn
            self._migration_lock(conn)
            for statement in migrations.BOOTSTRAP:
                self._execute(conn, statement)
            current = self._query(conn, "SELECT MAX(version) FROM schema_version")[0][0] or 0
            if current > latest:
                raise SchemaError(f"The database schema is version {current}; this dermfhir knows up to {latest}")
            for version, statements in steps:
                if version <= current:
                    continue
                for statement in statements:
                    self._execute(conn, statement)
                self._execute(
                    conn,
                    "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                    (version, date.micros_to_instant(date.now_micros())),
                )
        return latest

    def _migration_lock(self, conn: Any) -> None:
        """Serialise concurrent migrations (PostgreSQL); SQLite's write lock already does."""

    def schema_version(self) -> int:
        with self._reading() as conn:
            return int(self._query(conn, "SELECT MAX(version) FROM schema_version")[0][0] or 0)

    # -- connections and transactions ----------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[SqlStore]:
        if getattr(self._local, "conn", None) is not None:
            yield self
            return
        with self._begin() as conn:
            self._local.conn = conn
            try:
                yield self
            finally:
                self._local.conn = None

    @contextmanager
    def _reading(self) -> Iterator[Any]:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            yield conn
            return
        with self._reader() as conn:
            yield conn

    @contextmanager
    def _writing(self) -> Iterator[Any]:
        with self.transaction():
            yield self._local.conn

    # -- interactions --------------------------------------------------------------------------------------------
    def create(self, resource: dict) -> dict:
        self._check(resource)
        resource = {**resource, "id": str(uuid.uuid4())}
        index = extract(self.registry, resource)  # before the write lock: a large resource takes a while
        with self._writing() as conn:
            stored = self._write(conn, [_Pending(resource, None, "create", index)])
        return stored[0]

    def update(self, resource: dict, *, if_match: str | int | None = None) -> WriteResult:
        resource_type = self._check(resource)
        resource_id = resource.get("id")
        if not isinstance(resource_id, str) or not ID.match(resource_id):
            raise InvalidResource(f"An update needs a valid id, got {resource_id!r}")
        index = extract(self.registry, resource)  # before the write lock: a large resource takes a while
        with self._writing() as conn:
            state = self._state(conn, resource_type, resource_id, lock=True)
            live = state is not None and not state.deleted
            self.check_version(str(state.version) if state is not None and live else None, if_match)
            stored = self._write(conn, [_Pending(resource, state, "update" if live else "create", index)])[0]
        return WriteResult(stored, not live)

    def read(self, resource_type: str, resource_id: str) -> dict:
        _known(resource_type, resource_id)
        with self._reading() as conn:
            rows = self._query(
                conn,
                "SELECT a.deleted, v.content FROM resource a JOIN resource_version v "
                "ON v.rid = a.rid AND v.version = a.version WHERE a.type = ? AND a.id = ?",
                (resource_type, resource_id),
            )
        if not rows:
            raise NotFound(f"{resource_type}/{resource_id} is not known")
        if rows[0][0]:
            raise Gone(f"{resource_type}/{resource_id} is deleted")
        return fhirjson.loads(rows[0][1])

    def vread(self, resource_type: str, resource_id: str, version_id: str) -> dict:
        _known(resource_type, resource_id)
        version = str(version_id)
        if not (version.isascii() and version.isdigit()) or len(version) > 9:
            raise NotFound(f"{resource_type}/{resource_id} has no version {version_id!r}")
        with self._reading() as conn:
            rows = self._query(
                conn,
                "SELECT v.content FROM resource a JOIN resource_version v ON v.rid = a.rid "
                "WHERE a.type = ? AND a.id = ? AND v.version = ?",
                (resource_type, resource_id, int(version)),
            )
        if not rows:
            raise NotFound(f"{resource_type}/{resource_id} has no version {version_id}")
        if rows[0][0] is None:
            raise Gone(f"{resource_type}/{resource_id} version {version_id} is a delete")
        return fhirjson.loads(rows[0][0])

    def delete(self, resource_type: str, resource_id: str, *, if_match: str | int | None = None) -> str | None:
        _known(resource_type, resource_id)
        with self._writing() as conn:
            state = self._state(conn, resource_type, resource_id, lock=True)
            if state is None:
                raise NotFound(f"{resource_type}/{resource_id} is not known")
            self.check_version(None if state.deleted else str(state.version), if_match)
            if state.deleted:
                return None
            version, now = state.version + 1, self._now()
            self._execute(
                conn,
                "UPDATE resource SET version = ?, last_updated = ?, deleted = 1 WHERE rid = ?",
                (version, now, state.rid),
            )
            self._execute(
                conn,
                "INSERT INTO resource_version (rid, version, type, id, last_updated, method, content) "
                "VALUES (?, ?, ?, ?, ?, 'delete', NULL)",
                (state.rid, version, resource_type, resource_id, now),
            )
            for table in TABLES:
                self._execute(conn, f"DELETE FROM idx_{table} WHERE rid = ?", (state.rid,))
            return str(version)

    def history(
        self,
        resource_type: str | None = None,
        resource_id: str | None = None,
        *,
        since: str | None = None,
        count: int = 100,
        offset: int = 0,
    ) -> HistoryResult:
        where: list[str] = []
        params: list[Any] = []
        if resource_type is not None:
            where.append("v.type = ?")
            params.append(resource_type)
        if resource_id is not None:
            _known(resource_type or "Resource", resource_id)
            where.append("v.id = ?")
            params.append(resource_id)
        if since is not None:
            found = date.parse_range(since)
            if found is None:
                raise InvalidSearch("_since", f"'{since}' is not an instant")
            where.append("v.last_updated >= ?")
            params.append(found[0])
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        count, offset = max(0, min(int(count), 1000)), max(0, int(offset))
        with self._reading() as conn:
            known = resource_id is None or resource_type is None
            if not known and self._state(conn, resource_type or "", resource_id or "") is None:
                raise NotFound(f"{resource_type}/{resource_id} is not known")
            total = int(self._query(conn, "SELECT COUNT(*) FROM resource_version v" + clause, params)[0][0])
            rows = self._query(
                conn,
                "SELECT v.type, v.id, v.version, v.last_updated, v.method, v.content FROM resource_version v"
                + clause
                + " ORDER BY v.last_updated DESC, v.rid DESC, v.version DESC LIMIT ? OFFSET ?",
                [*params, count + 1, offset],
            )
        entries = [
            HistoryEntry(
                row[0],
                row[1],
                str(row[2]),
                date.micros_to_instant(row[3]),
                row[4],
                fhirjson.loads(row[5]) if row[5] is not None else None,
            )
            for row in rows[:count]
        ]
        return HistoryResult(entries, total, offset, count, len(rows) > count)

    def search(
        self, resource_type: str | None, params: Params = None, *, visibility: Visibility | None = None
    ) -> SearchResult:
        stored, result = self._search_stored(resource_type, params, visibility=visibility)
        result.resources = [fhirjson.loads(content) for content in stored]
        return result

    def costly(self, resource_type: str | None, params: Params = None, *, visibility: Visibility | None = None) -> bool:
        restrict = visibility.criteria if visibility is not None else None
        return is_costly(parse(self.registry, resource_type, params, self.default_count, restrict), self.default_count)

    def _search_page(self, resource_type: str | None, params: Params) -> tuple[Iterable[dict], bool]:
        stored, result = self._search_stored(resource_type, params)
        return (fhirjson.loads(content) for content in stored), result.has_next

    def _search_stored(
        self, resource_type: str | None, params: Params = None, *, visibility: Visibility | None = None
    ) -> tuple[list[bytes], SearchResult]:
        """`search`, with the page's resources as their stored JSON, apart (the included resources are decoded)."""
        restrict = visibility.criteria if visibility is not None else None
        query = parse(self.registry, resource_type, params, self.default_count, restrict)
        builder = _Builder(self.registry, self.dialect)
        with self._reading() as conn:
            driver, broad = self._driver(conn, builder, query)
            where, args = builder.where(query, driver)
            total = None
            if query.total != "none" or query.summary == "count" or query.count == 0:
                counting = builder.count(query)
                if counting is None:
                    counting = f"SELECT COUNT(*) FROM resource a WHERE {where}", args
                total = int(self._query(conn, *counting)[0][0])
            if query.summary == "count" or query.count == 0:
                return [], SearchResult([], [], total, query.offset, query.count, False)
            order, order_args = builder.order(query.sort)
            if not broad and driver is None and not query.sort:
                broad = self._broad_chain(conn, builder, query, total)
            if broad and not query.sort:  # many matches, rid order: walk resources and probe, stop at the page end
                where, args = builder.where(query, None, probe_chains=True)
            if query.sort or broad:  # find the page's rids alone, then fetch their content (no JSON while sorting)
                page = [
                    row[0]
                    for row in self._query(
                        conn,
                        f"SELECT a.rid FROM resource a WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
                        [*args, *order_args, query.count + 1, query.offset],
                    )
                ]
                found = {
                    row[0]: row
                    for row in (
                        self._query(
                            conn,
                            "SELECT a.rid, a.type, a.id, v.content FROM resource a JOIN resource_version v "
                            f"ON v.rid = a.rid AND v.version = a.version WHERE a.rid IN ({_marks(page)})",
                            page,
                        )
                        if page
                        else []
                    )
                }
                rows = [found[rid] for rid in page if rid in found]
            else:
                rows = self._query(
                    conn,
                    "SELECT a.rid, a.type, a.id, v.content FROM resource a JOIN resource_version v "
                    f"ON v.rid = a.rid AND v.version = a.version WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
                    [*args, *order_args, query.count + 1, query.offset],
                )
            has_next = len(rows) > query.count
            rows = rows[: query.count]
            included = self._includes(conn, query, rows) if (query.includes or query.revincludes) else []
        return [row[3] for row in rows], SearchResult([], included, total, query.offset, query.count, has_next)

    def _broad_chain(self, conn: Any, builder: _Builder, query: Query, total: int | None = None) -> bool:
        """Whether a chain of the query matches many resources (then probing resources in rid order finds a page
        sooner than collecting every match first). An exact `total` that large answers without estimating: each
        chain matches at least as many."""
        chains = [item for item in query.filters if isinstance(item, ChainFilter)]
        if chains and total is not None and total >= _ESTIMATE_LIMIT:
            return True
        for item in chains:
            sql, args = builder.chain_rids(item)
            if self._query(conn, f"SELECT COUNT(*) FROM ({sql} LIMIT {_ESTIMATE_LIMIT}) e", args)[0][0] >= (
                _ESTIMATE_LIMIT
            ):
                return True
        return False

    def _driver(self, conn: Any, builder: _Builder, query: Query) -> tuple[int | None, bool]:
        """The filter to drive the search from (the most selective, by a capped count; others become probes),
        and whether even that one matches many rows."""
        candidates = [
            index
            for index, item in enumerate(query.filters)
            if isinstance(item, ParamFilter)
            and item.modifier not in ("not", "missing")
            and item.param.type != "composite"
            and item.param.code not in ("_id", "_lastUpdated")
        ]
        if any(not isinstance(item, ParamFilter) or item.param.code == "_id" for item in query.filters):
            return None, False  # a chain, _has or _id narrows first
        if not candidates:
            return None, False
        best, smallest = None, None
        for index in candidates:
            item = query.filters[index]
            assert isinstance(item, ParamFilter)
            sql, args = builder.matches(item)
            found = self._query(conn, f"SELECT COUNT(*) FROM ({sql} LIMIT {_ESTIMATE_LIMIT}) e", args)[0][0]
            if smallest is None or found < smallest:
                best, smallest = index, found
        return best, smallest is not None and smallest >= _ESTIMATE_LIMIT

    def iter_matches(self, resource_type: str, params: Params = None) -> Iterator[bytes]:
        query = parse(self.registry, resource_type, params, self.default_count)
        if query.includes or query.revincludes:
            raise InvalidSearch("_include", "Only the matches are given here: _include and _revinclude are refused")
        builder = _Builder(self.registry, self.dialect)
        with self._reading() as conn:
            driver, _ = self._driver(conn, builder, query)
            where, args = builder.where(query, driver)
            order, order_args = builder.order(query.sort)
            yield from self._stream(
                conn,
                "SELECT v.content FROM resource a JOIN resource_version v ON v.rid = a.rid AND v.version = a.version "
                f"WHERE {where} ORDER BY {order}",
                [*args, *order_args],
            )

    def iter_referring(
        self, resource_type: str, parameter: str, target_type: str, target_ids: Iterable[str]
    ) -> Iterator[bytes]:
        param = self.registry.params(resource_type).get(parameter)
        if param is None or param.type != "reference" or not param.supported:
            raise InvalidSearch(parameter, f"'{parameter}' is not a reference search parameter of {resource_type}")
        ids = sorted(set(target_ids))
        if not ids:
            return
        listed, listed_args = self._in_values("t.ref_id", ids)
        with self._reading() as conn:
            yield from self._stream(
                conn,
                "SELECT v.content FROM resource a JOIN resource_version v ON v.rid = a.rid AND v.version = a.version "
                "WHERE a.type = ? AND a.deleted = 0 AND a.rid IN (SELECT t.rid FROM idx_reference t "
                f"WHERE t.pkey = ? AND t.ref_type = ? AND {listed}) ORDER BY a.rid",
                [resource_type, param.key, target_type, *listed_args],
            )

    def iter_current(self, resource_type: str, since: int | None = None, page: int = 2000) -> Iterator[bytes]:
        """Current resources of one type as stored JSON, paged by row key (no OFFSET: flat cost at any depth)."""
        last = 0
        while True:
            sql = (
                "SELECT a.rid, v.content FROM resource a JOIN resource_version v "
                "ON v.rid = a.rid AND v.version = a.version WHERE a.type = ? AND a.deleted = 0 AND a.rid > ?"
            )
            params: list[Any] = [resource_type, last]
            if since is not None:
                sql += " AND a.last_updated > ?"
                params.append(since)
            with self._reading() as conn:
                rows = self._query(conn, sql + " ORDER BY a.rid LIMIT ?", [*params, page])
            for row in rows:
                content = row[1]
                yield content.encode() if isinstance(content, str) else bytes(content)
            if len(rows) < page:
                return
            last = rows[-1][0]

    def load(  # type: ignore[override]
        self,
        resources: Iterable[dict],
        *,
        batch_size: int = 1000,
        return_resources: bool = True,
        indexes: Sequence[Any] | None = None,
        refresh_statistics: bool = True,
    ) -> list[dict] | list[Loaded]:
        stored: list[Any] = []
        batch: list[dict] = []
        batch_indexes: list[IndexRows | None] = []
        for position, resource in enumerate(resources):
            batch.append(resource)
            batch_indexes.append(indexes[position] if indexes is not None else None)
            if len(batch) >= batch_size:
                stored.extend(self._load_batch(batch, return_resources, batch_indexes))
                batch, batch_indexes = [], []
        if batch:
            stored.extend(self._load_batch(batch, return_resources, batch_indexes))
        if refresh_statistics and len(stored) >= ANALYZE_AFTER:
            self._refresh_statistics()
        return stored

    def _refresh_statistics(self) -> None:
        """After a large load: refresh the query planner's statistics where they went stale."""

    def index_of(self, resource: dict) -> IndexRows:
        return extract(self.registry, resource)

    def _load_batch(
        self, batch: list[dict], return_resources: bool = True, indexes: list[IndexRows | None] | None = None
    ) -> list[Any]:
        prepared: list[dict] = []
        prepared_indexes: list[IndexRows | None] = []
        for position, resource in enumerate(batch):
            self._check(resource)
            if resource.get("id") is None:
                resource = {**resource, "id": str(uuid.uuid4())}
            elif not isinstance(resource["id"], str) or not ID.match(resource["id"]):
                raise InvalidResource(f"Invalid id {resource['id']!r}")
            prepared.append(resource)
            prepared_indexes.append(indexes[position] if indexes else None)
        stored: list[Any] = []
        with self._writing() as conn:
            start = 0
            while start < len(prepared):  # split where an id repeats, so each part sees the previous part's version
                seen: set[tuple[str, str]] = set()
                end = start
                while end < len(prepared):
                    key = (prepared[end]["resourceType"], prepared[end]["id"])
                    if key in seen:
                        break
                    seen.add(key)
                    end += 1
                states = self._states(conn, list(seen))
                pending = []
                for resource, index in zip(prepared[start:end], prepared_indexes[start:end], strict=True):
                    state = states.get((resource["resourceType"], resource["id"]))
                    live = state is not None and not state.deleted
                    pending.append(_Pending(resource, state, "update" if live else "create", index))
                stored.extend(self._write(conn, pending, return_resources))
                start = end
        return stored

    def reindex(self, resource_type: str | None = None) -> int:
        done, last = 0, 0
        while True:
            with self._writing() as conn:
                sql = (
                    "SELECT a.rid, v.content FROM resource a JOIN resource_version v ON v.rid = a.rid "
                    "AND v.version = a.version WHERE a.deleted = 0 AND a.rid > ?"
                )
                params: list[Any] = [last]
                if resource_type is not None:
                    sql += " AND a.type = ?"
                    params.append(resource_type)
                rows = self._query(conn, sql + " ORDER BY a.rid LIMIT 1000", params)
                if not rows:
                    return done
                self._delete_index(conn, [row[0] for row in rows])
                self._insert_index(conn, [(row[0], extract(self.registry, fhirjson.loads(row[1]))) for row in rows])
                done += len(rows)
                last = rows[-1][0]

    # -- writing -------------------------------------------------------------------------------------------------
    def _check(self, resource: dict) -> str:
        resource_type = _type_of(resource)
        if resource_type not in self.registry.resource_types:
            raise InvalidResource(f"Unknown resource type {resource_type!r}")
        return resource_type

    def _now(self) -> int:
        """Epoch µs, strictly increasing within this process."""
        with self._clock_lock:
            self._last_micros = max(date.now_micros(), self._last_micros + 1)
            return self._last_micros

    def _state(self, conn: Any, resource_type: str, resource_id: str, lock: bool = False) -> _State | None:
        rows = self._query(
            conn,
            "SELECT rid, version, deleted FROM resource WHERE type = ? AND id = ?"
            + (self._for_update() if lock else ""),
            (resource_type, resource_id),
        )
        return _State(rows[0][0], rows[0][1], bool(rows[0][2])) if rows else None

    def _states(self, conn: Any, keys: list[tuple[str, str]]) -> dict[tuple[str, str], _State]:
        by_type: dict[str, list[str]] = {}
        for resource_type, resource_id in keys:
            by_type.setdefault(resource_type, []).append(resource_id)
        found: dict[tuple[str, str], _State] = {}
        for resource_type, ids in by_type.items():
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                rows = self._query(
                    conn,
                    f"SELECT id, rid, version, deleted FROM resource WHERE type = ? AND id IN "
                    f"({', '.join('?' * len(chunk))}){self._for_update()}",
                    [resource_type, *chunk],
                )
                for row in rows:
                    found[(resource_type, row[0])] = _State(row[1], row[2], bool(row[3]))
        return found

    def _write(self, conn: Any, pending: list[_Pending], return_resources: bool = True) -> list[Any]:
        """Write new versions (resource rows, version rows, index rows) with one bulk insert per table; returns
        the stored resources, or with `return_resources=False` a `Loaded` for each."""
        new = sum(1 for item in pending if item.state is None)
        rids = iter(self._allocate_rids(conn, new) if new else [])
        inserts: list[tuple] = []
        updates: list[tuple] = []
        versions: list[tuple] = []
        stored: list[Any] = []
        index: dict[str, list[tuple]] = {}
        registry, dumps, instant = self.registry, fhirjson.dumps, date.micros_to_instant
        for item in pending:
            now = self._now()
            state = item.state
            version = state.version + 1 if state else 1
            meta = dict(item.resource.get("meta") or {})
            meta["versionId"] = str(version)
            meta["lastUpdated"] = last_updated = instant(now)
            resource = {**item.resource, "meta": meta}
            resource_type, resource_id = resource["resourceType"], resource["id"]
            if state is None:
                rid = next(rids)
                inserts.append((rid, resource_type, resource_id, version, now, 0))
            else:
                rid = state.rid
                updates.append((version, now, rid))
            versions.append((rid, version, resource_type, resource_id, now, item.method, dumps(resource)))
            for table, rows in (item.index if item.index is not None else extract(registry, resource)).items():
                target = index.get(table)
                if target is None:
                    target = index[table] = []
                target.extend([(rid, *row) for row in rows])
            if return_resources:
                stored.append(resource)
            else:
                live = state is not None and not state.deleted
                stored.append(Loaded(resource_type, resource_id, str(version), last_updated, not live))
        self._insert_rows(conn, "resource", ("rid", "type", "id", "version", "last_updated", "deleted"), inserts)
        self._executemany(conn, "UPDATE resource SET version = ?, last_updated = ?, deleted = 0 WHERE rid = ?", updates)
        self._insert_rows(
            conn, "resource_version", ("rid", "version", "type", "id", "last_updated", "method", "content"), versions
        )
        if updates:
            self._delete_index(conn, [row[2] for row in updates])
        for table, columns in TABLES.items():
            table_rows = index.get(table)
            if table_rows:
                self._insert_rows(conn, f"idx_{table}", ("rid", "pkey", "grp", *columns), table_rows)
        return stored

    def _insert_rows(self, conn: Any, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
        """INSERT many rows (PostgreSQL overrides this with COPY for large batches)."""
        if rows:
            marks = ", ".join("?" * len(columns))
            self._executemany(conn, f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def _delete_index(self, conn: Any, rids: list[int]) -> None:
        """Remove the index rows of `rids` (before re-indexing them)."""
        for start in range(0, len(rids), 500):
            chunk = rids[start : start + 500]
            for table in TABLES:
                self._execute(conn, f"DELETE FROM idx_{table} WHERE rid IN ({_marks(chunk)})", chunk)

    def _insert_index(self, conn: Any, indexed: list[tuple[int, IndexRows]]) -> None:
        for table, columns in TABLES.items():
            rows = [(rid, *row) for rid, found in indexed for row in found.get(table, ())]
            if rows:
                self._insert_rows(conn, f"idx_{table}", ("rid", "pkey", "grp", *columns), rows)

    # -- includes ------------------------------------------------------------------------------------------------
    def _includes(self, conn: Any, query: Query, rows: list[Row]) -> list[dict]:
        seen = {row[0] for row in rows}
        included: list[dict] = []
        current = [(row[0], row[1], row[2]) for row in rows]
        for round_number in range(MAX_ITERATE + 1):
            includes = [i for i in query.includes if round_number == 0 or i.iterate]
            revincludes = [i for i in query.revincludes if round_number == 0 or i.iterate]
            found: list[Row] = []
            for include in includes:
                found.extend(self._include(conn, include, current))
            for include in revincludes:
                found.extend(self._revinclude(conn, include, current))
            fresh = []
            for row in found:
                if row[0] not in seen:
                    seen.add(row[0])
                    fresh.append((row[0], row[1], row[2]))
                    included.append(fhirjson.loads(row[3]))
            if not fresh or not any(i.iterate for i in query.includes + query.revincludes):
                break
            current = fresh
        return included

    def _include(self, conn: Any, include: Include, current: list[tuple[int, str, str]]) -> list[Row]:
        sources = [rid for rid, kind, _ in current if include.source_type in ("*", kind)]
        if not sources:
            return []
        params = include.params
        if include.source_type == "*":
            kinds = {kind for _, kind, _ in current}
            params = tuple(
                p
                for kind in kinds
                for p in self.registry.params(kind).values()
                if p.type == "reference" and p.supported
            )
        keys = list({p.key for p in params})
        if not keys:
            return []
        sql = (
            "SELECT r.rid, r.type, r.id, v.content FROM idx_reference t "
            "JOIN resource r ON r.type = t.ref_type AND r.id = t.ref_id "
            "JOIN resource_version v ON v.rid = r.rid AND v.version = r.version "
            f"WHERE t.rid IN ({_marks(sources)}) AND t.pkey IN ({_marks(keys)}) AND r.deleted = 0"
        )
        args: list[Any] = [*sources, *keys]
        if include.target_type:
            sql += " AND r.type = ?"
            args.append(include.target_type)
        return self._query(conn, sql, args)

    def _revinclude(self, conn: Any, include: Include, current: list[tuple[int, str, str]]) -> list[Row]:
        by_type: dict[str, list[str]] = {}
        for _, kind, resource_id in current:
            if include.target_type in (None, kind):
                by_type.setdefault(kind, []).append(resource_id)
        params = include.params
        if include.source_type == "*":
            raise InvalidSearch("_revinclude", "'*' is not supported for _revinclude")
        keys = list({p.key for p in params})
        found: list[Row] = []
        if not keys:  # `Source:*` of a type without reference parameters (Binary:*): nothing to include
            return found
        for kind, ids in by_type.items():
            found.extend(
                self._query(
                    conn,
                    "SELECT r.rid, r.type, r.id, v.content FROM idx_reference t JOIN resource r ON r.rid = t.rid "
                    "JOIN resource_version v ON v.rid = r.rid AND v.version = r.version "
                    f"WHERE t.pkey IN ({_marks(keys)}) AND t.ref_type = ? AND t.ref_id IN ({_marks(ids)}) "
                    "AND r.type = ?",
                    [*keys, kind, *ids, include.source_type],
                )
            )
        return found


def _known(resource_type: str, resource_id: str) -> None:
    """NotFound for a type or id that no stored resource can have (and that must not reach the SQL driver)."""
    if not (isinstance(resource_type, str) and resource_type.isalpha() and len(resource_type) < 64):
        raise NotFound(f"No resource type {resource_type!r}")
    if not (isinstance(resource_id, str) and ID.match(resource_id)):
        raise NotFound(f"No {resource_type} with id {resource_id!r}")


def _marks(items: Sequence[Any]) -> str:
    return ", ".join("?" * len(items))


class _Builder:
    """Turns a parsed Query into a WHERE clause on `resource a` (and ORDER BY), with its parameters in order."""

    def __init__(self, registry: SearchRegistry, dialect: str = "sqlite") -> None:
        self.registry = registry
        self.dialect = dialect
        self.aliases = 0

    def alias(self) -> str:
        self.aliases += 1
        return f"r{self.aliases}"

    def where(self, query: Query, driver: int | None = None, probe_chains: bool = False) -> tuple[str, list[Any]]:
        """The WHERE clause; filter number `driver` selects rows (IN), the other parameters probe them (EXISTS);
        with `probe_chains`, chains are EXISTS tests too (when they match many resources)."""
        parts, args = ["a.deleted = 0"], []
        if query.resource_type is not None:
            parts.append("a.type = ?")
            args.append(query.resource_type)
        elif query.types:
            parts.append(f"a.type IN ({_marks(query.types)})")
            args.extend(query.types)
        for index, item in enumerate(query.filters):
            if isinstance(item, ParamFilter):
                sql, found = self.param(item, "a", probe=index != driver)
            elif probe_chains and isinstance(item, ChainFilter):
                sql, found = self.chain_rids(item, probe="a")
            else:
                sql, found = self.condition(item, "a", query.resource_type)
            parts.append(sql)
            args.extend(found)
        return " AND ".join(parts), args

    def condition(
        self, item: Filter, alias: str, resource_type: str | None, probe: bool = False
    ) -> tuple[str, list[Any]]:
        """SQL testing `item` on the resource `alias`; with `probe`, parameters and chains are EXISTS tests of that
        one resource (for conditions evaluated once per row, such as the inside of a chain's probe)."""
        if isinstance(item, ParamFilter):
            return self.param(item, alias, probe=probe)
        if isinstance(item, AllOf):
            if not item.filters:
                return "1 = 0", []
            parts, args = [], []
            for nested in item.filters:
                sql, found = self.condition(nested, alias, resource_type, probe)
                parts.append(sql)
                args.extend(found)
            return "(" + " AND ".join(parts) + ")", args
        if isinstance(item, ChainFilter):
            if probe:
                return self.chain_rids(item, probe=alias)
            sql, args = self.chain_rids(item)
            return f"{alias}.rid IN ({sql})", args
        if isinstance(item, HasFilter):
            inner = self.alias()
            sql, found = self.condition(item.inner, inner, item.source_type)
            return (
                f"{alias}.id IN (SELECT t.ref_id FROM idx_reference t JOIN resource {inner} ON {inner}.rid = t.rid "
                f"WHERE t.pkey = ? AND t.ref_type = ? AND {inner}.type = ? AND {sql})",
                [item.param.key, item.target_type, item.source_type, *found],
            )
        raise TypeError(item)  # pragma: no cover

    def chain_rids(self, item: ChainFilter, probe: str | None = None) -> tuple[str, list[Any]]:
        """`SELECT t.rid …` of the resources whose reference matches the chain; with `probe` (an alias), an EXISTS
        test of that one resource instead (cheap per row: for walking many resources in rid order). A probe tests
        the target's own criteria by EXISTS too: an `IN (SELECT …)` inside a correlated test is a list SQLite builds
        again for every row probed."""
        inner = self.alias()
        branches, args = [], []
        for target, nested in item.inner.items():
            sql, found = self.condition(nested, inner, target, probe=probe is not None)
            branches.append(f"({inner}.type = ? AND {sql})")
            args.extend([target, *found])
        body = (
            f"FROM idx_reference t JOIN resource {inner} ON {inner}.type = t.ref_type AND {inner}.id = t.ref_id "
            f"WHERE t.pkey = ? AND {inner}.deleted = 0 AND ({' OR '.join(branches)})"
        )
        if probe is not None:
            # OFFSET 0 keeps PostgreSQL from turning the test into a join over every match (it then probes per row)
            fence = " OFFSET 0" if self.dialect == "postgres" else ""
            return f"EXISTS (SELECT 1 {body} AND t.rid = {probe}.rid{fence})", [item.param.key, *args]
        return f"SELECT t.rid {body}", [item.param.key, *args]

    def count(self, query: Query) -> tuple[str, list[Any]] | None:
        """A COUNT of the matches read from the index tables alone, when that is exact: every filter is a positive
        parameter of the searched type itself (its index rows belong to that type only, and the index holds live
        resources only, so neither `resource.type` nor `resource.deleted` needs checking); None otherwise."""
        if query.resource_type is None or not query.filters:
            return None
        first = query.filters[0]
        if len(query.filters) == 1 and isinstance(first, ChainFilter) and first.param.base == query.resource_type:
            sql, found_args = self.chain_rids(first)  # the chain's own index rows: live resources of this type
            if self.registry.single_valued(first.param):  # one reference per resource: each row is one resource
                return "SELECT COUNT(*)" + sql.removeprefix("SELECT t.rid"), found_args
            return f"SELECT COUNT(DISTINCT rid) FROM ({sql}) c", found_args
        parts: list[str] = []
        args: list[Any] = []
        for item in query.filters:
            if (
                not isinstance(item, ParamFilter)
                or item.modifier in ("not", "missing")
                or item.param.code in COLUMN_PARAMETERS
                or item.param.base != query.resource_type
            ):
                return None
            sql, found = self.matches(item)
            parts.append(sql)
            args.extend(found)
        if len(parts) == 1:
            return f"SELECT COUNT(DISTINCT rid) FROM ({parts[0]}) c", args
        return "SELECT COUNT(*) FROM (" + " INTERSECT ".join(parts) + ") c", args

    def matches(self, item: ParamFilter) -> tuple[str, list[Any]]:
        """`SELECT rid FROM idx_… WHERE …` for a positive parameter filter (for estimating its selectivity)."""
        sql, args = self.param(item, "a")
        return sql.removeprefix("a.rid IN (").removesuffix(")"), args

    def param(self, item: ParamFilter, alias: str, probe: bool = False) -> tuple[str, list[Any]]:
        param, modifier, code = item.param, item.modifier, item.param.code
        if code == "_id":
            values = list(item.values)
            negate = "NOT " if modifier == "not" else ""
            return f"{alias}.id {negate}IN ({_marks(values)})", values
        if code == "_lastUpdated":
            preds: list[str] = []
            args: list[Any] = []
            for value in item.values:
                prefix, text = date.split_prefix(value)
                bounds = date.parse_range(text)
                if bounds is None:
                    raise InvalidSearch("_lastUpdated", f"'{value}' is not a FHIR date, dateTime or instant")
                sql, more = date.range_predicate(
                    prefix, bounds[0], bounds[1], f"{alias}.last_updated", f"({alias}.last_updated + 1)"
                )
                preds.append(sql)
                args.extend(more)
            return "(" + " OR ".join(preds) + ")", args
        table = param.type
        key = param.key
        if param.type == "composite":
            table, key = param.components[0].type, param.components[0].key
        if modifier == "missing":
            negate = "NOT " if item.values[0] == "true" else ""
            if probe:
                return f"{negate}EXISTS (SELECT 1 FROM idx_{table} x WHERE x.rid = {alias}.rid AND x.pkey = ?)", [key]
            return f"{alias}.rid {negate}IN (SELECT rid FROM idx_{table} WHERE pkey = ?)", [key]
        if param.type == "composite":
            return self.composite(item, alias)
        if param.type == "reference" and modifier == "identifier":
            table, key = "token", param.identifier_key
            found = [token.predicate(value, None) for value in item.values]
        else:
            found = [self.value(param, modifier, item.type_modifier, value) for value in item.values]
        sql = " OR ".join(pred[0] for pred in found)
        params = [key, *(arg for pred in found for arg in pred[1])]
        negate = "NOT " if modifier == "not" else ""
        if probe:
            return (
                f"{negate}EXISTS (SELECT 1 FROM idx_{table} x WHERE x.rid = {alias}.rid AND x.pkey = ? AND ({sql}))",
                params,
            )
        return f"{alias}.rid {negate}IN (SELECT rid FROM idx_{table} WHERE pkey = ? AND ({sql}))", params

    @staticmethod
    def value(
        param: SearchParam, modifier: str | None, type_modifier: str | None, value: str, column: str = ""
    ) -> tuple[str, list[Any]]:
        name = param.code
        if param.type == "token":
            return token.predicate(value, modifier, column)
        if param.type == "string":
            return string.predicate(value, modifier, column)
        if param.type == "uri":
            return uri.predicate(value, modifier, column)
        if param.type == "date":
            return date.predicate(value, name, column)
        if param.type == "number":
            return number.predicate(value, name, column)
        if param.type == "quantity":
            return quantity.predicate(value, name, column)
        if param.type == "reference":
            return reference.predicate(value, name, type_modifier, column)
        raise InvalidSearch(name, f"{param.type} parameters are not supported")  # pragma: no cover

    def composite(self, item: ParamFilter, alias: str) -> tuple[str, list[Any]]:
        components = item.param.components
        joins = [f"idx_{components[0].type} c0"]
        for index, component in enumerate(components[1:], start=1):
            joins.append(f"JOIN idx_{component.type} c{index} ON c{index}.rid = c0.rid AND c{index}.grp = c0.grp")
        keys = [f"c{index}.pkey = ?" for index in range(len(components))]
        alternatives, args = [], []
        for value in item.values:
            parts = [part.replace("\\$", "$") for part in _split_dollar(value)]
            if len(parts) != len(components):
                raise InvalidSearch(item.param.code, f"'{value}' needs {len(components)} '$'-separated parts")
            preds = []
            for index, (component, part) in enumerate(zip(components, parts, strict=True)):
                proxy = SearchParam(item.param.code, component.type, item.param.base, "", None)
                sql, more = self.value(proxy, None, None, part, f"c{index}.")
                preds.append(sql)
                args.extend(more)
            alternatives.append("(" + " AND ".join(preds) + ")")
        sql = (
            f"{alias}.rid IN (SELECT c0.rid FROM {' '.join(joins)} WHERE {' AND '.join(keys)} "
            f"AND ({' OR '.join(alternatives)}))"
        )
        return sql, [*(component.key for component in components), *args]

    def order(self, keys: list[SortKey]) -> tuple[str, list[Any]]:
        parts, args = [], []
        for key in keys:
            direction = "DESC" if key.descending else "ASC"
            if key.code == "_id":
                parts.append(f"a.id {direction}")
                continue
            if key.code == "_lastUpdated":
                parts.append(f"a.last_updated {direction}")
                continue
            assert key.param is not None
            column = _SORT_COLUMNS[key.param.type]
            if key.param.type == "date":
                column = "high" if key.descending else "low"
            function = "MAX" if key.descending else "MIN"
            parts.append(
                f"(SELECT {function}({column}) FROM idx_{key.param.type} s "
                f"WHERE s.rid = a.rid AND s.pkey = ?) {direction} NULLS LAST"
            )
            args.append(key.param.key)
        parts.append("a.rid ASC")
        return ", ".join(parts), args


_SORT_COLUMNS = {
    "string": "norm",
    "token": "code",
    "uri": "uri",
    "number": "value",
    "quantity": "value",
    "date": "low",
    "reference": "COALESCE(ref_type || '/' || ref_id, url)",
}


def _split_dollar(value: str) -> list[str]:
    parts, current, escaped = [], [], False
    for char in value:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            current.append(char)
            escaped = True
        elif char == "$":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


__all__ = ["SqlStore", "WriteResult"]
