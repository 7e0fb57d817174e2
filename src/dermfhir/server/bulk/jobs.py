"""Bulk export jobs: what was asked, by whom, and a background thread writing NDJSON files off the request path.

A job holds a plan (per resource type: the search criteria that select it, or none for a whole type) made at
kick-off under the caller's access, so the thread needs no principal. Files live in a folder per job under the
jobs' root folder (`DERMFHIR_BULK_DIR`, else one per database in the system's temporary folder) with the job's
state in `job.json`, rewritten as the job advances: every worker process of a server sees every job (status,
files, DELETE), whichever took the kick-off. Files are removed on DELETE, or when the process that ran the job
stops.

A job whose process ended before it finished (killed worker, crash, restart) is failed, never left "running": while
a process runs jobs it touches each job's `heartbeat` file every `HEARTBEAT` seconds, and a running job read from
its state file is failed (and its state file rewritten) when its process, on the same host, no longer exists or
its heartbeat is older than `LEASE` seconds (the only test across hosts sharing `DERMFHIR_BULK_DIR`).
Not handled: resuming such jobs (the client starts again), expiry of finished jobs other than by DELETE.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from dermfhir.ingest.output import OutputError, write_atomic
from dermfhir.store import Store

_JOB_ID = re.compile(r"^[0-9a-f]{32}$")
#: resources per NDJSON file before a new file of the same type is started
FILE_LIMIT = 100_000
#: seconds between touches of a running job's heartbeat file; a heartbeat older than LEASE means the job is dead
HEARTBEAT = 5.0
LEASE = 60.0
_HOST = socket.gethostname()


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

    shown_progress: str | None = None  # as another worker last wrote it

    @property
    def progress(self) -> str:
        if self.shown_progress is not None:
            return self.shown_progress
        return f"{self.done_parts}/{len(self.parts)} types, {self.exported} resources"


class Jobs:
    """The jobs of one server process."""

    def __init__(self, store: Store, root: Path | None = None, *, key: str = "") -> None:
        self.store = store
        configured = os.environ.get("DERMFHIR_BULK_DIR")
        shared = Path(tempfile.gettempdir()) / f"dermfhir-bulk-{hashlib.sha1(key.encode()).hexdigest()[:12]}"
        self.root = root or (Path(configured) if configured else shared)
        self.root.mkdir(parents=True, exist_ok=True)
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._beating: threading.Thread | None = None

    def start(self, owner: str, request: str, parts: list[Part], since: int | None) -> Job:
        job_id = uuid.uuid4().hex
        folder = self.root / job_id
        folder.mkdir()
        job = Job(job_id, owner, request, parts, since, folder)
        (folder / "heartbeat").touch()
        with self._lock:
            self._jobs[job_id] = job
            if self._beating is None or not self._beating.is_alive():
                self._beating = threading.Thread(target=self._beat, name="bulk-heartbeat", daemon=True)
                self._beating.start()
        self._save(job)
        threading.Thread(target=self._run, args=(job,), name=f"bulk-{job_id[:8]}", daemon=True).start()
        return job

    def get(self, job_id: str) -> Job | None:
        """The job, from this process or from its state file (written by another worker)."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is not None and not job.folder.exists():  # deleted through another worker
                self._jobs.pop(job_id, None)
                job.cancel.set()
                return None
        return job if job is not None else self._load(job_id)

    def delete(self, job_id: str) -> bool:
        """Cancel a job and remove its files; False when unknown."""
        with self._lock:
            job = self._jobs.pop(job_id, None)
        if job is not None:
            job.cancel.set()
            shutil.rmtree(job.folder, ignore_errors=True)
            return True
        if self._load(job_id) is None:
            return False
        shutil.rmtree(self.root / job_id, ignore_errors=True)
        return True

    def _save(self, job: Job) -> None:
        state = {
            "owner": job.owner,
            "request": job.request,
            "started": job.started,
            "state": job.state,
            "progress": job.progress,
            "error": job.error,
            "outputs": [{"type": o.resource_type, "file": o.path.name, "count": o.count} for o in job.outputs],
            "host": _HOST,
            "pid": os.getpid(),
        }
        try:
            write_atomic(job.folder / "job.json", orjson.dumps(state))
        except (OSError, OutputError):  # the folder was deleted (DELETE, from any worker): the job stops
            job.cancel.set()

    def _load(self, job_id: str) -> Job | None:
        if not _JOB_ID.match(job_id):
            return None
        folder = self.root / job_id
        try:
            state = orjson.loads((folder / "job.json").read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return None
        job = Job(job_id, state["owner"], state["request"], [], None, folder, started=state["started"])
        job.state, job.error, job.shown_progress = state["state"], state.get("error"), state.get("progress")
        job.outputs = [Output(o["type"], folder / o["file"], o["count"]) for o in state.get("outputs", [])]
        if job.state == "running" and self._dead(folder, state):
            job.state, job.shown_progress = "failed", None
            job.error = (
                f"the server process running the export ended before it finished (after {state.get('progress')})"
            )
            state.update(state="failed", error=job.error)
            try:
                write_atomic(folder / "job.json", orjson.dumps(state))
            except (OSError, OutputError):  # deleted meanwhile
                return None
        return job

    @staticmethod
    def _dead(folder: Path, state: dict) -> bool:
        """True when the process running a job is gone: not alive on this host, or silent for LEASE seconds."""
        if state.get("host") == _HOST and isinstance(state.get("pid"), int) and state["pid"] != os.getpid():
            try:
                os.kill(state["pid"], 0)
            except ProcessLookupError:
                return True
            except PermissionError:  # alive, another user's
                pass
        try:
            return time.time() - (folder / "heartbeat").stat().st_mtime > LEASE
        except OSError:
            return True

    def _beat(self) -> None:
        """Touch the heartbeat of every job running in this process, until none runs."""
        while True:
            with self._lock:
                running = [job for job in self._jobs.values() if job.state == "running"]
                if not running:
                    self._beating = None
                    return
            for job in running:
                with contextlib.suppress(OSError):  # deleted meanwhile
                    os.utime(job.folder / "heartbeat")
            time.sleep(HEARTBEAT)

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
                self._save(job)
            job.state = "cancelled" if job.cancel.is_set() else "complete"
        except Exception as error:  # reported through the status URL, never raised into the server
            job.error = f"{type(error).__name__}: {error}"[:500]
            job.state = "failed"
        finally:
            job.finished = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            if not job.cancel.is_set():
                self._save(job)

    def _resources(self, job: Job, part: Part) -> Iterator[bytes]:
        if not part.searches:
            yield from self.store.iter_current(part.resource_type, job.since)
            return
        from dermfhir import fhirjson

        seen: set[str] = set()
        for criteria in part.searches:
            for resource in self.store.iter_search(part.resource_type, criteria, page=1000):
                if resource["id"] not in seen:
                    seen.add(resource["id"])
                    yield fhirjson.dumps(resource)

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
