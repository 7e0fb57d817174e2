"""Bounded work on both backends: a statement timeout, cancellation from another thread, pool exhaustion as
`Unavailable` rather than a hang, and exactly one resource from concurrent identical conditional creates."""

from __future__ import annotations

import threading
import time

import pytest

from dermfhir.store import InvalidSearch, QueryTimeout, Store, Unavailable
from dermfhir.store.cancel import Cancellation, current
from dermfhir.store.postgres import PostgresStore

SLOW = {
    "sqlite": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200000000) "
    "SELECT COUNT(*) FROM c",
    "postgres": "SELECT pg_sleep(20)",
}


def _slow(store: Store) -> None:
    backend = "postgres" if isinstance(store, PostgresStore) else "sqlite"
    with store._reading() as conn:  # type: ignore[attr-defined]
        store._query(conn, SLOW[backend])  # type: ignore[attr-defined]


def test_statement_timeout(store: Store) -> None:
    store.statement_timeout = 0.3  # type: ignore[attr-defined]
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        _slow(store)
    assert time.monotonic() - started < 5
    assert store.search("Patient").total == 0  # the connection is usable afterwards


def test_statement_timeout_bounds_a_streamed_read(store: Store) -> None:
    store.statement_timeout = 0.3  # type: ignore[attr-defined]
    backend = "postgres" if isinstance(store, PostgresStore) else "sqlite"
    started = time.monotonic()
    with pytest.raises(QueryTimeout), store._reading() as conn:  # type: ignore[attr-defined]
        list(store._stream(conn, SLOW[backend], []))  # type: ignore[attr-defined]
    assert time.monotonic() - started < 5
    assert list(store.iter_matches("Patient")) == []  # the connection is usable afterwards


def test_cancellation_interrupts_a_running_statement(store: Store) -> None:
    cancellation = Cancellation()
    failure: list[BaseException] = []

    def run() -> None:
        with current(cancellation):
            try:
                _slow(store)
            except BaseException as error:
                failure.append(error)

    worker = threading.Thread(target=run)
    started = time.monotonic()
    worker.start()
    time.sleep(0.3)
    cancellation.cancel()
    worker.join(10)
    assert not worker.is_alive() and time.monotonic() - started < 5
    assert failure and isinstance(failure[0], QueryTimeout)


def test_pool_exhaustion_is_unavailable(backend: str, definitions) -> None:
    if backend != "postgres":
        pytest.skip("SQLite has no connection pool")
    from tests.conftest import POSTGRES_URL

    assert POSTGRES_URL is not None
    store = PostgresStore(POSTGRES_URL, definitions, min_size=1, max_size=1, pool_timeout=0.3)
    try:
        with store.pool.connection():
            started = time.monotonic()
            with pytest.raises(Unavailable):
                store.search("Patient")
            assert time.monotonic() - started < 3
        assert store.search("Patient").total is not None
    finally:
        store.close()


def test_concurrent_conditional_creates_make_one(store: Store) -> None:
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def create() -> None:
        barrier.wait()
        try:
            with store.transaction():
                store.serialize_conditional("Patient")
                if not store.match_ids("Patient", "identifier=urn:x|same"):
                    store.create({"resourceType": "Patient", "identifier": [{"system": "urn:x", "value": "same"}]})
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert store.search("Patient", "identifier=urn:x|same").total == 1


def test_a_running_sqlite_statement_never_calls_back_into_python(tmp_path, definitions) -> None:
    """The statement deadline is kept from outside the statement: while SQLite runs it, no Python code runs in its
    thread (a progress-handler callback would take the interpreter lock from every other request, again and again)."""
    import sys

    from dermfhir.store.sqlite import SqliteStore

    store = SqliteStore(tmp_path / "gil.db", definitions, statement_timeout=0.5)
    calls: list[str] = []
    inside = [False]

    def profile(frame, event, arg) -> None:
        if event == "c_call" and getattr(arg, "__name__", "") == "execute":
            inside[0] = True
        elif event in ("c_return", "c_exception") and getattr(arg, "__name__", "") == "execute":
            inside[0] = False
        elif event == "call" and inside[0]:
            calls.append(frame.f_code.co_name)

    sys.setprofile(profile)
    try:
        with pytest.raises(QueryTimeout):
            _slow(store)
    finally:
        sys.setprofile(None)
        store.close()
    assert calls == []


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ("subject:Patient.gender=female", True),
        ("_has:Observation:has-member:status=final", True),
        ("code:text=height", True),
        ("_sort=date", True),
        ("_include=Observation:subject", True),
        ("_revinclude=Provenance:target", True),
        ("_count=21", True),
        ("status=final&subject=Patient/p1", False),
        ("_id=o1", False),
        ("code=http://loinc.org|8302-2&_count=20&_total=accurate", False),
        ("", False),
    ],
)
def test_costly_searches(store: Store, params: str, expected: bool) -> None:
    """Searches whose work grows with the data, which the server admits fewer of at once."""
    assert store.costly("Observation", params) is expected


def test_costly_string_matches_and_invalid_searches(store: Store) -> None:
    assert store.costly("Patient", "name:contains=a") is True
    assert store.costly("Patient", "name=a") is False
    with pytest.raises(InvalidSearch):
        store.costly("Patient", "no-such-parameter=1")
