"""Read → build → validate → write: the one path every import takes, with the rule that an import either writes
everything or nothing: a rejected row, an invalid resource or an import that would write nothing fails it, unless
`skip_invalid`, which writes the valid part and a report of the rest (an import that would write nothing fails
even then). Transaction Bundles are validated as the Bundles that are written.

Under skip_invalid, a resource that refers to a rejected one is rejected too (and so on, transitively), so the
written part has no dangling reference; each is reported with the reference that caused it.

Not handled: references to resources outside the import (they are taken to exist on the server).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from dermfhir.ingest import coco, ddi, derm7pt, ham10000, isic_archive, isic_challenge, masks, predictions
from dermfhir.ingest._common import Options
from dermfhir.ingest._result import ImportResult
from dermfhir.ingest.output import chunks, transaction, write_atomic, write_result
from dermfhir.ingest.validate import describe, validate_all, validate_bundles

#: format name → reader(paths, options, progress, **extra)
FORMATS: dict[str, Callable[..., ImportResult]] = {
    "coco": coco.read,
    "ddi": ddi.read,
    "derm7pt": derm7pt.read,
    "ham10000": ham10000.read,
    "isic-archive": isic_archive.read,
    "isic-challenge": isic_challenge.read,
    "masks": masks.read,
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


def _references(node: Any) -> Iterator[str]:
    """Every `reference` string in a resource."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference" and isinstance(value, str):
                yield value
            else:
                yield from _references(value)
    elif isinstance(node, list):
        for item in node:
            yield from _references(item)


