"""`dermfhir load FILE… --server URL`: post Bundles, NDJSON and JSON resources to any FHIR R4 server; or, with
`--db URL`, validate and write them straight into a store in chunks (`dermfhir.server.bulk.load`).

Transaction and batch Bundles are posted as they are; the resources of other Bundles (collection, searchset…),
NDJSON lines and single-resource files are grouped into transactions of `--batch-size` entries (PUT when the
resource has an id, so references between files keep working; POST otherwise). Progress shows resources and
rate. Exit 0 when every Bundle was accepted, 1 otherwise, 2 on usage errors.

Memory stays flat as input grows: NDJSON is read line by line and only one batch is held at a time (a JSON
Bundle file is read whole). A resource without an id but with an identifier is created conditionally
(`ifNoneExist: identifier=system|value`), so loading again never duplicates it. `--resume` continues an
interrupted load: a checkpoint file (`--checkpoint`, default `.dermfhir-load.checkpoint` in the current folder)
records how many resources the server accepted, the resumed load skips them, and the conditional creates absorb
the batch that was in flight. `--group NAME` ends the load with a Group of every Patient loaded (a dataset Group
for `Group/[id]/$export`). An ImagingStudy already on the server (or in the store) is merged with the one loaded
(series and instances by UID; `dermfhir.ingest.dicom.resources.merge_study`), so a later `import dicom` of a
study adds to it instead of replacing its series.
Resources of a dataset import (tag `urn:dermfhir:import|merge`) merge into their stored versions element by element
(`dermfhir.ingest.merge`), so that importing another file of the same dataset later does not blank what the first
set; conflicting values are listed, the stored ones kept, and the exit status is 1. With `--server` (and in
`dermfhir serve --load`) the stored versions of a batch are read first (one batch Bundle of reads), and each merged
resource is written with `ifMatch` on the version read, so that a concurrent writer's version is never overwritten
unseen: when one changed meanwhile (412), the batch is read, merged and posted again (3 attempts), then reported as
refused. A merged resource the stored version already holds is not written again. Other resources replace the
stored ones (PUT).
Conformance resources (StructureDefinition, ValueSet, OperationDefinition…) outside transaction Bundles are
definitions, not data: they are left out and their count is printed in the summary (`--server`, `--db` and
`serve --load` alike).
Not supported: XML input, Bulk Data `$import`; a merged resource that no version was stored of is written
unconditionally (FHIR R4 has no create-if-absent for a client-chosen id), so a concurrent first write of it is
replaced.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from fastapi import FastAPI

    from dermfhir.ingest.merge import Merger

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
    load = commands.add_parser(
        "load",
        help="post Bundles / NDJSON / JSON resources to a FHIR server or a store",
        description=(
            "Post Bundles, NDJSON or JSON resources to a FHIR server (--server) or write them into a store (--db). "
            "Resources of a dataset import (tag urn:dermfhir:import|merge) merge into their stored versions: an "
            "element the new file does not give keeps its stored value, a conflicting value is reported and not "
            "written (exit 1), and a final annotation the merge changes becomes amended. Conformance resources "
            "(definitions, not data) are left out and counted, except inside transaction Bundles posted to a server."
        ),
    )
    load.add_argument("paths", nargs="+", type=Path, metavar="FILE")
    target = load.add_mutually_exclusive_group(required=True)
    target.add_argument("--server", metavar="URL", help="the server's base URL")
    target.add_argument(
        "--db", metavar="URL", help="write straight into a store (SQLite path or postgresql://), validating in chunks"
    )
    load.add_argument("--jobs", type=int, default=None, metavar="N", help="--db: validation processes (default: CPUs)")
    load.add_argument("--token", metavar="TOKEN", help="bearer token (or set DERMFHIR_TOKEN)")
    load.add_argument("--batch-size", type=int, default=500, metavar="N", help="entries per transaction")
    load.add_argument("--timeout", type=float, default=300.0, metavar="S")
    load.add_argument("--quiet", action="store_true", help="no progress bar")
    load.add_argument("--resume", action="store_true", help="skip what the checkpoint says was already loaded")
    load.add_argument(
        "--checkpoint", type=Path, default=Path(".dermfhir-load.checkpoint"), metavar="FILE", help="resume checkpoint"
    )
    load.add_argument("--group", metavar="NAME", help="finally store a Group of the loaded Patients (a dataset)")
    load.set_defaults(run=_load)


def bundles(
    paths: list[Path], batch_size: int = 500, skip_definitions: bool = True, skipped: list[int] | None = None
) -> Iterator[tuple[str, dict]]:
    """(label, Bundle) pairs to post, in file order; `skipped[0]` counts the conformance resources left out."""
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
                    if skipped is not None:
                        skipped[0] += 1
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
            request = {"method": "POST", "url": resource["resourceType"]}
            identifier = _identifier(resource)
            if identifier:
                request["ifNoneExist"] = f"identifier={identifier}"
            entries.append({"resource": resource, "request": request})
    return {"resourceType": "Bundle", "type": "transaction", "entry": entries}


def merge_bundle_studies(bundle: dict, stored: Callable[[str], dict | None]) -> dict:
    """The Bundle with each ImagingStudy it writes merged into the stored study of its id (`stored(id)`, None when
    there is none); StudyConflict (a ValueError) when they name different patients."""
    from dermfhir.ingest.dicom.resources import merge_study
    from dermfhir.ingest.output import resolved

    entries = [e for e in bundle.get("entry") or [] if isinstance(e, dict) and isinstance(e.get("resource"), dict)]
    if not any(e["resource"].get("resourceType") == "ImagingStudy" for e in entries):
        return bundle
    merged_entries = []
    for entry, resource in zip(entries, resolved(bundle), strict=True):
        study_id = resource.get("id")
        method = (entry.get("request") or {}).get("method", "PUT")
        if resource.get("resourceType") == "ImagingStudy" and isinstance(study_id, str) and method == "PUT":
            earlier = stored(study_id)
            if earlier is not None:
                entry = {**entry, "resource": merge_study(earlier, resource)}
        merged_entries.append(entry)
    return {**bundle, "entry": merged_entries}


def merge_bundle_imports(bundle: dict, merger: Merger) -> tuple[dict, list[str], int]:
    """The Bundle with each resource of a dataset import (`ingest.merge.TAG`) that it writes by `PUT Type/id` merged
    into the version stored (read through `merger`), to be written only while that version is current (`ifMatch`),
    and references to stand-ins that gave way turned to the stored targets: (the Bundle, conflicts, entries left out
    because the stored version already holds them). Other entries are left as given."""
    from dermfhir.ingest.merge import tagged
    from dermfhir.ingest.output import resolved

    entries = bundle.get("entry") or []
    places = [i for i, e in enumerate(entries) if isinstance(e, dict) and isinstance(e.get("resource"), dict)]
    resources = resolved(bundle)
    if not merger.aliases and not any(tagged(resource) for resource in resources):
        return bundle, [], 0
    picked = [n for n, i in enumerate(places) if _put_target(entries[i]) == _key(resources[n])]
    merged, conflicts = merger.merge_each([resources[n] for n in picked])
    replaced = {places[n]: (resources[n], result) for n, result in zip(picked, merged, strict=True)}
    out: list = []
    unchanged = 0
    for index, entry in enumerate(entries):
        if index not in replaced:
            out.append(entry)
            continue
        given, resource = replaced[index]
        if resource is None:
            unchanged += 1
            continue
        request = {k: v for k, v in entry["request"].items() if k != "ifMatch"}
        version = merger.versions.get(_key(resource)) if tagged(given) else None
        if version:
            request["ifMatch"] = f'W/"{version}"'
        out.append({**entry, "resource": resource, "request": request})
    return {**bundle, "entry": out}, conflicts, unchanged


def _key(resource: dict) -> str:
    return f"{resource.get('resourceType')}/{resource.get('id')}"


def _put_target(entry: dict) -> str | None:
    """`Type/id` of a `PUT Type/id` entry (not a conditional update), else None."""
    request = entry.get("request")
    if not isinstance(request, dict) or request.get("method") != "PUT" or not isinstance(request.get("url"), str):
        return None
    url = request["url"]
    return url if "?" not in url and url.count("/") == 1 else None


def _import_targets(bundle: dict) -> list[str]:
    """`Type/id` of the resources of a dataset import that a Bundle writes by `PUT Type/id`."""
    from dermfhir.ingest.merge import tagged

    return [
        target
        for entry in bundle.get("entry") or []
        if isinstance(entry, dict)
        and isinstance(entry.get("resource"), dict)
        and tagged(entry["resource"])
        and (target := _put_target(entry)) == _key(entry["resource"])
    ]


class _ServerReads:
    """Stored resources read from a FHIR server for `Merger`: those of a Bundle fetched together in one batch
    (`prefetch`), any other one by one; NotFound when the server has none (or it was deleted)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.found: dict[str, dict | None] = {}

    def prefetch(self, targets: list[str]) -> None:
        self.found.clear()
        wanted = list(dict.fromkeys(targets))
        if not wanted:
            return
        batch = {
            "resourceType": "Bundle",
            "type": "batch",
            "entry": [{"request": {"method": "GET", "url": t}} for t in wanted],
        }
        response = self.client.post("/", content=orjson.dumps(batch))
        if response.status_code != 200:
            raise ValueError(f"reading the stored resources: {_problem(response.status_code, response.content)}")
        try:
            answers = orjson.loads(response.content).get("entry") or []
        except (orjson.JSONDecodeError, AttributeError):
            answers = []
        if len(answers) != len(wanted):
            return  # read one by one instead
        for target, answer in zip(wanted, answers, strict=True):
            status = str((answer.get("response") or {}).get("status", "")) if isinstance(answer, dict) else ""
            if status.startswith("200") and isinstance(answer.get("resource"), dict):
                self.found[target] = answer["resource"]
            elif status.startswith(("404", "410")):
                self.found[target] = None

    def read(self, resource_type: str, resource_id: str) -> dict:
        from dermfhir.store import NotFound

        target = f"{resource_type}/{resource_id}"
        found = self.found.pop(target) if target in self.found else _fetch(self.client, resource_type, resource_id)
        if found is None:
            raise NotFound(target)
        return found


