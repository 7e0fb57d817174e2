"""Web UI benchmark: how fast the image view (with its overlays) and the review queue page are ready in a real
browser (Debian's Chromium, headless, through Playwright), with 100,000 stored resources.

Run: `python bench/ui.py [--resources 100000] [--repeat 25]`. Data: the demo dataset (synthetic images, expert
annotations, AI predictions, reviews), then copies of its clinical resources under new ids (sharing the demo's
image bytes) until the store holds `--resources` resources, bulk-loaded into SQLite. "Ready" is the page's own
mark (`body[data-ready]`, set once the image, every overlay and the findings are drawn, or once the queue is
listed), read as milliseconds since navigation start (Navigation Timing); the cache is warm (thumbnails made).
Baseline, measured in the same run: the same pages over the demo dataset alone (about 300 resources), so the
ratio shows what 100,000 resources cost. Targets: image view p50 ≤ 500 ms, queue p50 ≤ 300 ms.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.server.conftest import start_server
from tests.web.conftest import ARGS, CHROMIUM

from dermfhir.definitions import Definitions
from dermfhir.demo.dataset import DemoSize, resources
from dermfhir.store import open_store

TARGET_IMAGE_MS = 500.0
TARGET_QUEUE_MS = 300.0
SHARED = ("Binary", "Device", "Practitioner")  # kept once: the copies point at the same images and people
_REFERENCE = re.compile(
    r'"(Patient|BodyStructure|DocumentReference|Observation|RiskAssessment|Provenance|Task)/(demo-[A-Za-z0-9.-]+)"'
)


def copies(base: list[dict], total: int) -> Iterator[dict]:
    """The demo resources, then renamed copies of its clinical ones, `total` resources in all."""
    yield from base
    clinical = [r for r in base if r["resourceType"] not in SHARED and r["id"] != "demo-dermai-2-1-card"]
    text = orjson.dumps(clinical).decode()
    made, number = len(base), 0
    while made < total:
        number += 1
        renamed = _REFERENCE.sub(lambda m, n=number: f'"{m.group(1)}/{m.group(2)}-c{n}"', text)
        renamed = re.sub(r'"id":"(demo-[A-Za-z0-9.-]+)"', lambda m, n=number: f'"id":"{m.group(1)}-c{n}"', renamed)
        for resource in orjson.loads(renamed):
            if made >= total:
                return
            yield resource
            made += 1


def fill(db: str, total: int) -> int:
    base = list(resources(DemoSize(patients=8)))
    store = open_store(db, Definitions.default())
    try:
        started = time.perf_counter()
        loaded = store.load(copies(base, total), batch_size=2000, return_resources=False)
        print(f"  stored {len(loaded)} resources in {time.perf_counter() - started:.1f} s")
        return len(loaded)
    finally:
        store.close()


def measure(url: str, repeat: int) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="dermfhir-bench-")
    timings: dict[str, list[float]] = {"image view": [], "queue": []}
    pages = {"image view": f"{url}/ui/image/demo-p01-l1-v1-img", "queue": f"{url}/ui/review"}
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, args=ARGS, headless=True, viewport={"width": 1280, "height": 900}
            )
            page = context.new_page()
            for name, address in pages.items():
                for attempt in range(repeat + 2):  # two warm-up loads
                    page.goto(address)
                    page.wait_for_selector("body[data-ready='true']", timeout=30_000)
                    if attempt >= 2:
                        timings[name].append(float(page.get_attribute("body", "data-ready-at") or "nan"))
            context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return timings


def run(db: str, total: int | None, repeat: int) -> dict[str, float]:
    if total is None:
        demo = Path(tempfile.mkdtemp(prefix="dermfhir-demo-"))
        (demo / "demo.json").write_bytes(
            orjson.dumps(
                {
                    "resourceType": "Bundle",
                    "type": "collection",
                    "entry": [{"resource": r} for r in resources(DemoSize(patients=8))],
                }
            )
        )
        server = start_server(db, "--load", str(demo))
    else:
        fill(db, total)
        server = start_server(db)
    try:
        timings = measure(server.url, repeat)
    finally:
        server.stop()
    return {name: statistics.median(values) for name, values in timings.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=25, help="measured loads per page")
    arguments = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"Chromium is not installed at {CHROMIUM}; apt-get install chromium", file=sys.stderr)
        return 1
    folder = Path(tempfile.mkdtemp(prefix="dermfhir-ui-bench-"))
    try:
        print("baseline: the demo dataset alone")
        small = run(str(folder / "small.db"), None, arguments.repeat)
        print(f"large: {arguments.resources} resources")
        large = run(str(folder / "large.db"), arguments.resources, arguments.repeat)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    targets = {"image view": TARGET_IMAGE_MS, "queue": TARGET_QUEUE_MS}
    print(f"{'page':<12} {'demo p50':>10} {'large p50':>10} {'ratio':>7} {'target':>8}  verdict")
    met = True
    for name, target in targets.items():
        ok = large[name] <= target
        met &= ok
        print(
            f"{name:<12} {small[name]:>8.0f}ms {large[name]:>8.0f}ms {large[name] / small[name]:>6.2f}x"
            f" {target:>6.0f}ms  {'met' if ok else 'MISSED'}"
        )
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
