"""FHIR resources for the server tests: the guide's examples and small hand-made ones."""

from __future__ import annotations

import copy
from functools import cache

import orjson

from dermfhir.definitions import guide_package

AIAST = {"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "code": "AIAST"}
ANNOTATION = "https://annotatemd.com/fhir/ig/StructureDefinition/dermatology-image-annotation"


@cache
def _examples() -> dict[str, dict]:
    folder = guide_package().folder
    found = {}
    for path in sorted(folder.glob("*.json")):
        data = orjson.loads(path.read_bytes())
        if isinstance(data, dict) and data.get("resourceType") not in (
            None,
            "StructureDefinition",
            "ValueSet",
            "CodeSystem",
            "ConceptMap",
            "SearchParameter",
            "CapabilityStatement",
            "ImplementationGuide",
            "OperationDefinition",
        ):
            found[f"{data['resourceType']}/{data['id']}"] = data
    return found


def example(reference: str) -> dict:
    """A copy of a guide example, e.g. `example("Observation/ExampleMelanomaAnnotation")`."""
    return copy.deepcopy(_examples()[reference])


def examples() -> list[dict]:
    return [copy.deepcopy(item) for item in _examples().values()]


def patient(family: str = "Chalmers", **extra: object) -> dict:
    return {
        "resourceType": "Patient",
        "name": [{"family": family, "given": ["Peter"]}],
        "gender": "male",
        "birthDate": "1974-12-25",
        **extra,
    }


def observation(subject: str, value: float = 4.2, **extra: object) -> dict:
    return {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "8302-2", "display": "Body height"}]},
        "subject": {"reference": subject},
        "effectiveDateTime": "2024-03-01T10:00:00Z",
        "valueQuantity": {"value": value, "unit": "mm", "system": "http://unitsofmeasure.org", "code": "mm"},
        **extra,
    }


def annotation(subject: str = "Patient/example-patient") -> dict:
    """The guide's melanoma annotation, pointed at `subject`, without id."""
    found = example("Observation/ExampleMelanomaAnnotation")
    found.pop("id")
    found["subject"] = {"reference": subject}
    return found
