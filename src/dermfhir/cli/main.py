"""`dermfhir`: one entry point, one sub-command module per task (`dermfhir <command> --help`).

Only the module of the command being run is imported (a server's or an importer's dependencies take a second to
load, and `dermfhir --help` or `dermfhir validate` need none of them); `COMMANDS` lists every command with its
module and one-line help, and a test checks that each module registers its commands with those very helps.
Exit status: 0 success, 1 the task found a problem (errors, failed build), 2 usage errors.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from dermfhir import __version__

#: command → (module of dermfhir.cli that registers it, its help)
COMMANDS: dict[str, tuple[str, str]] = {
    "packages": ("package_commands", "install FHIR packages into the FHIR package cache"),
    "ig": ("ig_commands", "build, check or describe the guide's FHIR package"),
    "validate": ("validate_commands", "validate FHIR R4 resources (JSON, NDJSON, XML; files or folders)"),
    "conformance": ("validate_commands", "score the validator on a fhir-test-cases style folder"),
    "serve": ("serve_commands", "run the FHIR R4 server (SQLite by default, or PostgreSQL)"),
    "load": ("load_commands", "post Bundles / NDJSON / JSON resources to a FHIR server or a store"),
    "import": (
        "import_commands",
        "import public dermatology datasets (ISIC 2016-2025, HAM10000, BCN20000, PAD-UFES-20, Derm7pt, DDI, "
        "Fitzpatrick17k …), classifier outputs, masks, COCO or DICOM as FHIR",
    ),
    "export": (
        "export_commands",
        "export FHIR Bundles / NDJSON as ISIC CSV, a challenge submission, COCO JSON, NDJSON, DICOM SR or SEG",
    ),
    "demo": ("demo_commands", "write the demo dataset (synthetic images, annotations, AI, reviews)"),
    "predict": ("review_commands", "run an ONNX image classifier and write FHIR AI predictions"),
    "report": ("review_commands", "reports: `report model DEVICE` (AI model performance)"),
    "review": ("review_commands", "review steps on a store: confirm, correct, reject, qa, agreement, series"),
    "site": ("site_commands", "render the guide as a static web site"),
    "stats": (
        "stats_commands",
        "count images, findings, sites, methods, AI vs human, skin tones and splits in FHIR data",
    ),
}


def parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command tree: every command in full (`command` None), or `command` in full and the others by name and
    help only (enough for `--help` and for usage errors)."""
    root = argparse.ArgumentParser(
        prog="dermfhir",
        description="Dermatology Image Annotation FHIR IG (R4): the guide, its packages and tools.",
    )
    root.add_argument("--version", action="version", version=f"dermfhir {__version__}")
    commands = root.add_subparsers(dest="command", metavar="COMMAND", required=True)
    modules = {module for module, _ in COMMANDS.values()} if command is None else set()
    if command in COMMANDS:
        modules.add(COMMANDS[command][0])
    for name, (module, help_text) in COMMANDS.items():
        if module in modules:
            importlib.import_module(f"dermfhir.cli.{module}").register(commands)
            modules.discard(module)
        elif name not in commands.choices:
            commands.add_parser(name, help=help_text)
    return root


def _command(argv: Sequence[str]) -> str | None:
    """The command named on the command line (the first argument that is not an option)."""
    return next((argument for argument in argv if not argument.startswith("-")), None)


def main(argv: Sequence[str] | None = None) -> int:
    from dermfhir.definitions.cache import PackageNotFoundError

    argv = list(sys.argv[1:] if argv is None else argv)
    arguments = parser(_command(argv) or "").parse_args(argv)
    try:
        return int(arguments.run(arguments))
    except PackageNotFoundError as error:
        print(f"dermfhir: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
