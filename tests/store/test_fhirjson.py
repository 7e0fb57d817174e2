"""Stored JSON is decoded with the exact digits of its decimals, whichever path the decoder takes: a document that
orjson writes back byte for byte skips the scan for inexact numbers, every other one is scanned."""

from __future__ import annotations

import orjson
import pytest

from dermfhir import fhirjson
from dermfhir.store import Store

#: Numbers a float would change: each must come back with its own text.
INEXACT = ["1.10", "1E+2", "0.000", "1.0e-3", "1e16", "123456789012345678901234567890", "0.12345678901234567890123"]


@pytest.mark.parametrize("number", INEXACT)
def test_compact_documents_keep_inexact_numbers(number: str) -> None:
    text = f'{{"a":[1,{number}],"b":{{"value":{number}}}}}'.encode()
    decoded = fhirjson.loads(text)
    assert fhirjson.dumps(decoded) == text
    assert isinstance(decoded["b"]["value"], fhirjson.Decimal)
    assert decoded["b"]["value"] == float(number) and decoded["a"][0] == 1


def test_number_like_strings_do_not_change_the_result() -> None:
    # what orjson writes for a resource whose strings look like inexact numbers (a microsecond ending in 0,
    # dashes before zeros, long digit runs): decoded as orjson decodes it, and written back identically
    resource = {
        "resourceType": "Observation",
        "meta": {"lastUpdated": "2026-01-02T13:42:46.893750Z"},
        "effectiveDateTime": "2026-01-01",
        "identifier": [{"value": "12345678901234567890.10"}],
        "valueQuantity": {"value": 0.25},
        "component": [{"valueInteger": -3}, {"valueQuantity": {"value": 1.5e-7}}],
    }
    text = orjson.dumps(resource)
    decoded = fhirjson.loads(text)
    assert decoded == resource
    assert fhirjson.dumps(decoded) == text


@pytest.mark.parametrize("depth", [10, 300])  # deeper than orjson writes (255), as a server may receive
def test_deeply_nested_documents_decode(depth: int) -> None:
    text = b'{"a":' * depth + b"1.10" + b"}" * depth
    decoded = fhirjson.loads(text)
    for _ in range(depth):
        decoded = decoded["a"]
    assert isinstance(decoded, fhirjson.Decimal) and decoded.text == "1.10"


def test_spaced_documents_are_scanned() -> None:
    text = b'{"value": 1.10, "other": [2.50, 3]}'
    decoded = fhirjson.loads(text)
    assert fhirjson.dumps(decoded) == b'{"value":1.10,"other":[2.50,3]}'


def test_iter_search_decodes_each_resource_like_search(store: Store) -> None:
    created = [
        store.create(
            {
                "resourceType": "Observation",
                "status": "final",
                "code": {"text": f"n{n}"},
                "valueQuantity": {"value": fhirjson.loads(f"{n}.10" if n % 2 else f"{n}.5")},
            }
        )
        for n in range(7)
    ]
    found = list(store.iter_search("Observation", [("_sort", "code")], page=3))
    assert [r["id"] for r in found] == [r["id"] for r in created]
    assert [fhirjson.dumps(r["valueQuantity"]) for r in found] == [
        f'{{"value":{n}.10}}'.encode() if n % 2 else f'{{"value":{n}.5}}'.encode() for n in range(7)
    ]
    assert found == store.search("Observation", [("_sort", "code"), ("_count", "10")]).resources
