"""End to end against a real `dermfhir serve` process, on SQLite and PostgreSQL: a client that drops its connection
cancels its long search, and the server's search slot is free again at once.

The server runs with no statement timeout and one search slot. A costly search (sixteen chains, sorted) holds the
slot; a second search meanwhile waits for it and is refused (503) — proof that the first is running. The first
client then closes its socket: the next search must get the slot (200), which it can only do if the abandoned
search was cancelled (uncancelled, it would run on for well over the next search's wait). On SQLite the data set is
sized so that it does. On PostgreSQL, whose plan for it is fast, the test holds an exclusive lock on the string index
table for the whole exchange, so the search cannot finish at all, however fast the machine: only a cancellation
frees the slot, and the database must no longer be running it while the lock is still held.
"""

from __future__ import annotations

import socket
from urllib.parse import quote, urlsplit

import httpx

from dermfhir.definitions import Definitions
from dermfhir.store import Store
from dermfhir.store.sqlite import SqliteStore
from tests.conftest import POSTGRES_URL, open_postgres
from tests.server.conftest import start_server

#: Observations making the costly search run far longer than a waiting search's pool timeout (5 s) on SQLite; on
#: PostgreSQL a lock keeps it from finishing (see above).
SIZES = {"sqlite": 12000, "postgres": 2000}
COSTLY = "/Observation?" + "&".join("subject:Patient.name:contains=a" for _ in range(16)) + "&_sort=-date"


def _dataset(count: int):
    patients = count // 10
    for number in range(patients):
        yield {"resourceType": "Patient", "id": f"dp{number}", "name": [{"family": f"Fam{number}"}]}
    for number in range(count):
        yield {
            "resourceType": "Observation",
            "id": f"do{number}",
            "status": "final",
            "code": {"text": "height"},
            "subject": {"reference": f"Patient/dp{number % patients}"},
            "effectiveDateTime": f"2024-01-{1 + number % 28:02d}",
        }


def _active_queries(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        found = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() "
            "AND query ILIKE '%like%' AND datname = current_database()"
        ).fetchone()
    return int(found[0]) if found else 0


def _lock_string_index(url: str):
    """A connection holding ACCESS EXCLUSIVE on `idx_string` (which the costly search reads) until it is closed."""
    import psycopg

    conn = psycopg.connect(url)
    conn.execute("LOCK TABLE idx_string IN ACCESS EXCLUSIVE MODE")  # the implicit transaction stays open
    return conn


def test_a_dropped_connection_cancels_its_search(backend: str, tmp_path, definitions: Definitions) -> None:
    store: Store = open_postgres(definitions) if backend == "postgres" else SqliteStore(tmp_path / "d.db", definitions)
    db = str(POSTGRES_URL) if backend == "postgres" else str(tmp_path / "d.db")
    try:
        store.load(_dataset(SIZES[backend]), return_resources=False)
    finally:
        store.close()
    server = start_server(db, "--statement-timeout", "0", "--search-concurrency", "1")
    blocker = _lock_string_index(db) if backend == "postgres" else None
    address = urlsplit(server.url)
    costly = socket.create_connection((address.hostname, address.port))
    try:
        path = quote(COSTLY, safe="/?&=:.,-_")
        costly.sendall(
            f"GET {path} HTTP/1.1\r\nHost: {address.netloc}\r\nAccept: application/fhir+json\r\n\r\n".encode()
        )
        for _ in range(20):  # until the costly search has taken the slot (a search sent before it gets it first)
            waiting = httpx.get(f"{server.url}/Patient?_count=1", timeout=120)
            if waiting.status_code == 503:
                break
        assert waiting.status_code == 503, "the costly search should hold the only search slot"
        if backend == "postgres":
            assert _active_queries(db) >= 1
        costly.close()
        after = httpx.get(f"{server.url}/Patient?_count=1", timeout=120)
        assert after.status_code == 200, f"the abandoned search still holds the slot: {after.text[:200]}"
        if backend == "postgres":
            assert _active_queries(db) == 0
    finally:
        costly.close()  # again, when an assertion failed first: no socket left to a later test
        if blocker is not None:
            blocker.close()  # ends its transaction: the lock goes
        server.stop()
