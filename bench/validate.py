"""Throughput of full profile validation: resources/s on one core, warm (profiles compiled once, then timed).

Inputs: the guide's annotation and AI prediction examples (each against the profiles it declares), and a
transaction Bundle of 1,000 resources of the kinds an importer produces (Patients, DocumentReferences,
BodyStructures and annotation Observations cloned from the guide's examples, ids varied, urn:uuid fullUrls,
references inside the Bundle). With `--real FILE_OR_FOLDER…`, also the resources of NDJSON files written by
`dermfhir import auto … --ndjson` from real data (each resource on its own, as a loader validates them).
Target: ≥ 2,000 resources/s.

The validator remembers the walks of element values it has seen (`validation.memo`): the same codings, units and
components recur in imported data, and a repeated single example is all repeats. The column "no memo" is the same
validator with the memo off, measured in the same run: the cost of a value never seen before.

Baselines, measured in the same run on the same inputs: fhircraft (pydantic models built from the same profiles)
and fhirkit-rs (structural R4 checks in Rust). They check much less (see docs/toolchain.md); their import time is
reported separately. Install them with `pip install -e '.[bench]'`; a missing one is reported, not fatal.

`python bench/validate.py --ndjson N` validates an N-line NDJSON file (the import Bundle's resources, ids varied)
through the streaming reader in a child process and reports its rate and peak memory (target: 1,000,000 lines
within 300 MiB), beside the child's memory after its first 1,000 lines (the baseline: the validator itself).
`python bench/validate.py --ndjson N --cli` runs `dermfhir validate` itself on the file instead, as a child process
(process start to exit: start-up, validator construction, reading, validating, the report), and reports its rate
and peak memory (`getrusage(RUSAGE_CHILDREN)`) beside those of the same command on a 1,000-line file (the baseline).
"""

from __future__ import annotations

import copy
import json
import os
import re
import resource as rusage
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.table import Table

from dermfhir.definitions import guide_package
from dermfhir.validation import Validator, error_count

TARGET = 2_000  # resources/s
MEMORY_TARGET_MIB = 300
ROUNDS = 5
BUNDLE_SIZE = 1_000
REAL_SAMPLE = 300
console = Console(width=200)


def example(resource_type: str, resource_id: str) -> dict:
    return copy.deepcopy(next(r for r in guide_package().resources(resource_type) if r["id"] == resource_id))


