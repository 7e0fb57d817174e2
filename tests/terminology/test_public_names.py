"""The package's public surface, its doctests, and the in-memory package it relies on for tests."""

from __future__ import annotations

import doctest

import dermfhir.terminology
from dermfhir.definitions import Definitions, MemoryPackage


def test_all_is_sorted_and_complete() -> None:
    names = dermfhir.terminology.__all__
    assert names == sorted(names)
    for name in names:
        assert getattr(dermfhir.terminology, name) is not None


def test_package_docstring_examples() -> None:
    failures, tried = doctest.testmod(dermfhir.terminology, verbose=False)
    assert tried > 0 and failures == 0


def test_memory_package_resolves_like_a_package() -> None:
    resource = {"resourceType": "CodeSystem", "id": "x", "url": "http://example.org/x", "version": "2"}
    package = MemoryPackage([resource], name="extra")
    definitions = Definitions([package])
    assert definitions.resolve("http://example.org/x|2") is resource
    assert definitions.read("CodeSystem", "x") is resource
    assert list(definitions.resources("CodeSystem")) == [resource]
    assert repr(package) == "Package(extra#0.0.0, 1 resources)"
