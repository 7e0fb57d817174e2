"""Rendering the guide's web site (`make site`): every page, profile, vocabulary (the 418-concept ISIC diagnosis
hierarchy included), map and example, then the link and HTML checks.

Baseline, measured in the same run: writing every resource of the package as indented JSON into a folder (the least
any renderer does). Target: `make site` (build + checks, one process) ≤ 20 s.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

from dermfhir.definitions import guide_package
from dermfhir.site import build_site, check_html, check_links

RUNS = 3


def baseline(folder: Path) -> float:
    start = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    for resource in guide_package().resources():
        path = folder / f"{resource['resourceType']}-{resource['id']}.json"
        path.write_bytes(orjson.dumps(resource, option=orjson.OPT_INDENT_2))
    return time.perf_counter() - start


def site(folder: Path) -> tuple[float, float, int]:
    start = time.perf_counter()
    report = build_site(folder)
    built = time.perf_counter() - start
    problems = check_links(folder) + check_html(folder)
    assert not problems, problems[:5]
    return built, time.perf_counter() - start, len(report.files)


def command(folder: Path) -> float:
    """`dermfhir site build --check` as `make site` runs it: a fresh process, imports included."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "dermfhir.cli.main", "site", "build", "--out", str(folder), "--check"],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        base = statistics.median(baseline(root / f"json-{n}") for n in range(RUNS))
        runs = [site(root / f"site-{n}") for n in range(RUNS)]
        built = statistics.median(r[0] for r in runs)
        checked = statistics.median(r[1] for r in runs)
        whole = statistics.median(command(root / f"cli-{n}") for n in range(RUNS))
        pages = runs[0][2]
    print(f"site: {pages} HTML pages")
    print(f"baseline: every resource as indented JSON: {base * 1000:.0f} ms")
    print(f"build: {built:.2f} s ({built / base:.0f}x the baseline)")
    print(f"build + link and HTML checks: {checked:.2f} s ({checked / base:.0f}x the baseline)")
    print(f"`dermfhir site build --check` (what `make site` runs, fresh process): {whole:.2f} s — target <= 20 s")


if __name__ == "__main__":
    main()