def import_bundle(size: int = BUNDLE_SIZE) -> dict:
    """A transaction Bundle of `size` resources: per patient a Patient, an image, a lesion and an annotation."""
    templates = [
        example("Patient", "example-patient"),
        example("DocumentReference", "ExampleDermoscopyImage"),
        example("BodyStructure", "ExampleLesion"),
        example("Observation", "ExampleMelanomaAnnotation"),
    ]
    namespace = uuid.UUID("8c4d5d1e-2f4b-4b8e-9a57-0f3e2f6d9c10")
    entries = []
    for group in range(size // len(templates) + 1):
        urls = {
            f"{t['resourceType']}/{t['id']}": f"urn:uuid:{uuid.uuid5(namespace, str(group) + '/' + t['id'])}"
            for t in templates
        }
        for template in templates:
            resource = copy.deepcopy(template)
            resource["id"] = f"{template['id'][:50]}-{group}"
            _relink(resource, urls)
            if resource["resourceType"] == "Patient":
                identifiers = resource.setdefault("identifier", [{"system": "urn:oid:1.2.3.4", "value": "x"}])
                identifiers[0]["value"] = f"MRN-{group}"
            entries.append(
                {
                    "fullUrl": urls[f"{template['resourceType']}/{template['id']}"],
                    "resource": resource,
                    "request": {"method": "POST", "url": template["resourceType"]},
                }
            )
            if len(entries) == size:
                return {"resourceType": "Bundle", "type": "transaction", "entry": entries}
    raise AssertionError("unreachable")


def _relink(value: Any, urls: dict[str, str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "reference" and isinstance(item, str) and item in urls:
                value[key] = urls[item]
            else:
                _relink(item, urls)
    elif isinstance(value, list):
        for item in value:
            _relink(item, urls)


def rate(run: Callable[[], Any], resources: int, budget: float = 1.0) -> float:
    """Median resources/s of CPU time (this process) over ROUNDS rounds of about `budget` seconds each, after one
    warm-up call. CPU time, not wall-clock time: the machine may be shared, and the figure is for one core."""
    run()
    start = time.process_time()
    run()
    once = max(time.process_time() - start, 1e-6)
    repeat = max(1, int(budget / once))
    figures = []
    for _ in range(ROUNDS):
        start = time.process_time()
        for _ in range(repeat):
            run()
        figures.append(resources * repeat / max(time.process_time() - start, 1e-9))
    return statistics.median(figures)


def read_real(paths: list[str], sample: int = REAL_SAMPLE) -> list[dict]:
    """`sample` resources taken evenly from NDJSON files (folders: every *.ndjson inside); fhircraft validates a
    few resources per second, so the whole of an import would take it hours."""
    from pathlib import Path

    files: list[Path] = []
    for name in paths:
        path = Path(name)
        files.extend(sorted(path.rglob("*.ndjson")) if path.is_dir() else [path])
    resources = []
    for file in files:
        with file.open(encoding="utf-8") as handle:
            resources.extend(json.loads(line) for line in handle if line.strip())
    step = max(1, len(resources) // sample)
    return resources[::step][:sample]


# the libraries compared ------------------------------------------------------------------------------------------
class Peer:
    name = ""

    def __init__(self) -> None:
        self.import_seconds: float | None = None
        self.problem: str | None = None

    def prepare(self, resource: dict) -> Callable[[], Any] | str:
        """A callable validating `resource`, or why it cannot."""
        raise NotImplementedError

    def prepare_all(self, resources: list[dict]) -> Callable[[], Any] | str:
        """A callable validating each resource in turn, or why one of them cannot be."""
        calls = []
        for resource in resources:
            prepared = self.prepare(resource)
            if isinstance(prepared, str):
                return f"{resource.get('resourceType')}: {prepared}"
            calls.append(prepared)
        return lambda: [call() for call in calls]


class FhirKit(Peer):
    name = "fhirkit-rs 0.1.0"

    def __init__(self) -> None:
        super().__init__()
        start = time.perf_counter()
        try:
            import fhirkit

            self.module: Any = fhirkit
        except ImportError as error:
            self.problem = f"not installed ({error})"
            return
        self.import_seconds = time.perf_counter() - start

    def prepare(self, resource: dict) -> Callable[[], Any] | str:
        validate = self.module.validate
        try:
            validate(resource)
        except Exception as error:
            return f"cannot validate: {type(error).__name__}: {str(error)[:80]}"
        return lambda: validate(resource)


class FhirCraft(Peer):
    name = "fhircraft 0.9.0"

    def __init__(self) -> None:
        super().__init__()
        start = time.perf_counter()
        try:
            from fhircraft import FHIRModelFactory
        except ImportError as error:
            self.problem = f"not installed ({error})"
            return
        self.import_seconds = time.perf_counter() - start
        self.factory = FHIRModelFactory("R4")
        for definition in guide_package().resources("StructureDefinition"):
            try:
                self.factory.register(copy.deepcopy(definition))
            except Exception:  # a definition fhircraft cannot read: the profiles that need it fail below
                continue
        self.build_seconds = 0.0
        self.models: dict[str, Any] = {}

    def model(self, url: str) -> Any:
        if url in self.models:
            return self.models[url]
        start = time.perf_counter()
        try:
            self.models[url] = self.factory.build(canonical_url=url)
            return self.models[url]
        finally:
            self.build_seconds += time.perf_counter() - start

    def prepare(self, resource: dict) -> Callable[[], Any] | str:
        profiles = resource.get("meta", {}).get("profile") or []
        url = profiles[0] if profiles else f"http://hl7.org/fhir/StructureDefinition/{resource['resourceType']}"
        try:
            model = self.model(url)
            model.model_validate(resource)
        except Exception as error:
            return f"cannot validate: {type(error).__name__}: {str(error).splitlines()[0][:80]}"
        return lambda: model.model_validate(resource)


def main(real: list[str]) -> None:
    warnings.simplefilter("ignore")  # fhircraft warns on every dom-6 (no narrative): not part of the timing
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    start = time.perf_counter()
    validator = Validator()
    plain = validator.with_options()
    plain.memo = None
    inputs: dict[str, tuple[Any, int]] = {
        "annotation example": (example("Observation", "ExampleMelanomaAnnotation"), 1),
        "AI prediction example": (example("Observation", "ExampleAIPrediction"), 1),
        f"import Bundle of {BUNDLE_SIZE:,} resources": (import_bundle(), BUNDLE_SIZE),
    }
    if real:
        resources = read_real(real)
        inputs[f"imported real data: {len(resources):,} resources"] = (resources, len(resources))
    for name, (resource, _) in inputs.items():
        for one in resource if isinstance(resource, list) else [resource]:
            errors = error_count(validator.validate(one))
            assert errors == 0, f"{name}: {errors} errors in {one.get('resourceType')}/{one.get('id')}"
    setup = time.perf_counter() - start

    def validating(chosen: Validator, resource: Any) -> Callable[[], Any]:
        if isinstance(resource, list):
            return lambda: [chosen.validate(one) for one in resource]
        return lambda: chosen.validate(resource)

    ours = {name: rate(validating(validator, resource), count) for name, (resource, count) in inputs.items()}
    cold = {name: rate(validating(plain, resource), count) for name, (resource, count) in inputs.items()}

    peers: list[Peer] = [FhirKit(), FhirCraft()]
    theirs: dict[tuple[str, str], float | str] = {}
    for peer in peers:
        for name, (resource, count) in inputs.items():
            if peer.problem:
                theirs[peer.name, name] = peer.problem
                continue
            prepared = peer.prepare_all(resource) if isinstance(resource, list) else peer.prepare(resource)
            theirs[peer.name, name] = prepared if isinstance(prepared, str) else rate(prepared, count)

    table = Table(title="Full profile validation, resources per CPU-second, one core, warm (median of 5 rounds)")
    table.add_column("input")
    table.add_column("dermfhir", justify="right")
    table.add_column(f"target {TARGET:,}/s")
    table.add_column("dermfhir, no memo", justify="right")
    for peer in peers:
        table.add_column(peer.name, justify="right")
        table.add_column("dermfhir ÷ it", justify="right")
    for name, figure in ours.items():
        row = [name, f"{figure:,.0f}", "MEETS" if figure >= TARGET else "MISSES", f"{cold[name]:,.0f}"]
        for peer in peers:
            other = theirs[peer.name, name]
            if isinstance(other, str):
                row += [other, "—"]
            else:
                row += [f"{other:,.0f}", f"{figure / other:.2f}×"]
        table.add_row(*row)
    console.print(table)
    for name, figure in ours.items():
        verdict = "MEETS" if figure >= TARGET else "MISSES"
        console.print(f"{verdict} the {TARGET:,} resources/s target: {name}: {figure:,.0f}/s")
    console.print(f"dermfhir: validator construction + first validation of every input (cold) {setup:.2f} s")
    for peer in peers:
        if peer.import_seconds is not None:
            extra = f", model builds {peer.build_seconds:.2f} s" if isinstance(peer, FhirCraft) else ""
            console.print(f"{peer.name}: import {peer.import_seconds:.2f} s{extra} (not in the figures above)")
        else:
            console.print(f"{peer.name}: {peer.problem}")


def write_ndjson(path: str, lines: int) -> None:
    """`lines` resources cloned from the import Bundle, each with its own id."""
    templates = [entry["resource"] for entry in import_bundle(200)["entry"]]
    with open(path, "w", encoding="utf-8") as handle:
        for number in range(lines):
            resource = dict(templates[number % len(templates)])
            resource["id"] = f"r{number}"
            handle.write(json.dumps(resource, separators=(",", ":")) + "\n")


def _rss_mib() -> float:
    return rusage.getrusage(rusage.RUSAGE_SELF).ru_maxrss / 1024


def ndjson_child(path: str) -> None:
    """Validate `path` line by line as `dermfhir validate` does; print rate, errors and memory as JSON."""
    from pathlib import Path

    from dermfhir.validation.stream import validate_file

    validator = Validator()
    start = time.perf_counter()
    cpu = time.process_time()
    count = errors = 0
    baseline = 0.0
    for result in validate_file(validator, Path(path)):
        count += 1
        errors += result.errors
        if count == 1_000:
            baseline = _rss_mib()
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu
    figures = {
        "lines": count,
        "errors": errors,
        "seconds": seconds,
        "cpu": cpu,
        "baseline": baseline,
        "peak": _rss_mib(),
    }
    print(json.dumps(figures))


def cli_child(path: str) -> dict[str, Any]:
    """`dermfhir validate PATH` as a child process: lines, errors, wall and CPU seconds, peak memory (MiB). The
    peak is `getrusage(RUSAGE_CHILDREN)`: the largest of this process's children so far, so call it on the smaller
    file first."""
    report = path + ".out"  # the report (every issue of every line) goes to a file, not into this process
    before = rusage.getrusage(rusage.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with open(report, "w", encoding="utf-8") as out:
        command = [sys.executable, "-m", "dermfhir", "validate", path]
        child = subprocess.run(command, stdout=out, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    after = rusage.getrusage(rusage.RUSAGE_CHILDREN)
    with open(report, "rb") as out:
        out.seek(max(0, os.path.getsize(report) - 4096))
        summary = re.search(rb"(\d+) resource\(s\): (\d+) error\(s\)", out.read())
    if child.returncode not in (0, 1) or summary is None:
        raise SystemExit(f"dermfhir validate {path} failed ({child.returncode}): {child.stderr[-2000:]}")
    return {
        "lines": int(summary[1]),
        "errors": int(summary[2]),
        "seconds": seconds,
        "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "peak": after.ru_maxrss / 1024,
    }


def ndjson(lines: int, cli: bool = False) -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "resources.ndjson")
        if cli:
            small = os.path.join(folder, "baseline.ndjson")
            write_ndjson(small, 1_000)
            baseline = cli_child(small)["peak"]
        write_ndjson(path, lines)
        size = os.path.getsize(path) / 2**20
        if cli:
            figures = cli_child(path) | {"baseline": baseline}
        else:
            child = subprocess.run(
                [sys.executable, __file__, "--ndjson-child", path], capture_output=True, text=True, check=True
            )
            figures = json.loads(child.stdout.strip().splitlines()[-1])
    rate = figures["lines"] / figures["seconds"]
    cpu_rate = figures["lines"] / max(figures["cpu"], 1e-9)
    verdict = "MEETS" if figures["peak"] <= MEMORY_TARGET_MIB else "MISSES"
    how = "`dermfhir validate`, process start to exit" if cli else "the streaming reader"
    baseline = "the same command on 1,000 lines" if cli else "after the first 1,000 lines"
    console.print(
        f"NDJSON of {figures['lines']:,} lines ({size:,.0f} MiB) through {how}: {rate:,.0f} resources/s "
        f"wall-clock ({figures['seconds']:,.1f} s), {cpu_rate:,.0f} per CPU-second ({figures['cpu']:,.1f} CPU-s), "
        f"{figures['errors']} errors; peak memory {figures['peak']:,.0f} MiB ({baseline} "
        f"{figures['baseline']:,.0f} MiB, ratio {figures['peak'] / max(figures['baseline'], 1):.2f}); {verdict} the "
        f"{MEMORY_TARGET_MIB} MiB target"
    )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--ndjson-child":
        ndjson_child(sys.argv[2])
    elif len(sys.argv) in (3, 4) and sys.argv[1] == "--ndjson" and sys.argv[3:] in ([], ["--cli"]):
        ndjson(int(sys.argv[2].replace(",", "").replace("_", "")), cli=sys.argv[3:] == ["--cli"])
    else:
        main(sys.argv[2:] if len(sys.argv) > 2 and sys.argv[1] == "--real" else [])
