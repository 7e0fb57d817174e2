"""Read → build → validate → write: the one path every import takes, with the rule that an import either writes
everything valid or nothing (unless `skip_invalid`, which writes the valid part and a report of the rest).

Not handled: resources that reference a rejected resource are kept (their reference dangles) under skip_invalid.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from dermfhir.ingest import ham10000, isic_challenge, predictions
from dermfhir.ingest._common import Options
from dermfhir.ingest._result import ImportResult
from dermfhir.ingest.output import write_atomic, write_result
from dermfhir.ingest.validate import describe, validate_all

#: format name → reader(paths, options, progress, **extra)
FORMATS: dict[str, Callable[..., ImportResult]] = {
    "ham10000": ham10000.read,
    "isic-challenge": isic_challenge.read,
    "predictions": predictions.read,
}


class ImportFailed(Exception):
    """The import produced invalid resources, or --strict found rejected rows; nothing was written."""

    def __init__(self, message: str, result: ImportResult, invalid: dict[tuple[str, str], list[dict]]) -> None:
        super().__init__(message)
        self.result = result
        self.invalid = invalid


@dataclass
class Outcome:
    result: ImportResult
    written: list[Path] = field(default_factory=list)
    invalid: dict[tuple[str, str], list[dict]] = field(default_factory=dict)
    report_file: Path | None = None


def run_import(
    fmt: str,
    paths: Sequence[Path],
    out: Path,
    options: Options,
    *,
    ndjson: bool = False,
    skip_invalid: bool = False,
    validate: bool = True,
    jobs: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    reader_arguments: dict[str, Any] | None = None,
) -> Outcome:
    """Import `paths` as `fmt` into `out`; raises ImportFailed (nothing written) when something is invalid."""
    reader = FORMATS[fmt]
    tick = (lambda n: progress("read", n, 0)) if progress else None
    result = reader(paths, options, tick, **(reader_arguments or {}))
    if options.strict and result.report.rejected:
        raise ImportFailed(f"{len(result.report.rejected)} row(s) rejected (--strict)", result, {})
    invalid: dict[tuple[str, str], list[dict]] = {}
    if validate:
        resources = result.resources
        if progress:
            progress("validate", 0, len(resources))
        errors = validate_all(resources, jobs, (lambda n: progress("validate", n, 0)) if progress else None)
        for resource, issues in zip(resources, errors, strict=True):
            if issues:
                invalid[(resource["resourceType"], resource["id"])] = issues
    outcome = Outcome(result, invalid=invalid)
    if invalid and not skip_invalid:
        raise ImportFailed(f"{len(invalid)} resource(s) do not validate", result, invalid)
    if invalid:
        result.remove(set(invalid))
        for (kind, id), issues in invalid.items():
            result.report.reject("; ".join(describe(i) for i in issues[:3]), f"{kind}/{id}")
        report_file = out.with_name(out.name + ".rejected.json")
        payload = [
            {"resource": f"{kind}/{id}", "outcome": {"resourceType": "OperationOutcome", "issue": issues}}
            for (kind, id), issues in invalid.items()
        ]
        write_atomic(report_file, orjson.dumps(payload, option=orjson.OPT_INDENT_2))
        outcome.report_file = report_file
    outcome.written = write_result(out, result.resources, ndjson)
    return outcome
