"""The definitions in force: the R4 core package, the guide's package and its terminology, and canonical resolution.

`Definitions.default()` loads from the FHIR package cache the terminology editions (`terminology_packages()`: HL7
Terminology `hl7.terminology.r4`, which the guide depends on, and DICOM's DCM), then `hl7.fhir.r4.core#4.0.1`, then
the guide's compiled package shipped inside dermfhir (`dermfhir/ig/package/`). The terminology editions come first
because the core package carries 2019 copies of the same code systems and value sets (same canonical URLs), and the
first package holding a URL answers for it. `resolve("url|version")` finds any canonical resource.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

from dermfhir.definitions.cache import (
    CORE_PACKAGE,
    CORE_VERSION,
    DICOM_PACKAGE,
    THO_PACKAGE,
    THO_VERSION,
    PackageNotFoundError,
    newest_package_folder,
    package_folder,
)
from dermfhir.definitions.package import MemoryPackage, Package
from dermfhir.definitions.structure import StructureDefinition

#: The guide's compiled package, committed in the source tree and shipped in the wheel.
GUIDE_PACKAGE_FOLDER = Path(__file__).resolve().parent.parent / "ig" / "package"
FHIR_BASE = "http://hl7.org/fhir/StructureDefinition/"


class Definitions:
    """Canonical resources of several packages; later packages do not override earlier ones.

    Order matters only for a canonical URL that two packages hold (a code system and its older copy): the first
    package answers a request without a version.
    """

    def __init__(self, packages: Iterable[Package]) -> None:
        self.packages = list(packages)
        self._by_url: dict[str, list[tuple[Package, dict]]] = {}
        self._by_type_id: dict[tuple[str, str], tuple[Package, dict]] = {}
        for package in self.packages:
            for entry in package.index:
                key = (entry["resourceType"], entry.get("id") or "")
                self._by_type_id.setdefault(key, (package, entry))
                url = entry.get("url")
                if url:
                    self._by_url.setdefault(url, []).append((package, entry))
        self._structures: dict[str, StructureDefinition] = {}

    @classmethod
    def default(cls) -> Definitions:
        """The core package and the guide's package (loaded once per process)."""
        return _default()

    def resolve(self, canonical: str) -> dict | None:
        """The resource with this canonical URL (`url` or `url|version`), or None."""
        found = self.locate(canonical)
        return found[0].load(found[1]["filename"]) if found else None

    def locate(self, canonical: str) -> tuple[Package, dict] | None:
        """The package holding the resource with this canonical URL, and its index entry; None when not loaded."""
        url, _, version = canonical.partition("|")
        candidates = self._by_url.get(url, [])
        for package, entry in candidates:
            if not version or entry.get("version") == version or _version_matches(entry, version):
                return package, entry
        return None

    def read(self, resource_type: str, resource_id: str) -> dict | None:
        """A resource of the loaded packages by type and id."""
        found = self._by_type_id.get((resource_type, resource_id))
        return found[0].load(found[1]["filename"]) if found else None

    def resources(self, resource_type: str | None = None) -> Iterator[dict]:
        """Every resource, or every resource of one type, across packages."""
        for package in self.packages:
            yield from package.resources(resource_type)

    def structure_definition(self, url_or_type: str) -> StructureDefinition | None:
        """The StructureDefinition for a canonical URL or a core type name (`Observation`), snapshot indexed."""
        url = url_or_type if ":" in url_or_type else FHIR_BASE + url_or_type
        url = url.partition("|")[0]
        structure = self._structures.get(url)
        if structure is None:
            json = self.resolve(url)
            if json is None or json.get("resourceType") != "StructureDefinition" or "snapshot" not in json:
                return None
            structure = StructureDefinition(json)
            self._structures[url] = structure
        return structure

    def with_resources(self, resources: Iterable[dict]) -> Definitions:
        """A copy of these definitions with extra in-memory resources (profiles, value sets…) added after the packages.

        The packages (and the resources they have parsed) are shared, not copied; the original is left unchanged.
        """
        copy = Definitions.__new__(Definitions)
        copy.packages = list(self.packages)
        copy._by_url = {url: list(found) for url, found in self._by_url.items()}
        copy._by_type_id = dict(self._by_type_id)
        copy._structures = dict(self._structures)
        memory = MemoryPackage()
        copy.packages.append(memory)
        for resource in resources:
            copy.add(resource, memory)
        return copy

    def add(self, resource: dict, package: MemoryPackage | None = None) -> None:
        """Add one in-memory resource; like a later package, it does not override what is already known."""
        if package is None:
            package = next((p for p in self.packages if isinstance(p, MemoryPackage)), None)
            if package is None:
                package = MemoryPackage()
                self.packages.append(package)
        entry = package.add(resource)
        key = (entry["resourceType"], entry.get("id") or "")
        self._by_type_id.setdefault(key, (package, entry))
        url = entry.get("url")
        if url:
            self._by_url.setdefault(url, []).append((package, entry))

    def package(self, name: str) -> Package | None:
        return next((package for package in self.packages if package.name == name), None)

    def __repr__(self) -> str:
        return f"Definitions({', '.join(f'{p.name}#{p.version}' for p in self.packages)})"


def _version_matches(entry: dict, version: str) -> bool:
    """`|4.0` matches 4.0.1: FHIR allows partial (major.minor) version references."""
    have = str(entry.get("version") or "")
    return bool(have) and have.startswith(version + ".")


def core_package() -> Package:
    """hl7.fhir.r4.core#4.0.1 from the package cache (PackageNotFoundError explains how to install it)."""
    return Package(package_folder(CORE_PACKAGE, CORE_VERSION))


def terminology_packages() -> list[Package]:
    """The terminology editions newer than the core package's copies: HL7 Terminology (THO) and DICOM's DCM."""
    return [Package(package_folder(THO_PACKAGE, THO_VERSION)), Package(newest_package_folder(DICOM_PACKAGE))]


def base_packages() -> list[Package]:
    """The terminology editions and the core package: every definition but the guide's."""
    return [*terminology_packages(), core_package()]


def guide_package() -> Package:
    """The guide's compiled package shipped with dermfhir."""
    if not (GUIDE_PACKAGE_FOLDER / "package.json").is_file():
        raise PackageNotFoundError(
            f"The guide's compiled package is missing from {GUIDE_PACKAGE_FOLDER}; run `make ig` to build it."
        )
    return Package(GUIDE_PACKAGE_FOLDER)


@lru_cache(maxsize=1)
def _default() -> Definitions:
    return Definitions([*base_packages(), guide_package()])
