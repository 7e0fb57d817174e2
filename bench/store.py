"""Store benchmark: bulk load, single creates and search latency, without HTTP or validation.

Run: `python bench/store.py [--sizes 10000 100000] [--postgres URL]` (PostgreSQL also when DERMFHIR_TEST_POSTGRES
is set; that database is emptied). Data: the server benchmark's cases (Patient, BodyStructure, DocumentReference,
annotation Observation cloned from the guide's examples). Baselines measured in the same run, on the same data:
one `store.update` per resource (the one-row-at-a-time path), and the resource and version rows alone inserted
with executemany (JSON only, no search index), which bounds what a bulk load can reach.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).parent))

from dermfhir.definitions import Definitions
from dermfhir.store import Store, open_store
from dermfhir.store.search import date
from server import case, resources

TARGET_LOAD = 4000
TARGET_P50_MS = 10.0
TABLES = "resource, resource_version, idx_token, idx_string, idx_reference, idx_date, idx_number, idx_quantity, idx_uri"


def empty_postgres(url: str, definitions: Definitions) -> None:
    from dermfhir.store.postgres import PostgresStore

    store = PostgresStore(url, definitions)
    try:
        with store.pool.connection() as conn:
            conn.execute(f"TRUNCATE {TABLES} RESTART IDENTITY")
    finally:
        store.close()


def load_rate(store: Store, count: int) -> float:
    started = time.perf_counter()
    store.load(resources(count), batch_size=2000, return_resources=False)
    return count / (time.perf_counter() - started)


def one_at_a_time_rate(store: Store, count: int) -> float:
    """Baseline: the same resources written with one `update` (its own transaction) each."""
    started = time.perf_counter()
    for item in resources(count, prefix="u"):
        store.update(item)
    return count / (time.perf_counter() - started)


def json_only_rate(store: Store, count: int) -> float:
    """Baseline: resource and version rows only, executemany in batches of 2,000, no index extraction."""
    items = resources(count, prefix="j")
    started = time.perf_counter()
    done = 0
    while True:
        batch = [item for _, item in zip(range(2000), items, strict=False)]
        if not batch:
            break
        with store.transaction() as tx:
            conn = tx._local.conn  # type: ignore[attr-defined]
            rids = tx._allocate_rids(conn, len(batch))  # type: ignore[attr-defined]
            now = date.now_micros()
            tx._insert_rows(  # type: ignore[attr-defined]
                conn,
                "resource",
                ("rid", "type", "id", "version", "last_updated", "deleted"),
                [(rid, r["resourceType"], r["id"], 1, now, 0) for rid, r in zip(rids, batch, strict=True)],
            )
            tx._insert_rows(  # type: ignore[attr-defined]
                conn,
                "resource_version",
                ("rid", "version", "type", "id", "last_updated", "method", "content"),
                [
                    (rid, 1, r["resourceType"], r["id"], now, "create", orjson.dumps(r))
                    for rid, r in zip(rids, batch, strict=True)
                ],
            )
        done += len(batch)
    return done / (time.perf_counter() - started)


def create_rate(store: Store, count: int = 500) -> float:
    """Single creates (one transaction each) of the benchmark's Observations, into the loaded database."""
    bodies = []
    for number in range(count):
        item = case(10**7 + number, prefix="c")[3]
        item.pop("id")
        bodies.append(item)
    started = time.perf_counter()
    for body in bodies:
        store.create(body)
    return count / (time.perf_counter() - started)


