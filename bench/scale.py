"""Scale benchmark: synthetic HAM10000-shaped resources streamed into PostgreSQL with validation (`dermfhir load
--db`'s loader), then search latency, Bulk Data export and DICOM import.

    python bench/scale.py --resources 100000 [--db postgresql://…] [--dicom-files 400]

Prints, against the targets: load rate (≥ 1,500 resources/s), the load's CPU per resource split between the
loader, the validation workers and PostgreSQL (a shared machine stretches wall-clock time, not CPU time), peak
memory of the loader and its validation workers (proportional set size, ≤ 500 MiB, and flat: the peak over the
first 10 % of the load against the peak at the end), a line per tenth of the load; search p50 at 10 % of the
data against p50 at 100 % (≤ 2×); export rate of everything loaded (≥ 20,000 resources/s); DICOM import rate
(≥ 200 files/s; `--dicom-files 0` leaves it out). The database is emptied first: give it a database
of its own (default $DERMFHIR_BENCH_POSTGRES, else $DERMFHIR_TEST_POSTGRES). Skips (exit 0) without one.
Rows: one patient and one lesion per HAM10000 lesion, 1-3 images per lesion, one annotation per image
(≈ 3.5 resources per image, as the real file gives); findings and sites are the importer's own concepts.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from dermfhir.builders import AnnotationMethod, DermatologyImage, DermatologyImageAnnotation, Patient, SkinLesion
from dermfhir.server.bulk.jobs import Jobs, Part
from dermfhir.server.bulk.load import LoadReport, stream_load
from dermfhir.store import open_store

DX = ("akiec", "bcc", "bkl", "df", "mel", "nv", "vasc")
SITES = ("back", "lower extremity", "trunk", "upper extremity", "abdomen", "face", "chest", "scalp", "hand")
TABLES = "resource, resource_version, idx_token, idx_string, idx_reference, idx_date, idx_number, idx_quantity, idx_uri"


def concepts() -> tuple[dict[str, dict], dict[str, dict]]:
    """The HAM10000 importer's finding and site concepts (read from a small CSV written here)."""
    from dermfhir.ingest import Options, ham10000

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ham.csv"
        rows = ["lesion_id,image_id,dx,dx_type,age,sex,localization"]
        for i, dx in enumerate(DX):
            for j, site in enumerate(SITES):
                rows.append(f"HAM_{i:03d}{j:03d},ISIC_{i:03d}{j:03d},{dx},histo,50,male,{site}")
        path.write_text("\n".join(rows) + "\n")
        resources = ham10000.read([path], Options()).resources
    findings, sites = {}, {}
    for resource in resources:
        if resource["resourceType"] == "Observation":
            dx = DX[int(resource["id"].split("-")[-1][:3])]
            findings[dx] = resource["component"][0]["valueCodeableConcept"]
        if resource["resourceType"] == "BodyStructure":
            sites[SITES[int(resource["id"].split("-")[-1][3:6])]] = resource["location"]
    return findings, sites


def synthetic(count: int, seed: int = 7) -> Iterator[dict]:
    """About `count` resources in HAM10000's shape."""
    findings, sites = concepts()
    rng = random.Random(seed)
    made = lesion_number = 0
    performer = "Organization/ham10000-curators"
    yield {"resourceType": "Organization", "id": "ham10000-curators", "name": "HAM10000 curators"}
    while made < count:
        lesion_number += 1
        lesion_id = f"HAM_{lesion_number:07d}"
        dx, site = rng.choice(DX), rng.choice(SITES)
        patient = Patient(f"bench-pat-{lesion_number}", identifier=("urn:bench:lesion", lesion_id), gender="female")
        lesion = SkinLesion(
            f"bench-les-{lesion_number}",
            identifier=("urn:bench:lesion", lesion_id),
            patient=patient,
            location=sites[site],
        )
        yield patient.to_resource()
        yield lesion.to_resource()
        made += 2
        for image_number in range(rng.choice((1, 1, 2, 3))):
            image_id = f"ISIC_{lesion_number:07d}_{image_number}"
            image = DermatologyImage(
                f"bench-img-{lesion_number}-{image_number}",
                subject=patient,
                url=f"{image_id}.jpg",
                modality="DMS",
                width=600,
                height=450,
                lesion=lesion,
                identifier=("urn:bench:image", image_id),
            )
            annotation = DermatologyImageAnnotation(
                f"bench-ann-{lesion_number}-{image_number}",
                subject=patient,
                image=image,
                findings=[findings[dx]],
                method=AnnotationMethod.EXPERT_ANNOTATION,
                performer=[performer],
                lesion=lesion,
                body_site=sites[site] if sites[site].get("coding") else None,
            )
            yield image.to_resource()
            yield annotation.to_resource()
            made += 2


