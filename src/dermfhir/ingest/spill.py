"""What an import must remember per row, kept on disk so that memory stays flat whatever the input's size.

`DiskMap` maps keys to values in a temporary SQLite file (its name removed once it is open); the latest writes
are held in memory (`limit` entries) and written in one `executemany` when the batch is full, so that repeated keys
of neighbouring rows (the images of one lesion) cost a dict look-up, not a query. Values are pickled; the order
of first insertion is kept, for `values()`.

Why SQLite rather than a library: it is in the standard library, gives a disk-backed index with upserts that keep
the first insertion's row order, and needs no server (shelve/dbm keep no order and are slower to write).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sqlite3
import tempfile
import weakref
from collections.abc import Hashable, Iterator
from typing import Any

_MISSING = object()
_BLOOM_BITS = 1 << 24
_BLOOM_MASK = _BLOOM_BITS - 1


def _close(connection: sqlite3.Connection, path: str) -> None:
    connection.close()
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


class DiskMap:
    """A dict-like map (get, set, in, items in first-insertion order) whose older entries live in a temporary
    SQLite file. Keys must be hashable and picklable; pass the same key type throughout."""

    def __init__(self, limit: int = 20_000) -> None:
        self.limit = limit
        self.recent: dict[Any, Any] = {}
        self.connection: sqlite3.Connection | None = None
        self._finalizer: Any = None
        # a Bloom filter of every key set (2 MiB, 3 bits a key): a key never set costs no query. An import's ids
        # are mostly new, so without it nearly every look-up would be a query that finds nothing.
        self.bloom = bytearray(_BLOOM_BITS // 8)

    def _maybe(self, key: Hashable) -> bool:
        """Whether `key` may have been set (False: certainly not)."""
        h, bloom = hash(key) & 0xFFFFFFFFFFFFFFFF, self.bloom
        for bit in (h & _BLOOM_MASK, (h >> 21) & _BLOOM_MASK, (h >> 42) & _BLOOM_MASK):
            if not bloom[bit >> 3] & (1 << (bit & 7)):
                return False
        return True

    def _open(self) -> sqlite3.Connection:
        handle, path = tempfile.mkstemp(prefix="dermfhir-import-", suffix=".sqlite")
        os.close(handle)
        connection = sqlite3.connect(path)
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("PRAGMA synchronous = OFF")
        connection.execute("PRAGMA cache_size = -8000")  # 8 MB of page cache, whatever the size
        connection.execute("CREATE TABLE m (k BLOB PRIMARY KEY, v BLOB NOT NULL)")
        self._finalizer = weakref.finalize(self, _close, connection, path)
        # the name goes at once where the system allows it (the open file lives on): a killed import leaves nothing
        with contextlib.suppress(OSError):
            os.unlink(path)
        return connection

    @staticmethod
    def _key(key: Hashable) -> bytes:
        return key.encode() if isinstance(key, str) else pickle.dumps(key, protocol=5)

    def get(self, key: Hashable, default: Any = None) -> Any:
        found = self.recent.get(key, _MISSING)
        if found is not _MISSING:
            return found
        if self.connection is None or not self._maybe(key):
            return default
        row = self.connection.execute("SELECT v FROM m WHERE k = ?", (self._key(key),)).fetchone()
        return default if row is None else pickle.loads(row[0])

    def __contains__(self, key: Hashable) -> bool:
        return self.get(key, _MISSING) is not _MISSING

    def __setitem__(self, key: Hashable, value: Any) -> None:
        self.recent[key] = value
        h, bloom = hash(key) & 0xFFFFFFFFFFFFFFFF, self.bloom
        for bit in (h & _BLOOM_MASK, (h >> 21) & _BLOOM_MASK, (h >> 42) & _BLOOM_MASK):
            bloom[bit >> 3] |= 1 << (bit & 7)
        if len(self.recent) >= self.limit:
            self.spill()

    def spill(self) -> None:
        """Write the entries held in memory to the file."""
        if not self.recent:
            return
        if self.connection is None:
            self.connection = self._open()
        with self.connection:
            self.connection.executemany(
                "INSERT INTO m (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v",
                ((self._key(k), pickle.dumps(v, protocol=5)) for k, v in self.recent.items()),
            )
        self.recent.clear()

    def values(self) -> Iterator[Any]:
        """Every value, in the order its key was first set."""
        self.spill()
        if self.connection is None:
            return
        last = 0
        while True:  # in pages, so that a set during the walk does not disturb the cursor
            rows = self.connection.execute(
                "SELECT rowid, v FROM m WHERE rowid > ? ORDER BY rowid LIMIT 1000", (last,)
            ).fetchall()
            if not rows:
                return
            for rowid, value in rows:
                last = rowid
                yield pickle.loads(value)

    def __len__(self) -> int:
        self.spill()
        if self.connection is None:
            return 0
        return int(self.connection.execute("SELECT count(*) FROM m").fetchone()[0])

    def close(self) -> None:
        self.recent.clear()
        self.bloom = bytearray()
        if self._finalizer is not None:
            self._finalizer()
        self.connection = None
