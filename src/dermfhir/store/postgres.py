"""The PostgreSQL store (psycopg 3 with a psycopg_pool connection pool) for multi-user, multi-node use.

Writes lock the resource row (`SELECT … FOR UPDATE`), so concurrent If-Match updates serialise per resource;
conditional interactions take a transaction-level advisory lock per resource type; migrations take one too.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from dermfhir.definitions import Definitions
from dermfhir.store.cancel import interruptible
from dermfhir.store.errors import QueryTimeout, Unavailable, VersionConflict
from dermfhir.store.redact import redact
from dermfhir.store.search.index import TABLES
from dermfhir.store.search.registry import param_key
from dermfhir.store.sql import Row, SqlStore

_MIGRATION_LOCK = param_key("dermfhir", "migrations")
_TABLES = "resource, resource_version, " + ", ".join(f"idx_{table}" for table in TABLES)
#: Inserts of at least this many rows use COPY.
COPY_FROM = 50
_CURSORS = itertools.count()  # server-side cursor names, unique within the process


@lru_cache(maxsize=2048)
def _translate(sql: str) -> str:
    """`?` placeholders → psycopg's `%s` (a literal `%` is doubled)."""
    return sql.replace("%", "%%").replace("?", "%s")


def _configure(conn: psycopg.Connection) -> None:
    """Plan every search for its own values: psycopg prepares a statement after a few runs, and PostgreSQL's generic
    plan for it (blind to how many rows `pkey = $1 AND code = $2` selects) can be a hundred times slower on a
    broad search; planning takes well under a millisecond."""
    conn.execute("SET plan_cache_mode = force_custom_plan")


class PostgresStore(SqlStore):
    """A store in a PostgreSQL database given by a `postgresql://` URL."""

    dialect = "postgres"

    def __init__(
        self,
        url: str,
        definitions: Definitions | None = None,
        *,
        default_count: int = 20,
        min_size: int = 1,
        max_size: int = 10,
        statement_timeout: float | None = None,
        pool_timeout: float = 30.0,
    ) -> None:
        super().__init__(definitions, default_count=default_count)
        self.url = url
        #: Seconds one statement may run (None: no limit); the server sets a few seconds.
        self.statement_timeout = statement_timeout
        #: Seconds to wait for a free connection before `Unavailable`.
        self.pool_timeout = pool_timeout
        self.pool = ConnectionPool(
            url,
            min_size=min_size,
            max_size=max_size,
            open=True,
            kwargs={"autocommit": True},
            timeout=30,
            configure=_configure,
        )
        try:
            self.migrate()
        except BaseException:
            self.pool.close()
            raise

    @contextmanager
    def _begin(self) -> Iterator[Any]:
        with self._connection() as conn:
            try:
                with conn.transaction():
                    yield conn
            except psycopg.errors.UniqueViolation as error:
                raise VersionConflict("A concurrent write created the same resource") from error

    @contextmanager
    def _reader(self) -> Iterator[Any]:
        with self._connection() as conn:
            yield conn

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        """A pooled connection with this store's statement timeout, interruptible by the request's cancellation;
        `Unavailable` when none comes free in time, `QueryTimeout` when a statement runs too long."""
        try:
            with self.pool.connection(timeout=self.pool_timeout) as conn:
                wanted = int(self.statement_timeout * 1000) if self.statement_timeout else 0
                if getattr(conn, "_dermfhir_timeout", 0) != wanted:
                    conn.execute(f"SET statement_timeout = {wanted}")
                    conn._dermfhir_timeout = wanted  # type: ignore[attr-defined]
                with interruptible(conn.cancel_safe):
                    yield conn
        except PoolTimeout as error:
            raise Unavailable(f"No database connection came free within {self.pool_timeout:g} s") from error
        except psycopg.errors.QueryCanceled as error:
            raise QueryTimeout("The query ran past the statement timeout or was cancelled") from error

    def _query(self, conn: Any, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return list(conn.execute(_translate(sql), params).fetchall())

    def _execute(self, conn: Any, sql: str, params: Sequence[Any] = ()) -> None:
        conn.execute(_translate(sql), params)

    def _executemany(self, conn: Any, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            with conn.cursor() as cursor:
                cursor.executemany(_translate(sql), rows)

    def _insert_rows(self, conn: Any, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
        """Large batches go in with COPY (several times faster than an INSERT per row, even pipelined)."""
        if len(rows) < COPY_FROM:
            super()._insert_rows(conn, table, columns, rows)
            return
        with conn.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def iter_current(self, resource_type: str, since: int | None = None, page: int = 2000) -> Iterator[bytes]:
        """Current resources of one type as stored JSON, from one query read through a binary server-side cursor
        (`page` × 5 rows per fetch, at least 10,000): one plan and one snapshot for the whole type, no sort, and
        the JSON bytes as stored (binary results: no hex encoding of the BYTEA and decoding here). Measured against
        a sorted page query per `page` rows in text format: 1.6× less CPU per resource, client and server. Bulk
        export reads through it off the request path, so the store's statement timeout does not apply to it."""
        sql = (
            "SELECT v.content FROM resource a JOIN resource_version v ON v.rid = a.rid AND v.version = a.version "
            "WHERE a.type = %s AND a.deleted = 0"
        )
        params: list[Any] = [resource_type]
        if since is not None:
            sql += " AND a.last_updated > %s"
            params.append(since)
        with self._connection() as conn, conn.transaction():
            conn.execute("SET LOCAL statement_timeout = 0")  # off the request path: a long type is no timeout
            with conn.cursor(name=f"export_{id(conn):x}", binary=True) as cursor:
                cursor.execute(sql, params)
                while rows := cursor.fetchmany(max(page * 5, 10_000)):
                    for (content,) in rows:
                        yield content

    def _in_values(self, column: str, values: list[str]) -> tuple[str, list[Any]]:
        return f"{column} = ANY(?)", [values]

    def _stream(self, conn: Any, sql: str, params: Sequence[Any]) -> Iterator[bytes]:
        """Through a binary server-side cursor (the JSON bytes as stored, never the whole result in memory)."""
        with conn.transaction(), conn.cursor(name=f"stream_{next(_CURSORS)}", binary=True) as cursor:
            cursor.execute(_translate(sql), params)
            while rows := cursor.fetchmany(1000):
                for (content,) in rows:
                    yield content

    def _refresh_statistics(self) -> None:
        with self._reading() as conn:
            conn.execute("ANALYZE " + _TABLES)

    def analyze(self) -> None:
        """VACUUM ANALYZE (worth it after a large import): fresh planner statistics, and a visibility map that lets
        searches and counts read the index alone. Autovacuum gets there too, some time after a load."""
        if getattr(self._local, "conn", None) is not None:  # VACUUM cannot run inside a transaction
            self._refresh_statistics()
            return
        with self._connection() as conn:
            conn.execute("VACUUM ANALYZE " + _TABLES)

    def _allocate_rids(self, conn: Any, count: int) -> list[int]:
        rows = conn.execute("SELECT nextval('resource_rid_seq') FROM generate_series(1, %s)", (count,)).fetchall()
        return [int(row[0]) for row in rows]

    def _for_update(self) -> str:
        return " FOR UPDATE"

    def _migration_lock(self, conn: Any) -> None:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))

    def _serialize(self, resource_type: str) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (param_key("conditional", resource_type),))

    def close(self) -> None:
        self.pool.close()

    def __repr__(self) -> str:
        return f"PostgresStore({redact(self.url)!r})"