def referring(resources: Sequence[dict], rejected: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Resources that refer, directly or through others, to a rejected one → the rejected `Type/id` they refer to."""
    gone = {f"{kind}/{id}" for kind, id in rejected}
    found: dict[tuple[str, str], str] = {}
    remaining = [r for r in resources if (r["resourceType"], r["id"]) not in rejected]
    changed = True
    while changed:
        changed = False
        for resource in remaining:
            key = (resource["resourceType"], resource["id"])
            if key in found:
                continue
            target = next((ref for ref in _references(resource) if ref in gone), None)
            if target is not None:
                found[key] = target
                gone.add(f"{key[0]}/{key[1]}")
                changed = True
    return found


#: resource types an import makes whatever its rows hold (the curators, the model): not counted as imported data
FRAME_TYPES = frozenset({"Organization", "Device"})


def imported(result: ImportResult) -> int:
    """How many resources the rows gave (the curator Organization and model Device not counted)."""
    return sum(count for kind, count in result.counts().items() if kind not in FRAME_TYPES)


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
    """Import `paths` as `fmt` into `out`; raises ImportFailed (nothing written) when a row is rejected (unless
    `skip_invalid`), when nothing would be imported, or when a resource or the Bundle does not validate."""
    reader = FORMATS[fmt]
    tick = (lambda n: progress("read", n, 0)) if progress else None
    if fmt in STREAMING:
        return stream(
            lambda result: reader(paths, options, tick, result=result, **(reader_arguments or {})),
            out,
            ndjson=ndjson,
            skip_invalid=skip_invalid,
            validate=validate,
            jobs=jobs,
            progress=progress,
        )
    result = reader(paths, options, tick, **(reader_arguments or {}))
    return finish(
        result, out, ndjson=ndjson, skip_invalid=skip_invalid, validate=validate, jobs=jobs, progress=progress
    )


#: readers that stream (row by row into a StreamResult): memory does not grow with the file
STREAMING = frozenset({"ham10000", "ddi", "derm7pt"})


def stream(
    read: Callable[[ImportResult], Any],
    out: Path,
    *,
    ndjson: bool = False,
    skip_invalid: bool = False,
    validate: bool = True,
    jobs: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> Outcome:
    """Read into a StreamResult whose chunks are validated and written as they come; commit only when the whole
    import succeeded (the same rules as `finish`)."""
    from dermfhir.ingest.collector import paused
    from dermfhir.ingest.stream import Sink, StreamResult

    sink = Sink(out, ndjson=ndjson, validate=validate, skip_invalid=skip_invalid, jobs=jobs, progress=progress)
    result = StreamResult(sink)
    try:
        with paused():  # acyclic JSON trees: one collector pass per chunk (`ingest.collector`)
            read(result)
        result.flush()
        sink.finish()
        report = result.report
        if report.rejected and not skip_invalid:
            raise ImportFailed(f"{len(report.rejected)} row(s) rejected (--skip-invalid writes the others)", result, {})
        if not imported(result):
            raise ImportFailed("nothing to import: no row gave a resource", result, {})
        if sink.invalid and not skip_invalid:
            raise ImportFailed(f"{len(sink.invalid)} resource(s) do not validate", result, sink.invalid)
        outcome = Outcome(result, invalid=sink.invalid)
        if sink.invalid:
            for (kind, id), issues in sink.invalid.items():
                report.reject("; ".join(describe(i) for i in issues[:3]), f"{kind}/{id}")
            for (kind, id), target in sink.dependants.items():
                report.reject(f"refers to the rejected {target}", f"{kind}/{id}")
            if not sink.written:
                raise ImportFailed("nothing to import: every resource was rejected", result, sink.invalid)
            outcome.report_file = _write_report(out, sink.invalid, sink.dependants)
        outcome.written = sink.commit()
        return outcome
    except ValueError as error:
        sink.abort()
        raise ImportFailed(str(error), result, {}) from None
    except BaseException:
        sink.abort()
        raise


def _write_report(
    out: Path, invalid: dict[tuple[str, str], list[dict]], dependants: dict[tuple[str, str], str]
) -> Path:
    report_file = out.with_name(out.name + ".rejected.json")
    payload = [
        {"resource": f"{kind}/{id}", "outcome": {"resourceType": "OperationOutcome", "issue": issues}}
        for (kind, id), issues in invalid.items()
    ] + [
        {
            "resource": f"{kind}/{id}",
            "outcome": {
                "resourceType": "OperationOutcome",
                "issue": [
                    {"severity": "error", "code": "not-found", "details": {"text": f"refers to the rejected {target}"}}
                ],
            },
        }
        for (kind, id), target in dependants.items()
    ]
    write_atomic(report_file, orjson.dumps(payload, option=orjson.OPT_INDENT_2))
    return report_file


def run_layouts(
    files: Sequence[tuple[Path, Any]],
    out: Path,
    options: Options,
    *,
    ndjson: bool = False,
    skip_invalid: bool = False,
    validate: bool = True,
    jobs: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> Outcome:
    """Import files each read with its layout (`layouts.Layout`), merged into one result, into `out`."""
    from dermfhir.ingest.tabular import read_with_layouts

    tick = (lambda n: progress("read", n, 0)) if progress else None
    return stream(
        lambda result: read_with_layouts(files, options, tick, FORMATS, result=result),
        out,
        ndjson=ndjson,
        skip_invalid=skip_invalid,
        validate=validate,
        jobs=jobs,
        progress=progress,
    )


def finish(
    result: ImportResult,
    out: Path,
    *,
    ndjson: bool = False,
    skip_invalid: bool = False,
    validate: bool = True,
    jobs: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> Outcome:
    """Validate what was read and write it: all of it, or (with `skip_invalid`) the valid part and a report."""
    report = result.report
    if report.rejected and not skip_invalid:
        raise ImportFailed(f"{len(report.rejected)} row(s) rejected (--skip-invalid writes the others)", result, {})
    if not imported(result):
        raise ImportFailed("nothing to import: no row gave a resource", result, {})
    invalid: dict[tuple[str, str], list[dict]] = {}
    if validate:
        invalid = _checked(result, ndjson, jobs, progress)
    outcome = Outcome(result, invalid=invalid)
    if invalid and not skip_invalid:
        raise ImportFailed(f"{len(invalid)} resource(s) do not validate", result, invalid)
    if invalid:
        dependants = referring(result.resources, set(invalid))
        result.remove(set(invalid) | set(dependants))
        for (kind, id), issues in invalid.items():
            result.report.reject("; ".join(describe(i) for i in issues[:3]), f"{kind}/{id}")
        for (kind, id), target in dependants.items():
            result.report.reject(f"refers to the rejected {target}", f"{kind}/{id}")
        if not imported(result):
            raise ImportFailed("nothing to import: every resource was rejected", result, invalid)
        if validate:
            again = _checked(result, ndjson, jobs, None)
            if again:
                raise ImportFailed(f"{len(again)} resource(s) do not validate", result, again)
        outcome.report_file = _write_report(out, invalid, dependants)
    outcome.written = write_result(out, result.resources, ndjson)
    return outcome


def _checked(
    result: ImportResult, ndjson: bool, jobs: int | None, progress: Callable[[str, int, int], None] | None
) -> dict[tuple[str, str], list[dict]]:
    try:
        return _invalid(result.resources, ndjson, jobs, progress)
    except BundleInvalid as error:
        raise ImportFailed(f"the Bundle to write does not validate: {error}", result, {}) from None


def _invalid(
    resources: list[dict], ndjson: bool, jobs: int | None, progress: Callable[[str, int, int], None] | None
) -> dict[tuple[str, str], list[dict]]:
    """Errors by `(type, id)`: per resource for NDJSON, per entry of the very Bundles that will be written
    otherwise. An error of a Bundle itself (not of one entry) fails the import: it would be a fault here."""
    if progress:
        progress("validate", 0, len(resources))
    tick = (lambda n: progress("validate", n, 0)) if progress else None
    invalid: dict[tuple[str, str], list[dict]] = {}
    if ndjson:
        for resource, issues in zip(resources, validate_all(resources, jobs, tick), strict=True):
            if issues:
                invalid[(resource["resourceType"], resource["id"])] = issues
        return invalid
    parts = list(chunks(resources))
    bundles = [transaction(part) for part in parts]
    for part, found in zip(parts, validate_bundles(bundles, jobs, tick), strict=True):
        for index, issue in found:
            if index is None or index >= len(part):
                raise BundleInvalid(describe(issue))
            resource = part[index]
            invalid.setdefault((resource["resourceType"], resource["id"]), []).append(issue)
    return invalid


class BundleInvalid(Exception):
    """The Bundle to be written breaks a rule of Bundles (not of one entry): nothing is written."""
