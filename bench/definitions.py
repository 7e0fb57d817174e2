"""Start-up cost of the definitions: load the core + guide packages and resolve what a validator needs first.

Baseline, measured in the same run: parsing every file of the core package eagerly (what a loader without an
index would do). Target: warm start < 1 s.
"""

from __future__ import annotations

import statistics
import time

import orjson

from dermfhir.definitions import Definitions, core_package, guide_package

PROFILES = (
    "http://hl7.org/fhir/StructureDefinition/Observation",
    "http://hl7.org/fhir/StructureDefinition/Patient",
    "https://annotatemd.com/fhir/ig/StructureDefinition/dermatology-image-annotation",
    "https://annotatemd.com/fhir/ig/StructureDefinition/ai-prediction",
)


def warm_start() -> float:
    start = time.perf_counter()
    definitions = Definitions([core_package(), guide_package()])
    for url in PROFILES:
        assert definitions.structure_definition(url) is not None, url
    return time.perf_counter() - start


def eager_parse() -> float:
    start = time.perf_counter()
    package = core_package()
    for entry in package.index:
        orjson.loads((package.folder / entry["filename"]).read_bytes())
    return time.perf_counter() - start


def main() -> None:
    warm_start()  # file-system cache warm
    ours = statistics.median(warm_start() for _ in range(5))
    baseline = statistics.median(eager_parse() for _ in range(3))
    verdict = "meets" if ours < 1.0 else "MISSES"
    print(f"warm start (core + guide, 4 snapshots): {ours * 1000:.0f} ms — {verdict} the < 1 s target")
    print(f"baseline, eager parse of the core package: {baseline * 1000:.0f} ms  (ratio {baseline / ours:.1f}x)")


if __name__ == "__main__":
    main()
