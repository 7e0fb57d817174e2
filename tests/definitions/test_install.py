import io
import tarfile
from pathlib import Path

import orjson
import pytest

from dermfhir.cli.main import main
from dermfhir.definitions import Package
from dermfhir.definitions.install import install_core, install_dicom, install_stubs, install_tarball, write_tarball

_VALUE_SET = {"resourceType": "ValueSet", "id": "vs", "url": "http://example.org/ValueSet/vs", "version": "1"}


def _bundles(folder: Path) -> Path:
    """A miniature dist/fhir/r4 with a duplicate (first occurrence must win)."""
    folder.mkdir()
    structure = {
        "resourceType": "StructureDefinition",
        "id": "Thing",
        "url": "http://hl7.org/fhir/StructureDefinition/Thing",
        "kind": "resource",
        "type": "Thing",
    }
    for name in (
        "profiles-types.json",
        "profiles-resources.json",
        "profiles-others.json",
        "extension-definitions.json",
        "v3-codesystems.json",
        "v2-tables.json",
        "conceptmaps.json",
        "search-parameters.json",
    ):
        (folder / name).write_bytes(orjson.dumps({"resourceType": "Bundle", "entry": []}))
    (folder / "profiles-resources.json").write_bytes(
        orjson.dumps({"resourceType": "Bundle", "entry": [{"resource": structure}]})
    )
    duplicate = dict(_VALUE_SET, version="2")
    (folder / "valuesets.json").write_bytes(
        orjson.dumps({"resourceType": "Bundle", "entry": [{"resource": _VALUE_SET}, {"resource": duplicate}]})
    )
    return folder


def test_core_package_layout(tmp_path: Path) -> None:
    folder = install_core(_bundles(tmp_path / "r4"), cache=tmp_path / "cache")
    assert folder == tmp_path / "cache" / "hl7.fhir.r4.core#4.0.1" / "package"
    package = Package(folder)
    assert (package.name, package.version) == ("hl7.fhir.r4.core", "4.0.1")
    assert package.manifest["fhirVersions"] == ["4.0.1"]
    assert sorted(entry["filename"] for entry in package.index) == [
        "StructureDefinition-Thing.json",
        "ValueSet-vs.json",
    ]
    assert package.load("ValueSet-vs.json")["version"] == "1"
    assert next(e for e in package.index if e["id"] == "Thing")["kind"] == "resource"


def test_core_package_is_not_rebuilt_unless_forced(tmp_path: Path) -> None:
    source = _bundles(tmp_path / "r4")
    folder = install_core(source, cache=tmp_path / "cache")
    (folder / "marker").write_text("kept")
    install_core(source, cache=tmp_path / "cache")
    assert (folder / "marker").exists()
    install_core(source, cache=tmp_path / "cache", force=True)
    assert not (folder / "marker").exists()


def test_stubs_are_empty_packages(tmp_path: Path) -> None:
    folders = install_stubs(cache=tmp_path)
    assert {Package(f).name for f in folders} == {"hl7.fhir.uv.tools.r4", "hl7.fhir.uv.extensions.r4"}
    assert all(Package(f).index == [] and Package(f).version == "0.0.1-stub" for f in folders)


def test_tarball_round_trip(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "package.json").write_bytes(orjson.dumps({"name": "example.pkg", "version": "1.2.3"}))
    (source / "ValueSet-vs.json").write_bytes(orjson.dumps(_VALUE_SET))
    tarball = write_tarball(source, tmp_path / "dist" / "example.tgz")
    with tarfile.open(tarball) as archive:
        assert sorted(archive.getnames()) == ["package/ValueSet-vs.json", "package/package.json"]
    assert write_tarball(source, tmp_path / "again.tgz").read_bytes() == tarball.read_bytes()  # reproducible
    folder = install_tarball(tarball, cache=tmp_path / "cache")
    assert folder == tmp_path / "cache" / "example.pkg#1.2.3" / "package"
    assert Package(folder).index[0]["url"] == "http://example.org/ValueSet/vs"


