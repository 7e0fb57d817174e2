"""`dermfhir ig …`: building, checking and describing the guide's package."""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.table import Table

from dermfhir.definitions import guide_package
from dermfhir.definitions.loader import GUIDE_PACKAGE_FOLDER
from dermfhir.ig import build as ig_build


def register(commands: argparse._SubParsersAction) -> None:
    ig = commands.add_parser("ig", help="build, check or describe the guide's FHIR package")
    actions = ig.add_subparsers(dest="action", metavar="ACTION", required=True)

    compile_ = actions.add_parser(
        "build", help="compile the FSH with SUSHI (snapshots) into the package folder and the NPM tarball"
    )
    compile_.add_argument("--ig", type=Path, default=Path("ig"), help="the FSH project folder (default: ig)")
    compile_.add_argument("--sushi", type=Path, default=Path("node_modules/.bin/sushi"), help="the SUSHI executable")
    compile_.add_argument("--out", type=Path, default=GUIDE_PACKAGE_FOLDER, help="the package folder to write")
    compile_.add_argument("--dist", type=Path, default=Path("dist"), help="folder for the .tgz (default: dist)")
    compile_.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 when the package folder differs from the FSH"
    )
    compile_.set_defaults(run=_build)

    info = actions.add_parser("info", help="list the guide's artifacts by type, with counts")
    info.set_defaults(run=_info)


def _build(arguments: argparse.Namespace) -> int:
    console = Console(stderr=True, soft_wrap=True)
    try:
        with console.status("SUSHI: compiling the guide …"):
            result = ig_build.build(arguments.ig, arguments.sushi)
    except ig_build.BuildError as error:
        console.print(f"[red]dermfhir ig build failed:[/red] {error}", highlight=False)
        return 1
    files = ig_build.package_files(arguments.ig, result)
    console.print(f"SUSHI: {len(result.resources)} resources, 0 errors, 0 warnings")
    if arguments.check:
        differences = ig_build.check(files, arguments.out)
        for difference in differences:
            console.print(f"[red]{difference}[/red]", highlight=False)
        if differences:
            console.print("The committed package is out of date: run `make ig` and commit the result.")
            return 1
        console.print(f"{arguments.out} matches a fresh build of {arguments.ig}")
        return 0
    manifest = ig_build.package_manifest(arguments.ig)
    tarball = arguments.dist / f"{manifest['name']}-{manifest['version']}.tgz"
    ig_build.write_package(files, arguments.out, tarball)
    console.print(f"wrote {arguments.out} and {tarball}")
    return 0


def _info(arguments: argparse.Namespace) -> int:
    guide = guide_package()
    resources = list(guide.resources())
    console = Console(soft_wrap=True)
    console.print(f"[bold]{guide.manifest.get('title', guide.name)}[/bold]  {guide.name}#{guide.version}")
    console.print(f"canonical {guide.canonical}  ·  FHIR {', '.join(guide.manifest.get('fhirVersions', []))}")
    counts = Counter(_kind(resource) for resource in resources)
    table = Table(title=f"{len(resources)} artifacts")
    table.add_column("kind")
    table.add_column("count", justify="right")
    table.add_column("ids")
    for kind, count in sorted(counts.items()):
        ids = sorted(str(r.get("id")) for r in resources if _kind(r) == kind)
        table.add_row(kind, str(count), ", ".join(ids))
    console.print(table)
    return 0 if resources else 1


def _kind(resource: dict) -> str:
    """Profiles, extensions and examples told apart, as a reader of the guide expects."""
    resource_type = resource["resourceType"]
    if resource_type == "StructureDefinition":
        if resource.get("type") == "Extension":
            return "Extension"
        return "Logical" if resource.get("kind") == "logical" else "Profile"
    canonical = resource.get("url", "")
    if (
        resource_type
        in {
            "ImplementationGuide",
            "CapabilityStatement",
            "SearchParameter",
            "CodeSystem",
            "ValueSet",
            "ConceptMap",
            "OperationDefinition",
        }
        and canonical
    ):
        return resource_type
    return f"Example {resource_type}"
