"""`dermfhir validate PATH…` and `dermfhir conformance PATH`: validation from the command line.

`validate` reads JSON files, NDJSON files (one resource a line), FHIR XML files and folders of them, streaming
(Bundles and NDJSON files of any size, see `validation.stream`); prints the issues of each resource with its file
(and NDJSON line) and a count of errors and warnings per file (text), or one JSON report: `results` (file, line,
resourceType, id, counts and the OperationOutcome of every file's resource and of every NDJSON line with issues) and
`summary` (counts per file and in all). Exit 0 when nothing is an error or fatal, 1 when something is, 2 on usage
errors. `conformance` runs a folder laid out like HL7's fhir-test-cases and prints one row
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
from rich.progress import Progress
from rich.table import Table

_SUFFIXES = (".json", ".ndjson", ".xml")


def register(commands: argparse._SubParsersAction) -> None:
    validate = commands.add_parser("validate", help="validate FHIR R4 resources (JSON, NDJSON, XML; files or folders)")
    validate.add_argument(
        "paths",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="files (a resource, a Bundle, NDJSON, XML, a SMART Health Card file) or folders",
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


def _files(paths: list[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in _SUFFIXES and p.name not in _PACKAGE_MANIFESTS
            )
        else:
            yield path


_VALIDATOR: Any = None


def _validator() -> Any:
    global _VALIDATOR
    if _VALIDATOR is None:
        from dermfhir.definitions import Definitions, base_packages
        from dermfhir.definitions.cache import PackageNotFoundError
        from dermfhir.validation import Validator

        try:
            definitions = Definitions.default()
        except PackageNotFoundError:
            definitions = Definitions(base_packages())  # the guide's package is not built yet
        _VALIDATOR = Validator(definitions)
    return _VALIDATOR


class _Totals:
    """Counts per file and over all files."""

    def __init__(self) -> None:
        self.files: dict[str, dict[str, int]] = {}

    def add(self, result: Any) -> None:
        row = self.files.setdefault(result.file, {"resources": 0, "errors": 0, "warnings": 0, "information": 0})
        row["resources"] += 1
        row["errors"] += result.errors
        row["warnings"] += result.warnings
        row["information"] += result.counts.get("information", 0)

    def total(self, key: str) -> int:
        return sum(row[key] for row in self.files.values())


def _validate(arguments: argparse.Namespace) -> int:
    from dermfhir.validation.stream import validate_file

    missing = [path for path in arguments.paths if not path.exists()]
    if missing:
        print(f"dermfhir validate: no such file or folder: {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    totals = _Totals()
    validator = _validator()
    as_json = arguments.format == "json"
    console = Console(highlight=False, soft_wrap=True)
    out = sys.stdout
    if as_json:
        out.write('{"results": [')
    first = True
    for file in _files(arguments.paths):
        for result in validate_file(validator, file, arguments.profile or None):
            totals.add(result)
            if as_json:
                if result.line is not None and not result.issues:
                    continue  # NDJSON lines without issues are only counted
                out.write(("\n  " if first else ",\n  ") + json.dumps(_result_json(result)))
                first = False
            else:
                _print_text(console, result)
        if not as_json:
            row = totals.files.get(str(file))
            if row is not None and row["resources"] > 1:
                console.print(
                    f"[bold]{file}[/bold]: {row['resources']} resources, {row['errors']} error(s), "
                    f"{row['warnings']} warning(s)"
                )
    errors = totals.total("errors")
    if as_json:
        summary = {
            "files": [{"file": name, **row} for name, row in totals.files.items()],
            "resources": totals.total("resources"),
            "errors": errors,
            "warnings": totals.total("warnings"),
            "information": totals.total("information"),
        }
        out.write('\n], "summary": ' + json.dumps(summary, indent=1) + "}\n")
    else:
        console.print(
            f"{len(totals.files)} file(s), {totals.total('resources')} resource(s): {errors} error(s), "
            f"{totals.total('warnings')} warning(s)"
        )
    return 1 if errors else 0


def _result_json(result: Any) -> dict:
    from dermfhir.validation.outcome import operation_outcome

    return {
        "file": result.file,
        "line": result.line,
        "resourceType": result.resource_type,
        "id": result.resource_id,
        "errors": result.errors,
        "warnings": result.warnings,
        "information": result.counts.get("information", 0),
        "outcome": operation_outcome(result.issues),
    }


_STYLE = {"fatal": "bold red", "error": "red", "warning": "yellow", "information": "blue"}


def _print_text(console: Console, result: Any) -> None:
    if result.line is not None and not result.issues:
        return  # an NDJSON line without issues: counted in the file's line
    status = "[green]OK[/green]" if not result.errors else f"[red]{result.errors} error(s)[/red]"
    what = f" {result.resource_type}/{result.resource_id}" if result.resource_type and result.resource_id else ""
    console.print(f"[bold]{result.label}[/bold]{what}  {status}")
    for issue in result.issues:
        style = _STYLE.get(issue.severity, "")
        where = f" (line {issue.line}, column {issue.column})" if issue.line else ""
        console.print(f"  [{style}]{issue.severity:<11}[/{style}] {issue.location}{where}: {issue.message}")


def _conformance(arguments: argparse.Namespace) -> int:
    from dermfhir.definitions import Definitions, base_packages
    from dermfhir.validation import conformance

    folder: Path = arguments.path
    if not (folder / "manifest.json").is_file():
        print(f"dermfhir conformance: {folder} has no manifest.json", file=sys.stderr)
        return 2
    try:
        cases = conformance.load_manifest(folder)
    except (OSError, ValueError) as error:
        print(f"dermfhir conformance: {folder / 'manifest.json'} cannot be read: {error}", file=sys.stderr)
        return 2
    definitions = Definitions(base_packages())
    results = []
    with Progress(transient=True, console=Console(stderr=True, soft_wrap=True)) as progress:
        task = progress.add_task("test cases", total=len(cases))
        for result in conformance.run(folder, definitions, module=arguments.module):
            results.append(result)
            progress.advance(task)
    console = Console(soft_wrap=True)
    table = Table("module", "passed", "failed", "strictly passed")
    strict: dict[str, int] = {}
    for result in results:
        strict[result.module] = strict.get(result.module, 0) + result.strictly_passed
    for module, (passed, failed) in sorted(conformance.summarize(results).items()):
        table.add_row(module, str(passed), str(failed), str(strict.get(module, 0)))
    console.print(table)
    if arguments.verbose:
        for result in results:
            if not result.passed or not result.strictly_passed:
                what = "FAIL" if not result.passed else "STRICT-FAIL"
                steps = "; ".join(
                    f"{s.name}: expected {s.expected} got {s.actual}, at their place {s.matched}/"
                    f"{sum(s.expected_places.values())}"
                    + "".join(f"\n    missing {sev} at {loc}" for sev, loc in s.expected_places - s.found_places)
                    + "".join(f"\n    extra {sev} at {loc}" for sev, loc in s.found_places - s.expected_places)
                    for s in result.steps
                )
                console.print(f"{what} {result.name} ({result.module}) {result.error or steps}", highlight=False)
            if result.ignored:
                console.print(f"  {result.name}: options not applied: {', '.join(result.ignored)}", highlight=False)
    total = conformance.score(results)
    print(f"{total.passed} passed, {total.cases - total.passed} failed")
    print(
        f"strict: {total.strictly_passed} of {total.cases} cases with every error at its expected place and severity; "
        f"{total.matched_issues} of {total.expected_issues} expected errors found at their place, "
        f"{total.extra_issues} unexpected"
    )
    return 0 if total.passed == total.cases else 1
