"""Server benchmark: transaction ingest with validation on, read/search latency at 100,000 resources, peak memory.

Run: `python bench/server.py [--postgres URL] [--resources 100000] [--ingest 4000]`. Everything goes over HTTP to
real `dermfhir serve` processes on 127.0.0.1. Data: cases cloned from the guide's examples (Patient, skin-lesion
BodyStructure, dermatology-image DocumentReference, dermatology-image-annotation Observation), each with its own
ids and references. Baselines measured in the same run: the store's bulk load without HTTP or validation (ingest),
and a direct `store.read` (read latency). Peer figures (../shared/TOOLCHAIN.md) are printed per core beside ours.
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import httpx
import orjson

from dermfhir.definitions import Definitions, guide_package
from dermfhir.store import open_store

FHIR = {"Content-Type": "application/fhir+json", "Prefer": "return=minimal"}
CORES = os.cpu_count() or 1
#: Published figures (8 vCPU servers), resources/s or requests/s; see ../shared/TOOLCHAIN.md.
PEERS_INGEST = {"Aidbox": 2678, "HAPI": 2214, "Medplum": 764, "Blaze": 4146}
PEERS_CRUD = {"Aidbox": 5200, "HAPI": 3060, "Medplum": 1420}
PEERS_SEARCH = {"HAPI": 1000, "Medplum": 1800}
PEER_CORES = 8
TARGET_INGEST = 1500
TARGET_P50_MS = 10.0


# -- data -------------------------------------------------------------------------------------------------------
def _example(name: str) -> bytes:
    return (guide_package().folder / f"{name}.json").read_bytes()


TEMPLATES = [
    _example("Patient-example-patient"),
    _example("BodyStructure-ExampleLesion"),
    _example("DocumentReference-ExampleDermoscopyImage"),
    _example("Observation-ExampleMelanomaAnnotation"),
]
_IDS = (b"example-patient", b"ExampleLesion", b"ExampleDermoscopyImage", b"ExampleMelanomaAnnotation")


def case(number: int, prefix: str = "b") -> list[dict]:
    """Four connected resources with ids `{prefix}p{n}`, `{prefix}l{n}`, `{prefix}i{n}`, `{prefix}a{n}`."""
    new = [f"{prefix}{kind}{number}".encode() for kind in ("p", "l", "i", "a")]
    found = []
    for template in TEMPLATES:
        data = template
        for old, replacement in zip(_IDS, new, strict=True):
            data = data.replace(b'"' + old + b'"', b'"' + replacement + b'"')
            data = data.replace(b"/" + old + b'"', b"/" + replacement + b'"')
        item = orjson.loads(data)
        if item["resourceType"] == "Patient":
            item["identifier"] = [{"system": "urn:bench:mrn", "value": f"{prefix}{number}"}]
        found.append(item)
    return found


def resources(count: int, prefix: str = "b") -> Iterator[dict]:
    for number in range(count // 4):
        yield from case(number, prefix)


def transaction(items: list[dict]) -> bytes:
    """POST entries with urn:uuid full URLs, references rewritten to them (as an importer sends them)."""
    urns = {f"{r['resourceType']}/{r['id']}": f"urn:uuid:{_uuid(r['id'])}" for r in items}
    entries = []
    for item in items:
        data = orjson.dumps({k: v for k, v in item.items() if k != "id"})
        for reference, urn in urns.items():
            data = data.replace(f'"{reference}"'.encode(), f'"{urn}"'.encode())
        entries.append(
            {
                "fullUrl": urns[f"{item['resourceType']}/{item['id']}"],
                "resource": orjson.loads(data),
                "request": {"method": "POST", "url": item["resourceType"]},
            }
        )
    return orjson.dumps({"resourceType": "Bundle", "type": "transaction", "entry": entries})


def _uuid(text: str) -> str:
    import uuid

    return str(uuid.uuid5(uuid.NAMESPACE_URL, text + str(time.monotonic_ns())))


# -- servers ----------------------------------------------------------------------------------------------------
class Server:
    """`dermfhir serve` in a child process on a free loopback port."""

    def __init__(self, db: str, workers: int = 1, extra: tuple[str, ...] = ()) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        command = [
            sys.executable,
            "-m",
            "dermfhir.cli.main",
            "serve",
            "--db",
            db,
            "--port",
            str(self.port),
            "--log-level",
            "warning",
            "--workers",
            str(workers),
            *extra,
        ]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/metadata", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("the server did not start")

    def peak_rss_mb(self) -> float:
        """Peak resident memory of the server and its worker processes, in MB."""
        pids = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            pids += [int(pid) for pid in children.read_text().split()]
        total = 0
        for pid in pids:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        total += int(line.split()[1])
            except OSError:
                continue
        return total / 1024

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# -- measurements -----------------------------------------------------------------------------------------------
_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of these processes so far (from /proc; a process gone counts nothing)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / _TICK


def database_pids(url: str | None) -> list[int]:
    """The PostgreSQL backends serving this database (the server's pooled connections), for their CPU time."""
    if not url:
        return []
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return [int(row[0]) for row in rows]


def ingest(db: str, count: int, workers: int, bundle_size: int = 500) -> tuple[float, float]:
    """Resources/s of transaction ingest with validation, `workers` server processes and as many clients."""
    items = list(resources(count, prefix=f"i{workers}x{int(time.time())}"))
    bodies = [transaction(items[start : start + bundle_size]) for start in range(0, len(items), bundle_size)]
    server = Server(db, workers)
    try:
        warm = transaction(list(resources(8, prefix=f"w{time.time_ns()}")))
        httpx.post(f"{server.url}/", content=warm, headers=FHIR, timeout=300).raise_for_status()
        queue = list(bodies)
        lock = threading.Lock()
        failures: list[str] = []

        def client() -> None:
            with httpx.Client(base_url=server.url, headers=FHIR, timeout=600) as http:
                while True:
                    with lock:
                        if not queue:
                            return
                        body = queue.pop()
                    response = http.post("/", content=body)
                    if response.status_code != 200:
                        failures.append(response.text[:300])

        started = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        if failures:
            raise RuntimeError(f"ingest failed: {failures[0]}")
        return len(items) / elapsed, server.peak_rss_mb()
    finally:
        server.stop()


def bulk_load(db: str, count: int, definitions: Definitions) -> float:
    """Load `count` resources straight into the store (no HTTP, no validation): the ingest baseline, and how the
    100,000-resource database is made quickly."""
    store = open_store(db, definitions)
    try:
        started = time.perf_counter()
        store.load(resources(count), batch_size=2000)
        elapsed = time.perf_counter() - started
        analyze = getattr(store, "analyze", None)
        if analyze is not None:
            analyze()
        return count / elapsed
    finally:
        store.close()


def latency(call: Callable[[int], httpx.Response], repeat: int) -> tuple[float, float, float]:
    """p50 and p95 in ms, and requests/s, over `repeat` sequential calls."""
    times = []
    started = time.perf_counter()
    for number in range(repeat):
        begun = time.perf_counter()
        response = call(number)
        times.append((time.perf_counter() - begun) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{response.status_code}: {response.text[:300]}")
    elapsed = time.perf_counter() - started
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], repeat / elapsed


def queries(count: int) -> dict[str, Callable[[httpx.Client, int], httpx.Response]]:
    cases = count // 4

    def pick(number: int) -> int:
        return (number * 7919) % cases

    return {
        "read Observation/[id]": lambda c, n: c.get(f"/Observation/ba{pick(n)}"),
        "Observation?subject=Patient/[id]": lambda c, n: c.get(f"/Observation?subject=Patient/bp{pick(n)}"),
        "Observation?derived-from=DocumentReference/[id]": lambda c, n: c.get(
            f"/Observation?derived-from=DocumentReference/bi{pick(n)}"
        ),
        "Patient?identifier=urn:bench:mrn|[n]": lambda c, n: c.get(f"/Patient?identifier=urn:bench:mrn|b{pick(n)}"),
        "Patient?_id=[id]&_revinclude=Observation:subject": lambda c, n: c.get(
            f"/Patient?_id=bp{pick(n)}&_revinclude=Observation:subject"
        ),
    }


def concurrent_throughput(
    url: str, call: Callable[[httpx.Client, int], httpx.Response], clients: int, per_client: int
) -> float:
    def work(offset: int) -> None:
        with httpx.Client(base_url=url, timeout=60) as http:
            for number in range(per_client):
                call(http, offset * per_client + number)

    started = time.perf_counter()
    threads = [threading.Thread(target=work, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return clients * per_client / (time.perf_counter() - started)


def read_search(db: str, count: int, repeat: int, definitions: Definitions) -> list[tuple[str, float, float, float]]:
    server = Server(db, 1)
    rows = []
    try:
        with httpx.Client(base_url=server.url, timeout=60) as http:
            for name, call in queries(count).items():
                for number in range(20):  # warm-up
                    call(http, number)
                p50, p95, rate = latency(lambda n, call=call: call(http, n + 1000), repeat)
                rows.append((name, p50, p95, rate))
        concurrent = concurrent_throughput(server.url, queries(count)["read Observation/[id]"], 4, repeat // 2)
        rows.append(("read, 4 concurrent clients", float("nan"), float("nan"), concurrent))
        rows.append(("peak server memory (MB)", float("nan"), float("nan"), server.peak_rss_mb()))
    finally:
        server.stop()
    store = open_store(db, definitions)
    try:
        times = []
        for number in range(repeat):
            begun = time.perf_counter()
            store.read("Observation", f"ba{(number * 7919) % (count // 4)}")
            times.append((time.perf_counter() - begun) * 1000)
        p95 = sorted(times)[int(repeat * 0.95) - 1]
        rows.append(("baseline: store.read without HTTP", statistics.median(times), p95, repeat / (sum(times) / 1000)))
    finally:
        store.close()
    return rows


# -- chained search and reads under hostile load ----------------------------------------------------------------
TARGET_CHAIN_P50_MS = 50.0
TARGET_HOSTILE_RATIO = 0.5
#: Searches a hostile client repeats: as costly as the server's limits let them be.
HOSTILE_SEARCHES = [
    "/Observation?subject:Patient.name:contains=a&_sort=-date&_count=1000",
    "/Observation?" + "&".join(f"code:text=zz{n}" for n in range(16)),
    "/Patient?name:contains=e&_revinclude=Observation:subject&_count=1000",
    "/Observation?subject:Patient.gender=female&value-quantity=gt0&_total=accurate&_count=1000",
    "/Patient?_has:Observation:subject:status=final&_count=1000",
]


def chain_dataset(count: int, patients: int) -> Iterator[dict]:
    """`patients` Patients (every other one female) and `count` Observations spread over them."""
    for number in range(patients):
        gender = "female" if number % 2 else "male"
        yield {"resourceType": "Patient", "id": f"cp{number}", "gender": gender, "name": [{"family": f"Fam{number}"}]}
    for number in range(count):
        yield {
            "resourceType": "Observation",
            "id": f"co{number}",
            "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "8302-2"}], "text": "height"},
            "subject": {"reference": f"Patient/cp{number % patients}"},
            "effectiveDateTime": f"2024-01-{1 + number % 28:02d}",
            "valueQuantity": {"value": 150 + number % 50, "unit": "cm", "system": "http://unitsofmeasure.org"},
        }


def chain_and_hostile(
    db: str, count: int, repeat: int, definitions: Definitions, extra: tuple[str, ...] = ()
) -> list[tuple[str, float, float, float, str]]:
    """p50 of `Observation?subject:Patient.gender=female` over `count` Observations, and read throughput while ten
    clients repeat hostile searches, against the quiet figure measured just before. Each row carries the CPU time
    the server process (and, on PostgreSQL, the database backends serving it) spent during that measure."""
    store = open_store(db, definitions)
    try:
        store.load(chain_dataset(count, max(100, count // 10)), batch_size=5000)
        analyze = getattr(store, "analyze", None)
        if analyze is not None:
            analyze()
    finally:
        store.close()
    server = Server(db, 1, extra)
    rows: list[tuple[str, float, float, float, str]] = []
    postgres = db if db.startswith("postgres") else None
    try:
        with httpx.Client(base_url=server.url, timeout=60) as http:
            chain = "/Observation?subject:Patient.gender=female"
            for _ in range(10):
                http.get(chain)
            pids = [server.process.pid, *database_pids(postgres)]
            for label, url in (
                (f"{chain} ({count:,} Observations)", chain),
                (f"{chain}&_total=none", chain + "&_total=none"),
            ):
                spent = _cpu_of(server.process.pid, pids)
                p50, p95, rate = latency(partial(_get, http, url), repeat)
                rows.append((label, p50, p95, rate, spent(repeat)))

        def read(http: httpx.Client, number: int) -> httpx.Response:
            return http.get(f"/Observation/co{(number * 7919) % count}")

        pids = [server.process.pid, *database_pids(postgres)]
        spent = _cpu_of(server.process.pid, pids)
        quiet = concurrent_throughput(server.url, read, 2, repeat)
        rows.append(("reads, 2 clients, quiet", float("nan"), float("nan"), quiet, spent(2 * repeat)))
        stop = threading.Event()
        statuses: dict[int, int] = {}

        def hostile(offset: int) -> None:
            with httpx.Client(base_url=server.url, timeout=120) as http:
                number = offset
                while not stop.is_set():
                    status = http.get(HOSTILE_SEARCHES[number % len(HOSTILE_SEARCHES)]).status_code
                    statuses[status] = statuses.get(status, 0) + 1
                    number += 1

        attackers = [threading.Thread(target=hostile, args=(n,)) for n in range(10)]
        for thread in attackers:
            thread.start()
        time.sleep(2)
        pids = [server.process.pid, *database_pids(postgres)]
        spent = _cpu_of(server.process.pid, pids)
        loaded = concurrent_throughput(server.url, read, 2, repeat)
        used = spent(2 * repeat)
        stop.set()
        for thread in attackers:
            thread.join()
        answered = ", ".join(f"{code}×{n}" for code, n in sorted(statuses.items()))
        rows.append((f"reads, 2 clients, 10 hostile searchers ({answered})", float("nan"), float("nan"), loaded, used))
        rows.append(("ratio loaded / quiet (target ≥ 0.5)", float("nan"), float("nan"), loaded / quiet, ""))
    finally:
        server.stop()
    return rows


def _get(http: httpx.Client, url: str, number: int) -> httpx.Response:
    return http.get(url)


def _cpu_of(server: int, pids: list[int]) -> Callable[[int], str]:
    """Starts counting CPU time now; the function returned describes what was spent since divided by the measured
    requests, as `server process ms (+ database ms)` (under hostile load, the hostile searches' CPU included), the
    cores used over the wall-clock time, and the load average of the last minute."""
    started, server_before, all_before = time.perf_counter(), cpu_seconds([server]), cpu_seconds(pids)

    def spent(requests: int) -> str:
        wall = time.perf_counter() - started
        server_cpu = cpu_seconds([server]) - server_before
        database_cpu = cpu_seconds(pids) - all_before - server_cpu
        text = f"{server_cpu * 1000 / requests:.1f}"
        if len(pids) > 1:
            text += f" + {database_cpu * 1000 / requests:.1f} db"
        return f"{text} ms/req ({(server_cpu + database_cpu) / wall:.2f} cores; load {os.getloadavg()[0]:.1f})"

    return spent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--ingest", type=int, default=4000, help="resources posted as transactions")
    parser.add_argument("--repeat", type=int, default=300, help="requests per query")
    parser.add_argument("--postgres", metavar="URL", help="also measure this (emptied!) PostgreSQL database")
    parser.add_argument("--chain-observations", type=int, default=100_000, help="Observations for the chain search")
    parser.add_argument("--only-chain", action="store_true", help="measure only the chain search and hostile load")
    parser.add_argument("--serve-option", action="append", default=[], help="extra `dermfhir serve` option")
    arguments = parser.parse_args()
    definitions = Definitions.default()
    print(f"dermfhir server benchmark — {CORES} cores, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as folder:
        for name, db in [("SQLite", str(Path(folder) / "chain.db"))] + (
            [("PostgreSQL", arguments.postgres)] if arguments.postgres else []
        ):
            if name == "PostgreSQL":
                _empty_postgres(arguments.postgres, definitions)
            print(f"\n## {name}: chained search and reads under hostile load")
            print("| measure | p50 ms | p95 ms | requests/s (or ratio) | CPU: server (+ database) |")
            print("|---|---|---|---|---|")
            for label, p50, p95, per_second, cpu in chain_and_hostile(
                db, arguments.chain_observations, min(arguments.repeat, 200), definitions, tuple(arguments.serve_option)
            ):
                cells = "— | — " if p50 != p50 else f"{p50:.2f} | {p95:.2f} "
                print(f"| {label} | {cells}| {per_second:,.2f} | {cpu} |")
            print(f"| target chain p50 | ≤ {TARGET_CHAIN_P50_MS:.0f} | | ratio ≥ {TARGET_HOSTILE_RATIO} | |")
    if arguments.only_chain:
        return 0
    with tempfile.TemporaryDirectory() as folder:
        backends = [("SQLite", str(Path(folder) / "ingest.db"), str(Path(folder) / "search.db"))]
        if arguments.postgres:
            backends.append(("PostgreSQL", arguments.postgres, arguments.postgres))
        for name, ingest_db, search_db in backends:
            if name == "PostgreSQL":
                _empty_postgres(arguments.postgres, definitions)
            print(f"\n## {name}")
            baseline = bulk_load(
                str(Path(folder) / f"baseline-{name}.db") if name == "SQLite" else ingest_db,
                min(arguments.ingest, 20_000),
                definitions,
            )
            if name == "PostgreSQL":
                _empty_postgres(arguments.postgres, definitions)
            print("| ingest (transaction Bundles of 500, validation on) | resources/s | per core | peak MB |")
            print("|---|---|---|---|")
            for workers in (1, 2):
                rate, peak = ingest(ingest_db, arguments.ingest, workers)
                print(
                    f"| {workers} worker(s), {workers} client(s) | {rate:,.0f} | {rate / workers:,.0f} | {peak:,.0f} |"
                )
            print(f"| baseline: store.load (no HTTP, no validation) | {baseline:,.0f} | {baseline:,.0f} | — |")
            print(f"| target | ≥ {TARGET_INGEST:,} | | |")
            for peer, figure in PEERS_INGEST.items():
                print(f"| peer {peer} (8 vCPU, published) | {figure:,} | {figure / PEER_CORES:,.0f} | |")
            if name == "PostgreSQL":
                _empty_postgres(arguments.postgres, definitions)
            started = time.perf_counter()
            rate = bulk_load(search_db, arguments.resources, definitions)
            print(
                f"\n{arguments.resources:,} resources bulk-loaded in {time.perf_counter() - started:.0f} s "
                f"({rate:,.0f}/s)\n"
            )
            print(f"| query at {arguments.resources:,} resources | p50 ms | p95 ms | requests/s |")
            print("|---|---|---|---|")
            for label, p50, p95, per_second in read_search(
                search_db, arguments.resources, arguments.repeat, definitions
            ):
                cells = "— | — " if p50 != p50 else f"{p50:.2f} | {p95:.2f} "
                print(f"| {label} | {cells}| {per_second:,.0f} |")
            print(f"| target | ≤ {TARGET_P50_MS:.0f} | | |")
            for peer, figure in PEERS_CRUD.items():
                print(f"| peer {peer} CRUD (8 vCPU) | | | {figure:,} ({figure / PEER_CORES:,.0f}/core) |")
            for peer, figure in PEERS_SEARCH.items():
                print(f"| peer {peer} search (8 vCPU) | | | {figure:,} ({figure / PEER_CORES:,.0f}/core) |")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nbenchmark process peak memory: {peak:,.0f} MB")
    return 0


def _empty_postgres(url: str, definitions: Definitions) -> None:
    from dermfhir.store.postgres import PostgresStore

    store = PostgresStore(url, definitions)
    try:
        with store.pool.connection() as conn:
            conn.execute(
                "TRUNCATE resource, resource_version, idx_token, idx_string, idx_reference, idx_date, idx_number, "
                "idx_quantity, idx_uri RESTART IDENTITY"
            )
    finally:
        store.close()


if __name__ == "__main__":
    raise SystemExit(main())
