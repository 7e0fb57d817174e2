"""Review fixtures: stores index the guide's search parameters (derived-from, method), so the definitions are the
default ones (core package + the guide)."""

from __future__ import annotations

import pytest

from dermfhir.definitions import Definitions


@pytest.fixture(scope="session")
def definitions() -> Definitions:
    return Definitions.default()