def test_a_file_that_is_not_a_package_is_refused_cleanly(tmp_path: Path) -> None:
    not_a_tarball = tmp_path / "x.tgz"
    not_a_tarball.write_text("{}")
    with pytest.raises(ValueError, match="not a FHIR package tarball"):
        install_tarball(not_a_tarball, cache=tmp_path / "cache")
    empty = tmp_path / "empty.tgz"
    with tarfile.open(empty, "w:gz"):
        pass
    with pytest.raises(ValueError, match=r"no package/package\.json"):
        install_tarball(empty, cache=tmp_path / "cache")
    assert not any((tmp_path / "cache").glob("*#*"))


def test_a_broken_bundle_leaves_no_half_built_core_package(tmp_path: Path) -> None:
    source = _bundles(tmp_path / "r4")
    (source / "valuesets.json").write_text("{broken")
    with pytest.raises(orjson.JSONDecodeError):
        install_core(source, cache=tmp_path / "cache")
    assert list((tmp_path / "cache").iterdir()) == []


def test_cli_reports_a_bad_tarball_without_a_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.tgz"
    bad.write_text("not gzip")
    assert main(["packages", "install", str(bad)]) == 1
    assert "not a FHIR package tarball" in capsys.readouterr().err


def _tarball_without_index(tmp_path: Path, version: str = "1.0.0") -> Path:
    """A FHIR package as npm carries it: package.json and resources, no .index.json (hl7.terminology.r4 has none)."""
    tarball = tmp_path / f"thing-{version}.tgz"
    manifest = {"name": "example.thing", "version": version, "canonical": "http://example.org"}
    with tarfile.open(tarball, "w:gz") as archive:
        for name, content in (
            ("package/package.json", manifest),
            ("package/ValueSet-vs.json", _VALUE_SET),
            ("package/other/readme.json", {"not": "a resource"}),
            ("package/notes.json", ["not", "a", "resource"]),
        ):
            data = orjson.dumps(content)
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return tarball


def test_tarball_without_an_index_gets_one(tmp_path: Path) -> None:
    folder = install_tarball(_tarball_without_index(tmp_path), cache=tmp_path / "cache")
    index = orjson.loads((folder / ".index.json").read_bytes())["files"]
    assert index == [{"filename": "ValueSet-vs.json", "resourceType": "ValueSet", "id": "vs", **_urls(_VALUE_SET)}]
    assert Package(folder).load("ValueSet-vs.json")["url"] == _VALUE_SET["url"]


def test_keep_leaves_an_installed_package_alone(tmp_path: Path) -> None:
    tarball = _tarball_without_index(tmp_path)
    folder = install_tarball(tarball, cache=tmp_path / "cache")
    (folder / "marker").write_text("kept")
    install_tarball(tarball, cache=tmp_path / "cache", force=False)
    assert (folder / "marker").exists()
    install_tarball(tarball, cache=tmp_path / "cache")
    assert not (folder / "marker").exists()


def _urls(resource: dict) -> dict:
    return {"url": resource["url"], "version": resource["version"]}


def test_dicom_package_holds_dcm_of_an_edition(tmp_path: Path) -> None:
    folder = install_dicom(cache=tmp_path)
    package = Package(folder)
    assert package.name == "dermfhir.dicom-dcm" and folder.parent.name == f"dermfhir.dicom-dcm#{package.version}"
    [entry] = package.index
    code_system = package.load(entry["filename"])
    assert code_system["url"] == "http://dicom.nema.org/resources/ontology/DCM"
    assert code_system["version"] == package.version and code_system["content"] == "complete"
    concepts = {concept["code"]: concept["display"] for concept in code_system["concept"]}
    assert concepts["DMS"] == "Dermoscopy" and concepts["XC"] == "External-camera Photography"
    assert code_system["count"] == len(concepts) > 4000


def test_packages_install_cli_reports_a_bad_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.tgz"
    bad.write_bytes(b"not a tarball")
    assert main(["packages", "install", str(bad)]) == 1
    assert "not a FHIR package tarball" in capsys.readouterr().err
