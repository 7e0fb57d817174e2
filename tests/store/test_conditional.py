"""Conditional create/update/delete and atomic transactions."""

from __future__ import annotations

import pytest

from dermfhir.store import InvalidResource, NotFound, PreconditionFailed, Store, VersionConflict

from .resources import observation, patient


def mrn(value: str) -> dict:
    return patient(identifier=[{"system": "urn:mrn", "value": value}])


def test_conditional_create(store: Store) -> None:
    first = store.conditional_create(mrn("1"), "identifier=urn:mrn|1")
    assert first.created
    again = store.conditional_create(mrn("1"), "identifier=urn:mrn|1")
    assert not again.created and again.resource["id"] == first.resource["id"]
    assert store.search("Patient", "identifier=urn:mrn|1").total == 1
    store.create(mrn("1"))
    with pytest.raises(PreconditionFailed) as raised:
        store.conditional_create(mrn("1"), {"identifier": "urn:mrn|1"})
    assert raised.value.http_status == 412


def test_conditional_update(store: Store) -> None:
    created = store.conditional_update({**mrn("2"), "gender": "male"}, "identifier=urn:mrn|2")
    assert created.created
    updated = store.conditional_update({**mrn("2"), "gender": "female"}, "identifier=urn:mrn|2")
    assert not updated.created
    assert updated.resource["id"] == created.resource["id"] and updated.resource["meta"]["versionId"] == "2"
    with pytest.raises(VersionConflict):
        store.conditional_update(mrn("2"), "identifier=urn:mrn|2", if_match="1")
    with pytest.raises(InvalidResource):
        store.conditional_update({**mrn("2"), "id": "other"}, "identifier=urn:mrn|2")
    with_id = store.conditional_update({**mrn("3"), "id": "chosen"}, "identifier=urn:mrn|3")
    assert with_id.created and with_id.resource["id"] == "chosen"
    store.create(mrn("2"))
    with pytest.raises(PreconditionFailed):
        store.conditional_update(mrn("2"), "identifier=urn:mrn|2")
    with pytest.raises(PreconditionFailed):
        store.conditional_update(mrn("2"), "")


def test_conditional_delete(store: Store) -> None:
    assert store.conditional_delete("Patient", "identifier=urn:mrn|9") == []
    kept = store.create(mrn("8"))
    store.create(mrn("9"))
    store.create(mrn("9"))
    with pytest.raises(PreconditionFailed):
        store.conditional_delete("Patient", "identifier=urn:mrn|9")
    assert len(store.conditional_delete("Patient", "identifier=urn:mrn|9", multiple=True)) == 2
    assert store.search("Patient").total == 1
    assert store.conditional_delete("Patient", "identifier=urn:mrn|8") == [kept["id"]]


def test_transaction_commits_together(store: Store) -> None:
    with store.transaction() as tx:
        subject = tx.create(patient("Tx"))
        tx.create(observation(f"Patient/{subject['id']}"))
        assert tx.search("Observation", f"subject=Patient/{subject['id']}").total == 1  # sees its own writes
    assert store.search("Observation", "subject.name=tx").total == 1


def test_transaction_failure_rolls_everything_back(store: Store) -> None:
    existing = store.create(patient("Before"))
    with pytest.raises(VersionConflict), store.transaction() as tx:
        tx.create(patient("Inside"))
        tx.update({**existing, "gender": "male"})
        tx.delete("Patient", existing["id"])
        tx.load([patient(f"Bulk{index}") for index in range(20)])
        tx.update({**existing, "gender": "female"}, if_match="1")  # stale: fails, undoing all of the above
    assert store.search("Patient").total == 1
    assert store.read("Patient", existing["id"]) == existing
    assert store.history("Patient", existing["id"]).total == 1


def test_transaction_rolls_back_on_any_exception(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.update({**patient("Gone"), "id": "temp"})
        raise RuntimeError("client went away")
    with pytest.raises(NotFound):
        store.read("Patient", "temp")
    store.create(patient("After"))  # the store is usable afterwards
    assert store.search("Patient", "family=after").total == 1


def test_bundle_sized_load_is_atomic(store: Store) -> None:
    bad = [patient(f"Ok{index}") for index in range(10)] + [{"resourceType": "Patient", "id": "bad id"}]
    with pytest.raises(InvalidResource):
        store.load(bad)
    assert store.search("Patient").total == 0
