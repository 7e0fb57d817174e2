"""`dermfhir stats PATH|URL…`: counts over imported FHIR data (Bundles, NDJSON, folders, or a FHIR server's base
URL): images by dataset, split and skin tone; findings by diagnosis; lesions by site; annotations by method and by
author (AI or human).

Exit 0 when something was counted, 1 when a source cannot be read or holds no resource, 2 on usage errors.
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

import orjson
from rich.console import Console
from rich.table import Table

from dermfhir.export import ExportError, read_resources
from dermfhir.export.stats import compute, fetch


def register(commands: argparse._SubParsersAction) -> None:
    command = commands.add_parser(
        "stats",
        help="count images, findings, sites, methods, AI vs human, skin tones and splits in FHIR data",
        description=(__doc__ or "").split("\n\n")[0],
    )
    command.add_argument("sources", nargs="+", metavar="PATH|URL", help="Bundle / NDJSON files, folders, or a base URL")
    command.add_argument("--token", help="bearer token for a server")
    command.add_argument("--json", action="store_true", help="print the counts as JSON")
    command.set_defaults(run=_run)


def _resources(sources: list[str], token: str | None):
    files = [Path(s) for s in sources if not s.startswith(("http://", "https://"))]
    urls = [s for s in sources if s.startswith(("http://", "https://"))]
    iterators = [read_resources(files)] if files else []
    iterators += [fetch(url, token) for url in urls]
    return itertools.chain(*iterators)


def _run(arguments: argparse.Namespace) -> int:
    console = Console(soft_wrap=True)
    errors = Console(stderr=True, soft_wrap=True)
    for source in arguments.sources:
        if not source.startswith(("http://", "https://")) and not Path(source).exists():
            errors.print(f"dermfhir stats: {source}: no such file or folder", markup=False)
            return 1
    try:
        stats = compute(_resources(arguments.sources, arguments.token))
    except (ExportError, ValueError, OSError) as error:
        errors.print(f"dermfhir stats: {error}", markup=False)
        return 1
    except Exception as error:  # httpx transport errors: one line, never a traceback
        errors.print(f"dermfhir stats: {type(error).__name__}: {error}", markup=False)
        return 1
    if not stats.resources:
        errors.print("dermfhir stats: no FHIR resource found", markup=False)
        return 1
    if arguments.json:
        console.print_json(orjson.dumps({name: dict(counts) for name, counts in stats.tables().items()}).decode())
        return 0
    for title, counts in stats.tables().items():
        if not counts:
            continue
        table = Table(title=title)
        table.add_column("value")
        table.add_column("count", justify="right")
        for value, count in counts.most_common():
            table.add_row(value, str(count))
        console.print(table)
    return 0
