"""`iter_matches` and `iter_referring` on every backend: the stored JSON of current resources, in storage order, from
one query (compared with what search gives for the same question)."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from dermfhir import fhirjson
from dermfhir.store import InvalidSearch, Store

from .resources import dataset, observation


def decoded(found: Iterable[bytes]) -> list[dict]:
    return [fhirjson.loads(content) for content in found]


@pytest.mark.parametrize(
    ("resource_type", "params"),
    [
        ("Observation", None),
        ("Observation", "subject=Patient/p1"),
        ("Observation", "code=72828-7&_sort=-date"),
        ("Observation", "subject:Patient.gender=female"),
        ("Observation", "code=no-such-code"),
        ("Patient", "_id=p2,p1"),
    ],
)
def test_iter_matches_gives_what_search_gives(store: Store, resource_type: str, params: str | None) -> None:
    store.load(dataset())
    store.delete("Observation", "o3")
    updated = store.read("Observation", "o1")
    store.update({**updated, "status": "amended"})
    found = decoded(store.iter_matches(resource_type, params))
    assert found == list(store.iter_search(resource_type, params, page=2))
    if params is None:
        assert "o3" not in [r["id"] for r in found]
        assert next(r for r in found if r["id"] == "o1")["meta"]["versionId"] == "2"


def test_iter_matches_keeps_decimals_as_stored(store: Store) -> None:
    store.update(observation("Patient/p1", value=fhirjson.loads("1.10"), id="d1"))
    (content,) = list(store.iter_matches("Observation", "_id=d1"))
    assert b'"value":1.10' in content


def test_iter_matches_refuses_includes_and_bad_parameters(store: Store) -> None:
    store.load(dataset())
    with pytest.raises(InvalidSearch):
        list(store.iter_matches("Observation", "_include=Observation:subject"))
    with pytest.raises(InvalidSearch):
        list(store.iter_matches("Observation", "no-such-parameter=1"))


def targets_and_sources(store: Store, count: int) -> None:
    """`count` target Observations x0…; sources: s-many (derived from the first and the last target), s-moved
    (derived from x5, then updated to x6), s-deleted (x7, deleted), s-other-type (DocumentReference/x8), s-member
    (hasMember x9: another parameter), and Task t-focus (focus x10)."""
    store.load([observation("Patient/p1", id=f"x{n}") for n in range(count)])

    def source(ident: str, **extra: object) -> dict:
        return observation("Patient/p1", id=ident, **extra)

    def derived(*targets: str) -> dict:
        return {"derivedFrom": [{"reference": target} for target in targets]}

    store.update(source("s-many", **derived("Observation/x0", f"Observation/x{count - 1}")))
    store.update(source("s-moved", **derived("Observation/x5")))
    store.update(source("s-moved", **derived("Observation/x6")))
    store.update(source("s-deleted", **derived("Observation/x7")))
    store.delete("Observation", "s-deleted")
    store.update(source("s-other-type", **derived("DocumentReference/x8")))
    store.update(source("s-member", hasMember=[{"reference": "Observation/x9"}]))
    store.update(
        {
            "resourceType": "Task",
            "id": "t-focus",
            "status": "requested",
            "intent": "order",
            "focus": {"reference": "Observation/x10"},
        }
    )


def test_iter_referring_finds_current_references_to_many_targets(store: Store) -> None:
    count = 1500  # more ids than SQLite binds by default in one statement (999 before 3.32)
    targets_and_sources(store, count)
    every = [f"x{n}" for n in range(count)]
    found = decoded(store.iter_referring("Observation", "derived-from", "Observation", every))
    assert [r["id"] for r in found] == ["s-many", "s-moved"]
    assert found == [store.read("Observation", "s-many"), store.read("Observation", "s-moved")]
    old_way = {
        resource["id"]
        for start in range(0, count, 100)
        for resource in store.iter_search(
            "Observation", [("derived-from", ",".join(f"Observation/{i}" for i in every[start : start + 100]))]
        )
    }
    assert old_way == {"s-many", "s-moved"}
    assert [r["id"] for r in decoded(store.iter_referring("Task", "focus", "Observation", every))] == ["t-focus"]
    assert [r["id"] for r in decoded(store.iter_referring("Observation", "has-member", "Observation", every))] == [
        "s-member"
    ]


def test_iter_referring_skips_superseded_deleted_and_other_types(store: Store) -> None:
    targets_and_sources(store, 12)
    for ident in ("x5", "x7", "x8", "x9", "x10"):
        assert list(store.iter_referring("Observation", "derived-from", "Observation", [ident])) == []
    assert list(store.iter_referring("Observation", "derived-from", "DocumentReference", ["x8"])) != []
    assert [r["id"] for r in decoded(store.iter_referring("Observation", "derived-from", "Observation", ["x6"]))] == [
        "s-moved"
    ]
    assert list(store.iter_referring("Observation", "derived-from", "Observation", [])) == []
    store.delete("Observation", "x0")  # a deleted target: the references to it are still there
    assert [r["id"] for r in decoded(store.iter_referring("Observation", "derived-from", "Observation", ["x0"]))] == [
        "s-many"
    ]


def test_iter_referring_refuses_what_is_not_a_reference_parameter(store: Store) -> None:
    with pytest.raises(InvalidSearch):
        list(store.iter_referring("Observation", "code", "Observation", ["x1"]))
    with pytest.raises(InvalidSearch):
        list(store.iter_referring("Observation", "no-such-parameter", "Observation", ["x1"]))
