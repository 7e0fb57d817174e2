"""A validator for the builder tests."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def errors():
    """errors(resource) -> the error / fatal messages of the validator."""
    from dermfhir.ingest.validate import default_validator, describe

    validator = default_validator()

    def check(resource: dict) -> list[str]:
        outcome = validator.validate(resource)
        return [describe(i) for i in outcome["issue"] if i["severity"] in ("error", "fatal")]

    return check
