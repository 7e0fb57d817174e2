"""Validating every produced resource, on all CPU cores: the validator is built once and shared with forked
worker processes; only the error issues come back.

Transaction Bundles are validated whole (`validate_bundles`), as they are written: the Bundle rules (absolute and
unique fullUrls, references between entries) and every entry against its profiles; each error is given back to
the entry it is in. NDJSON output is validated resource by resource (`validate_all`).

Not handled: platforms without `fork` run on one core; in NDJSON output, references between resources are not
resolved (each resource is validated on its own).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import re
from collections.abc import Callable, Sequence
from typing import Any

_validator: Any = None


def default_validator() -> Any:
    """The process-wide Validator of dermfhir.validation (imported lazily)."""
    global _validator
    if _validator is None:
        from dermfhir.validation import Validator

        _validator = Validator()
    return _validator


def fork_pool(jobs: int) -> Any:
    """A pool of `jobs` forked worker processes sharing this process's validator. The objects alive now (compiled
    profiles, the memo) are first moved out of the garbage collector's reach (`gc.freeze`): its passes would
    otherwise touch every one of them in each worker, copying the shared memory pages and costing CPU."""
    gc.freeze()
    return multiprocessing.get_context("fork").Pool(jobs)


def _errors(resource: dict) -> list[dict]:
    outcome = default_validator().validate(resource)
    return [issue for issue in outcome.get("issue", []) if issue.get("severity") in ("error", "fatal")]


def _chunk(resources: Sequence[dict]) -> list[list[dict]]:
    return [_errors(resource) for resource in resources]


def validate_all(
    resources: Sequence[dict], jobs: int | None = None, progress: Callable[[int], None] | None = None
) -> list[list[dict]]:
    """For each resource, its error / fatal issues (an empty list when it is valid), in order."""
    default_validator()
    jobs = jobs or os.cpu_count() or 1
    size = 200
    chunks = [resources[i : i + size] for i in range(0, len(resources), size)]
    results: list[list[dict]] = []
    if jobs <= 1 or len(resources) < 2 * size or "fork" not in multiprocessing.get_all_start_methods():
        for chunk in chunks:
            results.extend(_chunk(chunk))
            if progress:
                progress(len(chunk))
        return results
    _warm_up(resources)  # compiled profiles and expressions are then shared by the forked workers
    with fork_pool(jobs) as pool:
        for chunk, found in zip(chunks, pool.imap(_chunk, chunks), strict=True):
            results.extend(found)
            if progress:
                progress(len(chunk))
    return results


def _warm_up(resources: Sequence[dict]) -> None:
    """Validate one resource of each type and profile in this process, before forking."""
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for resource in resources:
        key = (resource.get("resourceType", ""), tuple(resource.get("meta", {}).get("profile", [])))
        if key not in seen:
            seen.add(key)
            _errors(resource)


def describe(issue: dict) -> str:
    """`location: message` of an OperationOutcome issue."""
    location = ", ".join(issue.get("expression") or issue.get("location") or [])
    return f"{location}: {issue.get('details', {}).get('text', '')}".strip(": ")


_ENTRY = re.compile(r"^Bundle\.entry\[(\d+)\]")


def _bundle_errors(bundle: dict) -> list[tuple[int | None, dict]]:
    """(entry index or None for the Bundle itself, issue) of every error / fatal issue of a Bundle."""
    outcome = default_validator().validate(bundle)
    found: list[tuple[int | None, dict]] = []
    for issue in outcome.get("issue", []):
        if issue.get("severity") not in ("error", "fatal"):
            continue
        location = (issue.get("expression") or issue.get("location") or [""])[0]
        match = _ENTRY.match(location)
        found.append((int(match.group(1)) if match else None, issue))
    return found


def bundle_errors_of(data: bytes) -> list[tuple[int | None, dict]]:
    """`_bundle_errors` of a serialised Bundle (what a worker process is sent: bytes travel faster than trees), with
    one garbage collector pass for the chunk (`ingest.collector`)."""
    import orjson

    from dermfhir.ingest.collector import paused

    with paused():
        return _bundle_errors(orjson.loads(data))


def errors_of_lines(data: bytes) -> list[list[dict]]:
    """`_chunk` of resources serialised one per line, with one garbage collector pass for the chunk."""
    import orjson

    from dermfhir.ingest.collector import paused

    with paused():
        return [_errors(orjson.loads(line)) for line in data.split(b"\n")]


def validate_bundles(
    bundles: Sequence[dict], jobs: int | None = None, progress: Callable[[int], None] | None = None
) -> list[list[tuple[int | None, dict]]]:
    """For each Bundle, its errors as (entry index, issue); the index is None for an error of the Bundle itself."""
    default_validator()
    jobs = min(jobs or os.cpu_count() or 1, len(bundles))
    results: list[list[tuple[int | None, dict]]] = []
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for bundle in bundles:
            results.append(_bundle_errors(bundle))
            if progress:
                progress(len(bundle.get("entry", [])))
        return results
    _warm_up([entry["resource"] for bundle in bundles[:1] for entry in bundle.get("entry", [])])
    with fork_pool(jobs) as pool:
        for bundle, found in zip(bundles, pool.imap(_bundle_errors, bundles), strict=True):
            results.append(found)
            if progress:
                progress(len(bundle.get("entry", [])))
    return results
