"""The SQLite store (stdlib sqlite3): a file in WAL mode, or `:memory:`; zero set-up.

Threads: a file database gives each thread its own connection (readers never wait for the writer in WAL mode;
writers queue on SQLite's lock with a busy timeout, and take it up front with `BEGIN IMMEDIATE` so that an
If-Match check and its write cannot interleave with another writer). `:memory:` uses one connection behind a lock.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import orjson

from dermfhir.definitions import Definitions
from dermfhir.store.cancel import interruptible
from dermfhir.store.errors import QueryTimeout
from dermfhir.store.sql import Row, SqlStore

#: How long a writer waits for another writer's lock before failing, in milliseconds.
BUSY_TIMEOUT_MS = 30_000
#: WAL pages before a checkpoint copies them into the database (SQLite's default is 1,000). A write touches a
#: page or two of every index it adds rows to; checkpointing less often copies each hot page once, not many times.
WAL_CHECKPOINT_PAGES = 10_000


class Watchdog:
    """Interrupts statements that run past their deadline, from a thread of its own.

    Not SQLite's progress handler: that calls back into Python — taking the interpreter lock — every few thousand
    virtual-machine steps of every running statement, so a few long searches keep taking the interpreter from the
    requests served beside them. `Connection.interrupt()` works from any thread, so the statement's own thread runs
    in SQLite's C code without the lock until it ends or is interrupted."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._deadlines: dict[int, tuple[float, Callable[[], None]]] = {}
        self._next = 0
        self._thread: threading.Thread | None = None
        self._closed = False

    def watch(self, interrupt: Callable[[], None], seconds: float) -> int:
        with self._condition:
            self._next += 1
            self._deadlines[self._next] = (time.monotonic() + seconds, interrupt)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="sqlite-statement-deadlines", daemon=True)
                self._thread.start()
            self._condition.notify()
            return self._next

    def forget(self, key: int) -> None:
        """Stop watching; once this returns, the statement's connection is never interrupted for it."""
        with self._condition:
            self._deadlines.pop(key, None)

    def close(self) -> None:
        with self._condition:
            self._closed = True
            self._condition.notify()

    def _run(self) -> None:
        with self._condition:
            while not self._closed:
                if not self._deadlines:
                    self._condition.wait()
                    continue
                now = time.monotonic()
                earliest = min(deadline for deadline, _ in self._deadlines.values())
                if earliest > now:
                    self._condition.wait(earliest - now)
                    continue
                for key in [key for key, (deadline, _) in self._deadlines.items() if deadline <= now]:
                    _, interrupt = self._deadlines.pop(key)
                    with suppress(sqlite3.Error):  # the connection was closed meanwhile
                        interrupt()


class SqliteStore(SqlStore):
    """A store in one SQLite database file (or in memory)."""

    dialect = "sqlite"

    def __init__(
        self,
        path: str | Path = ":memory:",
        definitions: Definitions | None = None,
        *,
        default_count: int = 20,
        statement_timeout: float | None = None,
    ) -> None:
        super().__init__(definitions, default_count=default_count)
        #: Seconds one query or write statement may run (None: no limit); bulk inserts are not limited.
        self.statement_timeout = statement_timeout
        self.path = str(path)
        self.memory = self.path == ":memory:"
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._memory_lock = threading.RLock()
        self._thread = threading.local()
        self._watchdog = Watchdog()
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
                with interruptible(conn.interrupt):
                    yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @contextmanager
    def _reader(self) -> Iterator[Any]:
        with self._memory_lock if self.memory else _nothing():
            conn = self._connection()
            with interruptible(conn.interrupt):
                yield conn

    # -- statement deadline: the watchdog interrupts a statement that runs past it ------------------------------
    def _bounded(self, conn: sqlite3.Connection, run: Any) -> Any:
        key = self._watchdog.watch(conn.interrupt, self.statement_timeout) if self.statement_timeout else None
        try:
            return run()
        except sqlite3.OperationalError as error:
            if "interrupted" in str(error):
                raise QueryTimeout("The query ran past the statement timeout or was cancelled") from error
            raise
        finally:
            if key is not None:
                self._watchdog.forget(key)

    def _query(self, conn: Any, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return self._bounded(conn, lambda: list(conn.execute(sql, params).fetchall()))

    def _execute(self, conn: Any, sql: str, params: Sequence[Any] = ()) -> None:
        self._bounded(conn, lambda: conn.execute(sql, params))

    def _in_values(self, column: str, values: list[str]) -> tuple[str, list[Any]]:
        return f"{column} IN (SELECT value FROM json_each(?))", [orjson.dumps(values).decode()]

    def _stream(self, conn: Any, sql: str, params: Sequence[Any]) -> Iterator[bytes]:
        """Each step under the statement deadline."""
        cursor = self._bounded(conn, lambda: conn.execute(sql, params))
        while rows := self._bounded(conn, lambda: cursor.fetchmany(1000)):
            for row in rows:
                yield row[0] if isinstance(row[0], bytes) else bytes(row[0])

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
        self._watchdog.close()

    def __repr__(self) -> str:
        return f"SqliteStore({self.path!r})"


@contextmanager
def _nothing() -> Iterator[None]:
    yield
