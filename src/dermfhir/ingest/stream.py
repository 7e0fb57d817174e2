"""Streaming imports: rows are read, built, validated and written chunk by chunk, so that memory does not grow with
the file's size (a digest per shared resource and per image id is kept to merge repeats, in a temporary SQLite file:
`spill.DiskMap`).

`StreamResult` is an ImportResult that hands every `CHUNK` new resources to a `Sink` instead of keeping them; a
shared resource (Patient, BodyStructure, Organization…) is passed on the first time it is seen only, its later
copies must be equal (a different copy is reported). The `Sink` validates each chunk — as the transaction Bundle
it becomes (one file per chunk, PATH-0001.json …) or resource by resource for NDJSON — in worker processes while
the next chunk is read, and writes it to temporary files that are renamed into place only when the whole import
succeeded (`commit`), so that a failed import still leaves nothing behind.

Not handled: under --skip-invalid, a resource of a later chunk referring to a rejected resource of an earlier one is
rejected too (its reference is known), but an earlier resource referring to a later rejected one cannot be taken
back from a chunk already validated: such a chunk is kept and the dangling reference is reported as a warning.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from dermfhir.ingest._result import ImportResult
from dermfhir.ingest.collector import chunk_done
from dermfhir.ingest.merge import tag
from dermfhir.ingest.output import BUNDLE_ENTRIES, AtomicFile, NdjsonWriter, bundle_paths, transaction_bytes
from dermfhir.ingest.spill import DiskMap
from dermfhir.ingest.validate import _chunk, bundle_errors_of, default_validator, describe, errors_of_lines, fork_pool

#: resources per chunk (and per Bundle file of a streamed import)
CHUNK = BUNDLE_ENTRIES
#: resource types made once per row (never repeated): not tracked for repeats
PER_ROW = frozenset({"DocumentReference", "Observation", "RiskAssessment", "Provenance"})


def _signature(resource: dict) -> int:
    return hash(orjson.dumps(resource, option=orjson.OPT_SORT_KEYS))


class StreamResult(ImportResult):
    """An ImportResult that passes new resources on to a sink in chunks instead of keeping them."""

    def __init__(self, sink: Callable[[list[dict]], None], chunk: int | None = None) -> None:
        super().__init__()
        self.sink = sink
        self.chunk = chunk or CHUNK
        self.pending: list[dict] = []
        self.shared = DiskMap()  # Type/id → signature of the content first passed on (on disk: memory stays flat)
        self.counted: dict[str, int] = {}

    def add(self, *items: Any) -> None:
        for item in items:
            resource = tag(item.to_resource() if hasattr(item, "to_resource") else item)
            kind = resource["resourceType"]
            if kind not in PER_ROW:
                key = f"{kind}/{resource['id']}"
                signature = _signature(resource)
                first = self.shared.get(key)
                if first is not None:
                    if first != signature:
                        self.report.warnings.append(
                            f"{kind}/{resource['id']} is given again with other content (the first is kept)"
                        )
                    continue
                self.shared[key] = signature
            self.pending.append(resource)
            self.counted[kind] = self.counted.get(kind, 0) + 1
        if len(self.pending) >= self.chunk:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            chunk, self.pending = self.pending, []
            self.sink(chunk)
            del chunk  # freed now, not walked by the collector's pass
            chunk_done()

    def has(self, resource_type: str, id: str) -> bool:
        return f"{resource_type}/{id}" in self.shared

    @property
    def resources(self) -> list[dict]:
        return list(self.pending)

    def counts(self) -> Any:
        from collections import Counter

        return Counter(self.counted)

    def __len__(self) -> int:
        return sum(self.counted.values())


class Sink:
    """Validates chunks in worker processes (at most `jobs` in flight) and writes them to staged files."""

    def __init__(
        self,
        out: Path,
        *,
        ndjson: bool,
        validate: bool,
        skip_invalid: bool,
        jobs: int | None,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> None:
        self.out = out
        self.ndjson = ndjson
        self.validate = validate
        self.skip_invalid = skip_invalid
        self.jobs = jobs or os.cpu_count() or 1
        self.progress = progress
        self.pool: Any = None
        self.warm = False  # the validator built and warmed (once; with one job there is no pool to say so)
        self.inflight: deque[tuple[list[dict], bytes, list[bytes] | None, Any]] = deque()
        self.invalid: dict[tuple[str, str], list[dict]] = {}
        self.rejected: set[str] = set()
        self.dependants: dict[tuple[str, str], str] = {}
        self.bundles: list[AtomicFile] = []
        self.writer: NdjsonWriter | None = None
        self.failed = False
        self.written = 0

    # -- validation ------------------------------------------------------------------------------------------

    def __call__(self, chunk: list[dict]) -> None:
        # serialised once: the bytes go to the validating worker and, when valid, into the file as they are
        lines = [orjson.dumps(resource) for resource in chunk] if self.ndjson else None
        payload = b"\n".join(lines) if lines is not None else transaction_bytes(chunk)
        if not self.validate:
            self._write(chunk, [], payload, lines)
            return
        if not self.warm:
            self.warm = True
            default_validator()
            _chunk(chunk[:50])  # warm the validator on this chunk's profiles before forking
            if self.jobs > 1 and "fork" in multiprocessing.get_all_start_methods():
                self.pool = fork_pool(self.jobs)
        function: Callable[[bytes], Any] = errors_of_lines if self.ndjson else bundle_errors_of
        if self.pool is None:
            self._done(chunk, payload, lines, function(payload))
            return
        self.inflight.append((chunk, payload, lines, self.pool.apply_async(function, (payload,))))
        while len(self.inflight) > self.jobs:
            self._collect()

    def _collect(self) -> None:
        chunk, payload, lines, pending = self.inflight.popleft()
        self._done(chunk, payload, lines, pending.get())

    def _done(self, chunk: list[dict], payload: bytes, lines: list[bytes] | None, found: Any) -> None:
        if self.progress:
            self.progress("validate", len(chunk), 0)
        errors: dict[int, list[dict]] = {}
        if self.ndjson:
            errors = {n: issues for n, issues in enumerate(found) if issues}
        else:
            for index, issue in found:
                if index is None:
                    raise ValueError(f"the Bundle to write does not validate: {describe(issue)}")
                errors.setdefault(index, []).append(issue)
        self._write(chunk, sorted(errors.items()), payload, lines)

    # -- writing ---------------------------------------------------------------------------------------------

    def _write(
        self, chunk: list[dict], errors: list[tuple[int, list[dict]]], payload: bytes | None, lines: list[bytes] | None
    ) -> None:
        """Write a validated chunk (its bytes as validated, unless resources had to be left out)."""
        from dermfhir.ingest.pipeline import referring

        for index, issues in errors:
            resource = chunk[index]
            self.invalid[(resource["resourceType"], resource["id"])] = issues
        if errors and not self.skip_invalid:
            self.failed = True
        if self.failed:
            return  # nothing more is written: the import fails
        if errors or self.rejected:
            gone = {f"{kind}/{id}" for kind, id in self.invalid} | self.rejected
            keys = set(self.invalid)
            found = referring(chunk, {tuple(ref.split("/", 1)) for ref in gone})  # type: ignore[misc]
            self.dependants.update(found)
            self.rejected |= {f"{kind}/{id}" for kind, id in found} | {f"{kind}/{id}" for kind, id in keys}
            kept = [r for r in chunk if f"{r['resourceType']}/{r['id']}" not in self.rejected]
            if len(kept) != len(chunk):
                chunk, payload, lines = kept, None, None
        if not chunk:
            return
        self.written += len(chunk)
        if self.ndjson:
            if self.writer is None:
                self.writer = NdjsonWriter(self.out)
            self.writer.add(chunk, lines)
            return
        number = len(self.bundles) + 1
        file = AtomicFile(self.out.with_name(f".{self.out.name}.part-{number:04d}"), shown=self.out)
        self.bundles.append(file)
        file.write(payload if payload is not None else transaction_bytes(chunk))
        file.stream.close()

    def finish(self) -> None:
        """Wait for the chunks still being validated."""
        while self.inflight:
            self._collect()
        self.close()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None

    def commit(self) -> list[Path]:
        if self.ndjson:
            assert self.writer is not None
            return self.writer.commit()
        paths = bundle_paths(self.out, len(self.bundles))
        for file, path in zip(self.bundles, paths, strict=True):
            file.path = path
            file.commit()
        return paths

    def abort(self) -> None:
        self.close()
        for file in self.bundles:
            file.abort()
        if self.writer is not None:
            self.writer.abort()
