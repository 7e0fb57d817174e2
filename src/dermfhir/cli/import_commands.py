"""`dermfhir import FORMAT FILE… --out PATH`: dermatology sources → validated FHIR (transaction Bundles or NDJSON).
FORMAT is `auto` (each file's layout recognised from its header), `columns` (any CSV through a YAML mapping), a
layout of the table in `dermfhir.ingest.layouts` (each with its own `--help`: columns and an example), or a format
with its own reader (isic-challenge, isic-archive, predictions, masks, coco).

Exit 0 when written, 1 when a row is rejected (unless --skip-invalid), nothing is imported, a resource or the Bundle
does not validate, or the output cannot be written (nothing written then), 2 on usage errors.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from dermfhir.ingest import ImportFailed, Mapping, Options, SourceError, layouts, run_import, tabular
from dermfhir.ingest._result import ImportResult
from dermfhir.ingest.output import OutputError
from dermfhir.ingest.pipeline import Outcome, run_layouts
from dermfhir.ingest.validate import describe

#: the formats with their own reader (not CSV layouts of the table), and what each reads
OTHER_FORMATS = {
    "isic-challenge": "ISIC 2017 Part 3 / 2018 Task 3 / 2019 one-hot ground truth with --metadata files",
    "isic-archive": "ISIC Archive image records: API v1 or v2 JSON (one record, an array, an API page, NDJSON)",
    "predictions": "classifier output in the ISIC submission layout (image, one probability column per class)",
    "masks": "segmentation masks (PNG) of ISIC 2016-2018 Tasks 1-2, added to --source annotations",
    "coco": "COCO JSON (boxes, polygons) of dermatology images",
    "dicom": "DICOM VL Photographic (XC) and Dermoscopic Photography (DMS) images: files or folders",
}


def _common(command: argparse.ArgumentParser) -> None:
    command.add_argument("files", nargs="+", type=Path, metavar="FILE")
    command.add_argument("--out", type=Path, required=True, metavar="PATH", help="Bundle file, or folder with --ndjson")
    command.add_argument("--ndjson", action="store_true", help="write one NDJSON file per resource type into PATH")
    command.add_argument("--map", type=Path, metavar="FILE", help='JSON {"field": {"source value": code}}')
    command.add_argument("--strict", action="store_true", help="an unmapped value is a bad row")
    command.add_argument(
        "--skip-invalid", action="store_true", help="write the valid rows (and PATH.rejected.json) despite bad rows"
    )
    command.add_argument("--image-dir", type=Path, metavar="DIR", help="image files, to read their pixel sizes")
    command.add_argument("--image-base", default="", metavar="URL", help="prefix of image URLs (default: file name)")
    command.add_argument("--jobs", type=int, default=None, help="validation processes (default: CPU count)")
    command.add_argument("--no-validate", action="store_true", help=argparse.SUPPRESS)


def _model(command: argparse.ArgumentParser) -> None:
    command.add_argument("--model-name", help="predictions: model name")
    command.add_argument("--model-version", help="predictions: model version")
    command.add_argument("--model-manufacturer", default="unknown", help="predictions: model vendor")
    command.add_argument("--model-card", type=Path, metavar="FILE", help="predictions: model card (markdown)")
    command.add_argument("--recorded", metavar="DATETIME", help="predictions: when the model ran (default: now)")


def _layout_help(layout: layouts.Layout) -> str:
    lines = [f"{layout.title}.", "", f"columns: {layout.columns_text()}"]
    if layout.note:
        lines += ["", layout.note]
    if layout.example:
        lines += ["", "example:", *(f"  {line}" for line in layout.example.splitlines())]
    return "\n".join(lines)


def register(commands: argparse._SubParsersAction) -> None:
    command = commands.add_parser(
        "import",
        help="import public dermatology datasets (ISIC 2016-2025, HAM10000, BCN20000, PAD-UFES-20, Derm7pt, DDI, "
        "Fitzpatrick17k …), classifier outputs, masks, COCO or DICOM as FHIR",
        description="Import files as validated FHIR (a transaction Bundle, or NDJSON). `auto` recognises each "
        "file's layout from its header; a layout name forces one; `columns` reads any CSV through a YAML column "
        "mapping. Exit 0 when everything was imported, 1 when a row is rejected (unless --skip-invalid), nothing "
        "is imported, a resource does not validate or the output cannot be written (nothing is written then).",
    )
    formats = command.add_subparsers(dest="format", metavar="FORMAT", required=True)
    auto = formats.add_parser(
        "auto",
        help="recognise each file's layout from its header",
        description="Recognise each file's layout from its header and import them together (the metadata, "
        "ground truth, supplement and duplicates files of a dataset merge into the same resources; files imported "
        "in separate commands merge when loaded with `dermfhir load --db`). Layouts:\n"
        + "\n".join(f"  {layout.name}: {layout.columns_text()}" for layout in layouts.LAYOUTS),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _common(auto)
    _model(auto)
    auto.set_defaults(run=_run)
    columns = formats.add_parser(
        "columns",
        help="any CSV, through a YAML column mapping (--columns)",
        description=(tabular.__doc__ or "").split("Not handled")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _common(columns)
    columns.add_argument("--columns", type=Path, required=True, metavar="YAML", help="the column mapping")
    columns.set_defaults(run=_run)
    for layout in layouts.LAYOUTS:
        parser = formats.add_parser(
            layout.name,
            help=layout.title,
            description=_layout_help(layout),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        _common(parser)
        if layout.name == "milk10k-submission":
            _model(parser)
        parser.set_defaults(run=_run)
    for name, text in OTHER_FORMATS.items():
        parser = formats.add_parser(name, help=text, description=text)
        _common(parser)
        if name in ("isic-challenge", "predictions"):
            parser.add_argument(
                "--metadata", type=Path, action="append", default=[], metavar="FILE", help="ISIC metadata CSV"
            )
        if name == "predictions":
            _model(parser)
        if name == "dicom":
            parser.add_argument(
                "--dicom-store",
                type=Path,
                metavar="DIR",
                help="keep the instances in this folder (for dermfhir serve --dicom-store) instead of FHIR Binaries",
            )
        if name == "masks":
            parser.add_argument(
                "--source",
                type=Path,
                action="append",
                default=[],
                metavar="FILE",
                help="FHIR Bundle / NDJSON holding the images' annotations to add the regions to",
            )
            parser.add_argument(
                "--tolerance",
                type=float,
                default=None,
                metavar="PX",
                help="outline simplification tolerance in pixels (default 1.5)",
            )
        parser.set_defaults(run=_run)


def _files(arguments: argparse.Namespace) -> list[tuple[Path, layouts.Layout]] | None:
    """(file, layout) pairs for the layout-table formats; None for a format with its own reader."""
    if arguments.format == "auto":
        return tabular.detected(arguments.files)
    if arguments.format == "columns":
        return tabular.with_mapping(arguments.files, arguments.columns)
    if arguments.format in layouts.BY_NAME:
        return tabular.forced(arguments.files, arguments.format)
    return None


def _lines(files: list[Path]) -> int:
    """Rows to read (lines of the CSV / NDJSON files, headers counted off), for the progress bar's total."""
    total = 0
    for file in files:
        if file.suffix.lower() not in (".csv", ".ndjson") or not file.is_file():
            continue
        try:
            with file.open("rb") as handle:
                total += sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))
        except OSError:
            return 0
        total -= file.suffix.lower() == ".csv"
    return max(total, 0)


