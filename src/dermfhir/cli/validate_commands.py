"""`dermfhir validate PATH…` and `dermfhir conformance PATH`: validation from the command line.

`validate` reads JSON files, NDJSON files (one resource a line), FHIR XML files and folders of them; prints the
issues grouped per file (text) or the OperationOutcomes (json). Exit 0 when nothing is an error or fatal, 1 when
something is, 2 on usage errors. `conformance` runs a folder laid out like HL7's fhir-test-cases and prints one row
per module and a final `N passed, M failed` line.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

_SUFFIXES = (".json", ".ndjson", ".xml")


def register(commands: argparse._SubParsersAction) -> None:
    validate = commands.add_parser("validate", help="validate FHIR R4 resources (JSON, NDJSON, XML; files or folders)")
    validate.add_argument(
        "paths", nargs="+", type=Path, metavar="PATH", help="files (a resource, a Bundle, NDJSON, XML) or folders"
    )
    validate.add_argument(
        "--profile", action="append", default=[], metavar="URL", help="validate against this profile too"
    )
    validate.add_argument(
        "--format", choices=("text", "json"), default="text", help="text (issues per file) or OperationOutcome JSON"
    )
    validate.set_defaults(run=_validate)

    conformance = commands.add_parser("conformance", help="score the validator on a fhir-test-cases style folder")
    conformance.add_argument(
        "path", type=Path, metavar="PATH", help="a folder laid out like HL7's fhir-test-cases (with manifest.json)"
    )
    conformance.add_argument("--module", help="only the test cases of this module")
    conformance.add_argument("--verbose", action="store_true", help="list every failing test with its counts")
    conformance.set_defaults(run=_conformance)


#: Files of a FHIR package folder that are not resources (skipped when a folder is validated).
_PACKAGE_MANIFESTS = frozenset({"package.json", ".index.json"})


def _inputs(paths: list[Path]) -> Iterator[tuple[str, Any, str | None]]:
    """(label, resource, problem) for every resource found; problem set when the input cannot be read."""
    for path in paths:
        if path.is_dir():
            files = sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in _SUFFIXES and p.name not in _PACKAGE_MANIFESTS
            )
        else:
            files = [path]
        for file in files:
            yield from _read(file)


def _read(file: Path) -> Iterator[tuple[str, Any, str | None]]:
    try:
        data = file.read_bytes()
    except OSError as error:
        yield str(file), None, f"cannot read {file}: {error.strerror or error}"
        return
    if file.suffix.lower() == ".ndjson":
        for number, line in enumerate(data.splitlines(), start=1):
            if not line.strip():
                continue
            label = f"{file}:{number}"
            try:
                yield label, json.loads(line), None
            except ValueError as error:
                yield label, None, f"{file}, line {number}: not valid JSON ({error})"
        return
    if file.suffix.lower() == ".xml" or data.lstrip()[:1] == b"<":
        from dermfhir.validation.xml import XmlError, parse_xml

        try:
            yield str(file), parse_xml(data, _validator().models), None
        except XmlError as error:
            yield str(file), None, f"{file}: {error}"
        return
    try:
        yield str(file), json.loads(data), None
    except ValueError as error:
        yield str(file), None, f"{file}: not valid JSON ({error})"


_VALIDATOR: Any = None


def _validator() -> Any:
    global _VALIDATOR
    if _VALIDATOR is None:
        from dermfhir.definitions import Definitions, core_package
        from dermfhir.definitions.cache import PackageNotFoundError
        from dermfhir.validation import Validator

        try:
            definitions = Definitions.default()
        except PackageNotFoundError:
            definitions = Definitions([core_package()])  # the guide's package is not built yet
        _VALIDATOR = Validator(definitions)
    return _VALIDATOR


def _validate(arguments: argparse.Namespace) -> int:
    from dermfhir.validation import error_count, operation_outcome

    console = Console()
    missing = [path for path in arguments.paths if not path.exists()]
    if missing:
        print(f"dermfhir validate: no such file or folder: {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    failed = False
    outcomes: list[dict] = []
    for label, resource, problem in _inputs(arguments.paths):
        if problem is not None:
            failed = True
            if arguments.format == "json":
                outcomes.append(_fatal(problem, label))
            else:
                console.print(f"[bold]{label}[/bold]\n  [red]fatal[/red] {problem}", highlight=False)
            continue
        issues = _validator().issues(resource, arguments.profile or None)
        outcome = operation_outcome(issues)
        if error_count(outcome):
            failed = True
        if arguments.format == "json":
            outcomes.append(outcome)
        else:
            _print_text(console, label, issues)
    if arguments.format == "json":
        print(json.dumps(outcomes[0] if len(outcomes) == 1 else outcomes, indent=2))
    return 1 if failed else 0


def _fatal(message: str, label: str) -> dict:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "fatal", "code": "structure", "details": {"text": message}, "expression": [label]}],
    }


_STYLE = {"fatal": "bold red", "error": "red", "warning": "yellow", "information": "blue"}


def _print_text(console: Console, label: str, issues: list) -> None:
    errors = sum(1 for issue in issues if issue.is_error)
    status = "[green]OK[/green]" if not errors else f"[red]{errors} error(s)[/red]"
    console.print(f"[bold]{label}[/bold]  {status}", highlight=False)
    for issue in issues:
        style = _STYLE.get(issue.severity, "")
        console.print(f"  [{style}]{issue.severity:<11}[/{style}] {issue.location}: {issue.message}", highlight=False)


def _conformance(arguments: argparse.Namespace) -> int:
    from dermfhir.definitions import Definitions, core_package
    from dermfhir.validation import conformance

    folder: Path = arguments.path
    if not (folder / "manifest.json").is_file():
        print(f"dermfhir conformance: {folder} has no manifest.json", file=sys.stderr)
        return 2
    definitions = Definitions([core_package()])
    results = list(conformance.run(folder, definitions, module=arguments.module))
    console = Console()
    table = Table("module", "passed", "failed")
    for module, (passed, failed) in sorted(conformance.summarize(results).items()):
        table.add_row(module, str(passed), str(failed))
    console.print(table)
    if arguments.verbose:
        for result in results:
            if not result.passed:
                steps = ", ".join(f"{s.name}: expected {s.expected} got {s.actual}" for s in result.steps)
                console.print(f"FAIL {result.name} ({result.module}) {result.error or steps}", highlight=False)
    passed = sum(1 for result in results if result.passed)
    print(f"{passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) else 1