def children_cpu() -> float:
    """CPU seconds of ended child processes (the validation workers, once the load's pool is closed)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def memory_mib() -> float:
    """Proportional set size (PSS) of this process and its live children (the validation workers), MiB: pages the
    forked workers share with the loader are counted once, split between them (RSS would count them in each)."""
    import multiprocessing

    total = 0
    for pid in [os.getpid(), *(child.pid for child in multiprocessing.active_children())]:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def postgres_cpu(store, seen: dict[int, float]) -> float:  # type: ignore[no-untyped-def]
    """CPU seconds used so far by the PostgreSQL backends of this database (read from /proc, so only when the
    server runs on this machine; 0 otherwise), remembered per backend in `seen` so that ended ones still count."""
    ticks = os.sysconf("SC_CLK_TCK")
    with store.pool.connection() as conn:
        pids = [row[0] for row in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")]
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seen[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return sum(seen.values())


def search_p50(store, patients: int, samples: int = 60) -> float:  # type: ignore[no-untyped-def]
    rng = random.Random(3)
    times = []
    for index in range(samples):
        number = rng.randint(1, max(1, patients))
        query = [
            [("subject", f"Patient/bench-pat-{number}")],
            [("identifier", f"urn:bench:lesion|HAM_{number:07d}")],
            [("derived-from", f"DocumentReference/bench-img-{number}-0")],
        ][index % 3]
        kind = ["Observation", "Patient", "Observation"][index % 3]
        start = time.perf_counter()
        store.search(kind, query)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument(
        "--db", default=os.environ.get("DERMFHIR_BENCH_POSTGRES") or os.environ.get("DERMFHIR_TEST_POSTGRES")
    )
    parser.add_argument("--chunk", type=int, default=2000)
    parser.add_argument("--dicom-files", type=int, default=400)
    arguments = parser.parse_args()
    if not arguments.db:
        print("skipped: no PostgreSQL database (--db or DERMFHIR_BENCH_POSTGRES)")
        return 0
    ok = True
    store = open_store(arguments.db)
    with store.pool.connection() as conn:  # type: ignore[attr-defined]
        conn.execute(f"TRUNCATE {TABLES} RESTART IDENTITY")
    total = arguments.resources
    marks: dict[str, float] = {"peak_early": 0.0, "peak": 0.0}
    early: dict[str, float] = {}
    start = time.perf_counter()

    def tick(report: LoadReport) -> None:
        memory = memory_mib()
        marks["peak"] = max(marks["peak"], memory)
        if report.written <= total // 10:
            marks["peak_early"] = max(marks["peak_early"], memory)
        elif not early:
            early["rate"] = report.written / (time.perf_counter() - start)
            early["p50"] = search_p50(store, report.written // 7)
        if report.written >= marks.get("next", total // 10):  # a line per tenth: a long run reports as it goes
            marks["next"] = report.written + total // 10
            elapsed, p50 = time.perf_counter() - start, search_p50(store, report.written // 7)
            print(
                f"  {report.written:,} written in {elapsed:.0f} s ({report.written / elapsed:,.0f}/s); memory (PSS) "
                f"{memory:.0f} MiB, peak {marks['peak']:.0f}; search p50 {p50:.2f} ms",
                flush=True,
            )

    backends: dict[int, float] = {}
    postgres_before = postgres_cpu(store, backends)
    loader_before, workers_before = time.process_time(), children_cpu()

    def tick_with_cpu(report: LoadReport) -> None:
        postgres_cpu(store, backends)
        tick(report)

    source = synthetic(total)
    report = stream_load(store, source, chunk=arguments.chunk, progress=tick_with_cpu)
    elapsed = time.perf_counter() - start
    rate = report.written / elapsed
    cpu = {
        "loader": time.process_time() - loader_before,
        "validation workers": children_cpu() - workers_before,
        "PostgreSQL": postgres_cpu(store, backends) - postgres_before,
    }
    split = ", ".join(f"{name} {1000 * seconds / max(report.written, 1):.3f}" for name, seconds in cpu.items())
    flat = marks["peak"] <= max(marks["peak_early"], 1) * 1.25
    print(
        f"load: {report.written} resources in {elapsed:.0f} s = {rate:,.0f} resources/s (target 1,500: "
        f"{'met' if rate >= 1500 else 'MISSED'}); invalid {report.invalid}; peak memory (PSS) with workers "
        f"{marks['peak']:.0f} MiB (target 500: {'met' if marks['peak'] <= 500 else 'MISSED'}), at 10 % "
        f"{marks['peak_early']:.0f} MiB ({'flat' if flat else 'GROWING'}); rate over the first 10 % "
        f"{early.get('rate', 0):,.0f}/s"
    )
    print(
        f"load CPU per resource, ms: {split} (the loader's includes generating the synthetic rows); on two idle "
        f"cores at most {2 * report.written / max(sum(cpu.values()), 1e-9):,.0f} resources/s"
    )
    ok &= rate >= 1500 and marks["peak"] <= 500 and report.invalid == 0
    p50 = search_p50(store, report.written // 7)
    ratio = p50 / early["p50"] if early.get("p50") else float("nan")
    print(
        f"search p50: {early.get('p50', float('nan')):.2f} ms at {total // 10} resources, {p50:.2f} ms at "
        f"{report.written} ({ratio:.2f}x; target ≤ 2x: {'met' if ratio <= 2 else 'MISSED'})"
    )
    with tempfile.TemporaryDirectory() as folder:
        jobs = Jobs(store, Path(folder))
        postgres_before, client_before = postgres_cpu(store, backends), time.process_time()
        start = time.perf_counter()
        types = ["Organization", "Patient", "BodyStructure", "DocumentReference", "Observation"]
        job = jobs.start("bench", "$export", [Part(kind) for kind in types], None)
        while job.state == "running":
            time.sleep(0.05)
        elapsed = time.perf_counter() - start
        exported = job.exported
        client_cpu = 1000 * (time.process_time() - client_before) / max(exported, 1)
        server_cpu = 1000 * (postgres_cpu(store, backends) - postgres_before) / max(exported, 1)
        size = sum(o.path.stat().st_size for o in job.outputs) / 2**20
        jobs.close()
    export_rate = exported / elapsed
    print(
        f"export: {exported} resources ({size:.0f} MiB NDJSON) in {elapsed:.1f} s = {export_rate:,.0f} resources/s "
        f"(target 20,000: {'met' if export_rate >= 20000 else 'MISSED'}); state {job.state}; CPU per resource, ms: "
        f"this process {client_cpu:.4f}, PostgreSQL {server_cpu:.4f}"
    )
    ok &= export_rate >= 20000 and job.state == "complete"
    if arguments.dicom_files:
        ok &= dicom(arguments.dicom_files)
    store.close()
    return 0 if ok else 1


def dicom(count: int) -> bool:
    """DICOM import rate: `dermfhir import dicom --dicom-store` of `count` synthetic 600x450 RGB files (read, build,
    validate, write the Bundle and the DICOM folder), the files' writing not timed."""
    from dermfhir.ingest import ImportFailed, Options
    from dermfhir.ingest.dicom import run_dicom_import
    from dermfhir.ingest.dicom.synthetic import SyntheticImage, write

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for number in range(count):
            write(root / "in" / f"{number}.dcm", SyntheticImage(patient_id=f"P{number % 50}", rows=450, columns=600))
        start, cpu_before, workers_before = time.perf_counter(), time.process_time(), children_cpu()
        try:
            outcome = run_dicom_import([root / "in"], root / "out.json", Options(), dicom_store=root / "store")
        except ImportFailed as failure:
            print(f"dicom import: FAILED, {failure}")
            return False
        elapsed = time.perf_counter() - start
        main_cpu, workers_cpu = time.process_time() - cpu_before, children_cpu() - workers_before
    rate = count / elapsed
    print(
        f"dicom import: {count} files (600x450 RGB) → {len(outcome.result)} resources in {elapsed:.1f} s = "
        f"{rate:,.0f} files/s (target 200: {'met' if rate >= 200 else 'MISSED'}); "
        f"rejected {len(outcome.result.report.rejected)}; CPU per file, ms: importing process "
        f"{1000 * main_cpu / count:.2f}, reading and validation workers {1000 * workers_cpu / count:.2f}"
    )
    return rate >= 200 and not outcome.result.report.rejected


if __name__ == "__main__":
    sys.exit(main())
