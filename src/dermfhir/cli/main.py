"""`dermfhir`: one entry point, one sub-command module per task (`dermfhir <command> --help`).

Exit status: 0 success, 1 the task found a problem (errors, failed build), 2 usage errors.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from dermfhir import __version__
from dermfhir.cli import (
    demo_commands,
    export_commands,
    ig_commands,
    import_commands,
    load_commands,
    package_commands,
    review_commands,
    serve_commands,
    validate_commands,
)
from dermfhir.definitions.cache import PackageNotFoundError


def parser() -> argparse.ArgumentParser:
    """The whole command tree (kept in one place so `--help` always tells the truth)."""
    root = argparse.ArgumentParser(
        prog="dermfhir",
        description="Dermatology Image Annotation FHIR IG (R4): the guide, its packages and tools.",
    )
    root.add_argument("--version", action="version", version=f"dermfhir {__version__}")
    commands = root.add_subparsers(dest="command", metavar="COMMAND", required=True)
    package_commands.register(commands)
    ig_commands.register(commands)
    validate_commands.register(commands)
    serve_commands.register(commands)
    load_commands.register(commands)
    import_commands.register(commands)
    export_commands.register(commands)
    demo_commands.register(commands)
    review_commands.register(commands)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    try:
        return int(arguments.run(arguments))
    except PackageNotFoundError as error:
        print(f"dermfhir: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