def searches(count: int) -> dict[str, tuple[str, Callable[[int], str]]]:
    cases = count // 4

    def pick(number: int) -> int:
        return (number * 7919) % cases

    return {
        "Observation?subject=Patient/[id]": ("Observation", lambda n: f"subject=Patient/bp{pick(n)}"),
        "Observation?derived-from=DocumentReference/[id]": (
            "Observation",
            lambda n: f"derived-from=DocumentReference/bi{pick(n)}",
        ),
        "Patient?identifier=urn:bench:mrn|[n]": ("Patient", lambda n: f"identifier=urn:bench:mrn|b{pick(n)}"),
        "Patient?_id=[id]&_revinclude=Observation:subject": (
            "Patient",
            lambda n: f"_id=bp{pick(n)}&_revinclude=Observation:subject",
        ),
        "broad: Observation?status=final (total)": ("Observation", lambda n: "status=final"),
        "broad: Patient?gender=female (total)": ("Patient", lambda n: "gender=female"),
        "broad: Observation?status=final&category=imaging": ("Observation", lambda n: "status=final&category=imaging"),
        "broad: Observation?date=ge2000": ("Observation", lambda n: "date=ge2000"),
        "broad: Observation?_summary=count": ("Observation", lambda n: "_summary=count"),
        "sorted: Observation?_sort=-date": ("Observation", lambda n: "_sort=-date"),
        "sorted: Patient?_sort=family": ("Patient", lambda n: "_sort=family"),
    }


def search_latency(store: Store, count: int, repeat: int) -> list[tuple[str, float, float]]:
    rows = []
    for label, (kind, query) in searches(count).items():
        for number in range(5):  # warm-up
            store.search(kind, query(number))
        times = []
        for number in range(repeat):
            begun = time.perf_counter()
            store.search(kind, query(number + 1000))
            times.append((time.perf_counter() - begun) * 1000)
        times.sort()
        rows.append((label, statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]))
    return rows


def run(name: str, open_db: Callable[[str], Store], sizes: list[int], repeat: int) -> None:
    print(f"\n## {name}\n")
    print("| load | resources/s | vs one-at-a-time | vs JSON only (no index) |")
    print("|---|---|---|---|")
    creates: list[tuple[int, float]] = []
    latencies: list[tuple[str, float, float]] = []
    for size in sizes:
        store = open_db(f"load-{size}")
        try:
            rate = load_rate(store, size)
            analyze = getattr(store, "analyze", None)
            if analyze is not None:
                analyze()
            creates.append((size, create_rate(store)))
            if size == sizes[-1]:
                latencies = search_latency(store, size, repeat)
        finally:
            store.close()
        baseline_count = min(size, 10_000)
        store = open_db(f"baseline-{size}")
        try:
            single = one_at_a_time_rate(store, min(size, 4000))
        finally:
            store.close()
        store = open_db(f"json-{size}")
        try:
            raw = json_only_rate(store, baseline_count)
        finally:
            store.close()
        print(
            f"| {size:,} resources | {rate:,.0f} | {rate / single:.1f}× ({single:,.0f}/s) | "
            f"{rate / raw:.2f}× ({raw:,.0f}/s) |"
        )
    print(f"| target | ≥ {TARGET_LOAD:,} at 100,000 | | |")
    print("\n| single create (store.create, Observation) | creates/s |")
    print("|---|---|")
    for size, rate in creates:
        print(f"| into {size:,} resources | {rate:,.0f} |")
    print(f"\n| search at {sizes[-1]:,} resources (no HTTP) | p50 ms | p95 ms |")
    print("|---|---|---|")
    for label, p50, p95 in latencies:
        print(f"| {label.replace('|', chr(92) + '|')} | {p50:.2f} | {p95:.2f} |")
    print(f"| target | ≤ {TARGET_P50_MS:.0f} | |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=100, help="searches per query")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        default=os.environ.get("DERMFHIR_TEST_POSTGRES"),
        help="also measure this (emptied!) PostgreSQL database",
    )
    arguments = parser.parse_args()
    definitions = Definitions.default()
    print(f"dermfhir store benchmark — {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as folder:
        run(
            "SQLite",
            lambda name: open_store(Path(folder) / f"{name}.db", definitions),
            arguments.sizes,
            arguments.repeat,
        )
    if arguments.postgres:
        url = arguments.postgres

        def open_postgres(name: str) -> Store:
            empty_postgres(url, definitions)
            return open_store(url, definitions)

        run("PostgreSQL", open_postgres, arguments.sizes, arguments.repeat)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nbenchmark process peak memory: {peak:,.0f} MB (loads use return_resources=False)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
