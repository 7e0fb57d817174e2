"""Reading FHIR sources for export: Bundle JSON files, single resources, NDJSON files and folders of them. References
between the entries of a Bundle by fullUrl (`urn:uuid:…`) are turned back into `Type/id`.

Not handled: FHIR XML, reading from a server or a store (export a store to NDJSON first).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import orjson

from dermfhir.ingest.output import resolved


class ExportError(Exception):
    """A source cannot be read or does not hold what the export needs; the message names the file."""


def read_resources(paths: Iterable[Path]) -> Iterator[dict]:
    """Every resource in the sources, Bundle entries unpacked, in file order."""
    for path in paths:
        files = sorted(p for p in path.rglob("*") if p.suffix in (".json", ".ndjson")) if path.is_dir() else [path]
        for file in files:
            yield from _read_file(file)


def _read_file(file: Path) -> Iterator[dict]:
    try:
        data = file.read_bytes()
    except OSError as error:
        raise ExportError(f"{file}: cannot read ({error.strerror or error})") from None
    if file.suffix == ".ndjson":
        for number, line in enumerate(data.splitlines(), start=1):
            if line.strip():
                try:
                    yield from _unpack(orjson.loads(line))
                except orjson.JSONDecodeError as error:
                    raise ExportError(f"{file}, line {number}: not valid JSON ({error})") from None
        return
    try:
        yield from _unpack(orjson.loads(data))
    except orjson.JSONDecodeError as error:
        raise ExportError(f"{file}: not valid JSON ({error})") from None


def _unpack(resource: dict) -> Iterator[dict]:
    if resource.get("resourceType") == "Bundle":
        for member in resolved(resource):  # urn:uuid references between entries back to Type/id
            yield from _unpack(member)
    elif "resourceType" in resource:
        yield resource


class Index:
    """Resources by `Type/id`, for following references."""

    def __init__(self, resources: Iterable[dict]) -> None:
        self.resources = list(resources)
        self.by_reference = {f"{r['resourceType']}/{r['id']}": r for r in self.resources if "id" in r}

    def get(self, reference: str | None) -> dict | None:
        return self.by_reference.get(reference) if reference else None

    def of_type(self, resource_type: str) -> list[dict]:
        return [r for r in self.resources if r.get("resourceType") == resource_type]
