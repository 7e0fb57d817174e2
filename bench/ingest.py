"""Import benchmark, timed from the command line (process start to exit: start-up, validator construction,
reading, building, validation and writing included), against the targets:

- HAM10000 (the real 10,015-row metadata file): ≤ 12 s;
- an ISIC 2020-sized training ground truth (33,126 rows in the published layout, generated): ≤ 30 s;
- a synthetic HAM10000-shaped file (default 100,000 and 1,000,000 rows; `--rows` to change): ≥ 5,000 resources/s
  with peak memory ≤ 400 MiB, flat between the two sizes.

Every run is measured twice in the same session: as users run it (validation on) and with validation off (the
baseline: read + build + write only), and the ratio is printed. Peak memory is the largest resident set of the
command's processes (the parent; validation workers are forked from it); CPU seconds (all processes) are printed
too, since wall-clock time depends on the other load of the machine. Exit 1 when a target is missed.

Skips the HAM10000 run (exit 0 for it) when the real data folder is absent. `--baseline-only` runs the synthetic sizes
without validation only (memory flatness and the pipeline's own rate, in minutes rather than an hour on 2 cores).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REAL = Path(os.environ.get("DERMFHIR_REAL_DATA", Path(__file__).resolve().parents[1].parent / "shared/data/real"))
if not REAL.is_dir():
    REAL = Path("/work/shared/data/real")
DERMFHIR = [sys.executable, "-m", "dermfhir.cli.main"]
WRAPPER = (
    "import resource, subprocess, sys; code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
    "stderr=subprocess.DEVNULL).returncode; usage = resource.getrusage(resource.RUSAGE_CHILDREN); "
    "print(code, usage.ru_maxrss, usage.ru_utime + usage.ru_stime)"
)
HAM_DX = ("nv", "mel", "bkl", "bcc", "akiec", "vasc", "df")
HAM_SITES = ("back", "lower extremity", "trunk", "upper extremity", "abdomen", "face", "chest", "foot", "scalp")
ISIC2020_SITES = ("torso", "lower extremity", "upper extremity", "head/neck", "palms/soles", "oral/genital", "")
ISIC2020_DX = ("unknown", "nevus", "melanoma", "seborrheic keratosis", "lentigo NOS", "lichenoid keratosis")


def run(arguments: list[str]) -> tuple[float, float, int, float]:
    """(seconds, peak MiB, exit status, CPU seconds of all its processes) of one command, start to exit."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", WRAPPER, *arguments], capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - start
    code, peak, cpu = done.stdout.split()
    return seconds, int(peak) / 1024, int(code), float(cpu)


def synthetic_ham(path: Path, rows: int) -> None:
    rng = random.Random(7)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["lesion_id", "image_id", "dx", "dx_type", "age", "sex", "localization"])
        lesion = 0
        for n in range(rows):
            if n == 0 or rng.random() < 0.75:
                lesion += 1
            writer.writerow(
                [
                    f"HAM_{lesion:07d}",
                    f"ISIC_{n:07d}",
                    rng.choice(HAM_DX),
                    rng.choice(("histo", "follow_up")),
                    f"{rng.randrange(0, 90, 5)}.0",
                    rng.choice(("male", "female")),
                    rng.choice(HAM_SITES),
                ]
            )


def synthetic_isic2020(path: Path, rows: int) -> None:
    rng = random.Random(2020)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "image_name",
                "patient_id",
                "lesion_id",
                "sex",
                "age_approx",
                "anatom_site_general_challenge",
                "diagnosis",
                "benign_malignant",
                "target",
            ]
        )
        for n in range(rows):
            diagnosis = rng.choice(ISIC2020_DX)
            malignant = diagnosis == "melanoma"
            writer.writerow(
                [
                    f"ISIC_{n:07d}",
                    f"IP_{n // 16:07d}",
                    f"IL_{n:07d}",
                    rng.choice(("male", "female")),
                    f"{rng.randrange(20, 90, 5)}.0",
                    rng.choice(ISIC2020_SITES),
                    diagnosis,
                    "malignant" if malignant else "benign",
                    int(malignant),
                ]
            )