def _run(arguments: argparse.Namespace) -> int:
    console = Console(stderr=True, soft_wrap=True)
    if not arguments.ndjson and arguments.out.suffix.lower() == ".ndjson":
        console.print(
            f"dermfhir import: --out {arguments.out} names an NDJSON file, but without --ndjson a Bundle (JSON) is "
            "written; give --ndjson and a folder (one NDJSON file per resource type), or a .json file name",
            markup=False,
        )
        return 2
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
    tolerance = getattr(arguments, "tolerance", None)
    try:
        options = Options(
            mapping=Mapping.load(arguments.map),
            strict=arguments.strict,
            image_base=arguments.image_base,
            image_dir=arguments.image_dir,
            recorded=getattr(arguments, "recorded", None),
            extra={
                **({"tolerance": tolerance} if tolerance is not None else {}),
                "model": {
                    "name": getattr(arguments, "model_name", None),
                    "version": getattr(arguments, "model_version", None),
                    "manufacturer": getattr(arguments, "model_manufacturer", None),
                    "card": getattr(arguments, "model_card", None),
                },
            },
        )
        files = _files(arguments)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
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

            total = _lines(arguments.files)
            if total:
                progress("read", 0, total)
            common = {
                "ndjson": arguments.ndjson,
                "skip_invalid": arguments.skip_invalid,
                "validate": not arguments.no_validate,
                "jobs": arguments.jobs,
                "progress": progress,
            }
            if arguments.format == "dicom":
                from dermfhir.ingest.dicom import run_dicom_import

                del common["validate"]
                outcome = run_dicom_import(
                    arguments.files, arguments.out, options, dicom_store=arguments.dicom_store, **common
                )
            elif files is not None:
                outcome = run_layouts(files, arguments.out, options, **common)
            else:
                outcome = run_import(
                    arguments.format, arguments.files, arguments.out, options, reader_arguments=extra, **common
                )
    except (SourceError, OutputError) as error:
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
    """The closing summary: rows in per file, resources out by type, findings, unmapped values, fields without a
    place in FHIR, repeated rows merged, rejected rows (file, row, column, reason)."""
    report = result.report
    console.print(f"rows read: {report.rows_read}")
    for file, count in report.rows_by_file.items():
        layout = report.layouts.get(file)
        console.print(f"  {file}: {count} row(s)" + (f" as {layout}" if layout else ""), markup=False)
    if report.merged:
        console.print(f"rows repeating an earlier row of the same image (merged): {report.merged}")
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
    if report.unplaced:
        console.print("source fields with no place in FHIR (not imported):")
        for column, count in report.unplaced.most_common():
            console.print(f"  {column}: {count} row(s) with a value", markup=False)
    for warning in report.warnings[:50]:
        console.print(f"warning: {warning}", markup=False)
    if report.warnings.total > 50:
        console.print(f"… and {report.warnings.total - 50} more warnings")
    if report.rejected:
        console.print(f"rows rejected: {len(report.rejected)}")
        for item in report.rejected[:50]:
            console.print(f"  {item.where}: {item.reason}", markup=False)
        if len(report.rejected) > 50:
            console.print(f"  … and {len(report.rejected) - 50} more")
    else:
        console.print("rows rejected: 0")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(1)
