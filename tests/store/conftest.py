"""Store fixtures: every test taking `store` runs on SQLite, and on PostgreSQL when DERMFHIR_TEST_POSTGRES is set."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from dermfhir.definitions import Definitions, core_package
from dermfhir.store import Store
from dermfhir.store.sqlite import SqliteStore

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
def definitions() -> Definitions:
    return Definitions([core_package()])


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
