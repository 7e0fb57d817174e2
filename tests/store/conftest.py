"""Store fixtures: the store tests run on the core definitions only (the `store` fixture is in tests/conftest.py)."""

from __future__ import annotations

import pytest

from dermfhir.definitions import Definitions, core_package


@pytest.fixture(scope="session")
def definitions() -> Definitions:
    return Definitions([core_package()])
