"""Shared test fixtures: where the repository, the shared data and the toolchain are."""

from __future__ import annotations

from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]
SHARED_DATA = REPOSITORY.parent / "shared" / "data"
SUSHI = REPOSITORY / "node_modules" / ".bin" / "sushi"


@pytest.fixture(scope="session")
def repository() -> Path:
    return REPOSITORY


@pytest.fixture(scope="session")
def sushi() -> Path:
    if not SUSHI.exists():
        pytest.skip("SUSHI is not installed (node_modules/.bin/sushi); run `make setup`")
    return SUSHI
