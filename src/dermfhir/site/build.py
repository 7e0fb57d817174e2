"""Rendering the whole guide to a folder of static HTML pages.

The file names are those of the published site (`StructureDefinition-ai-prediction.html`,
`CodeSystem-annotation-method.html`, `index.html`, …) so links into the published guide work against this site; each
resource also has `{Type}-{id}.json.html` (its JSON, readable) and `{Type}-{id}.json` (the raw file). Every link is
relative, so the site works from any folder or URL prefix (`dermfhir serve` mounts it at `/ig/`).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import yaml
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from dermfhir.definitions import Definitions, Package, base_packages
from dermfhir.definitions.install import write_tarball
from dermfhir.definitions.loader import GUIDE_PACKAGE_FOLDER
from dermfhir.site import artifacts, markdown
from dermfhir.site.links import Linker
from dermfhir.site.narrative import narrative
from dermfhir.terminology import Terminology

HERE = Path(__file__).resolve().parent
IG_FOLDER = HERE.parents[2] / "ig"
PAGES_FOLDER = IG_FOLDER / "input" / "pagecontent"

#: the order of the resource groups on the artifacts page: (title, resource type, kind predicate)
GROUPS: list[tuple[str, str, Callable[[dict], bool]]] = [
    ("Capability Statements", "CapabilityStatement", lambda r: True),
    ("Search Parameters", "SearchParameter", lambda r: True),
    ("Operation Definitions", "OperationDefinition", lambda r: True),
    ("Profiles", "StructureDefinition", lambda r: r.get("type") != "Extension"),
    ("Extensions", "StructureDefinition", lambda r: r.get("type") == "Extension"),
    ("Value Sets", "ValueSet", lambda r: True),
    ("Code Systems", "CodeSystem", lambda r: True),
    ("Concept Maps", "ConceptMap", lambda r: True),
]


class SiteError(RuntimeError):
    """The site cannot be built: a page source or the package is missing or unreadable."""


@dataclass
class SiteReport:
    """What one build wrote."""

    folder: Path
    pages: int = 0
    resources: int = 0
    seconds: float = 0.0
    files: list[str] = field(default_factory=list)


def build_site(
    out: Path,
    *,
    package_folder: Path = GUIDE_PACKAGE_FOLDER,
    pages_folder: Path = PAGES_FOLDER,
    config: Path = IG_FOLDER / "sushi-config.yaml",
    progress: Callable[[str], None] | None = None,
) -> SiteReport:
    """Render the guide in `package_folder` (and the markdown pages in `pages_folder`) into `out`."""
    started = time.perf_counter()
    if not (package_folder / "package.json").is_file():
        raise SiteError(f"{package_folder}: no package.json; run `make ig` to compile the guide first")
    if not pages_folder.is_dir():
        raise SiteError(f"{pages_folder}: the guide's narrative pages are missing")
    guide = Package(package_folder)
    definitions = Definitions([*base_packages(), guide])
    terminology = Terminology(definitions)
    settings = _settings(config)
    resources = sorted(guide.resources(), key=lambda r: (r["resourceType"], r["id"]))
    linker = Linker(resources)
    menu = [(title, name) for title, name in settings["menu"]]

    environment = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["link"] = linker.link_html
    environment.filters["json"] = _json_text
    common = {"guide": settings, "menu": menu}

    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    report = SiteReport(folder=out)

    def write(name: str, template: str, **context: object) -> None:
        html = environment.get_template(template).render(**common, page_name=name, **context)
        (out / name).write_text(html, encoding="utf-8")
        report.files.append(name)

    # narrative pages
    for source, title in settings["pages"]:
        path = pages_folder / source
        if not path.is_file():
            raise SiteError(f"{path}: page listed in sushi-config.yaml is missing")
        body = markdown.render(path.read_text(encoding="utf-8"))
        name = Path(source).with_suffix(".html").name
        extra: dict[str, object] = {}
        if name == "artifacts.html":
            extra["groups"] = _groups(resources, linker)
        if name == "index.html":
            extra["ig"] = next((r for r in resources if r["resourceType"] == "ImplementationGuide"), None)
        write(name, "page.html.j2", title=title, body=body, **extra)
        report.pages += 1
        if progress:
            progress(name)

    # one page per resource, plus its JSON
    for resource in resources:
        name = linker.page(resource)
        context = artifacts.context(resource, definitions, terminology, linker)
        write(name, context.pop("template"), resource=resource, narrative=narrative(resource, linker), **context)
        write(
            linker.json_page(resource),
            "json.html.j2",
            resource=resource,
            title=f"{resource['resourceType']}/{resource['id']} (JSON)",
        )
        raw = f"{resource['resourceType']}-{resource['id']}.json"
        (out / raw).write_bytes(orjson.dumps(resource, option=orjson.OPT_INDENT_2))
        report.resources += 1
        if progress:
            progress(name)

    # downloads
    tarball_name = f"{guide.name}-{guide.version}.tgz"
    write_tarball(package_folder, out / tarball_name)
    shutil.copyfile(out / tarball_name, out / "package.tgz")
    write(
        "downloads.html",
        "downloads.html.j2",
        title="Downloads",
        tarball=tarball_name,
        size=(out / tarball_name).stat().st_size,
        resources=resources,
    )
    shutil.copyfile(HERE / "static" / "site.css", out / "site.css")
    report.seconds = time.perf_counter() - started
    return report


def _json_text(value: object) -> Markup:
    """Indented JSON for a `<pre>`: only `&`, `<` and `>` are escaped (quotes need no escaping in text)."""
    text = orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()
    return Markup(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def _settings(config: Path) -> dict:
    """Title, version, status and page list of the guide from sushi-config.yaml."""
    try:
        raw = yaml.safe_load(config.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise SiteError(f"{config}: cannot read the guide configuration ({error})") from error
    pages = [(name, (spec or {}).get("title", name)) for name, spec in (raw.get("pages") or {}).items()]
    menu = [(title, target) for title, target in (raw.get("menu") or {}).items()]
    if not any(target == "downloads.html" for _, target in menu):
        menu.append(("Downloads", "downloads.html"))
    return {
        "title": raw["title"],
        "version": raw["version"],
        "status": raw["status"],
        "date": str(raw.get("date", "")),
        "canonical": raw["canonical"],
        "package": raw["id"],
        "publisher": (raw.get("publisher") or {}).get("name", ""),
        "pages": pages,
        "menu": menu,
    }


def _groups(resources: list[dict], linker: Linker) -> list[dict]:
    """The artifacts of the guide by kind, then its examples, for the artifacts page."""
    groups = []
    definitional: set[int] = set()
    for title, resource_type, keep in GROUPS:
        items = [r for r in resources if r["resourceType"] == resource_type and keep(r)]
        definitional.update(id(r) for r in items)
        if items:
            groups.append({"title": title, "items": items})
    examples = [r for r in resources if id(r) not in definitional and r["resourceType"] != "ImplementationGuide"]
    groups.append({"title": "Examples", "items": examples})
    return groups