def measure(
    name: str, command: list[str], out: Path, resources: int, target: float | None, baseline_only: bool = False
) -> tuple[bool, float, float]:
    base_seconds, base_peak, base_code, base_cpu = run([*command, "--out", str(out), "--no-validate"])
    if baseline_only:
        print(
            f"{name}, without validation: {base_seconds:.1f} s, {resources / base_seconds:,.0f} resources/s, "
            f"peak {base_peak:.0f} MiB, exit {base_code}, {base_cpu:.1f} CPU-s ({resources / base_cpu:,.0f} "
            "resources per CPU-second)"
        )
        return base_code == 0, resources / base_seconds, base_peak
    seconds, peak, code, cpu = run([*command, "--out", str(out)])
    rate = resources / seconds
    met = code == 0 and (target is None or seconds <= target)
    verdict = "" if target is None else f" (target {target:.0f} s: {'met' if seconds <= target else 'MISSED'})"
    print(
        f"{name}: {seconds:.1f} s{verdict}, {rate:,.0f} resources/s, peak {peak:.0f} MiB, exit {code}, "
        f"{cpu:.1f} CPU-s; without validation {base_seconds:.1f} s ({base_cpu:.1f} CPU-s, exit {base_code}), "
        f"validation/baseline {seconds / base_seconds:.1f}x"
    )
    return met, rate, peak


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rows", default="100000,1000000", help="synthetic HAM10000-shaped sizes, comma-separated")
    parser.add_argument("--synthetic-only", action="store_true", help="only the synthetic HAM10000-shaped sizes")
    parser.add_argument(
        "--baseline-only",
        action="store_true",
        help="synthetic sizes without validation only (memory and the pipeline's own rate; targets not judged)",
    )
    arguments = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        if arguments.synthetic_only or arguments.baseline_only:
            pass
        elif (REAL / "HAM10000_metadata.csv").is_file():
            command = [*DERMFHIR, "import", "ham10000", str(REAL / "HAM10000_metadata.csv")]
            met, _, _ = measure("HAM10000 (10,015 rows)", command, work / "ham.json", 10_015 * 2 + 7_470 * 2 + 1, 12)
            ok &= met
        else:
            print(f"HAM10000: skipped, no real data at {REAL}")
        if not (arguments.synthetic_only or arguments.baseline_only):
            isic = work / "ISIC_2020_Training_GroundTruth_v2.csv"
            synthetic_isic2020(isic, 33_126)
            command = [*DERMFHIR, "import", "auto", str(isic)]
            met, _, _ = measure("ISIC 2020-sized (33,126 rows)", command, work / "isic.json", 33_126 * 4, 30)
            ok &= met
        peaks = []
        for rows in (int(n) for n in arguments.rows.split(",") if n):
            source = work / f"ham-{rows}.csv"
            synthetic_ham(source, rows)
            command = [*DERMFHIR, "import", "ham10000", str(source), "--ndjson"]
            resources = rows * 2 + int(rows * 0.75) * 2
            met, rate, peak = measure(
                f"synthetic HAM10000 ({rows:,} rows)",
                command,
                work / f"nd-{rows}",
                resources,
                None,
                arguments.baseline_only,
            )
            peaks.append(peak)
            ok &= met and rate >= 5_000 and peak <= 400
            print(
                f"  target ≥ 5,000 resources/s: {'met' if rate >= 5_000 else 'MISSED'}"
                f"{' (without validation: not the target)' if arguments.baseline_only else ''}; "
                f"≤ 400 MiB: {'met' if peak <= 400 else 'MISSED'}"
            )
            source.unlink()
        if len(peaks) > 1:
            print(
                f"  peak memory from the smallest to the largest size: {peaks[0]:.0f} → {peaks[-1]:.0f} MiB "
                f"({peaks[-1] / peaks[0]:.2f}x)"
            )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
