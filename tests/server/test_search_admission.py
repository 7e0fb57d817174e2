"""Search admission: costly searches (chains, `_has`, substring matches, sorting, includes, large pages) run a
bounded number at once; while that bound is taken, more costly searches wait and then answer 503 with Retry-After,
and ordinary searches and reads still answer. The bound on all searches still holds."""

from __future__ import annotations

import threading

import pytest

from dermfhir.server.admission import SearchGate
from dermfhir.server.errors import ServiceUnavailable
from tests.server.conftest import FHIR
from tests.server.resources import observation, patient

COSTLY = [
    "/Observation?subject:Patient.gender=female",
    "/Patient?_has:Observation:subject:status=final",
    "/Patient?name:contains=lph",
    "/Observation?code:text=height",
    "/Observation?_sort=-date",
    "/Observation?_include=Observation:subject",
    "/Patient?_revinclude=Observation:subject",
    "/Observation?_count=21",
]
ORDINARY = ["/Observation?subject=Patient/pa", "/Patient?gender=female", "/Patient?_id=pa,pb", "/Observation?_count=20"]


@pytest.fixture
def gated(make_client):
    client = make_client(search_concurrency=3, costly_search_concurrency=1, pool_timeout=0.2)
    for resource in (
        patient("Alpha", id="pa"),
        patient("Beta", id="pb", gender="female"),
        observation("Patient/pa", 3.0, id="oa"),
        observation("Patient/pb", 5.5, id="ob"),
    ):
        response = client.put(f"/{resource['resourceType']}/{resource['id']}", json=resource, headers=FHIR)
        assert response.status_code in (200, 201), response.text
    return client


def _gate(client) -> SearchGate:
    return client.app.state.services.search_gate


@pytest.mark.parametrize("path", COSTLY)
def test_a_costly_search_waits_for_the_costly_slot(gated, path: str) -> None:
    assert gated.get(path).status_code == 200
    with _gate(gated).admit(True, 1):  # another costly search holds the one costly slot
        refused = gated.get(path)
        assert refused.status_code == 503, refused.text
        assert refused.headers.get("Retry-After")
        assert refused.json()["resourceType"] == "OperationOutcome"
        for ordinary in ORDINARY:
            assert gated.get(ordinary).status_code == 200, ordinary
        assert gated.get("/Patient/pb").status_code == 200
    assert gated.get(path).status_code == 200  # the slot is free again


def test_ordinary_searches_are_bounded_too(gated) -> None:
    gate = _gate(gated)
    with gate.admit(False, 1), gate.admit(False, 1), gate.admit(False, 1):
        assert gated.get("/Patient?gender=female").status_code == 503
        assert gated.get("/Patient/pb").status_code == 200  # reads are not searches
    assert gated.get("/Patient?gender=female").status_code == 200


def test_results_do_not_depend_on_admission(gated) -> None:
    found = gated.get("/Observation?subject:Patient.gender=female").json()
    assert found["total"] == 1 and [entry["resource"]["id"] for entry in found["entry"]] == ["ob"]


def test_a_lenient_search_with_an_unknown_parameter_counts_as_costly(gated) -> None:
    lenient = {"Prefer": "handling=lenient"}
    path = "/Observation?subject:Patient.gender=female&no-such-parameter=1"
    with _gate(gated).admit(True, 1):
        assert gated.get(path, headers=lenient).status_code == 503
        assert gated.get(path).status_code == 400  # strict: refused at once, whatever is running
    assert gated.get(path, headers=lenient).status_code == 200


def test_gate_costly_waits_holding_nothing() -> None:
    gate = SearchGate(searches=2, costly=1)
    with gate.admit(True, 0.1):
        with pytest.raises(ServiceUnavailable), gate.admit(True, 0.05):
            pass
        # the refused costly search took no search slot: one is left, and only one
        with gate.admit(False, 0.1), pytest.raises(ServiceUnavailable), gate.admit(False, 0.05):
            pass
    released = threading.Event()

    def hold() -> None:
        with gate.admit(True, 1):
            released.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        threading.Timer(0.05, released.set).start()
        with gate.admit(True, 2):  # waits until the holder is done
            assert released.is_set()
    finally:
        holder.join()
