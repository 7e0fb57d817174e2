"""Import benchmark: the whole HAM10000 metadata file (10,015 rows) and the ISIC 2019 ground truth plus metadata
(25,331 rows) read, built and validated; prints seconds, resources/s and peak memory against the targets
(HAM10000 ≤ 20 s, ISIC 2019 ≤ 45 s) and the read+build baseline measured in the same run.

Skips (exit 0) when the real data folder is absent.
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

from dermfhir.ingest import Options, ham10000, isic_challenge
from dermfhir.ingest.validate import default_validator, validate_all

REAL = Path(__file__).resolve().parents[1].parent / "shared/data/real"


def _run(name: str, target: float, read) -> bool:
    start = time.perf_counter()
    result = read()
    built = time.perf_counter() - start
    errors = validate_all(result.resources)
    total = time.perf_counter() - start
    usage = resource.getrusage
    peak = max(usage(resource.RUSAGE_SELF).ru_maxrss, usage(resource.RUSAGE_CHILDREN).ru_maxrss)
    invalid = sum(1 for e in errors if e)
    count = len(result)
    print(
        f"{name}: {result.report.rows_read} rows, {count} resources, read+build {built:.1f} s, "
        f"with validation {total:.1f} s (target {target:.0f} s, {'met' if total <= target else 'MISSED'}), "
        f"{count / total:.0f} resources/s, validation/build ratio {total / built:.1f}x, "
        f"peak RSS {peak / 1024:.0f} MiB, invalid {invalid}"
    )
    return invalid == 0


def main() -> int:
    if not (REAL / "HAM10000_metadata.csv").is_file():
        print(f"skipped: no real data at {REAL}")
        return 0
    default_validator()
    ok = _run("HAM10000", 20, lambda: ham10000.read([REAL / "HAM10000_metadata.csv"], Options()))
    ok &= _run(
        "ISIC 2019",
        45,
        lambda: isic_challenge.read(
            [REAL / "ISIC_2019_Training_GroundTruth.csv"],
            Options(),
            metadata=[REAL / "ISIC_2019_Training_Metadata.csv"],
        ),
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
