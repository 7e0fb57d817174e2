"""FHIR resource storage: one interface (`Store`), SQLite and PostgreSQL implementations, and FHIR search.

>>> from dermfhir.definitions import Definitions, core_package
>>> store = open_store(":memory:", Definitions([core_package()]))
>>> patient = store.create({"resourceType": "Patient", "name": [{"family": "Ng"}]})
>>> patient["meta"]["versionId"]
'1'
>>> store.search("Patient", "name=ng").total
1
>>> store.close()

`open_store(url)`: a path, `sqlite:PATH`, `sqlite:///PATH` or `:memory:` → SqliteStore; `postgresql://…` or
`postgres://…` → PostgresStore. What search supports, and what not, is listed in `dermfhir.store.search`.
"""

from __future__ import annotations

from pathlib import Path

from dermfhir.definitions import Definitions
from dermfhir.store.base import HistoryEntry, HistoryResult, Loaded, SearchResult, Store, Visibility, WriteResult
from dermfhir.store.errors import (
    Gone,
    InvalidResource,
    InvalidSearch,
    NotFound,
    PreconditionFailed,
    QueryTimeout,
    SchemaError,
    StoreError,
    Unavailable,
    VersionConflict,
)
from dermfhir.store.search.elements import apply_elements, apply_summary
from dermfhir.store.sqlite import SqliteStore


def open_store(url: str | Path, definitions: Definitions | None = None, **options: object) -> Store:
    """Open (creating and migrating as needed) the store at `url`."""
    text = str(url)
    if text.startswith(("postgresql://", "postgres://")):
        from dermfhir.store.postgres import PostgresStore

        return PostgresStore(text, definitions, **options)  # type: ignore[arg-type]
    if text.startswith("sqlite:"):
        text = text.removeprefix("sqlite:")
        if text.startswith("//"):  # sqlite:///relative.db, sqlite:////absolute.db (SQLAlchemy's form)
            text = text[2:]
            text = text[1:] if text.startswith("/") else text
    return SqliteStore(text or ":memory:", definitions, **options)  # type: ignore[arg-type]


__all__ = [
    "Gone",
    "HistoryEntry",
    "HistoryResult",
    "InvalidResource",
    "InvalidSearch",
    "Loaded",
    "NotFound",
    "PreconditionFailed",
    "QueryTimeout",
    "SchemaError",
    "SearchResult",
    "SqliteStore",
    "Store",
    "StoreError",
    "Unavailable",
    "VersionConflict",
    "Visibility",
    "WriteResult",
    "apply_elements",
    "apply_summary",
    "open_store",
]
