"""Bulk export jobs: what was asked, by whom, and a background thread writing NDJSON files off the request path.

A job holds a plan (per resource type: the search criteria that select it, or none for a whole type) made at
kick-off under the caller's access, so the thread needs no principal. Files live in a folder per job under the
jobs' root folder (`DERMFHIR_BULK_DIR`, else a temporary folder of the process) and are removed on DELETE or
when the server stops. Jobs are kept in memory: a restart forgets them.
Not handled: resuming jobs after a restart, expiry of finished jobs other than by DELETE.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from dermfhir.store import Store

#: resources per NDJSON file before a new file of the same type is started
FILE_LIMIT = 100_000


@dataclass
class Part:
    """One resource type to export: no criteria = every current resource of the type; else the union of searches."""

    resource_type: str
    searches: list[list[tuple[str, str]]] = field(default_factory=list)


@dataclass
class Output:
    resource_type: str
    path: Path
    count: int = 0


@dataclass
class Job:
    """One kick-off and its state: running → complete | failed | cancelled."""

    id: str
    owner: str
    request: str
    parts: list[Part]
    since: int | None
    folder: Path
    started: float = field(default_factory=time.time)
    state: str = "running"
    done_parts: int = 0
    exported: int = 0
    outputs: list[Output] = field(default_factory=list)
    error: str | None = None
    finished: str | None = None
    cancel: threading.Event = field(default_factory=threading.Event)

    @property
    def progress(self) -> str:
        return f"{self.done_parts}/{len(self.parts)} types, {self.exported} resources"


class Jobs:
    """The jobs of one server process."""

    def __init__(self, store: Store, root: Path | None = None) -> None:
        self.store = store
        configured = os.environ.get("DERMFHIR_BULK_DIR")
        self.root = root or (Path(configured) if configured else Path(tempfile.mkdtemp(prefix="dermfhir-bulk-")))
        self.root.mkdir(parents=True, exist_ok=True)
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def start(self, owner: str, request: str, parts: list[Part], since: int | None) -> Job:
        job_id = uuid.uuid4().hex
        folder = self.root / job_id
        folder.mkdir()
        job = Job(job_id, owner, request, parts, since, folder)
        with self._lock:
            self._jobs[job_id] = job
        threading.Thread(target=self._run, args=(job,), name=f"bulk-{job_id[:8]}", daemon=True).start()
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def delete(self, job_id: str) -> bool:
        """Cancel a job and remove its files; False when unknown."""
        with self._lock:
            job = self._jobs.pop(job_id, None)
        if job is None:
            return False
        job.cancel.set()
        shutil.rmtree(job.folder, ignore_errors=True)
        return True

    def close(self) -> None:
        with self._lock:
            ids = list(self._jobs)
        for job_id in ids:
            self.delete(job_id)

    # -- the background work ----------------------------------------------------------------------------------
    def _run(self, job: Job) -> None:
        try:
            for part in job.parts:
                if job.cancel.is_set():
                    job.state = "cancelled"
                    return
                self._export_part(job, part)
                job.done_parts += 1
            job.state = "complete"
        except Exception as error:  # reported through the status URL, never raised into the server
            job.error = f"{type(error).__name__}: {error}"[:500]
            job.state = "failed"
        finally:
            job.finished = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())

    def _resources(self, job: Job, part: Part) -> Iterator[bytes]:
        if not part.searches:
            yield from self.store.iter_current(part.resource_type, job.since)
            return
        import orjson

        seen: set[str] = set()
        for criteria in part.searches:
            for resource in self.store.iter_search(part.resource_type, criteria, page=1000):
                if resource["id"] not in seen:
                    seen.add(resource["id"])
                    yield orjson.dumps(resource)

    def _export_part(self, job: Job, part: Part) -> None:
        output: Output | None = None
        stream = None
        try:
            for line in self._resources(job, part):
                if job.cancel.is_set():
                    return
                if output is None or output.count >= FILE_LIMIT:
                    if stream is not None:
                        stream.close()
                    number = sum(1 for o in job.outputs if o.resource_type == part.resource_type) + 1
                    output = Output(part.resource_type, job.folder / f"{part.resource_type}-{number}.ndjson")
                    job.outputs.append(output)
                    stream = output.path.open("wb", buffering=1 << 20)
                stream.write(line)  # type: ignore[union-attr]
                stream.write(b"\n")  # type: ignore[union-attr]
                output.count += 1
                job.exported += 1
        finally:
            if stream is not None:
                stream.close()
