"""Element ids are unique within a resource (R4 Element.id); each resource inside another has its own."""

from __future__ import annotations

from dermfhir.validation import Validator


def _duplicates(validator: Validator, resource: dict) -> list[str]:
    return [issue.location for issue in validator.issues(resource) if issue.message_id == "DUPLICATE_ID"]


def test_distinct_element_ids_are_fine(validator: Validator) -> None:
    patient = {
        "resourceType": "Patient",
        "id": "n1",  # the resource id is not an element id
        "identifier": [{"id": "n1", "value": "1"}],
        "name": [{"id": "n2", "family": "Doe", "_family": {"id": "n3"}}],
    }
    assert _duplicates(validator, patient) == []


def test_a_repeated_element_id_is_reported_where_it_repeats(validator: Validator) -> None:
    patient = {
        "resourceType": "Patient",
        "identifier": [{"id": "x", "value": "1"}],
        "name": [{"family": "Doe"}, {"id": "x", "family": "Roe"}],
        "_gender": {"id": "x"},
        "gender": "other",
    }
    assert _duplicates(validator, patient) == ["Patient.name[1]", "Patient.gender"]


def test_resources_inside_a_resource_have_ids_of_their_own(validator: Validator) -> None:
    observation = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"id": "a", "text": "x"},
        "subject": {"reference": "#p"},
        "contained": [{"resourceType": "Patient", "id": "p", "name": [{"id": "a", "family": "Doe"}]}],
    }
    assert _duplicates(validator, observation) == []
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"id": "e", "fullUrl": "urn:uuid:0c3151bd-1cbf-4d64-b04d-cd9187a4c6e0", "resource": observation},
            {
                "id": "e",
                "fullUrl": "urn:uuid:0c3151bd-1cbf-4d64-b04d-cd9187a4c6e1",
                "resource": {"resourceType": "Basic", "code": {"id": "e", "text": "y"}},
            },
        ],
    }
    assert _duplicates(validator, bundle) == ["Bundle.entry[1]"]


def test_snapshot_and_differential_share_their_element_ids(validator: Validator) -> None:
    """R4 ElementDefinition.id: the same element has the same id in the snapshot and the differential."""
    definition = validator.definitions.resolve("http://hl7.org/fhir/StructureDefinition/vitalsigns")
    assert definition["snapshot"]["element"][0]["id"] == definition["differential"]["element"][0]["id"]
    assert _duplicates(validator, definition) == []
    twice = {**definition, "differential": {"element": [*definition["differential"]["element"]] * 2}}
    assert _duplicates(validator, twice)[0].startswith("StructureDefinition.differential.element[")
