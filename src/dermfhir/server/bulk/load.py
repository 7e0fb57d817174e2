"""Streaming a resource source straight into a store, in chunks: validate (on every core), write, forget.

Memory holds one chunk per worker, never the input, so it stays flat as the input grows. Chunks are written with
`Store.load` (one transaction and bulk insert per table per chunk: COPY on PostgreSQL). The planner's statistics
are refreshed (`Store.analyze`) when the written count reaches 1,000 and each time it doubles, and at the end,
not after every chunk (on PostgreSQL an ANALYZE per chunk cost about as much as writing the chunk).
Resources without an id get one derived from their first identifier (`stable_id(system, value)`), so loading
again, or resuming after an interruption, updates instead of duplicating; a resource with neither id nor identifier
is created anew each time.
An invalid resource is left out and reported (the first 50 with their errors); the rest of its chunk is written.
An ImagingStudy is merged into the stored study of the same id (and into an earlier one of the same load) rather
than replacing it (`merge_studies`): a later `import dicom` of a study adds its series and instances.
Not handled: references to resources rejected in the same load (they stay dangling), ordering between chunks.
"""

from __future__ import annotations

import gc
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
    """Error and fatal issues of each resource of `chunk`."""
    validator = _default_validator()
    found = []
    for resource in chunk:
        outcome = validator.validate(resource)
        found.append([i for i in outcome.get("issue", []) if i.get("severity") in ("error", "fatal")])
    return found


def _valid(resource: dict, report: LoadReport) -> bool:
    """Whether a resource made by merging validates (counted and reported when it does not)."""
    (problems,) = _errors([resource])
    if problems:
        report.invalid += 1
        if len(report.problems) < 50:
            where = ", ".join(problems[0].get("expression") or [])
            text = problems[0].get("details", {}).get("text", "")
            report.problems.append(f"{resource.get('resourceType')}/{resource.get('id', '')} (merged): {where}: {text}")
    return not problems


@dataclass
class LoadReport:
    """What a streaming load did."""

    read: int = 0
    processed: int = 0  # written, left out as invalid, or skipped: what a resumed load may skip
    written: int = 0
    skipped: int = 0
    invalid: int = 0
    problems: list[str] = field(default_factory=list)
    #: elements of re-imported resources that differ from the stored ones (the stored value was kept)
    conflicts: list[str] = field(default_factory=list)


def with_id(resource: dict) -> dict:
    """The resource with an id: its own, else one derived from its first identifier."""
    if isinstance(resource.get("id"), str):
        return resource
    for item in resource.get("identifier") or []:
        if isinstance(item, dict) and item.get("system") and item.get("value"):
            return {**resource, "id": stable_id(str(item["system"]), str(item["value"]))}
    return resource


def merge_studies(
    resources: list[dict], stored: Callable[[str], dict | None]
) -> tuple[list[dict], list[tuple[dict, str]]]:
    """`resources` with each ImagingStudy merged (`dermfhir.ingest.dicom.resources.merge_study`) into the stored
    study of its id (`stored(id)`, None when there is none) and into an earlier study of the same id in
    `resources`, which it replaces in place; and the studies left out, with why (a study naming another patient)."""
    from dermfhir.ingest.dicom.resources import StudyConflict, merge_study

    kept: list[dict | None] = []
    places: dict[str, int] = {}
    refused: list[tuple[dict, str]] = []
    for resource in resources:
        study_id = resource.get("id") if resource.get("resourceType") == "ImagingStudy" else None
        if not isinstance(study_id, str):
            kept.append(resource)
            continue
        place = places.get(study_id)
        earlier = kept[place] if place is not None else stored(study_id)
        try:
            merged = merge_study(earlier, resource) if earlier is not None else resource
        except StudyConflict as conflict:
            refused.append((resource, str(conflict)))
            continue
        if place is None:
            places[study_id] = len(kept)
            kept.append(merged)
        else:
            kept[place] = merged
    return [resource for resource in kept if resource is not None], refused


