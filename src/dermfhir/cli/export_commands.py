"""`dermfhir export FORMAT SOURCE… --out PATH`: FHIR (Bundles, NDJSON) → ISIC-challenge CSV, challenge submission
CSV, COCO JSON, NDJSON, or DICOM SR (TID 1500) / SEG files, one per annotation, into the folder PATH.

Every export lists what it skipped and why. Exit 0 when something was written, 1 when a source cannot be read,
the output cannot be written or there was nothing to write (no file is written then), or, for dicom-sr /
dicom-seg, when an annotation was left out (each named with the reason); 2 on usage errors.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import orjson
from rich.console import Console

from dermfhir.export import ExportError, Index, coco, isic_csv, read_resources, submission
from dermfhir.ingest.output import OutputError, write_atomic, write_ndjson

FORMATS = ("coco", "dicom-seg", "dicom-sr", "isic-csv", "ndjson", "submission")


def register(commands: argparse._SubParsersAction) -> None:
    command = commands.add_parser(
        "export",
        help="export FHIR Bundles / NDJSON as ISIC CSV, a challenge submission, COCO JSON, NDJSON, DICOM SR or SEG",
    )
    command.add_argument("format", choices=FORMATS, metavar="FORMAT", help=", ".join(FORMATS))
    command.add_argument("sources", nargs="+", type=Path, metavar="SOURCE")
    command.add_argument(
        "--out", type=Path, required=True, metavar="PATH", help="CSV file, or folder for ndjson, dicom-sr, dicom-seg"
    )
    command.add_argument("--mask-dir", type=Path, metavar="DIR", help="dicom-seg: folder of mask files named by url")
    command.add_argument("--dicom-store", type=Path, metavar="DIR", help="dicom-sr, dicom-seg: the DICOM folder")
    command.add_argument("--layout", choices=sorted(isic_csv.LAYOUTS), default="isic2019", help="isic-csv layout")
    command.add_argument(
        "--submission-layout",
        choices=["auto", *sorted(submission.LAYOUTS)],
        default="auto",
        help="submission: the challenge's columns (auto: the classes of the predictions)",
    )
    command.add_argument("--metadata-out", type=Path, metavar="PATH", help="isic2019: also write the metadata CSV")
    command.set_defaults(run=_run)


def _skipped(console: Console, skipped: list[str], what: str) -> None:
    for item in skipped[:50]:
        console.print(f"skipped {item}", markup=False)
    if len(skipped) > 50:
        console.print(f"… and {len(skipped) - 50} more")
    if skipped:
        console.print(f"skipped: {len(skipped)} {what}")


def _run(arguments: argparse.Namespace) -> int:
    console = Console(stderr=True, soft_wrap=True)
    try:
        return _export(arguments, console)
    except (ExportError, OutputError) as error:
        console.print(f"dermfhir export: {error}", markup=False)
        return 1


def _nothing(console: Console, out: Path) -> int:
    console.print(f"dermfhir export: nothing to export; {out} not written", markup=False)
    return 1


def _export(arguments: argparse.Namespace, console: Console) -> int:
    resources = list(read_resources(arguments.sources))
    if arguments.format in ("dicom-sr", "dicom-seg"):
        return _dicom(console, arguments, Index(resources))
    if arguments.format == "ndjson":
        unique = {(r["resourceType"], r.get("id")): r for r in resources}
        if not unique:
            return _nothing(console, arguments.out)
        for path in write_ndjson(arguments.out, list(unique.values())):
            console.print(f"wrote {path}", markup=False)
        console.print(f"resources: {len(unique)}")
        return 0
    if arguments.format == "coco":
        document = coco.export(Index(resources))
        _skipped(console, document.skipped, "observation(s)")
        if not document.document.get("annotations"):
            return _nothing(console, arguments.out)
        write_atomic(arguments.out, orjson.dumps(document.document, option=orjson.OPT_INDENT_2))
        console.print(f"wrote {arguments.out} ({len(document.document['annotations'])} annotation(s))", markup=False)
        return 0
    if arguments.format == "submission":
        written = submission.export(Index(resources), arguments.submission_layout)
        _skipped(console, written.skipped, "assessment(s)")
        if not written.rows:
            return _nothing(console, arguments.out)
        write_atomic(arguments.out, written.csv.encode("utf-8"))
        console.print(f"wrote {arguments.out} ({written.rows} row(s))", markup=False)
        return 0
    exported = isic_csv.export(Index(resources), arguments.layout)
    _skipped(console, exported.skipped, "annotation(s)")
    if not exported.rows:
        return _nothing(console, arguments.out)
    write_atomic(arguments.out, exported.ground_truth.encode("utf-8"))
    console.print(f"wrote {arguments.out} ({exported.rows} row(s))", markup=False)
    if arguments.metadata_out and exported.metadata is not None:
        write_atomic(arguments.metadata_out, exported.metadata.encode("utf-8"))
        console.print(f"wrote {arguments.metadata_out}", markup=False)
    return 0


def _dicom(console: Console, arguments: argparse.Namespace, index: Index) -> int:
    """DICOM SR (TID 1500) or SEG files, one per annotation, into the folder --out; 1 when any was left out."""
    from dermfhir.export import dicom_seg, dicom_sr

    if arguments.format == "dicom-sr":
        exported = dicom_sr.export(index, arguments.out, arguments.dicom_store)
    else:
        exported = dicom_seg.export(index, arguments.out, arguments.mask_dir, arguments.dicom_store)
    for path in exported.written:
        console.print(f"wrote {path}", markup=False)
    for item in exported.skipped[:50]:
        console.print(f"skipped {item}", markup=False)
    if exported.skipped:
        console.print(f"skipped: {len(exported.skipped)} annotation(s)")
    return 1 if exported.skipped or not exported.written else 0
