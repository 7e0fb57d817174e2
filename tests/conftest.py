"""Shared test fixtures: where the repository, the shared data and the toolchain are, and the storage backends.

Every test taking `store` runs on SQLite, and on PostgreSQL when DERMFHIR_TEST_POSTGRES names a database (its
tables are emptied first; see tests/store/POSTGRES.md). The `definitions` a store indexes come from each folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from dermfhir.definitions import Definitions
from dermfhir.store import Store
from dermfhir.store.sqlite import SqliteStore

REPOSITORY = Path(__file__).resolve().parents[1]
SHARED_DATA = REPOSITORY.parent / "shared" / "data"
SUSHI = REPOSITORY / "node_modules" / ".bin" / "sushi"
FIXTURES = REPOSITORY / "tests" / "ingest" / "fixtures"
REAL = SHARED_DATA / "real"
POSTGRES_URL = os.environ.get("DERMFHIR_TEST_POSTGRES")
WORKER = os.environ.get("PYTEST_XDIST_WORKER")  # "gw0", "gw1", … when the suite runs in parallel (pytest -n)
NO_POSTGRES = "DERMFHIR_TEST_POSTGRES is not set (a postgresql:// URL); see tests/store/POSTGRES.md"
TABLES = (
    "resource",
    "resource_version",
    "idx_token",
    "idx_string",
    "idx_reference",
    "idx_date",
    "idx_number",
    "idx_quantity",
    "idx_uri",
)


@pytest.fixture(scope="session")
def repository() -> Path:
    return REPOSITORY


@pytest.fixture(scope="session")
def sushi() -> Path:
    if not SUSHI.exists():
        pytest.skip("SUSHI is not installed (node_modules/.bin/sushi); run `make setup`")
    return SUSHI


@pytest.fixture
def fixtures() -> Path:
    """The project's own small input files (every import format, good and bad rows)."""
    return FIXTURES


@pytest.fixture
def real() -> Path:
    """The real third-party dermatology files; tests that need them skip when the folder is absent."""
    if not (REAL / "HAM10000_metadata.csv").is_file():
        pytest.skip(f"real dermatology data not present at {REAL}")
    return REAL


def _worker_database(url: str, worker: str) -> str:
    """The database of one parallel worker: the given database's name with the worker's id appended, created on
    first use. Tests empty the tables of the database they use, so two workers never share one."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/')}_{worker}"
    with psycopg.connect(url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            try:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            except psycopg.errors.InsufficientPrivilege as error:
                raise pytest.UsageError(
                    f"parallel tests need one PostgreSQL database per worker: create {name!r} owned by the test "
                    f"role, or grant it CREATEDB (see tests/store/POSTGRES.md) — {error}"
                ) from None
    return urlunsplit(parts._replace(path=f"/{name}"))


if POSTGRES_URL and WORKER:
    POSTGRES_URL = _worker_database(POSTGRES_URL, WORKER)


def open_postgres(definitions: Definitions) -> Store:
    from dermfhir.store.postgres import PostgresStore

    assert POSTGRES_URL is not None
    store = PostgresStore(POSTGRES_URL, definitions, max_size=12)
    with store.pool.connection() as conn:
        conn.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY")
    return store


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres" and not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    return str(request.param)


@pytest.fixture
def store(backend: str, definitions: Definitions, tmp_path: Path) -> Iterator[Store]:
    opened = open_postgres(definitions) if backend == "postgres" else SqliteStore(tmp_path / "store.db", definitions)
    try:
        yield opened
    finally:
        opened.close()


# --- the suite guards its own collection ---------------------------------------------------------------------------
# A test module that pytest silently skips (a folder named like build output, a name outside `test_*.py`) is a test
# that can never fail. When the whole suite is collected, every test module on disk must yield tests, and the total
# may not fall below the floor recorded in tests/COLLECTED_MINIMUM (raise it when tests are added, never lower it).

COLLECTED_MINIMUM = REPOSITORY / "tests" / "COLLECTED_MINIMUM"


def pytest_collection_finish(session: pytest.Session) -> None:
    tests_root = REPOSITORY / "tests"
    asked = [Path(str(arg).split("::")[0]).resolve() for arg in session.config.args]
    if asked != [tests_root] or session.config.getoption("keyword") or session.config.getoption("markexpr"):
        return  # a partial run: the guard applies only to the whole suite
    collected = {Path(str(item.path)).resolve() for item in session.items}
    on_disk = {path.resolve() for path in tests_root.rglob("test_*.py") if "fixtures" not in path.parts}
    missing = sorted(str(path.relative_to(tests_root)) for path in on_disk - collected)
    floor = int(COLLECTED_MINIMUM.read_text().split()[0])
    problems = []
    if missing:
        problems.append(f"test modules on disk that collected no tests: {', '.join(missing)}")
    if len(session.items) < floor:
        problems.append(f"{len(session.items)} tests collected, fewer than the floor of {floor} in {COLLECTED_MINIMUM}")
    if problems:
        raise pytest.UsageError("; ".join(problems))
