"""Shared test fixtures: where the repository, the shared data and the toolchain are, and the storage backends.

Every test taking `store` runs on SQLite, and on PostgreSQL when DERMFHIR_TEST_POSTGRES names a database (its
tables are emptied first; see tests/store/POSTGRES.md). The `definitions` a store indexes come from each folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

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
