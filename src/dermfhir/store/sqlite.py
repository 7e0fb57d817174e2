"""The SQLite store (stdlib sqlite3): a file in WAL mode, or `:memory:`; zero set-up.

Threads: a file database gives each thread its own connection (readers never wait for the writer in WAL mode;
writers queue on SQLite's lock with a busy timeout, and take it up front with `BEGIN IMMEDIATE` so that an
If-Match check and its write cannot interleave with another writer). `:memory:` uses one connection behind a lock.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dermfhir.definitions import Definitions
from dermfhir.store.sql import SqlStore

#: How long a writer waits for another writer's lock before failing, in milliseconds.
BUSY_TIMEOUT_MS = 30_000
#: WAL pages before a checkpoint copies them into the database (SQLite's default is 1,000). A write touches a
#: page or two of every index it adds rows to; checkpointing less often copies each hot page once, not many times.
WAL_CHECKPOINT_PAGES = 10_000


class SqliteStore(SqlStore):
    """A store in one SQLite database file (or in memory)."""

    dialect = "sqlite"

    def __init__(
        self, path: str | Path = ":memory:", definitions: Definitions | None = None, *, default_count: int = 20
    ) -> None:
        super().__init__(definitions, default_count=default_count)
        self.path = str(path)
        self.memory = self.path == ":memory:"
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._memory_lock = threading.RLock()
        self._thread = threading.local()
        self.migrate()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if not self.memory:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")  # durable at checkpoints, never corrupt (WAL)
            conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES}")
        conn.execute("PRAGMA cache_size = -65536")
        conn.execute("PRAGMA temp_store = MEMORY")
        with self._connections_lock:
            self._connections.append(conn)
        return conn

    def _connection(self) -> sqlite3.Connection:
        if self.memory:
            if not self._connections:
                self._connect()
            return self._connections[0]
        conn = getattr(self._thread, "conn", None)
        if conn is None:
            conn = self._thread.conn = self._connect()
        return conn

    @contextmanager
    def _begin(self) -> Iterator[Any]:
        with self._memory_lock if self.memory else _nothing():
            conn = self._connection()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @contextmanager
    def _reader(self) -> Iterator[Any]:
        with self._memory_lock if self.memory else _nothing():
            yield self._connection()

    def _allocate_rids(self, conn: Any, count: int) -> list[int]:
        start = int(conn.execute("SELECT COALESCE(MAX(rid), 0) FROM resource").fetchone()[0]) + 1
        return list(range(start, start + count))

    def _refresh_statistics(self) -> None:
        with self._reader() as conn:
            conn.execute("PRAGMA optimize")

    def analyze(self) -> None:
        """Refresh the query planner's statistics (worth it after a large import)."""
        with self._reader() as conn:
            conn.execute("ANALYZE")

    def close(self) -> None:
        with self._connections_lock:
            for conn in self._connections:
                try:
                    conn.execute("PRAGMA optimize")
                    conn.close()
                except sqlite3.Error:
                    pass
            self._connections.clear()
        self._thread = threading.local()

    def __repr__(self) -> str:
        return f"SqliteStore({self.path!r})"


@contextmanager
def _nothing() -> Iterator[None]:
    yield
