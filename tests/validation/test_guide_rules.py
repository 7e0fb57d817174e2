"""The guide's own rules: every artifact and example of the guide is valid, and each invalid dermatology resource
of the corpus below fails with the expected issue at the expected location."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest

from dermfhir.definitions import guide_package
from dermfhir.validation import Validator

GUIDE = guide_package()
BASE = "https://annotatemd.com/fhir/ig"
SCT = "http://snomed.info/sct"


@pytest.fixture(scope="module")
def validator() -> Validator:
    return Validator()


def _problems(outcome: dict, severities: tuple[str, ...] = ("error", "fatal")) -> list[dict]:
    return [issue for issue in outcome["issue"] if issue["severity"] in severities]


def _example(resource_type: str, resource_id: str) -> dict:
    return copy.deepcopy(next(r for r in GUIDE.resources(resource_type) if r["id"] == resource_id))


@pytest.mark.parametrize("resource", list(GUIDE.resources()), ids=lambda r: f"{r['resourceType']}/{r['id']}")
def test_every_guide_resource_is_valid(validator: Validator, resource: dict) -> None:
    errors = _problems(validator.validate(resource))
    assert not errors, [(i.get("expression"), i["details"]["text"]) for i in errors]


@pytest.mark.parametrize(
    "resource_type", ["Observation", "BodyStructure", "Device", "Provenance", "Task", "RiskAssessment"]
)
def test_examples_declare_a_guide_profile(resource_type: str) -> None:
    """So that the test above validates them against the guide's profiles, not only against the base resource."""
    examples = list(GUIDE.resources(resource_type))
    assert examples
    for example in examples:
        assert any(p.startswith(f"{BASE}/StructureDefinition/") for p in example.get("meta", {}).get("profile", []))


def _component(resource: dict, code: str) -> dict:
    return next(c for c in resource["component"] if any(x["code"] == code for x in c["code"]["coding"]))


def _set(path: str, value: object) -> Callable[[dict], None]:
    def mutate(resource: dict) -> None:
        resource[path] = value

    return mutate


def _drop(path: str) -> Callable[[dict], None]:
    return lambda resource: resource.pop(path)


def _drop_component(code: str) -> Callable[[dict], None]:
    def mutate(resource: dict) -> None:
        resource["component"] = [c for c in resource["component"] if c["code"]["coding"][0]["code"] != code]

    return mutate


def _component_value(code: str, key: str, value: object) -> Callable[[dict], None]:
    def mutate(resource: dict) -> None:
        _component(resource, code)[key] = value

    return mutate


def _quantity(code: str, number: float) -> Callable[[dict], None]:
    def mutate(resource: dict) -> None:
        _component(resource, code)["valueQuantity"]["value"] = number

    return mutate


def _no_security(resource: dict) -> None:
    resource["meta"].pop("security")


def _bbox(data: str) -> Callable[[dict], None]:
    def mutate(resource: dict) -> None:
        _component(resource, "bounding-boxes")["valueSampledData"]["data"] = data

    return mutate


def _body_site(system: str) -> Callable[[dict], None]:
    def mutate(resource: dict) -> None:
        resource["bodySite"] = {"coding": [{"system": system, "code": "upper-arm"}]}

    return mutate


def _method(code: str) -> Callable[[dict], None]:
    def mutate(resource: dict) -> None:
        resource["method"]["coding"][0]["code"] = code

    return mutate


PREDICTION = ("Observation", "ExampleAIPrediction")
PREDICTION_REGIONS = ("Observation", "ExampleAIPredictionRegions")
ANNOTATION = ("Observation", "ExampleMelanomaAnnotation")

#: (name, example, mutation, severity, expected location, words expected in the message)
CORPUS = [
    ("prediction-final", PREDICTION, _set("status", "final"), "error", "Observation.status", "value set"),
    ("prediction-final-invariant", PREDICTION, _set("status", "final"), "error", "Observation", "aipred-not-final"),
    ("prediction-without-aiast", PREDICTION, _no_security, "error", "Observation", "aipred-aiast-required"),
    ("prediction-without-device", PREDICTION, _drop("device"), "error", "Observation", "Observation.device: minimum"),
    (
        "prediction-confidence-1.7",
        PREDICTION,
        _quantity("prediction-confidence", 1.7),
        "error",
        "Observation",
        "aipred-confidence-range",
    ),
    ("prediction-bbox-3-numbers", PREDICTION_REGIONS, _bbox("10 20 30"), "error", "Observation", "annot-bbox-arity"),
    (
        "prediction-bbox-not-numbers",
        PREDICTION_REGIONS,
        _bbox("10 20 30 x"),
        "error",
        "Observation",
        "annot-bbox-arity",
    ),
    (
        "prediction-method-expert",
        PREDICTION,
        _method("expert-annotation"),
        "error",
        "Observation.method",
        "ai-inference",
    ),
    (
        "annotation-without-derived-from",
        ANNOTATION,
        _drop("derivedFrom"),
        "error",
        "Observation",
        "Observation.derivedFrom: minimum",
    ),
    (
        "annotation-without-skin-finding",
        ANNOTATION,
        _drop_component("106076001"),
        "error",
        "Observation",
        "component:skinFinding",
    ),
    (
        "annotation-confidence-1.7",
        ANNOTATION,
        _quantity("confidence-score", 1.7),
        "error",
        "Observation",
        "annot-confidence-range",
    ),
    (
        "annotation-kappa-2",
        ANNOTATION,
        _quantity("inter-annotator-agreement", 2),
        "error",
        "Observation",
        "annot-kappa-range",
    ),
    ("annotation-wrong-method", ANNOTATION, _method("by-hand"), "error", "Observation.method", "value set"),
    (
        "annotation-final-without-performer",
        ANNOTATION,
        _drop("performer"),
        "error",
        "Observation",
        "annot-final-performer",
    ),
    ("annotation-wrong-status", ANNOTATION, _set("status", "registered"), "error", "Observation.status", "value set"),
    (
        "annotation-qa-status-unknown",
        ANNOTATION,
        _component_value(
            "qa-review-status",
            "valueCodeableConcept",
            {"coding": [{"system": f"{BASE}/CodeSystem/qa-review-status", "code": "looks-fine"}]},
        ),
        "error",
        "Observation.component[2].valueCodeableConcept",
        "qa-review-status",
    ),
    (
        "annotation-body-site-relative-system",
        ANNOTATION,
        _body_site("body-sites"),
        "error",
        "Observation.bodySite.coding[0].system",
        "absolute",
    ),
    # body-sites-skin is an extensible binding: a code from a system it does not include is a warning, not an error
    (
        "annotation-body-site-unknown-system",
        ANNOTATION,
        _body_site("http://example.org/sites"),
        "warning",
        "Observation.bodySite",
        "",
    ),
]


@pytest.mark.parametrize(
    ("example", "mutate", "severity", "location", "words"),
    [case[1:] for case in CORPUS],
    ids=[case[0] for case in CORPUS],
)
def test_invalid_dermatology_resource(
    validator: Validator,
    example: tuple[str, str],
    mutate: Callable[[dict], None],
    severity: str,
    location: str,
    words: str,
) -> None:
    resource = _example(*example)
    mutate(resource)
    issues = _problems(validator.validate(resource), (severity,))
    at_location = [i for i in issues if any(e.startswith(location) for e in i.get("expression", []))]
    described = [i for i in at_location if words.lower() in i["details"]["text"].lower()]
    assert described, [(i.get("expression"), i["details"]["text"]) for i in issues]
    if severity == "warning":
        assert not _problems(validator.validate(resource)), "an extensible binding miss is not an error"