def _identifier(resource: dict) -> str | None:
    """`system|value` of the first complete identifier (escaped for a search), or None."""
    for item in resource.get("identifier") or []:
        if isinstance(item, dict) and isinstance(item.get("system"), str) and isinstance(item.get("value"), str):
            escape = str.maketrans({"\\": "\\\\", "|": "\\|", ",": "\\,", "$": "\\$"})
            return f"{item['system'].translate(escape)}|{item['value'].translate(escape)}"
    return None


def _files(paths: list[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.suffix.lower() in _SUFFIXES and p.name not in _SKIP_FILES)
        else:
            yield path


def _resources(file: Path) -> Iterator[dict]:
    if file.suffix.lower() == ".ndjson":
        with file.open("rb") as stream:
            for number, line in enumerate(stream, start=1):
                if line.strip():
                    yield _object(line, f"{file}:{number}")
        return
    yield _object(file.read_bytes(), str(file))


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

    if arguments.db:
        return _load_direct(arguments)

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
    try:
        skip = _read_checkpoint(arguments.checkpoint) if arguments.resume else 0
    except ValueError as error:
        print(f"dermfhir load: {error}", file=sys.stderr)
        return 2
    from dermfhir.ingest.merge import Merger

    failures = conflicts = kept = 0
    definitions = [0]
    patients: dict[str, None] = {}
    with (
        httpx.Client(base_url=base, headers=headers, timeout=arguments.timeout) as client,
        _Progress(arguments.quiet) as progress,
    ):
        reads = _ServerReads(client)
        merger = Merger(reads)  # resources of dataset imports merge into the server's stored ones

        def send(bundle: dict) -> tuple[int, bytes]:
            response = client.post("/", content=orjson.dumps(bundle))
            return response.status_code, response.content

        try:
            for label, bundle in bundles(arguments.paths, max(1, arguments.batch_size), skipped=definitions):
                count = _count(bundle)
                if skip >= count:  # accepted before the interruption
                    skip -= count
                    progress.skipped += count
                    _collect_patients(bundle, patients, arguments.group, _lookup(client, bundle, arguments.group))
                    continue
                if skip:
                    head = {**bundle, "entry": bundle["entry"][:skip]}
                    _collect_patients(head, patients, arguments.group, _lookup(client, head, arguments.group))
                    bundle = {**bundle, "entry": bundle["entry"][skip:]}
                    progress.skipped += skip
                    skip = 0
                try:
                    bundle = merge_bundle_studies(bundle, lambda id: _fetch(client, "ImagingStudy", id))
                except ValueError as conflict:
                    failures += 1
                    progress.print(f"{label}: {conflict}")
                    continue
                status, body, posted, found, unchanged = _post_merged(send, merger, bundle, reads.prefetch)
                if status is not None and status >= 300:
                    failures += 1
                    progress.print(f"{label}: {_refused(status, body)}")
                    continue
                for text in found:
                    progress.print(f"conflict (the stored value is kept): {text}")
                conflicts += len(found)
                kept += unchanged
                _collect_patients(bundle, patients, arguments.group, None)  # those with an id, even if unchanged
                _collect_patients(posted, patients, arguments.group, body)
                progress.advance(_count(bundle))
                if not failures:
                    _write_checkpoint(arguments.checkpoint, progress.done + progress.skipped)
            if arguments.group and not failures:
                failures += _store_group(client, progress, arguments.group, list(patients))
        except ValueError as error:
            progress.print(f"dermfhir load: {error}")
            return 2
        except httpx.HTTPError as error:
            progress.print(f"dermfhir load: cannot reach {base}: {error}")
            return 1
    if not failures:
        arguments.checkpoint.unlink(missing_ok=True)
    resumed = f" (resumed after {progress.skipped})" if progress.skipped else ""
    print(
        f"{progress.done} resources loaded into {base}{resumed}" + _outcome(kept, failures, conflicts, definitions[0])
    )
    return 1 if failures or conflicts else 0


#: a Bundle whose stored versions changed while it was merged (412 on its ifMatch) is merged and posted again
_ATTEMPTS = 3


def _post_merged(
    post: Callable[[dict], tuple[int, bytes]], merger: Merger, bundle: dict, prefetch: Callable[[list[str]], None]
) -> tuple[int | None, bytes, dict, list[str], int]:
    """Post `bundle` (`post` gives the status and body of the answer) with its dataset-import resources merged into
    the stored versions, each written only while the version read is current (`ifMatch`); when one changed
    meanwhile (412), read, merge and post again, `_ATTEMPTS` times at most. (Status, None when nothing was left to
    write; body; the Bundle posted; conflicts; entries the stored versions already held.)"""
    status: int | None = None
    body = b""
    for _ in range(_ATTEMPTS):
        prefetch(_import_targets(bundle))
        posted, conflicts, unchanged = merge_bundle_imports(bundle, merger)
        if not posted.get("entry"):
            return None, b"", posted, conflicts, unchanged
        status, body = post(posted)
        conditional = any("ifMatch" in (entry.get("request") or {}) for entry in posted["entry"])
        if status != 412 or not conditional:
            break
    return status, body, posted, conflicts, unchanged


def _refused(status: int, body: bytes) -> str:
    retried = f" (after {_ATTEMPTS} attempts: the stored versions kept changing)" if status == 412 else ""
    return _problem(status, body) + retried


def _outcome(kept: int, failures: int, conflicts: int, definitions: int) -> str:
    """The rest of a Bundle load's summary line: what was unchanged, refused, in conflict or left out."""
    return (
        (f" ({kept} of them unchanged: already stored)" if kept else "")
        + (f"; {failures} Bundle(s) refused" if failures else "")
        + (f"; {conflicts} conflicting value(s) not written" if conflicts else "")
        + _definitions_note(definitions)
    )


def _definitions_note(count: int) -> str:
    """The summary's words for the conformance resources left out (the same for every kind of load)."""
    return f"; {count} conformance resource(s) not loaded (definitions, not data)" if count else ""


def _fetch(client: Any, resource_type: str, resource_id: str) -> dict | None:
    """The server's current resource, or None when it has none."""
    response = client.get(f"/{resource_type}/{resource_id}")
    if response.status_code in (404, 410):
        return None
    if response.status_code != 200:
        raise ValueError(f"{resource_type}/{resource_id}: {_problem(response.status_code, response.content)}")
    found: dict = response.json()
    return found


def _read_checkpoint(path: Path) -> int:
    try:
        return int(orjson.loads(path.read_bytes()).get("accepted", 0))
    except FileNotFoundError:
        return 0
    except (orjson.JSONDecodeError, ValueError, AttributeError, TypeError):
        raise ValueError(f"{path}: not a load checkpoint") from None


def _write_checkpoint(path: Path, accepted: int) -> None:
    from dermfhir.ingest.output import write_atomic

    write_atomic(path, orjson.dumps({"accepted": accepted}))


def _collect_patients(bundle: dict, patients: dict[str, None], group: str | None, response: bytes | None) -> None:
    """Remember the ids of the Patients a Bundle wrote (server-assigned ones from the transaction-response, or
    from `_lookup` for a batch a resumed load skips)."""
    if not group:
        return
    answers: list = []
    if response:
        try:
            answers = orjson.loads(response).get("entry") or []
        except (orjson.JSONDecodeError, AttributeError):
            answers = []
    for index, entry in enumerate(bundle.get("entry") or []):
        resource = entry.get("resource") or {}
        if resource.get("resourceType") != "Patient":
            continue
        if isinstance(resource.get("id"), str):
            patients[resource["id"]] = None
            continue
        location = ((answers[index] if index < len(answers) else {}).get("response") or {}).get("location", "")
        parts = location.split("/")
        if len(parts) >= 2 and parts[-4 if "_history" in parts else -2] == "Patient":
            patients[parts[-3] if "_history" in parts else parts[-1]] = None


def _lookup(client: Any, bundle: dict, group: str | None) -> bytes | None:
    """For a skipped batch: a transaction-response-like Bundle locating its Patients created without an id."""
    if not group:
        return None
    entries: list[dict] = []
    for entry in bundle.get("entry") or []:
        resource = entry.get("resource") or {}
        condition = (entry.get("request") or {}).get("ifNoneExist")
        location = ""
        if resource.get("resourceType") == "Patient" and "id" not in resource and condition:
            found = client.get("/Patient", params=[tuple(condition.split("=", 1)), ("_elements", "id")])
            matches = found.json().get("entry") or [] if found.status_code == 200 else []
            if len(matches) == 1:
                location = f"Patient/{matches[0]['resource']['id']}"
        entries.append({"response": {"location": location}})
    return orjson.dumps({"entry": entries})


def _store_group(client: Any, progress: _Progress, name: str, patients: list[str]) -> int:
    """PUT the dataset Group; 1 when refused."""
    from dermfhir.server.bulk.groups import dataset_group

    group = dataset_group(name, patients)
    response = client.put(f"/Group/{group['id']}", content=orjson.dumps(group))
    if response.status_code >= 300:
        progress.print(f"Group {name}: {_problem(response.status_code, response.content)}")
        return 1
    progress.print(f"Group/{group['id']}: {len(patients)} patients of {name}")
    return 0


def _stream(paths: list[Path], skipped: list[int]) -> Iterator[dict]:
    """Every data resource of the files, Bundles unpacked, one at a time; `skipped[0]` counts the conformance
    resources left out."""
    for file in _files(paths):
        for item in _resources(file):
            members = _members(item) if item.get("resourceType") == "Bundle" else [item]
            for resource in members:
                if resource.get("resourceType") in _DEFINITIONS:
                    skipped[0] += 1
                else:
                    yield resource


def _load_direct(arguments: argparse.Namespace) -> int:
    """`--db`: validate and write in chunks into the store (constant memory), with the same checkpoint."""
    from dermfhir.server.bulk.groups import dataset_group
    from dermfhir.server.bulk.load import LoadReport, stream_load
    from dermfhir.store import open_store

    missing = [str(path) for path in arguments.paths if not path.exists()]
    if missing:
        print(f"dermfhir load: no such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    try:
        skip = _read_checkpoint(arguments.checkpoint) if arguments.resume else 0
    except ValueError as error:
        print(f"dermfhir load: {error}", file=sys.stderr)
        return 2
    patients: dict[str, None] = {}
    definitions = [0]

    def remember(items: list[dict]) -> None:
        if arguments.group:
            for item in items:
                if item.get("resourceType") == "Patient" and isinstance(item.get("id"), str):
                    patients[item["id"]] = None

    with _Progress(arguments.quiet) as progress:

        def tick(report: LoadReport) -> None:
            progress.advance(report.written - progress.done)
            _write_checkpoint(arguments.checkpoint, report.processed)

        try:
            with open_store(arguments.db) as store:
                report = stream_load(
                    store,
                    _stream(arguments.paths, definitions),
                    chunk=max(1, arguments.batch_size),
                    jobs=arguments.jobs,
                    skip=skip,
                    progress=tick,
                    written=remember,
                )
                if arguments.group:
                    store.load([dataset_group(arguments.group, list(patients))], return_resources=False)
        except ValueError as error:
            progress.print(f"dermfhir load: {error}")
            return 2
    for problem in report.problems:
        print(f"invalid: {problem}", file=sys.stderr)
    for conflict in report.conflicts:
        print(f"conflict (the stored value is kept): {conflict}", file=sys.stderr)
    if not report.invalid:
        arguments.checkpoint.unlink(missing_ok=True)
    resumed = f" (resumed after {report.skipped})" if report.skipped else ""
    invalid = f"; {report.invalid} invalid resource(s) left out" if report.invalid else ""
    conflicts = f"; {len(report.conflicts)} conflicting value(s) not written" if report.conflicts else ""
    print(
        f"{report.written} resources loaded into {arguments.db}{resumed}{invalid}{conflicts}"
        + _definitions_note(definitions[0])
    )
    return 1 if report.invalid or report.conflicts else 0


def load_into_app(app: FastAPI, paths: list[Path], base: str, batch_size: int = 500) -> int:
    """Store files through the server's own transaction handling (validated, audited), without HTTP."""
    from dermfhir.ingest.merge import Merger
    from dermfhir.server.context import Context
    from dermfhir.server.errors import error_outcome
    from dermfhir.server.http import FhirRequest
    from dermfhir.server.router import dispatch
    from dermfhir.server.security import Principal, Scope

    principal = Principal("dermfhir serve --load", (Scope("system", "*", "cruds"),))
    context = Context(app.state.services, principal, base)
    loaded = failures = conflicts = kept = 0
    definitions = [0]
    store = app.state.services.store
    merger = Merger(store)  # resources of dataset imports merge into the stored ones

    def stored(study_id: str) -> dict | None:
        from dermfhir.store import NotFound

        try:
            found: dict = store.read("ImagingStudy", study_id)
        except NotFound:
            return None
        return found

    def send(bundle: dict) -> tuple[int, bytes]:
        try:
            dispatch(context, FhirRequest("POST", "", headers={"prefer": "return=minimal"}, resource=bundle))
        except Exception as error:  # reported; the next Bundle goes on
            status, outcome = error_outcome(error)
            return status, orjson.dumps(outcome)
        return 200, b""

    for label, bundle in bundles(paths, batch_size, skipped=definitions):
        try:
            bundle = merge_bundle_studies(bundle, stored)
        except ValueError as conflict:
            failures += 1
            print(f"{label}: {conflict}", file=sys.stderr)
            continue
        status, body, _, found, unchanged = _post_merged(send, merger, bundle, lambda _: None)
        if status is not None and status >= 300:
            failures += 1
            print(f"{label}: {_refused(status, body)}", file=sys.stderr)
            continue
        for text in found:
            print(f"conflict (the stored value is kept): {text}", file=sys.stderr)
        conflicts += len(found)
        kept += unchanged
        loaded += _count(bundle)
    print(f"Stored {loaded} resources" + _outcome(kept, failures, conflicts, definitions[0]))
    return 1 if failures or conflicts else 0


class _Progress:
    """A rich progress line (resources and rate), or nothing with --quiet."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.done = 0
        self.skipped = 0
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
