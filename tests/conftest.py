"""Shared test fixtures: where the repository, the shared data and the toolchain are."""

from __future__ import annotations

from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]
SHARED_DATA = REPOSITORY.parent / "shared" / "data"
SUSHI = REPOSITORY / "node_modules" / ".bin" / "sushi"
FIXTURES = REPOSITORY / "tests" / "ingest" / "fixtures"
REAL = SHARED_DATA / "real"


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
