from __future__ import annotations

import pytest

from dermfhir.definitions import Package, PackageNotFoundError, guide_package


@pytest.fixture(scope="session")
def guide() -> Package:
    try:
        return guide_package()
    except PackageNotFoundError as error:
        pytest.fail(str(error))
