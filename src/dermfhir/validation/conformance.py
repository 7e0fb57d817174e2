"""Runs a folder laid out like HL7's fhir-test-cases (validator/manifest.json) and scores the validator.

A test passes when the number of error + fatal issues equals the reference outcome's, for the base step and, where
present, the profile step. Manifest options honoured: supporting, profiles, profile.source / profile.supporting,
fetcher (standalone), assumeValidRestReferences, examples, validateContains, advisor (suppressed message ids).
Options for R5 runs (keys ending in 5, r5-*) and package downloads are not applied.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dermfhir.definitions import Definitions
from dermfhir.validation.model import Models
from dermfhir.validation.outcome import Issue
from dermfhir.validation.validator import Validator
from dermfhir.validation.xml import XmlError, parse_xml


@dataclass
class StepResult:
    name: str
    expected: int
    actual: int
    issues: list[Issue] = field(default_factory=list)
    expected_issues: list[dict] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.expected == self.actual


@dataclass
class TestResult:
    name: str
    module: str
    steps: list[StepResult]
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and all(step.passed for step in self.steps)


def load_manifest(folder: Path) -> list[dict]:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return [case for case in manifest.get("test-cases", []) if isinstance(case, dict)]


def run(
    folder: Path, definitions: Definitions, module: str | None = None, name: str | None = None
) -> Iterator[TestResult]:
    """Run every test case (or those of one module / name) and yield their results."""
    core_models = Models(definitions)
    for case in load_manifest(folder):
        case_module = str(case.get("module") or "general")
        if module and case_module != module:
            continue
        if name and case.get("name") != name:
            continue
        yield run_case(folder, case, definitions, core_models)


def run_case(folder: Path, case: dict, definitions: Definitions, core_models: Models | None = None) -> TestResult:
    name = str(case.get("name"))
    module = str(case.get("module") or "general")
    try:
        steps = _steps(folder, case, definitions, core_models)
    except Exception as error:
        return TestResult(name, module, [], error=f"{type(error).__name__}: {error}")
    return TestResult(name, module, steps)


def _steps(folder: Path, case: dict, definitions: Definitions, core_models: Models | None) -> list[StepResult]:
    models = core_models or Models(definitions)
    supporting = [*case.get("supporting", []), *case.get("profiles", [])]
    options = _options(folder, case)
    instance = _load(folder / case["file"], models)
    steps = []
    base_definitions = definitions.with_resources([_load(folder / f, models) for f in supporting])
    validator = Validator(base_definitions, **options)
    issues = validator.issues(instance)
    expected, expected_issues = _expected(folder, case.get("java"))
    steps.append(StepResult("base", expected, _errors(issues), issues, expected_issues))
    profile = case.get("profile")
    if isinstance(profile, dict) and profile.get("source"):
        source = _load(folder / profile["source"], models)
        extra = [_load(folder / f, models) for f in profile.get("supporting", [])]
        profile_definitions = definitions.with_resources(
            [*(_load(folder / f, models) for f in supporting), source, *extra]
        )
        profile_options = dict(options)
        if "assumeValidRestReferences" in profile:
            profile_options["assume_valid_rest_references"] = bool(profile["assumeValidRestReferences"])
        validator = Validator(profile_definitions, **profile_options)
        issues = validator.issues(instance, [str(source.get("url"))])
        expected, expected_issues = _expected(folder, profile.get("java"))
        steps.append(StepResult("profile", expected, _errors(issues), issues, expected_issues))
    return steps


def _options(folder: Path, case: dict) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if case.get("fetcher") == "standalone":
        options["standalone"] = True
    if "assumeValidRestReferences" in case:
        options["assume_valid_rest_references"] = bool(case["assumeValidRestReferences"])
    if "examples" in case:
        options["examples_allowed"] = bool(case["examples"])
    if "validateContains" in case:
        options["validate_contains"] = str(case["validateContains"])
    if case.get("advisor"):
        advisor = json.loads((folder / case["advisor"]).read_text(encoding="utf-8"))
        options["suppress"] = tuple(str(item) for item in advisor.get("suppress", []))
    return options


def _load(path: Path, models: Models) -> dict:
    text = path.read_bytes()
    if path.suffix == ".xml" or text.lstrip()[:1] == b"<":
        try:
            return parse_xml(text, models)
        except XmlError as error:
            raise ValueError(f"{path.name}: {error}") from error
    return json.loads(text)


def _expected(folder: Path, java: Any) -> tuple[int, list[dict]]:
    if isinstance(java, dict):
        if "outcome" in java:
            outcome = java["outcome"]
        else:
            return int(java.get("errorCount", 0)), []
    elif isinstance(java, str):
        outcome = json.loads((folder / "outcomes" / java).read_text(encoding="utf-8"))
    else:
        return 0, []
    issues = [i for i in outcome.get("issue", []) if isinstance(i, dict)]
    errors = [i for i in issues if i.get("severity") in ("error", "fatal")]
    return len(errors), issues


def _errors(issues: list[Issue]) -> int:
    return sum(1 for issue in issues if issue.is_error)


def summarize(results: list[TestResult]) -> dict[str, tuple[int, int]]:
    """module → (passed, failed)."""
    rows: dict[str, tuple[int, int]] = {}
    for result in results:
        passed, failed = rows.get(result.module, (0, 0))
        rows[result.module] = (passed + result.passed, failed + (not result.passed))
    return rows
