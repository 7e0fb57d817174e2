"""`dermfhir site build`: the guide as a static web site (HTML pages, the package tarball, every resource's JSON)."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from dermfhir.definitions import PackageNotFoundError
from dermfhir.definitions.loader import GUIDE_PACKAGE_FOLDER
from dermfhir.site import build_site, check_html, check_links
from dermfhir.site.build import PAGES_FOLDER, SiteError


def register(commands: argparse._SubParsersAction) -> None:
    site = commands.add_parser("site", help="render the guide as a static web site")
    actions = site.add_subparsers(dest="action", metavar="ACTION", required=True)
    build = actions.add_parser(
        "build", help="render every page, profile, vocabulary, map and example of the guide to HTML"
    )
    build.add_argument("--out", type=Path, default=Path("site"), help="the folder to write (default: site; replaced)")
    build.add_argument("--package", type=Path, default=GUIDE_PACKAGE_FOLDER, help="the compiled guide package folder")
    build.add_argument("--pages", type=Path, default=PAGES_FOLDER, help="the folder of the markdown pages")
    build.add_argument(
        "--check", action="store_true", help="then check every internal link and anchor and the HTML; exit 1 on any"
    )
    build.set_defaults(run=_build)


def _build(arguments: argparse.Namespace) -> int:
    console = Console(stderr=True, soft_wrap=True)
    try:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console) as bar:
            task = bar.add_task("rendering the guide", total=None)
            report = build_site(
                arguments.out,
                package_folder=arguments.package,
                pages_folder=arguments.pages,
                progress=lambda name: bar.advance(task),
            )
    except (SiteError, PackageNotFoundError, OSError) as error:
        console.print(f"[red]dermfhir site build failed:[/red] {error}", highlight=False)
        return 1
    console.print(
        f"wrote {report.pages} pages and {report.resources} resource pages to {report.folder} "
        f"in {report.seconds:.1f} s; open {report.folder / 'index.html'}",
        highlight=False,
    )
    if not arguments.check:
        return 0
    problems = check_links(arguments.out) + check_html(arguments.out)
    for problem in problems:
        console.print(f"[red]{problem}[/red]", highlight=False)
    if problems:
        console.print(f"{len(problems)} problem(s) in the site")
        return 1
    console.print("every internal link and anchor resolves; every page parses as HTML5 without errors")
    return 0
