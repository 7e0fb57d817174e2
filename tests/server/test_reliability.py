"""Reliability against a real server process: concurrent If-Match writers lose no update; SIGKILL during a large
transaction leaves no partial transaction and an intact database."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time

import httpx
import pytest

from tests.server.conftest import FHIR, start_server
from tests.server.resources import observation, patient

WRITERS = 8
INCREMENTS = 6


def _increment(url: str, resource_id: str, errors: list[str]) -> None:
    with httpx.Client(base_url=url, headers=FHIR, timeout=60) as client:
        done = 0
        while done < INCREMENTS:
            current = client.get(f"/Observation/{resource_id}")
            version = current.headers["etag"]
            resource = current.json()
            resource["valueQuantity"]["value"] += 1
            response = client.put(f"/Observation/{resource_id}", json=resource, headers={"If-Match": version})
            if response.status_code == 200:
                done += 1
            elif response.status_code != 412:
                errors.append(f"{response.status_code}: {response.text[:200]}")
                return


@pytest.mark.slow
def test_concurrent_if_match_writers_lose_no_update(live_server) -> None:
    ids = []
    for _ in range(2):
        created = httpx.post(f"{live_server.url}/Observation", json=observation("Patient/c", 0), headers=FHIR)
        ids.append(created.json()["id"])
    errors: list[str] = []
    threads = [threading.Thread(target=_increment, args=(live_server.url, ids[n % 2], errors)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    expected = WRITERS // 2 * INCREMENTS
    for resource_id in ids:
        final = httpx.get(f"{live_server.url}/Observation/{resource_id}").json()
        assert final["valueQuantity"]["value"] == expected
        assert final["meta"]["versionId"] == str(expected + 1)
        history = httpx.get(f"{live_server.url}/Observation/{resource_id}/_history?_count=1000").json()
        assert history["total"] == expected + 1


def _bulk(count: int) -> dict:
    entries = [
        {
            "fullUrl": f"urn:uuid:00000000-0000-4000-8000-{n:012d}",
            "resource": patient("Bulk"),
            "request": {"method": "POST", "url": "Patient"},
        }
        for n in range(count)
    ]
    return {"resourceType": "Bundle", "type": "transaction", "entry": entries}


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.4, 1.2])
def test_sigkill_during_transaction_leaves_no_partial_write(live_db: str, backend: str, delay: float) -> None:
    server = start_server(live_db)
    count = 4000
    try:
        before = httpx.get(f"{server.url}/Patient?family=Bulk&_summary=count").json()["total"]

        def send() -> None:
            with contextlib.suppress(httpx.HTTPError):  # the server dies under it
                httpx.post(f"{server.url}/", json=_bulk(count), headers=FHIR, timeout=120)

        sender = threading.Thread(target=send)
        sender.start()
        time.sleep(delay)
        server.stop(kill=True)
        sender.join(timeout=60)
    finally:
        server.stop(kill=True)
    if backend == "sqlite":
        with sqlite3.connect(live_db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    restarted = start_server(live_db)
    try:
        after = httpx.get(f"{restarted.url}/Patient?family=Bulk&_summary=count").json()["total"]
        assert after - before in (0, count)
        versions = httpx.get(f"{restarted.url}/Patient/_history?_count=1").json()["total"]
        assert versions >= after
        assert httpx.post(f"{restarted.url}/Patient", json=patient("Alive"), headers=FHIR).status_code == 201
    finally:
        restarted.stop()
