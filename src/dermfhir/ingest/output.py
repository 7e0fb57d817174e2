"""Writing results atomically: a transaction Bundle (one JSON file) or NDJSON (one file per resource type in a
folder). Everything is written to a temporary name next to the target and renamed at the end, so a failed import
leaves nothing behind.

Not handled: writing to a server (see dermfhir.store); splitting very large Bundles.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import orjson

from dermfhir.builders.bundle import transaction


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def bundle_bytes(resources: Iterable[dict]) -> bytes:
    return orjson.dumps(transaction(resources), option=orjson.OPT_INDENT_2)


def ndjson_files(resources: Iterable[dict]) -> dict[str, bytes]:
    """`{Type}.ndjson` content per resource type."""
    lines: dict[str, list[bytes]] = defaultdict(list)
    for resource in resources:
        lines[resource["resourceType"]].append(orjson.dumps(resource))
    return {f"{kind}.ndjson": b"\n".join(items) + b"\n" for kind, items in sorted(lines.items())}


def write_ndjson(folder: Path, resources: Iterable[dict]) -> list[Path]:
    """Write one NDJSON file per resource type into `folder` (created, or its NDJSON files replaced) atomically."""
    files = ndjson_files(resources)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        for name, data in files.items():
            (staging / name).write_bytes(data)
        if folder.exists():
            for old in folder.glob("*.ndjson"):
                old.unlink()
            for name in files:
                os.replace(staging / name, folder / name)
            staging.rmdir()
        else:
            os.replace(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [folder / name for name in files]


def write_result(path: Path, resources: list[dict], ndjson: bool) -> list[Path]:
    if ndjson:
        return write_ndjson(path, resources)
    write_atomic(path, bundle_bytes(resources))
    return [path]
