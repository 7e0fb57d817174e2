"""`dermfhir import FORMAT FILE… --out PATH`: dermatology sources → validated FHIR (transaction Bundle or NDJSON).

Exit 0 when written, 1 when the input is bad or a resource does not validate (nothing written), 2 on usage errors.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from dermfhir.ingest import FORMATS, ImportFailed, Mapping, Options, SourceError, run_import
from dermfhir.ingest._result import ImportResult
from dermfhir.ingest.pipeline import Outcome
from dermfhir.ingest.validate import describe


def register(commands: argparse._SubParsersAction) -> None:
    command = commands.add_parser(
        "import", help="import ISIC, HAM10000, Derm7pt, DDI, classifier output, mask, COCO or DICOM files as FHIR"
    )
    formats = sorted([*FORMATS, "dicom"])
    command.add_argument("format", choices=formats, metavar="FORMAT", help=", ".join(formats))
    command.add_argument("files", nargs="+", type=Path, metavar="FILE", help="files (dicom: files or folders)")
    command.add_argument("--out", type=Path, required=True, metavar="PATH", help="Bundle file, or folder with --ndjson")
    command.add_argument("--ndjson", action="store_true", help="write one NDJSON file per resource type into PATH")
    command.add_argument("--map", type=Path, metavar="FILE", help='JSON {"field": {"source value": code}}')
    command.add_argument("--strict", action="store_true", help="any unmapped value or bad row fails the import")
    command.add_argument("--skip-invalid", action="store_true", help="write the valid part and PATH.rejected.json")
    command.add_argument(
        "--metadata",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="ISIC metadata CSV (isic-challenge, predictions)",
    )
    command.add_argument("--image-dir", type=Path, metavar="DIR", help="image files, to read their pixel sizes")
    command.add_argument("--image-base", default="", metavar="URL", help="prefix of image URLs (default: file name)")
    command.add_argument("--model-name", help="predictions: model name")
    command.add_argument("--model-version", help="predictions: model version")
    command.add_argument("--model-manufacturer", default="unknown", help="predictions: model vendor")
    command.add_argument("--model-card", type=Path, metavar="FILE", help="predictions: model card (markdown)")
    command.add_argument("--recorded", metavar="DATETIME", help="predictions: when the model ran (default: now)")
    command.add_argument(
        "--source",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="masks: FHIR Bundle / NDJSON holding the images' annotations to add the regions to",
    )
    command.add_argument(
        "--tolerance",
        type=float,
        default=None,
        metavar="PX",
        help="masks: outline simplification tolerance in pixels (default 1.5)",
    )
    command.add_argument(
        "--dicom-store",
        type=Path,
        metavar="DIR",
        help="dicom: keep the instances in this folder (for dermfhir serve --dicom-store) instead of FHIR Binaries",
    )
    command.add_argument("--jobs", type=int, default=None, help="validation processes (default: CPU count)")
    command.add_argument("--no-validate", action="store_true", help=argparse.SUPPRESS)
    command.set_defaults(run=_run)


def _run(arguments: argparse.Namespace) -> int:
    console = Console(stderr=True, soft_wrap=True)
    extra: dict = {}
    if arguments.format == "predictions":
        if not arguments.model_name or not arguments.model_version:
            console.print("dermfhir import predictions: --model-name and --model-version are required")
            return 2
        extra = {
            "model_name": arguments.model_name,
            "model_version": arguments.model_version,
            "manufacturer": arguments.model_manufacturer,
            "model_card": arguments.model_card,
        }
    if arguments.format in ("isic-challenge", "predictions"):
        extra["metadata"] = arguments.metadata
    if arguments.format == "masks":
        extra["source"] = arguments.source
    try:
        options = Options(
            mapping=Mapping.load(arguments.map),
            strict=arguments.strict,
            image_base=arguments.image_base,
            image_dir=arguments.image_dir,
            recorded=arguments.recorded,
            extra={"tolerance": arguments.tolerance} if arguments.tolerance is not None else {},
        )
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        ) as bar:
            tasks: dict[str, TaskID] = {}

            def progress(stage: str, advance: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=total or None)
                if total:
                    bar.update(tasks[stage], total=total)
                bar.advance(tasks[stage], advance)

            if arguments.format == "dicom":
                from dermfhir.ingest.dicom import run_dicom_import

                outcome = run_dicom_import(
                    arguments.files,
                    arguments.out,
                    options,
                    ndjson=arguments.ndjson,
                    skip_invalid=arguments.skip_invalid,
                    jobs=arguments.jobs,
                    progress=progress,
                    dicom_store=arguments.dicom_store,
                )
                return _finish(console, outcome)
            outcome = run_import(
                arguments.format,
                arguments.files,
                arguments.out,
                options,
                ndjson=arguments.ndjson,
                skip_invalid=arguments.skip_invalid,
                validate=not arguments.no_validate,
                jobs=arguments.jobs,
                progress=progress,
                reader_arguments=extra,
            )
    except SourceError as error:
        console.print(f"dermfhir import: {error}", markup=False)
        return 1
    except ImportFailed as failure:
        summary(console, failure.result)
        for (kind, id), issues in list(failure.invalid.items())[:20]:
            for issue in issues[:3]:
                console.print(f"  {kind}/{id}: {describe(issue)}", markup=False)
        console.print(f"dermfhir import: {failure}; nothing written to {arguments.out}", markup=False)
        return 1
    return _finish(console, outcome)


def _finish(console: Console, outcome: Outcome) -> int:
    summary(console, outcome.result)
    for path in outcome.written:
        console.print(f"wrote {path}", markup=False)
    if outcome.report_file:
        console.print(f"rejected resources: {outcome.report_file}", markup=False)
    return 0


def summary(console: Console, result: ImportResult) -> None:
    """The closing summary: rows, resources by type, findings, unmapped values, rejected rows."""
    report = result.report
    console.print(f"rows read: {report.rows_read}")
    table = Table(title="resources by type")
    table.add_column("type")
    table.add_column("count", justify="right")
    for kind, count in sorted(result.counts().items()):
        table.add_row(kind, str(count))
    console.print(table)
    if report.findings:
        findings = Table(title="findings by class")
        findings.add_column("class")
        findings.add_column("count", justify="right")
        for label, count in report.findings.most_common():
            findings.add_row(label, str(count))
        console.print(findings)
    if report.unmapped:
        console.print("unmapped values (kept as text; add them to a --map file):")
        for (field, value), count in report.unmapped.most_common():
            console.print(f"  {field} {value!r}: {count}", markup=False)
    for warning in report.warnings[:50]:
        console.print(f"warning: {warning}", markup=False)
    if len(report.warnings) > 50:
        console.print(f"… and {len(report.warnings) - 50} more warnings")
    if report.rejected:
        console.print(f"rows rejected: {len(report.rejected)}")
        for item in report.rejected[:50]:
            console.print(f"  {item.where}: {item.reason}", markup=False)
    else:
        console.print("rows rejected: 0")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(1)
