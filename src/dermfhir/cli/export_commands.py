"""`dermfhir export FORMAT SOURCE… --out PATH`: FHIR (Bundles, NDJSON) → ISIC-challenge CSV, COCO JSON, NDJSON, or
DICOM SR (TID 1500) / SEG files, one per annotation, into the folder PATH.

Exit 0 when written, 1 when a source cannot be read (nothing written) or, for dicom-sr / dicom-seg, when an
annotation was left out (each named with the reason), 2 on usage errors.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import orjson
from rich.console import Console

from dermfhir.export import ExportError, Index, coco, isic_csv, read_resources
from dermfhir.ingest.output import write_atomic, write_ndjson


def register(commands: argparse._SubParsersAction) -> None:
    command = commands.add_parser(
        "export", help="export FHIR Bundles / NDJSON as ISIC CSV, COCO JSON, NDJSON, DICOM SR or DICOM SEG"
    )
    formats = ("coco", "dicom-seg", "dicom-sr", "isic-csv", "ndjson")
    command.add_argument("format", choices=formats, metavar="FORMAT", help=", ".join(formats))
    command.add_argument("sources", nargs="+", type=Path, metavar="SOURCE")
    command.add_argument(
        "--out", type=Path, required=True, metavar="PATH", help="CSV file, or folder for ndjson, dicom-sr, dicom-seg"
    )
    command.add_argument("--mask-dir", type=Path, metavar="DIR", help="dicom-seg: folder of mask files named by url")
    command.add_argument("--dicom-store", type=Path, metavar="DIR", help="dicom-sr, dicom-seg: the DICOM folder")
    command.add_argument("--layout", choices=sorted(isic_csv.LAYOUTS), default="isic2019", help="isic-csv layout")
    command.add_argument("--metadata-out", type=Path, metavar="PATH", help="isic2019: also write the metadata CSV")
    command.set_defaults(run=_run)


def _run(arguments: argparse.Namespace) -> int:
    console = Console(stderr=True, soft_wrap=True)
    try:
        resources = list(read_resources(arguments.sources))
        if arguments.format in ("dicom-sr", "dicom-seg"):
            return _dicom(console, arguments, Index(resources))
        if arguments.format == "ndjson":
            unique = {(r["resourceType"], r.get("id")): r for r in resources}
            for path in write_ndjson(arguments.out, list(unique.values())):
                console.print(f"wrote {path}", markup=False)
            return 0
        if arguments.format == "coco":
            document = coco.export(Index(resources))
            write_atomic(arguments.out, orjson.dumps(document.document, option=orjson.OPT_INDENT_2))
            console.print(f"wrote {arguments.out}", markup=False)
            for item in document.skipped[:50]:
                console.print(f"skipped {item}", markup=False)
            if document.skipped:
                console.print(f"skipped: {len(document.skipped)} observation(s)")
            return 0
        exported = isic_csv.export(Index(resources), arguments.layout)
    except ExportError as error:
        console.print(f"dermfhir export: {error}", markup=False)
        return 1
    write_atomic(arguments.out, exported.ground_truth.encode("utf-8"))
    console.print(f"wrote {arguments.out}", markup=False)
    if arguments.metadata_out and exported.metadata is not None:
        write_atomic(arguments.metadata_out, exported.metadata.encode("utf-8"))
        console.print(f"wrote {arguments.metadata_out}", markup=False)
    for item in exported.skipped[:50]:
        console.print(f"skipped {item}", markup=False)
    if exported.skipped:
        console.print(f"skipped: {len(exported.skipped)} annotation(s)")
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