def _stored(store: Store, resource_type: str) -> Callable[[str], dict | None]:
    from dermfhir.store import NotFound

    def read(resource_id: str) -> dict | None:
        try:
            return store.read(resource_type, resource_id)
        except NotFound:
            return None

    return read


def _chunks(resources: Iterable[dict], size: int) -> Iterator[list[dict]]:
    iterator = iter(resources)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _merged(merger: Any, items: list[dict], report: LoadReport, validate: bool) -> list[dict]:
    """Resources of a dataset import merged into their stored versions (`ingest.merge`); with `validate`, a merged
    resource is validated again (left out and reported when the union does not validate)."""
    given = {id(item) for item in items}
    out, conflicts = merger.merge_stored(items)
    report.conflicts.extend(conflicts)
    return [item for item in out if id(item) in given or not validate or _valid(item, report)]


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
    from dermfhir.ingest.merge import Merger

    report = LoadReport()
    merger = Merger(store)  # resources of dataset imports merge into the stored ones
    jobs = jobs or os.cpu_count() or 1
    pool = None
    if validate:
        _default_validator()  # built once here; forked workers share it
        if jobs > 1 and "fork" in multiprocessing.get_all_start_methods():
            gc.freeze()  # the validator's objects: out of the collector's reach, so the workers' passes skip them
            pool = multiprocessing.get_context("fork").Pool(jobs)
    pending: tuple[list[dict], Any] | None = None
    statistics_at = [1000]

    def finish(items: list[dict], found: Any) -> None:
        errors = [e for part in (found.get() if hasattr(found, "get") else found) for e in part] if validate else []
        keep = items
        if validate:
            keep = []
            for item, problems in zip(items, errors, strict=True):
                if not problems:
                    keep.append(item)
                    continue
                report.invalid += 1
                if len(report.problems) < 50:
                    where = ", ".join(problems[0].get("expression") or [])
                    text = problems[0].get("details", {}).get("text", "")
                    report.problems.append(f"{item.get('resourceType')}/{item.get('id', '')}: {where}: {text}")
        if any(item.get("resourceType") == "ImagingStudy" for item in keep):
            keep, refused = merge_studies(keep, _stored(store, "ImagingStudy"))
            for _, why in refused:
                report.invalid += 1
                if len(report.problems) < 50:
                    report.problems.append(why)
            if validate:  # a merged study is a new resource: it validates too
                keep = [item for item in keep if item.get("resourceType") != "ImagingStudy" or _valid(item, report)]
        if keep:
            keep = _merged(merger, keep, report, validate)
        if keep:
            store.load(keep, batch_size=len(keep), return_resources=False, refresh_statistics=False)
            report.written += len(keep)
            if report.written >= statistics_at[0]:  # the planner's statistics follow the data as it doubles
                store.analyze()
                statistics_at[0] = report.written * 2
            if written:
                written(keep)
        report.processed += len(items)
        if progress:
            progress(report)

    try:
        for items in _chunks(resources, chunk):
            report.read += len(items)
            if skip:
                head, items = items[:skip], items[skip:]
                skip -= len(head)
                report.skipped += len(head)
                report.processed += len(head)
                if written:
                    written([with_id(item) for item in head])
                if not items:
                    continue
            items = [with_id(item) for item in items]
            found: Any = None
            if validate:  # the next chunk validates while the current one is written
                step = max(1, -(-len(items) // jobs))
                parts = [items[i : i + step] for i in range(0, len(items), step)]
                found = pool.map_async(_errors, parts) if pool else [_errors(part) for part in parts]
            if pending is not None:
                finish(*pending)
            pending = (items, found)
        if pending is not None:
            finish(*pending)
        if report.written >= 1000 and report.written * 2 != statistics_at[0]:
            store.analyze()
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    return report
