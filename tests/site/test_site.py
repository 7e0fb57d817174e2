"""The rendered guide site: a page per artifact under the published file names, tables a reader needs, no broken
internal link or anchor, valid HTML5, the package download, the CLI and the /ig/ route of the server."""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import warnings
from html.parser import HTMLParser
from pathlib import Path

import pytest

from dermfhir.definitions import Package
from dermfhir.definitions.loader import GUIDE_PACKAGE_FOLDER
from dermfhir.site import build_site, check_html, check_links
from dermfhir.site.build import SiteError
from dermfhir.site.markdown import render

with warnings.catch_warnings():  # starlette warns about its httpx-based client on import
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("site") / "site"
    build_site(folder)
    return folder


@pytest.fixture(scope="module")
def guide() -> Package:
    return Package(GUIDE_PACKAGE_FOLDER)


class _Text(HTMLParser):
    """Visible text and table rows of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.rows_by_table: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.rows_by_table.append(0)
        elif tag == "tr" and self.rows_by_table:
            self.rows_by_table[-1] += 1

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _text(path: Path) -> str:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return " ".join(" ".join(parser.parts).split())


def test_every_artifact_has_its_page_under_the_published_name(site: Path, guide: Package) -> None:
    resources = list(guide.resources())
    assert len(resources) == len(guide.index)
    for resource in resources:
        stem = f"{resource['resourceType']}-{resource['id']}"
        for name in (f"{stem}.html", f"{stem}.json.html", f"{stem}.json"):
            assert (site / name).is_file(), name
    for name in ("StructureDefinition-ai-prediction.html", "CodeSystem-annotation-method.html", "index.html"):
        assert (site / name).is_file()


def test_artifacts_page_lists_every_conformance_resource(site: Path, guide: Package) -> None:
    page = (site / "artifacts.html").read_text()
    for resource_type in ("CapabilityStatement", "SearchParameter", "OperationDefinition", "CodeSystem"):
        for resource in guide.resources(resource_type):
            assert f'href="{resource_type}-{resource["id"]}.html"' in page, resource["id"]


def test_every_narrative_page_is_rendered(site: Path) -> None:
    names = [
        "index",
        "background",
        "spec",
        "terminology",
        "ai-transparency",
        "smart-imaging",
        "examples",
        "artifacts",
        "model",
        "workflow",
        "isic-mapping",
        "conformance",
        "downloads",
    ]
    for name in names:
        text = _text(site / f"{name}.html")
        assert len(text) > 400, name


def test_no_broken_internal_link_or_anchor(site: Path) -> None:
    assert check_links(site) == []


def test_every_page_is_valid_html5(site: Path) -> None:
    assert check_html(site) == []


def test_profile_page_tables(site: Path) -> None:
    page = (site / "StructureDefinition-dermatology-image-annotation.html").read_text(encoding="utf-8")
    for section in ("key-elements", "differential", "snapshot", "bindings", "invariants", "slices"):
        assert f'id="{section}"' in page, section
    text = _text(site / "StructureDefinition-dermatology-image-annotation.html")
    assert "MS" in text
    # bindings with their strength, linked to the value set page
    assert re.search(
        r'href="ValueSet-annotation-methods.html">Annotation Methods</a> \(<strong>required</strong>\)', page
    )
    assert re.search(
        r'href="ValueSet-body-sites-skin.html">Body Sites - Skin</a> \(<strong>extensible</strong>\)', page
    )
    # the guide's invariants, not FHIR's own
    assert 'id="inv-annot-final-performer"' in page and 'id="inv-ele-1"' not in page
    # the component slicing and its slices
    assert "pattern @ code" in text and "skinFinding 1..*" in text
    assert 'id="snap-Observation.component:skinFinding"' in page
    assert 'id="diff-Observation.component:skinFinding"' in page


def test_extension_page(site: Path) -> None:
    text = _text(site / "StructureDefinition-overlay-image.html")
    assert "Extension of Extension" in text and "Context of use" in text


def test_code_system_hierarchy(site: Path, guide: Package) -> None:
    resource = next(r for r in guide.resources("CodeSystem") if r["id"] == "isic-diagnosis")

    def count(concepts: list[dict]) -> int:
        return sum(1 + count(c.get("concept", [])) for c in concepts)

    page = (site / "CodeSystem-isic-diagnosis.html").read_text(encoding="utf-8")
    rows = re.findall(r'<tr id="isic-diagnosis-[^"]+"><td>(\d)</td>', page)
    assert len(rows) == count(resource["concept"]) >= 400
    assert {"1", "2", "3"} <= set(rows), "levels of the hierarchy"


def test_value_set_expansion(site: Path) -> None:
    from dermfhir.terminology import Terminology

    text = _text(site / "ValueSet-body-sites-skin.html")
    expansion = Terminology.default().expand("https://annotatemd.com/fhir/ig/ValueSet/body-sites-skin")
    assert len(expansion.contains) > 23  # the 23 published concepts and the marked completion
    assert f"{len(expansion.contains)} concepts" in text
    assert "Scalp structure" in text and "inactive" in text
    methods = (site / "ValueSet-annotation-methods.html").read_text(encoding="utf-8")
    assert 'href="CodeSystem-annotation-method.html#annotation-method-ai-inference"' in methods


def test_concept_map_table(site: Path, guide: Package) -> None:
    resource = next(r for r in guide.resources("ConceptMap") if r["id"] == "ham10000-dx-to-snomed")
    targets = sum(len(e.get("target", [])) or 1 for g in resource["group"] for e in g["element"])
    page = (site / "ConceptMap-ham10000-dx-to-snomed.html").read_text(encoding="utf-8")
    assert f"{targets} mappings" in page
    assert "<th>Relationship</th>" in page


def test_example_rendered_and_as_json(site: Path) -> None:
    text = _text(site / "Observation-ExampleMelanomaAnnotation.html")
    assert "Upper arm structure" in text and "Irregularly bordered lesion" in text
    page = (site / "Observation-ExampleMelanomaAnnotation.html").read_text(encoding="utf-8")
    assert 'href="Patient-example-patient.html"' in page
    assert 'href="CodeSystem-annotation-method.html#annotation-method-expert-annotation"' in page
    assert '"resourceType": "Observation"' in page
    assert "ExampleMelanomaAnnotation" in _text(site / "Observation-ExampleMelanomaAnnotation.json.html")


def test_downloads_page_offers_the_package(site: Path, guide: Package) -> None:
    page = (site / "downloads.html").read_text(encoding="utf-8")
    name = f"{guide.name}-{guide.version}.tgz"
    assert f'href="{name}"' in page
    with tarfile.open(site / name) as archive:
        names = archive.getnames()
    assert "package/package.json" in names and len(names) == len(guide.index) + 2


def test_link_checker_finds_broken_links_and_anchors(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text(
        '<!DOCTYPE html><html><head><title>a</title></head><body><p id="here">'
        '<a href="b.html">b</a> <a href="missing.html">m</a> <a href="b.html#nowhere">n</a> '
        '<a href="#here">h</a> <a href="#gone">g</a> <a href="https://example.org/x.html">x</a></p></body></html>'
    )
    (tmp_path / "b.html").write_text("<!DOCTYPE html><html><head><title>b</title></head><body></body></html>")
    problems = check_links(tmp_path)
    assert problems == [
        "a.html: missing.html (no such file)",
        "a.html: b.html#nowhere (no anchor #nowhere)",
        "a.html: #gone (no anchor #gone)",
    ]


def test_html_checker_finds_invalid_html(tmp_path: Path) -> None:
    (tmp_path / "bad.html").write_text("<html><body><p>unclosed <b>bold</p></table></body></html>")
    assert check_html(tmp_path)


def test_markdown_escapes_raw_html_and_gives_headings_ids() -> None:
    html = render("## AI Transparency\n\n<script>alert(1)</script>\n\n## AI Transparency\n")
    assert "<script>" not in html
    assert '<h2 id="ai-transparency">' in html and '<h2 id="ai-transparency-1">' in html


def test_missing_pages_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SiteError, match="narrative pages are missing"):
        build_site(tmp_path / "out", pages_folder=tmp_path / "nowhere")


def test_cli_builds_and_checks(tmp_path: Path) -> None:
    out = tmp_path / "web"
    done = subprocess.run(
        [sys.executable, "-m", "dermfhir.cli.main", "site", "build", "--out", str(out), "--check"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert (out / "index.html").is_file()
    failed = subprocess.run(
        [sys.executable, "-m", "dermfhir.cli.main", "site", "build", "--out", str(out), "--package", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert failed.returncode == 1
    assert "Traceback" not in failed.stderr
    assert "no package.json" in failed.stderr


def test_server_serves_the_site_at_ig(site: Path, tmp_path: Path) -> None:
    from dermfhir.server import ServerConfig, create_app

    app = create_app(ServerConfig(db=str(tmp_path / "s.db"), site_folder=site))
    with TestClient(app) as client:
        home = client.get("/ig/")
        assert home.status_code == 200 and "text/html" in home.headers["content-type"]
        assert client.get("/ig", follow_redirects=False).status_code in (302, 307)
        assert client.get("/ig/StructureDefinition-ai-prediction.html").status_code == 200
        assert client.get("/ig/no-such-page.html").status_code == 404
        assert client.get("/ig/../pyproject.toml").status_code == 404
        assert client.get("/metadata").json()["resourceType"] == "CapabilityStatement"


def test_every_resource_page_has_a_generated_narrative(site: Path, guide: Package) -> None:
    """SUSHI writes no text.div: the site generates the narrative of every instance; definitions get their tables."""
    tables = {
        "StructureDefinition": 'id="snapshot"',
        "CodeSystem": 'id="concepts"',
        "ValueSet": 'id="expansion"',
        "ConceptMap": 'id="mappings"',
    }
    for resource in guide.resources():
        page = (site / f"{resource['resourceType']}-{resource['id']}.html").read_text(encoding="utf-8")
        expected = tables.get(resource["resourceType"], 'class="narrative"')
        assert expected in page, (resource["resourceType"], resource["id"])
        assert 'class="meta"' in page


def test_serve_command_serves_the_site(site: Path, tmp_path: Path) -> None:
    import socket
    import time

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "dermfhir.cli.main", "serve", "--db", str(tmp_path / "s.db")]
    process = subprocess.Popen(
        [*command, "--port", str(port), "--site", str(site)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/ig/CodeSystem-annotation-method.html", timeout=2)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.3)
        assert response.status_code == 200
        assert "Expert Manual Annotation" in response.text
    finally:
        process.terminate()
        process.wait(timeout=30)
