"""`dermfhir load FILE… --server URL`: post Bundles, NDJSON and JSON resources to any FHIR R4 server.

Transaction and batch Bundles are posted as they are; the resources of other Bundles (collection, searchset…),
NDJSON lines and single-resource files are grouped into transactions of `--batch-size` entries (PUT when the
resource has an id, so references between files keep working; POST otherwise). Progress shows resources and
rate. Exit 0 when every Bundle was accepted, 1 otherwise, 2 on usage errors.
Not supported: XML input, Bulk Data `$import`, resuming an interrupted load.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from fastapi import FastAPI

_SUFFIXES = (".json", ".ndjson")
_SKIP_FILES = frozenset({"package.json", ".index.json"})
#: Conformance resources found in package folders are definitions, not data: not loaded.
_DEFINITIONS = frozenset(
    {
        "StructureDefinition",
        "ValueSet",
        "CodeSystem",
        "ConceptMap",
        "SearchParameter",
        "CapabilityStatement",
        "ImplementationGuide",
        "OperationDefinition",
        "CompartmentDefinition",
        "NamingSystem",
    }
)


def register(commands: argparse._SubParsersAction) -> None:
    load = commands.add_parser("load", help="post Bundles / NDJSON / JSON resources to a FHIR server")
    load.add_argument("paths", nargs="+", type=Path, metavar="FILE")
    load.add_argument("--server", required=True, metavar="URL", help="the server's base URL")
    load.add_argument("--token", metavar="TOKEN", help="bearer token (or set DERMFHIR_TOKEN)")
    load.add_argument("--batch-size", type=int, default=500, metavar="N", help="entries per transaction")
    load.add_argument("--timeout", type=float, default=300.0, metavar="S")
    load.add_argument("--quiet", action="store_true", help="no progress bar")
    load.set_defaults(run=_load)


def bundles(paths: list[Path], batch_size: int = 500, skip_definitions: bool = True) -> Iterator[tuple[str, dict]]:
    """(label, Bundle) pairs to post, in file order."""
    pending: list[dict] = []
    label = ""
    for file in _files(paths):
        for item in _resources(file):
            if item.get("resourceType") == "Bundle" and item.get("type") in ("transaction", "batch"):
                if pending:
                    yield label, transaction(pending)
                    pending = []
                yield str(file), item
                continue
            members = _members(item) if item.get("resourceType") == "Bundle" else [item]
            for resource in members:
                if skip_definitions and resource.get("resourceType") in _DEFINITIONS:
                    continue
                pending.append(resource)
                label = str(file)
                if len(pending) >= batch_size:
                    yield label, transaction(pending)
                    pending = []
    if pending:
        yield label, transaction(pending)


def transaction(resources: list[dict]) -> dict:
    """A transaction Bundle writing `resources` (PUT by id, POST without)."""
    entries = []
    for resource in resources:
        if isinstance(resource.get("id"), str):
            url = f"{resource['resourceType']}/{resource['id']}"
            entries.append({"fullUrl": url, "resource": resource, "request": {"method": "PUT", "url": url}})
        else:
            entries.append({"resource": resource, "request": {"method": "POST", "url": resource["resourceType"]}})
    return {"resourceType": "Bundle", "type": "transaction", "entry": entries}


def _files(paths: list[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.suffix.lower() in _SUFFIXES and p.name not in _SKIP_FILES)
        else:
            yield path


def _resources(file: Path) -> Iterator[dict]:
    data = file.read_bytes()
    if file.suffix.lower() == ".ndjson":
        for number, line in enumerate(data.splitlines(), start=1):
            if line.strip():
                yield _object(line, f"{file}:{number}")
        return
    yield _object(data, str(file))


def _object(data: bytes, where: str) -> dict:
    try:
        found = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        raise ValueError(f"{where}: not valid JSON ({error})") from None
    if not isinstance(found, dict) or not isinstance(found.get("resourceType"), str):
        raise ValueError(f"{where}: not a FHIR resource")
    return found


def _members(bundle: dict) -> list[dict]:
    from dermfhir.ingest.output import resolved  # references by urn:uuid fullUrl back to Type/id

    return resolved(bundle)


def _count(bundle: dict) -> int:
    return len(bundle.get("entry") or [])


def _problem(status: int, body: bytes) -> str:
    try:
        outcome = orjson.loads(body)
        issues = outcome.get("issue", [])[:3]
        text = "; ".join(str(i.get("diagnostics") or i.get("details", {}).get("text", "")) for i in issues)
    except (orjson.JSONDecodeError, AttributeError):
        text = body[:200].decode(errors="replace")
    return f"HTTP {status}: {text}"


def _load(arguments: argparse.Namespace) -> int:
    import os

    import httpx

    token = arguments.token or os.environ.get("DERMFHIR_TOKEN")
    headers = {"Content-Type": "application/fhir+json", "Accept": "application/fhir+json", "Prefer": "return=minimal"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    base = arguments.server.rstrip("/")
    missing = [str(path) for path in arguments.paths if not path.exists()]
    if missing:
        print(f"dermfhir load: no such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    failures = 0
    with (
        httpx.Client(base_url=base, headers=headers, timeout=arguments.timeout) as client,
        _Progress(arguments.quiet) as progress,
    ):
        try:
            for label, bundle in bundles(arguments.paths, max(1, arguments.batch_size)):
                response = client.post("/", content=orjson.dumps(bundle))
                if response.status_code >= 300:
                    failures += 1
                    progress.print(f"{label}: {_problem(response.status_code, response.content)}")
                else:
                    progress.advance(_count(bundle))
        except ValueError as error:
            progress.print(f"dermfhir load: {error}")
            return 2
        except httpx.HTTPError as error:
            progress.print(f"dermfhir load: cannot reach {base}: {error}")
            return 1
    print(f"{progress.done} resources loaded into {base}" + (f"; {failures} Bundle(s) refused" if failures else ""))
    return 1 if failures else 0


def load_into_app(app: FastAPI, paths: list[Path], base: str, batch_size: int = 500) -> int:
    """Store files through the server's own transaction handling (validated, audited), without HTTP."""
    from dermfhir.server.context import Context
    from dermfhir.server.errors import error_outcome
    from dermfhir.server.http import FhirRequest
    from dermfhir.server.router import dispatch
    from dermfhir.server.security import Principal, Scope

    principal = Principal("dermfhir serve --load", (Scope("system", "*", "cruds"),))
    context = Context(app.state.services, principal, base)
    loaded = failures = 0
    for label, bundle in bundles(paths, batch_size):
        try:
            dispatch(context, FhirRequest("POST", "", headers={"prefer": "return=minimal"}, resource=bundle))
            loaded += _count(bundle)
        except Exception as error:  # report and go on with the next Bundle
            status, outcome = error_outcome(error)
            failures += 1
            print(f"{label}: {_problem(status, orjson.dumps(outcome))}", file=sys.stderr)
    print(f"Stored {loaded} resources" + (f"; {failures} Bundle(s) refused" if failures else ""))
    return 1 if failures else 0


class _Progress:
    """A rich progress line (resources and rate), or nothing with --quiet."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.done = 0
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> _Progress:
        if not self.quiet:
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.completed} resources"),
                TextColumn("{task.fields[rate]}"),
                TimeElapsedColumn(),
                transient=True,
            )
            self._progress.__enter__()
            self._task = self._progress.add_task("load", total=None, rate="")
        return self

    def advance(self, count: int) -> None:
        self.done += count
        if self._progress is not None:
            task = self._progress.tasks[0]
            elapsed = task.elapsed or 0
            rate = f"{self.done / elapsed:,.0f}/s" if elapsed > 0 else ""
            self._progress.update(self._task, advance=count, rate=rate)

    def print(self, text: str) -> None:
        if self._progress is not None:
            self._progress.console.print(text, markup=False)
        else:
            print(text, file=sys.stderr)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.__exit__(None, None, None)
