"""The HL7 validator test cases (fhir-test-cases, R4 subset): the score never goes down."""

from __future__ import annotations

from pathlib import Path

import pytest

from dermfhir.validation import conformance

#: The best total reached so far; raise it when the validator improves, never lower it.
BEST_SCORE = 122
#: ../shared/data beside the checkout (main checkout /work/main, or a worktree one level deeper)
TEST_CASES = next(
    (
        folder / "shared/data/fhir-test-cases"
        for folder in Path(__file__).resolve().parents[2].parents
        if (folder / "shared/data/fhir-test-cases/manifest.json").is_file()
    ),
    Path(__file__).resolve().parents[3] / "shared/data/fhir-test-cases",
)


@pytest.mark.slow
def test_conformance_score(core):
    if not (TEST_CASES / "manifest.json").is_file():
        pytest.skip(f"HL7 fhir-test-cases not found at {TEST_CASES}")
    results = list(conformance.run(TEST_CASES, core))
    passed = sum(1 for result in results if result.passed)
    failing = sorted(result.name for result in results if not result.passed)
    assert passed >= BEST_SCORE, f"{passed} passed (best {BEST_SCORE}); failing: {failing}"


def test_summary_rows():
    ok = conformance.TestResult("a", "general", [conformance.StepResult("base", 1, 1)])
    bad = conformance.TestResult("b", "general", [conformance.StepResult("base", 0, 2)])
    assert conformance.summarize([ok, bad]) == {"general": (1, 1)}
