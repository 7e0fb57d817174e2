"""Shared fixtures: the real data folder (skipped when absent), the fixture folder, a validator."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parents[1] / "ingest" / "fixtures"
REAL = Path(__file__).parents[2].parent / "shared/data/real"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def real() -> Path:
    if not (REAL / "HAM10000_metadata.csv").is_file():
        pytest.skip(f"real dermatology data not present at {REAL}")
    return REAL


def errors_of(resources: list[dict]) -> dict[str, list[str]]:
    """`Type/id` → error messages, for every resource that does not validate."""
    from dermfhir.ingest.validate import describe, validate_all

    found = {}
    for resource, issues in zip(resources, validate_all(resources), strict=True):
        if issues:
            found[f"{resource['resourceType']}/{resource['id']}"] = [describe(i) for i in issues]
    return found


def sample(resources: list[dict], step: int) -> list[dict]:
    """Every `step`-th resource plus the first of each type: a deterministic validation sample."""
    picked = {id(r): r for r in resources[::step]}
    seen: set[str] = set()
    for resource in resources:
        if resource["resourceType"] not in seen:
            seen.add(resource["resourceType"])
            picked[id(resource)] = resource
    return list(picked.values())
