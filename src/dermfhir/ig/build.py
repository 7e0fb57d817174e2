"""Compiling the guide: FSH (`ig/`) → SUSHI with snapshots → `src/dermfhir/ig/package/` + the FHIR NPM tarball.

`build()` compiles in a scratch copy of the FSH folder, fails on any SUSHI error *or warning*, and returns the
compiled resources; `write_package()` lays them out as a FHIR package (package.json, .index.json, one file per
resource); `check()` reports every difference between a fresh build and the committed package.

SUSHI finds packages in `$HOME/.fhir/packages`; when `FHIR_PACKAGE_CACHE` points elsewhere, SUSHI is run with a
HOME whose `.fhir/packages` is that folder.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import orjson
import yaml

from dermfhir.definitions.cache import CORE_PACKAGE, CORE_VERSION, package_cache
from dermfhir.definitions.install import STUB_VERSION, index_entry, write_tarball

_RESULT_LINE = re.compile(r"(\d+)\s+Errors?\s+(\d+)\s+Warnings?")


class BuildError(RuntimeError):
    """SUSHI failed, or reported errors or warnings; the message carries SUSHI's own lines."""


@dataclass
class BuildResult:
    """What one SUSHI run produced."""

    resources: dict[str, bytes]  # file name → JSON as SUSHI wrote it
    errors: int
    warnings: int
    log: str


def build(ig_folder: Path, sushi: Path) -> BuildResult:
    """Run SUSHI (with snapshots) on a scratch copy of `ig_folder`; raise BuildError unless clean."""
    if not sushi.exists():
        raise BuildError(f"SUSHI not found at {sushi}; run `make setup` (npm install) first.")
    with tempfile.TemporaryDirectory(prefix="dermfhir-ig-") as scratch:
        work = Path(scratch) / "ig"
        shutil.copytree(ig_folder, work, ignore=shutil.ignore_patterns("fsh-generated", "output", "temp"))
        completed = subprocess.run(
            [str(sushi), "build", str(work), "--snapshot"],
            capture_output=True,
            text=True,
            env=_sushi_environment(),
            check=False,
        )
        log = completed.stdout + completed.stderr
        match = _RESULT_LINE.search(log)
        errors, warnings = (int(match.group(1)), int(match.group(2))) if match else (-1, -1)
        problems = [line for line in log.splitlines() if line.startswith(("error", "warn"))]
        if completed.returncode != 0 or errors != 0 or warnings != 0:
            detail = "\n".join(problems) or log[-4000:]
            raise BuildError(f"SUSHI reported {errors} error(s) and {warnings} warning(s):\n{detail}")
        output = work / "fsh-generated" / "resources"
        resources = {path.name: path.read_bytes() for path in sorted(output.glob("*.json"))}
    return BuildResult(resources=resources, errors=errors, warnings=warnings, log=log)


def package_manifest(ig_folder: Path) -> dict:
    """package.json of the guide, from sushi-config.yaml."""
    config = yaml.safe_load((ig_folder / "sushi-config.yaml").read_text())
    return {
        "name": config["id"],
        "version": config["version"],
        "title": config["title"],
        "description": " ".join(str(config["description"]).split()),
        "canonical": config["canonical"],
        "url": config["canonical"],
        "fhirVersions": [config["fhirVersion"]],
        "type": "IG",
        "license": config.get("license"),
        "author": config["publisher"]["name"],
        "date": str(config.get("date", "")).replace("-", ""),
        "dependencies": {CORE_PACKAGE: CORE_VERSION, **_real_dependencies(config)},
    }


def _real_dependencies(config: dict) -> dict[str, str]:
    """The packages sushi-config.yaml depends on, without the empty stubs that only keep SUSHI offline."""
    return {
        str(name): str(version)
        for name, version in (config.get("dependencies") or {}).items()
        if str(version) != STUB_VERSION
    }


#: ImplementationGuide.definition.parameter.code is bound (required) to GuideParameterCode in R4.
R4_GUIDE_PARAMETERS = frozenset(
    {
        "apply",
        "path-resource",
        "path-pages",
        "path-tx-cache",
        "expansion-parameter",
        "rule-broken-links",
        "generate-xml",
        "generate-json",
        "generate-turtle",
        "html-template",
    }
)


def r4_implementation_guide(data: bytes) -> bytes:
    """The ImplementationGuide without the IG Publisher's own parameters (`copyrightyear`, `releaselabel`).

    SUSHI writes them for the IG Publisher, but R4 binds parameter codes to GuideParameterCode (required), so the
    resource would not validate; the package carries a valid R4 ImplementationGuide instead.
    """
    guide = orjson.loads(data)
    definition = guide.get("definition", {})
    kept = [p for p in definition.get("parameter", []) if p.get("code") in R4_GUIDE_PARAMETERS]
    if kept == definition.get("parameter", []):
        return data
    if kept:
        definition["parameter"] = kept
    else:
        definition.pop("parameter", None)
    return orjson.dumps(guide, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def package_files(ig_folder: Path, result: BuildResult) -> dict[str, bytes]:
    """Every file of the package folder: the resources, package.json and .index.json."""
    files = {
        name: r4_implementation_guide(data) if name.startswith("ImplementationGuide-") else data
        for name, data in result.resources.items()
    }
    index = [index_entry(name, orjson.loads(data)) for name, data in sorted(files.items())]
    option = orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE
    files["package.json"] = orjson.dumps(package_manifest(ig_folder), option=option)
    files[".index.json"] = orjson.dumps({"index-version": 1, "files": index}, option=option)
    return files


def write_package(files: dict[str, bytes], folder: Path, tarball: Path | None = None) -> None:
    """Replace the contents of `folder` with `files`; also write the NPM tarball when asked."""
    if folder.exists():
        for old in folder.iterdir():
            if old.is_file():
                old.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    if tarball is not None:
        write_tarball(folder, tarball)


def check(files: dict[str, bytes], folder: Path) -> list[str]:
    """Differences between a fresh build and the committed package folder (empty when they agree)."""
    committed = {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()} if folder.exists() else {}
    differences = [f"missing from the committed package: {name}" for name in sorted(set(files) - set(committed))]
    differences += [f"not produced by the FSH any more: {name}" for name in sorted(set(committed) - set(files))]
    differences += [
        f"differs from a fresh build: {name}"
        for name in sorted(set(files) & set(committed))
        if files[name] != committed[name]
    ]
    return differences


def _sushi_environment() -> dict[str, str]:
    environment = dict(os.environ)
    cache = package_cache().resolve()
    if cache != (Path.home() / ".fhir" / "packages").resolve():
        if cache.name != "packages" or cache.parent.name != ".fhir":
            raise BuildError(
                f"FHIR_PACKAGE_CACHE={cache}: SUSHI reads packages from <HOME>/.fhir/packages, "
                "so a cache used with SUSHI must be a folder named .fhir/packages."
            )
        environment["HOME"] = str(cache.parent.parent)
    return environment
