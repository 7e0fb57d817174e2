"""What an import produced: the resources (deduplicated by type and id, in source order) and the report for people
(rows read per file, resources by type, findings by class, unmapped values, source fields with no place in FHIR,
rejected rows with file, row, column and reason, repeated rows merged).

Not handled: merging two results whose resources with the same id differ (the later one wins, and is counted once;
image ids repeated with different values are caught earlier, by `_common.ImageKeys`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from dermfhir.ingest._source import SourceError


@dataclass
class Rejected:
    """A row (or a resource) left out, and why."""

    where: str
    reason: str


class Capped(list[str]):
    """A list of messages that keeps the first `LIMIT` and counts them all (`total`): a file with a repeated problem
    on every row must not grow the import's memory with it (the summary prints the first 50 and the count)."""

    LIMIT = 1_000

    def __init__(self) -> None:
        super().__init__()
        self.total = 0

    def append(self, item: str) -> None:
        self.total += 1
        if len(self) < self.LIMIT:
            super().append(item)

    def extend(self, items: Any) -> None:
        items = list(items) if not isinstance(items, Capped) else items
        for item in items:
            self.append(item)
        if isinstance(items, Capped):
            self.total += items.total - len(items)


@dataclass
class Report:
    """The closing summary of an import."""

    rows_read: int = 0
    #: rows read per input file (file → rows), in the order the files were read
    rows_by_file: Counter[str] = field(default_factory=Counter)
    #: rows repeating an earlier row of the same image with the same values (merged into it)
    merged: int = 0
    #: source columns whose values have no place in FHIR (column → rows with a value), never dropped silently
    unplaced: Counter[str] = field(default_factory=Counter)
    #: the layout each file was read as (file → layout name)
    layouts: dict[str, str] = field(default_factory=dict)
    findings: Counter[str] = field(default_factory=Counter)
    unmapped: Counter[tuple[str, str]] = field(default_factory=Counter)
    rejected: list[Rejected] = field(default_factory=list)
    warnings: Capped = field(default_factory=Capped)

    def reject(self, error: SourceError | str, where: str = "") -> None:
        if isinstance(error, SourceError):
            where = error.where
            reason = (f"column {error.column!r}: " if error.column else "") + error.message
        else:
            reason = error
        self.rejected.append(Rejected(where, reason))


class ImportResult:
    """Resources keyed by (type, id) in first-seen order, plus the report."""

    def __init__(self) -> None:
        self._resources: dict[tuple[str, str], dict] = {}
        self.report = Report()

    def add(self, *items: Any) -> None:
        """Add resources (dicts or builders); a resource already present under the same type and id is replaced."""
        for item in items:
            resource = item.to_resource() if hasattr(item, "to_resource") else item
            self._resources[(resource["resourceType"], resource["id"])] = resource

    def has(self, resource_type: str, id: str) -> bool:
        return (resource_type, id) in self._resources

    @property
    def resources(self) -> list[dict]:
        return list(self._resources.values())

    def remove(self, keys: set[tuple[str, str]]) -> None:
        for key in keys:
            self._resources.pop(key, None)

    def counts(self) -> Counter[str]:
        return Counter(resource_type for resource_type, _ in self._resources)

    def __len__(self) -> int:
        return len(self._resources)
