"""`dermfhir demo OUT`: write the demo dataset (synthetic dermoscopy images, expert annotations, AI predictions,
a review history) as a transaction Bundle `OUT/demo.json`, ready for `dermfhir serve --load OUT`.

Deterministic (`--seed`); nothing is downloaded. Exit 0 when written, 1 when OUT cannot be written, 2 on usage.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import orjson


def register(commands: argparse._SubParsersAction) -> None:
    demo = commands.add_parser("demo", help="write the demo dataset (synthetic images, annotations, AI, reviews)")
    demo.add_argument("out", type=Path, metavar="OUT", help="folder to write demo.json into")
    demo.add_argument("--patients", type=int, default=8, metavar="N", help="number of patients (1-500)")
    demo.add_argument("--seed", type=int, default=20260115, metavar="N", help="seed of every random choice")
    demo.add_argument("--quiet", action="store_true", help="no progress bar")
    demo.set_defaults(run=_demo)


def _demo(arguments: argparse.Namespace) -> int:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from dermfhir.builders import transaction
    from dermfhir.demo.dataset import DemoSize, resources

    if not 1 <= arguments.patients <= 500:
        print(f"dermfhir demo: --patients must be between 1 and 500, got {arguments.patients}", file=sys.stderr)
        return 2
    if arguments.seed < 0:
        print(f"dermfhir demo: --seed must not be negative, got {arguments.seed}", file=sys.stderr)
        return 2
    size = DemoSize(patients=arguments.patients, seed=arguments.seed)
    with Progress(
        TextColumn("images"), BarColumn(), TextColumn("{task.completed}"), TimeElapsedColumn(), disable=arguments.quiet
    ) as progress:
        task = progress.add_task("images", total=None)
        items = list(resources(size, lambda n: progress.advance(task, n)))
    target = arguments.out / "demo.json"
    try:
        arguments.out.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".json.partial")
        partial.write_bytes(orjson.dumps(transaction(items)))
        partial.replace(target)
    except OSError as error:
        print(f"dermfhir demo: cannot write {target}: {error.strerror or error}", file=sys.stderr)
        return 1
    print(f"Wrote {len(items)} resources to {target}")
    return 0
