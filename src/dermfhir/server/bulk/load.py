"""Streaming a resource source straight into a store, in chunks: validate (on every core), write, forget.

Memory holds one chunk per worker, never the input, so it stays flat as the input grows. Chunks are written with
`Store.load` (one transaction and bulk insert per table per chunk). Resources without an id get one derived from
their first identifier (`stable_id(system, value)`), so loading again, or resuming after an interruption, updates
instead of duplicating; a resource with neither id nor identifier is created anew each time.
An invalid resource is left out and reported (the first 50 with their errors); the rest of its chunk is written.
Not handled: references to resources rejected in the same load (they stay dangling), ordering between chunks.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from dermfhir.builders import stable_id
from dermfhir.store import Store

_validator = None


def _default_validator() -> Any:
    global _validator
    if _validator is None:
        from dermfhir.validation import Validator

        _validator = Validator()
    return _validator


def _errors(chunk: list[dict]) -> list[list[dict]]:
    validator = _default_validator()
    found = []
    for resource in chunk:
        outcome = validator.validate(resource)
        found.append([i for i in outcome.get("issue", []) if i.get("severity") in ("error", "fatal")])
    return found


@dataclass
class LoadReport:
    """What a streaming load did."""

    read: int = 0
    written: int = 0
    skipped: int = 0
    invalid: int = 0
    problems: list[str] = field(default_factory=list)


def with_id(resource: dict) -> dict:
    """The resource with an id: its own, else one derived from its first identifier."""
    if isinstance(resource.get("id"), str):
        return resource
    for item in resource.get("identifier") or []:
        if isinstance(item, dict) and item.get("system") and item.get("value"):
            return {**resource, "id": stable_id(str(item["system"]), str(item["value"]))}
    return resource


def _chunks(resources: Iterable[dict], size: int) -> Iterator[list[dict]]:
    iterator = iter(resources)
    while chunk := list(islice(iterator, size)):
        yield chunk


def stream_load(
    store: Store,
    resources: Iterable[dict],
    *,
    chunk: int = 2000,
    jobs: int | None = None,
    validate: bool = True,
    skip: int = 0,
    progress: Callable[[LoadReport], None] | None = None,
    written: Callable[[list[dict]], None] | None = None,
) -> LoadReport:
    """Validate and write `resources` chunk by chunk; `skip` leaves out the first resources (a resumed load);
    `written` sees each chunk's stored resources (and the skipped ones, which an earlier run stored)."""
    report = LoadReport()
    jobs = jobs or os.cpu_count() or 1
    pool = None
    if validate:
        _default_validator()  # built once here; forked workers share it
        if jobs > 1 and "fork" in multiprocessing.get_all_start_methods():
            pool = multiprocessing.get_context("fork").Pool(jobs)
    try:
        for items in _chunks(resources, chunk):
            report.read += len(items)
            if skip >= len(items):
                skip -= len(items)
                report.skipped += len(items)
                if written:
                    written([with_id(item) for item in items])
                continue
            if skip:
                report.skipped += skip
                if written:
                    written([with_id(item) for item in items[:skip]])
                items, skip = items[skip:], 0
            items = [with_id(item) for item in items]
            if validate:
                parts = [
                    items[i : i + max(1, len(items) // jobs)] for i in range(0, len(items), max(1, len(items) // jobs))
                ]
                found = [e for part in (pool.map(_errors, parts) if pool else map(_errors, parts)) for e in part]
                keep = []
                for item, errors in zip(items, found, strict=True):
                    if errors:
                        report.invalid += 1
                        if len(report.problems) < 50:
                            first = errors[0]
                            where = ", ".join(first.get("expression") or [])
                            text = first.get("details", {}).get("text", "")
                            report.problems.append(f"{item.get('resourceType')}/{item.get('id', '')}: {where}: {text}")
                    else:
                        keep.append(item)
                items = keep
            if items:
                store.load(items, batch_size=len(items), return_resources=False)
                report.written += len(items)
                if written:
                    written(items)
            if progress:
                progress(report)
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    return report
