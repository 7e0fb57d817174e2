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


# unknown extensions (HL7's validator: an unknown extension is an error unless its URL is one it accepts unknown)


def _extension_issues(validator: Validator, patient: dict) -> list[tuple[str, str, str]]:
    return [
        (issue.severity, issue.location, issue.message_id)
        for issue in validator.issues({"resourceType": "Patient", **patient})
        if issue.message_id.startswith("Extension_")
    ]


@pytest.mark.parametrize(
    ("url", "severity"),
    [
        ("http://dermatology.example.net/fhir/StructureDefinition/lesion-colour", "error"),
        ("urn:oid:1.2.840.99999.1", "error"),
        ("http://nema.org/fhir/extensions/0008-0060", "information"),
        ("http://hl7.org/fhir/tools/StructureDefinition/not-loaded", "information"),
        ("http://example.org/fhir/StructureDefinition/lesion-colour", "information"),
    ],
)
def test_unknown_extension_urls(validator: Validator, url: str, severity: str) -> None:
    found = _extension_issues(validator, {"extension": [{"url": url, "valueString": "x"}]})
    assert [(s, location) for s, location, _ in found] == [(severity, "Patient.extension[0]")]


def test_unknown_example_extension_when_examples_are_not_allowed(validator: Validator) -> None:
    strict = validator.with_options(examples_allowed=False)
    url = "http://example.org/fhir/StructureDefinition/lesion-colour"
    found = _extension_issues(strict, {"extension": [{"url": url, "valueString": "x"}]})
    assert found == [
        ("error", "Patient.extension[0].url", "Extension_EXT_Url_NotFound"),
        ("error", "Patient.extension[0]", "Extension_EXT_Unknown_NotHere"),
    ]


def test_an_unknown_modifier_extension_is_always_an_error(validator: Validator) -> None:
    found = _extension_issues(validator, {"modifierExtension": [{"url": "http://nema.org/fhir/x", "valueString": "x"}]})
    assert found == [("error", "Patient.modifierExtension[0]", "Extension_EXT_Unknown_NotHere")]


def test_relative_urls_only_for_parts_of_an_extension(validator: Validator) -> None:
    top = _extension_issues(validator, {"extension": [{"url": "lesion-colour", "valueString": "x"}]})
    assert top == [("error", "Patient.extension[0]", "Extension_EXT_Unknown_NotHere")]
    parent = {"url": "http://dermatology.example.net/fhir/StructureDefinition/lesion", "extension": []}
    parent["extension"] = [{"url": "colour", "valueString": "x"}]
    assert _extension_issues(validator, {"extension": [parent]}) == [
        ("error", "Patient.extension[0]", "Extension_EXT_Unknown_NotHere")
    ]


def test_parts_a_complex_extension_defines(validator: Validator) -> None:
    nationality = "http://hl7.org/fhir/StructureDefinition/patient-nationality"
    defined = {"url": nationality, "extension": [{"url": "code", "valueCodeableConcept": {"text": "Dutch"}}]}
    assert _extension_issues(validator, {"extension": [defined]}) == []
    undefined = {"url": nationality, "extension": [{"url": "since", "valueDate": "2001"}]}
    assert _extension_issues(validator, {"extension": [undefined]}) == [
        ("error", "Patient.extension[0].extension[0]", "Extension_EXT_Subextension_Invalid")
    ]


MRN_PROFILE = "http://example.org/fhir/StructureDefinition/patient-with-mrn"
MRN_SYSTEM = "http://hospital.example.org/mrn"


@pytest.fixture(scope="module")
def on_a_slice(core) -> Validator:
    patient = {
        "resourceType": "StructureDefinition",
        "url": MRN_PROFILE,
        "name": "PatientWithMrn",
        "status": "active",
        "kind": "resource",
        "abstract": False,
        "type": "Patient",
        "baseDefinition": "http://hl7.org/fhir/StructureDefinition/Patient",
        "derivation": "constraint",
        "differential": {
            "element": [
                {
                    "id": "Patient.identifier",
                    "path": "Patient.identifier",
                    "slicing": {"discriminator": [{"type": "value", "path": "system"}], "rules": "open"},
                },
                {"id": "Patient.identifier:mrn", "path": "Patient.identifier", "sliceName": "mrn", "max": "1"},
                {"id": "Patient.identifier:mrn.system", "path": "Patient.identifier.system", "fixedUri": MRN_SYSTEM},
            ]
        },
    }
    on_mrn = _extension("on-mrn", [{"type": "element", "expression": MRN_PROFILE + "#Patient.identifier:mrn"}])
    return Validator(core.with_resources([patient, on_mrn]))


def test_element_context_of_a_profiles_slice(on_a_slice: Validator) -> None:
    def patient(system: str, profiled: bool = True) -> dict:
        identifier = {"system": system, "value": "12345", "extension": [_ext("on-mrn")]}
        meta = {"meta": {"profile": [MRN_PROFILE]}} if profiled else {}
        return {**meta, "identifier": [identifier]}

    assert _context_errors(on_a_slice, patient(MRN_SYSTEM)) == []
    # not walked against the profile: the element is the slice's element (Patient.identifier), nothing more is known
    assert _context_errors(on_a_slice, patient(MRN_SYSTEM, profiled=False)) == []
    assert _context_errors(on_a_slice, {"extension": [_ext("on-mrn")]}) == ["Patient.extension[0]"]
    name = {"family": "Lee", "extension": [_ext("on-mrn")]}
    assert _context_errors(on_a_slice, {"meta": {"profile": [MRN_PROFILE]}, "name": [name]}) == [
        "Patient.name[0].extension[0]"
    ]
