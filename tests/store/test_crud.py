"""Create, read, vread, update, delete and history on every backend."""

from __future__ import annotations

import pytest

from dermfhir.store import Gone, InvalidResource, InvalidSearch, NotFound, Store, VersionConflict

from .resources import observation, patient


def test_create_assigns_id_and_meta(store: Store) -> None:
    created = store.create({**patient(), "id": "ignored"})
    assert created["id"] != "ignored"
    assert created["meta"]["versionId"] == "1"
    assert created["meta"]["lastUpdated"].endswith("Z")
    assert store.read("Patient", created["id"]) == created


def test_create_keeps_other_meta(store: Store) -> None:
    created = store.create(patient(meta={"profile": ["http://example.org/p"], "versionId": "99"}))
    assert created["meta"]["profile"] == ["http://example.org/p"]
    assert created["meta"]["versionId"] == "1"


def test_update_versions_and_vread(store: Store) -> None:
    created = store.create(patient())
    second, created_flag = store.update({**created, "gender": "male"})
    assert not created_flag
    assert second["meta"]["versionId"] == "2"
    assert second["meta"]["lastUpdated"] > created["meta"]["lastUpdated"]
    assert store.read("Patient", created["id"])["gender"] == "male"
    assert "gender" not in store.vread("Patient", created["id"], "1")
    assert store.vread("Patient", created["id"], "2")["gender"] == "male"
    with pytest.raises(NotFound):
        store.vread("Patient", created["id"], "3")
    with pytest.raises(NotFound):
        store.vread("Patient", created["id"], "x'; DROP TABLE resource; --")


def test_update_creates_when_absent(store: Store) -> None:
    result = store.update({**patient(), "id": "p-new"})
    assert result.created
    assert result.resource["meta"]["versionId"] == "1"
    assert store.read("Patient", "p-new")["id"] == "p-new"


def test_update_needs_a_valid_id(store: Store) -> None:
    with pytest.raises(InvalidResource):
        store.update(patient())
    with pytest.raises(InvalidResource):
        store.update({**patient(), "id": "bad id/with slash"})


def test_unknown_resource_type_is_refused(store: Store) -> None:
    with pytest.raises(InvalidResource):
        store.create({"resourceType": "Lesion"})
    with pytest.raises(InvalidResource):
        store.create({"name": "no type"})


def test_read_unknown(store: Store) -> None:
    with pytest.raises(NotFound) as raised:
        store.read("Patient", "nope")
    assert not isinstance(raised.value, Gone)
    assert raised.value.http_status == 404


def test_if_match(store: Store) -> None:
    created = store.create(patient())
    store.update({**created, "gender": "female"}, if_match='W/"1"')
    with pytest.raises(VersionConflict):
        store.update({**created, "gender": "male"}, if_match="1")
    with pytest.raises(VersionConflict):
        store.update({**patient(), "id": "never"}, if_match="1")
    assert store.read("Patient", created["id"])["gender"] == "female"
    with pytest.raises(VersionConflict):
        store.delete("Patient", created["id"], if_match="1")
    assert store.delete("Patient", created["id"], if_match="2") == "3"


def test_soft_delete(store: Store) -> None:
    created = store.create(patient("Deleted"))
    assert store.search("Patient", "family=Deleted").total == 1
    assert store.delete("Patient", created["id"]) == "2"
    with pytest.raises(Gone) as raised:
        store.read("Patient", created["id"])
    assert raised.value.http_status == 410
    with pytest.raises(Gone):
        store.vread("Patient", created["id"], "2")
    assert store.vread("Patient", created["id"], "1")["name"][0]["family"] == "Deleted"
    assert store.search("Patient", "family=Deleted").total == 0
    assert store.delete("Patient", created["id"]) is None  # already deleted: no new version
    with pytest.raises(NotFound):
        store.delete("Patient", "never-existed")
    revived = store.update({**created})
    assert revived.created
    assert revived.resource["meta"]["versionId"] == "3"
    assert store.search("Patient", "family=Deleted").total == 1


def test_history_instance_type_system(store: Store) -> None:
    first = store.create(patient("One"))
    store.update({**first, "gender": "male"})
    store.delete("Patient", first["id"])
    other = store.create(observation(f"Patient/{first['id']}"))
    instance = store.history("Patient", first["id"])
    assert [(e.version_id, e.method) for e in instance.entries] == [("3", "delete"), ("2", "update"), ("1", "create")]
    assert instance.entries[0].resource is None
    assert instance.total == 3
    assert store.history("Patient").total == 3
    everything = store.history()
    assert everything.total == 4
    assert everything.entries[0].id == other["id"]
    with pytest.raises(NotFound):
        store.history("Patient", "nope")


def test_history_since_and_count(store: Store) -> None:
    created = store.create(patient())
    for index in range(4):
        created = store.update({**created, "gender": ["male", "female"][index % 2]}).resource
    since = store.vread("Patient", created["id"], "3")["meta"]["lastUpdated"]
    recent = store.history("Patient", created["id"], since=since)
    assert [e.version_id for e in recent.entries] == ["5", "4", "3"]
    page = store.history("Patient", created["id"], count=2)
    assert [e.version_id for e in page.entries] == ["5", "4"] and page.has_next
    page = store.history("Patient", created["id"], count=2, offset=4)
    assert [e.version_id for e in page.entries] == ["1"] and not page.has_next
    with pytest.raises(InvalidSearch):
        store.history(since="yesterday")


def test_load_bulk(store: Store) -> None:
    resources = [patient(f"Bulk{index}", id=f"bulk-{index}") for index in range(250)]
    resources.append(patient("Bulk0", id="bulk-0"))  # the same id again: a second version
    resources.append(observation("Patient/bulk-1"))
    stored = store.load(resources, batch_size=100)
    assert len(stored) == 252
    assert stored[250]["meta"]["versionId"] == "2"
    assert store.search("Patient", "family=bulk").total == 250
    assert store.search("Observation", "subject=Patient/bulk-1").total == 1
    again = store.load([patient("Bulk1b", id="bulk-1")])
    assert again[0]["meta"]["versionId"] == "2"
    assert store.search("Patient", "family:exact=Bulk1b").total == 1


def test_load_without_resources(store: Store) -> None:
    store.load([patient("Old", id="lw-live"), patient("Gone", id="lw-deleted")])
    store.delete("Patient", "lw-deleted")
    written = store.load(
        [patient("Live", id="lw-live"), patient("Back", id="lw-deleted"), patient("New", id="lw-new"), patient("X")],
        return_resources=False,
    )
    assert [(w.id, w.version_id, w.created) for w in written[:3]] == [
        ("lw-live", "2", False),
        ("lw-deleted", "3", True),
        ("lw-new", "1", True),
    ]
    assert written[3].resource_type == "Patient" and written[3].created and written[3].version_id == "1"
    stored = store.read("Patient", written[3].id)
    assert stored["meta"]["lastUpdated"] == written[3].last_updated
    assert written[3].stamp(patient("X")) == stored


def test_reindex(store: Store) -> None:
    store.load([patient(f"R{index}") for index in range(5)])
    assert store.reindex("Patient") == 5
    assert store.search("Patient", "family=r").total == 5
