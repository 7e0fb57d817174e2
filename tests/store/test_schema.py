"""Opening stores: URLs, migrations, the public names, and SearchParameters picked up from any definitions."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import orjson
import pytest

import dermfhir.store
from dermfhir.definitions import Definitions, Package, core_package
from dermfhir.store import InvalidSearch, NotFound, SchemaError, SqliteStore, Store, open_store
from dermfhir.store.migrations import steps

from .resources import observation


def test_public_names_sorted_and_exported() -> None:
    assert dermfhir.store.__all__ == sorted(dermfhir.store.__all__)
    for name in dermfhir.store.__all__:
        assert hasattr(dermfhir.store, name)


def test_migrations_match_across_dialects() -> None:
    assert [version for version, _ in steps("sqlite")] == [version for version, _ in steps("postgres")]
    assert [version for version, _ in steps("sqlite")] == list(range(1, len(steps("sqlite")) + 1))


def test_open_store_urls(tmp_path: Path, definitions: Definitions) -> None:
    for url in (tmp_path / "a.db", f"sqlite:{tmp_path}/b.db", f"sqlite:///{tmp_path}/c.db", ":memory:", "sqlite://"):
        with open_store(url, definitions) as store:
            assert isinstance(store, SqliteStore)
    assert (tmp_path / "a.db").exists() and (tmp_path / "b.db").exists() and (tmp_path / "c.db").exists()


def test_reopen_keeps_data_and_schema(tmp_path: Path, definitions: Definitions) -> None:
    path = tmp_path / "keep.db"
    with SqliteStore(path, definitions) as store:
        created = store.create(observation(None))
        version = store.schema_version()
    with SqliteStore(path, definitions) as store:
        assert store.schema_version() == version == steps("sqlite")[-1][0]
        assert store.read("Observation", created["id"]) == created
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT COUNT(*) FROM schema_version").fetchone()[0] == len(steps("sqlite"))


def test_newer_schema_is_refused(tmp_path: Path, definitions: Definitions) -> None:
    path = tmp_path / "future.db"
    SqliteStore(path, definitions).close()
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO schema_version VALUES (999, 'later')")
    with pytest.raises(SchemaError):
        SqliteStore(path, definitions)


def test_memory_store_is_shared_across_threads(definitions: Definitions) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with SqliteStore(":memory:", definitions) as store:
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda n: store.create(observation(f"Patient/p{n}")), range(20)))
        assert store.search("Observation", "_summary=count").total == 20


def test_read_with_impossible_ids(store: Store) -> None:
    for resource_type, resource_id in (("Patient", "a\x00b"), ("Pat'ient", "1"), ("Patient", "x" * 65)):
        with pytest.raises(NotFound):
            store.read(resource_type, resource_id)


def guide(tmp_path: Path) -> Package:
    """A package holding two SearchParameters the way the guide defines its own."""
    folder = tmp_path / "guide"
    folder.mkdir()
    (folder / "package.json").write_bytes(orjson.dumps({"name": "example.guide", "version": "0.1.0"}))
    base = "https://annotatemd.com/fhir/ig/SearchParameter/"
    parameters = [
        {
            "resourceType": "SearchParameter",
            "id": "observation-body-site",
            "url": base + "observation-body-site",
            "code": "body-site",
            "base": ["Observation"],
            "type": "token",
            "expression": "Observation.bodySite",
        },
        {
            "resourceType": "SearchParameter",
            "id": "observation-derived-from",
            "url": base + "observation-derived-from",
            "code": "derived-from",
            "base": ["Observation"],
            "type": "reference",
            "expression": "Observation.derivedFrom",
        },
    ]
    for parameter in parameters:
        (folder / f"SearchParameter-{parameter['id']}.json").write_bytes(orjson.dumps(parameter))
    return Package(folder)


def test_search_parameters_come_from_the_definitions(tmp_path: Path, definitions: Definitions) -> None:
    site = {"coding": [{"system": "http://snomed.info/sct", "code": "368209003"}]}
    with_guide = Definitions([core_package(), guide(tmp_path)])
    with SqliteStore(tmp_path / "guide.db", with_guide) as store:
        store.create({**observation(None), "bodySite": site, "derivedFrom": [{"reference": "Media/m1"}]})
        assert store.search("Observation", "body-site=368209003").total == 1
        assert store.search("Observation", "derived-from=Media/m1").total == 1
    with SqliteStore(tmp_path / "core.db", definitions) as store, pytest.raises(InvalidSearch, match="body-site"):
        store.search("Observation", "body-site=368209003")


def test_reindex_picks_up_new_parameters(tmp_path: Path, definitions: Definitions) -> None:
    site = {"coding": [{"system": "http://snomed.info/sct", "code": "368209003"}]}
    path = tmp_path / "reindex.db"
    with SqliteStore(path, definitions) as store:
        store.create({**observation(None), "bodySite": site})
    with SqliteStore(path, Definitions([core_package(), guide(tmp_path)])) as store:
        assert store.search("Observation", "body-site=368209003").total == 0
        assert store.reindex() == 1
        assert store.search("Observation", "body-site=368209003").total == 1
