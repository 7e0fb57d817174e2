"""Extension context of use (R4 StructureDefinition.context, extensibility.html): element, fhirpath and extension
contexts, each with an extension used where it is allowed and where it is not."""

from __future__ import annotations

import pytest

from dermfhir.validation import Validator

BASE = "http://example.org/fhir/StructureDefinition/"


def _extension(name: str, contexts: list[dict], value_type: str = "string") -> dict:
    return {
        "resourceType": "StructureDefinition",
        "url": BASE + name,
        "name": name,
        "status": "active",
        "kind": "complex-type",
        "abstract": False,
        "context": contexts,
        "type": "Extension",
        "baseDefinition": "http://hl7.org/fhir/StructureDefinition/Extension",
        "derivation": "constraint",
        "differential": {
            "element": [
                {"id": "Extension", "path": "Extension"},
                {"id": "Extension.url", "path": "Extension.url", "fixedUri": BASE + name},
                {"id": "Extension.value[x]", "path": "Extension.value[x]", "type": [{"code": value_type}]},
            ]
        },
    }


@pytest.fixture(scope="module")
def extended(core) -> Validator:
    return Validator(
        core.with_resources(
            [
                _extension("on-name", [{"type": "element", "expression": "HumanName"}]),
                _extension(
                    "on-official-name", [{"type": "fhirpath", "expression": "Patient.name.where(use = 'official')"}]
                ),
                _extension("inside-parent", [{"type": "extension", "expression": BASE + "parent"}]),
                {
                    **_extension("parent", [{"type": "element", "expression": "Patient"}]),
                    "differential": {
                        "element": [
                            {"id": "Extension", "path": "Extension"},
                            {"id": "Extension.url", "path": "Extension.url", "fixedUri": BASE + "parent"},
                            {"id": "Extension.value[x]", "path": "Extension.value[x]", "max": "0"},
                        ]
                    },
                },
            ]
        )
    )


def _context_errors(validator: Validator, patient: dict) -> list[str]:
    issues = validator.issues({"resourceType": "Patient", **patient})
    return [issue.location for issue in issues if issue.message_id == "Extension_EXT_Context_Wrong"]


def _ext(name: str, **value: object) -> dict:
    return {"url": BASE + name, **(value or {"valueString": "x"})}


def test_element_context(extended: Validator) -> None:
    assert _context_errors(extended, {"name": [{"family": "Lee", "extension": [_ext("on-name")]}]}) == []
    assert _context_errors(extended, {"extension": [_ext("on-name")]}) == ["Patient.extension[0]"]


def test_fhirpath_context(extended: Validator) -> None:
    official = {"use": "official", "family": "Lee", "extension": [_ext("on-official-name")]}
    nickname = {"use": "nickname", "given": ["Al"], "extension": [_ext("on-official-name")]}
    assert _context_errors(extended, {"name": [official]}) == []
    assert _context_errors(extended, {"name": [official, nickname]}) == ["Patient.name[1].extension[0]"]


def test_extension_context(extended: Validator) -> None:
    inside = {"url": BASE + "parent", "extension": [_ext("inside-parent")]}
    assert _context_errors(extended, {"extension": [inside]}) == []
    assert _context_errors(extended, {"extension": [_ext("inside-parent")]}) == ["Patient.extension[0]"]
