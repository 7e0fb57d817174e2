"""Runs a folder laid out like HL7's fhir-test-cases (validator/manifest.json) and scores the validator.

Two scores. The count score: a test passes when the number of error + fatal issues equals the reference outcome's,
for the base step and, where present, the profile step. The strict score: a test passes when, in every step, the
error and fatal issues found are exactly the expected ones by severity and location (FHIRPath expression, Java's
`/*Type/id*/` comments removed); besides it, how many expected issues were found at their place.
A case never stops the run: a malformed instance is validated (its JSON or XML problems are fatal issues), and an
exception while loading a case or its definitions is a failure of that case, with its message.
Manifest options honoured: supporting, profiles, profile.source / profile.supporting, fetcher (standalone), examples,
validateContains, validateReference and validate (reference policies), security-checks, noHtmlInMarkdown /
htmlInMarkdownCheck, advisor (suppressed message ids). Accepted without effect: assumeValidRestReferences (RESTful
references' types are always read from their URL, and an unresolved target is never checked against profiles: there is
nothing to assume), crumb-trail and ids-in-errors (message wording). Not applied and listed per case: options of R5 runs
(keys ending in 5, r5-*) and package downloads (`packages`).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dermfhir.definitions import Definitions
from dermfhir.validation.jsonsource import load
from dermfhir.validation.model import Models
from dermfhir.validation.outcome import Issue, IssueType
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

    @property
    def expected_places(self) -> Counter[tuple[str, str]]:
        """(severity, location) of every expected error or fatal issue."""
        return Counter(
            (str(issue.get("severity")), _expression(issue))
            for issue in self.expected_issues
            if issue.get("severity") in ("error", "fatal")
        )

    @property
    def found_places(self) -> Counter[tuple[str, str]]:
        return Counter((issue.severity, _normal(issue.location)) for issue in self.issues if issue.is_error)

    @property
    def matched(self) -> int:
        """How many expected error/fatal issues were found with the same severity at the same location."""
        return sum((self.expected_places & self.found_places).values())

    @property
    def strictly_passed(self) -> bool:
        """The errors found are exactly the expected ones, by severity and location. When the reference gives only
        a count (no outcome), the count decides."""
        if self.expected and not self.expected_places:
            return self.passed
        return self.expected_places == self.found_places


@dataclass
class TestResult:
    name: str
    module: str
    steps: list[StepResult]
    error: str | None = None
    #: manifest options of the case that were not applied
    ignored: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.error is None and all(step.passed for step in self.steps)

    @property
    def strictly_passed(self) -> bool:
        return self.error is None and all(step.strictly_passed for step in self.steps)


def _normal(location: str) -> str:
    """A location without Java's `/*Type/id*/` comments and spaces, a choice element written by its JSON name
    (`value.ofType(Quantity)` and `valueQuantity` are the same element)."""
    location = re.sub(r"/\*.*?\*/", "", location).replace(" ", "")
    return re.sub(r"\.(\w+)\.ofType\((\w)(\w*)\)", lambda m: f".{m[1]}{m[2].upper()}{m[3]}", location)


def _expression(issue: dict) -> str:
    expressions = issue.get("expression") or issue.get("location") or [""]
    return _normal(str(expressions[0])) if isinstance(expressions, list) and expressions else ""


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
    ignored = sorted(key for key in case if key not in _KNOWN_KEYS)
    profile = case.get("profile")
    if isinstance(profile, dict):
        ignored += sorted(f"profile.{key}" for key in profile if key not in _KNOWN_PROFILE_KEYS)
    try:
        steps = _steps(folder, case, definitions, core_models)
    except Exception as error:  # a case that cannot be set up is a failure of that case, never of the run
        return TestResult(name, module, [], error=f"{type(error).__name__}: {error}", ignored=ignored)
    return TestResult(name, module, steps, ignored=ignored)


#: Manifest keys that are read (see the module docstring); any other key of a case is reported as not applied.
_KNOWN_KEYS = frozenset(
    {
        "name",
        "file",
        "version",
        "java",
        "module",
        "description",
        "explanation",
        "documentation",
        "supporting",
        "profiles",
        "profile",
        "fetcher",
        "examples",
        "validateContains",
        "validateReference",
        "validate",
        "security-checks",
        "noHtmlInMarkdown",
        "htmlInMarkdownCheck",
        "advisor",
        "assumeValidRestReferences",
        "crumb-trail",
        "ids-in-errors",
    }
)
_KNOWN_PROFILE_KEYS = frozenset({"source", "supporting", "java", "assumeValidRestReferences"})


def _steps(folder: Path, case: dict, definitions: Definitions, core_models: Models | None) -> list[StepResult]:
    models = core_models or Models(definitions)
    supporting = [*case.get("supporting", []), *case.get("profiles", [])]
    options = _options(folder, case)
    instance, problems = _load_instance(folder / case["file"], models)
    steps = []
    base_definitions = definitions.with_resources([_load(folder / f, models) for f in supporting])
    validator = Validator(base_definitions, **options)
    parsed = not any(issue.severity == "fatal" for issue in problems)
    issues = problems + (validator.issues(instance) if parsed else [])
    expected, expected_issues = _expected(folder, case.get("java"))
    steps.append(StepResult("base", expected, _errors(issues), issues, expected_issues))
    profile = case.get("profile")
    if isinstance(profile, dict) and profile.get("source"):
        source = _load(folder / profile["source"], models)
        extra = [_load(folder / f, models) for f in profile.get("supporting", [])]
        profile_definitions = definitions.with_resources(
            [*(_load(folder / f, models) for f in supporting), source, *extra]
        )
        validator = Validator(profile_definitions, **options)
        issues = problems + (validator.issues(instance, [str(source.get("url"))]) if parsed else [])
        expected, expected_issues = _expected(folder, profile.get("java"))
        steps.append(StepResult("profile", expected, _errors(issues), issues, expected_issues))
    return steps


def _options(folder: Path, case: dict) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if case.get("fetcher") == "standalone":
        options["standalone"] = True
    if "validate" in case:
        options["validate_reference"] = str(case["validate"])  # the policy HL7's test harness gives its resolver
    if "validateReference" in case:
        options["validate_reference"] = str(case["validateReference"])
    if "security-checks" in case:
        options["security_checks"] = bool(case["security-checks"])
    if case.get("noHtmlInMarkdown"):
        options["html_in_markdown"] = "error"
    if "htmlInMarkdownCheck" in case:
        options["html_in_markdown"] = str(case["htmlInMarkdownCheck"]).lower()
    if "examples" in case:
        options["examples_allowed"] = bool(case["examples"])
    if "validateContains" in case:
        options["validate_contains"] = str(case["validateContains"])
    if case.get("advisor"):
        advisor = json.loads((folder / case["advisor"]).read_text(encoding="utf-8"))
        options["suppress"] = tuple(str(item) for item in advisor.get("suppress", []))
    return options


def _load_instance(path: Path, models: Models) -> tuple[Any, list[Issue]]:
    """The instance of a case and the problems of its text (malformed JSON or XML is validated, not raised)."""
    text = path.read_bytes()
    if path.suffix == ".xml" or text.lstrip()[:1] == b"<":
        try:
            return parse_xml(text, models), []
        except XmlError as error:
            return None, [Issue.of("fatal", IssueType.INVALID, error.message_id, "", **error.values)]
    value, problems = load(text)
    return value, problems


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


@dataclass
class Score:
    cases: int
    passed: int
    strictly_passed: int
    expected_issues: int
    matched_issues: int
    extra_issues: int


def score(results: list[TestResult]) -> Score:
    """The count score, the strict score and the issue-level figures over all results."""
    steps = [step for result in results for step in result.steps]
    expected = sum(sum(step.expected_places.values()) for step in steps)
    matched = sum(step.matched for step in steps)
    extra = sum(sum((step.found_places - step.expected_places).values()) for step in steps)
    return Score(
        len(results),
        sum(1 for result in results if result.passed),
        sum(1 for result in results if result.strictly_passed),
        expected,
        matched,
        extra,
    )
