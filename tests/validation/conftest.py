"""Validators on the R4 core package, shared by the validation tests (compiled profiles are kept between tests)."""

from __future__ import annotations

import pytest

from dermfhir.definitions import Definitions, PackageNotFoundError, core_package
from dermfhir.validation import Validator


@pytest.fixture(scope="session")
def core() -> Definitions:
    try:
        return Definitions([core_package()])
    except PackageNotFoundError as error:
        pytest.skip(f"R4 core package not installed: {error}")


@pytest.fixture(scope="session")
def validator(core: Definitions) -> Validator:
    return Validator(core)


def errors(validator: Validator, resource: object, profiles: list[str] | None = None) -> list[tuple[str, str]]:
    """(location, message) of every error or fatal issue."""
    return [(issue.location, issue.message) for issue in validator.issues(resource, profiles) if issue.is_error]


def error_locations(validator: Validator, resource: object, profiles: list[str] | None = None) -> list[str]:
    return [location for location, _ in errors(validator, resource, profiles)]
