"""One FHIR NPM package on disk: its manifest, its `.index.json`, and its resources, parsed on first use.

Reading only the index at start-up and parsing a resource file when it is first asked for keeps a warm start far
below a second even for the 4,480-resource core package.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from dermfhir.definitions.install import index_entry


@dataclass
class Package:
    """A FHIR package folder (the one holding `package.json`)."""

    folder: Path
    manifest: dict = field(init=False)
    index: list[dict] = field(init=False)
    _parsed: dict[str, dict] = field(init=False, default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.folder = Path(self.folder)
        self.manifest = orjson.loads((self.folder / "package.json").read_bytes())
        index_file = self.folder / ".index.json"
        if index_file.is_file():
            self.index = orjson.loads(index_file.read_bytes())["files"]
        else:  # a package without an index: build one in memory
            self.index = [
                index_entry(path.name, orjson.loads(path.read_bytes()))
                for path in sorted(self.folder.glob("*.json"))
                if path.name != "package.json"
            ]

    @property
    def name(self) -> str:
        return str(self.manifest["name"])

    @property
    def version(self) -> str:
        return str(self.manifest["version"])

    @property
    def canonical(self) -> str | None:
        return self.manifest.get("canonical")

    def load(self, filename: str) -> dict:
        """The parsed resource stored in `filename` (parsed once, then kept)."""
        resource = self._parsed.get(filename)
        if resource is None:
            resource = orjson.loads((self.folder / filename).read_bytes())
            self._parsed[filename] = resource
        return resource

    def may_mention(self, filename: str, text: bytes) -> bool:
        """Whether `filename` may hold `text`: False only when its JSON text, read without parsing it, does not (a
        cheap look before parsing a large resource for one element)."""
        if filename in self._parsed:
            return True
        return text in (self.folder / filename).read_bytes()

    def resources(self, resource_type: str | None = None) -> Iterator[dict]:
        """Every resource of the package, or those of one type, in index order."""
        for entry in self.index:
            if resource_type is None or entry["resourceType"] == resource_type:
                yield self.load(entry["filename"])

    def __repr__(self) -> str:
        return f"Package({self.name}#{self.version}, {len(self.index)} resources)"


class MemoryPackage(Package):
    """A package held in memory: FHIR JSON resources given directly (tests, uploaded or contained definitions).

    >>> package = MemoryPackage([{"resourceType": "CodeSystem", "id": "x", "url": "http://example.org/x"}])
    >>> package.load(package.index[0]["filename"])["url"]
    'http://example.org/x'
    """

    def __init__(self, resources: Iterable[dict] = (), name: str = "memory", version: str = "0.0.0") -> None:
        self.folder = Path()
        self.manifest = {"name": name, "version": version}
        self.index = []
        self._parsed = {}
        for resource in resources:
            self.add(resource)

    def add(self, resource: dict) -> dict:
        """Add one resource; returns its index entry."""
        resource_type = str(resource.get("resourceType", ""))
        filename = f"{len(self.index)}-{resource_type}-{resource.get('id', '')}.json"
        entry = index_entry(filename, {**resource, "resourceType": resource_type})
        self.index.append(entry)
        self._parsed[filename] = resource
        return entry

    def may_mention(self, filename: str, text: bytes) -> bool:
        return True  # held parsed already

    def load(self, filename: str) -> dict:
        """The resource stored under `filename` (never read from disk)."""
        return self._parsed[filename]
