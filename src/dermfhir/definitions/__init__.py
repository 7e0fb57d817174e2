"""FHIR packages: the R4 core package in the FHIR package cache, the guide's package, canonical resolution.

>>> from dermfhir.definitions import Definitions
>>> definitions = Definitions.default()
>>> definitions.structure_definition("Observation").type
'Observation'
"""

from dermfhir.definitions.cache import PackageNotFoundError, package_cache, package_folder
from dermfhir.definitions.loader import (
    Definitions,
    base_packages,
    core_package,
    guide_package,
    terminology_packages,
)
from dermfhir.definitions.package import MemoryPackage, Package
from dermfhir.definitions.structure import ElementDefinition, StructureDefinition, TypeRef

__all__ = [
    "Definitions",
    "ElementDefinition",
    "MemoryPackage",
    "Package",
    "PackageNotFoundError",
    "StructureDefinition",
    "TypeRef",
    "base_packages",
    "core_package",
    "guide_package",
    "package_cache",
    "package_folder",
    "terminology_packages",
]
