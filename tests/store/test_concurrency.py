"""Concurrent writers: If-Match updates from 8 threads lose no update, and exactly one wins each version."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from dermfhir.store import Store, VersionConflict

from .resources import patient

THREADS = 8
ROUNDS = 6


def test_if_match_updates_from_eight_threads(store: Store) -> None:
    created = store.update({**patient(), "id": "shared", "extension": []}).resource
    barrier = threading.Barrier(THREADS)
    winners: dict[str, list[int]] = {}
    lock = threading.Lock()

    def writer(number: int) -> int:
        applied = 0
        for _ in range(ROUNDS):
            barrier.wait()
            current = store.read("Patient", "shared")
            version = current["meta"]["versionId"]
            marks = [*current.get("extension", []), {"url": "http://example.org/w", "valueInteger": number}]
            try:
                store.update({**current, "extension": marks}, if_match=version)
            except VersionConflict:
                continue
            with lock:
                winners.setdefault(version, []).append(number)
            applied += 1
        return applied

    with ThreadPoolExecutor(THREADS) as pool:
        applied = sum(pool.map(writer, range(THREADS)))
    final = store.read("Patient", "shared")
    assert all(len(numbers) == 1 for numbers in winners.values())
    assert len(final["extension"]) == applied  # every successful update is in the final version
    assert int(final["meta"]["versionId"]) == int(created["meta"]["versionId"]) + applied
    assert applied >= ROUNDS  # at least one winner per round
    assert store.history("Patient", "shared").total == applied + 1


def test_concurrent_creates_and_searches(store: Store) -> None:
    def work(number: int) -> int:
        for index in range(10):
            store.create(patient(f"Thread{number}x{index}"))
        return store.search("Patient", f"family=thread{number}x").total or 0

    with ThreadPoolExecutor(THREADS) as pool:
        assert list(pool.map(work, range(THREADS))) == [10] * THREADS
    assert store.search("Patient", "_summary=count").total == THREADS * 10
