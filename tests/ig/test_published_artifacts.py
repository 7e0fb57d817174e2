"""Every artifact the published guide lists is in the compiled package with its exact id, URL, codes and displays."""

from __future__ import annotations

import pytest

from dermfhir.definitions import Package, StructureDefinition

BASE = "https://annotatemd.com/fhir/ig"
SCT = "http://snomed.info/sct"
CANONICAL_TYPES = {
    "StructureDefinition",
    "ValueSet",
    "CodeSystem",
    "ConceptMap",
    "SearchParameter",
    "CapabilityStatement",
    "ImplementationGuide",
    "OperationDefinition",
}
AIAST = ("http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "AIAST")


def _resource(guide: Package, resource_type: str, resource_id: str) -> dict:
    found = [r for r in guide.resources(resource_type) if r.get("id") == resource_id]
    assert found, f"{resource_type}/{resource_id} is missing from the guide"
    return found[0]


def _concepts(concepts: list[dict]) -> list[dict]:
    flat = []
    for concept in concepts:
        flat.append(concept)
        flat.extend(_concepts(concept.get("concept", [])))
    return flat


def _value_set_codes(value_set: dict) -> list[tuple[str, str, str | None]]:
    return [
        (include["system"], concept["code"], concept.get("display"))
        for include in value_set["compose"]["include"]
        for concept in include.get("concept", [])
    ]


def test_package_identity(guide: Package) -> None:
    assert (guide.name, guide.version, guide.canonical) == ("annotatemd.dermatology-annotation", "0.1.0", BASE)
    assert guide.manifest["fhirVersions"] == ["4.0.1"]
    # HL7 Terminology is a real dependency (current copies of terminology.hl7.org); SUSHI's stubs are not listed
    assert guide.manifest["dependencies"] == {"hl7.fhir.r4.core": "4.0.1", "hl7.terminology.r4": "7.0.1"}
    ig = _resource(guide, "ImplementationGuide", "annotatemd.dermatology-annotation")
    assert {"packageId": "hl7.terminology.r4", "version": "7.0.1"}.items() <= next(
        item for item in ig["dependsOn"] if item["packageId"] == "hl7.terminology.r4"
    ).items()
    assert ig["url"] == f"{BASE}/ImplementationGuide/annotatemd.dermatology-annotation"
    assert ig["name"] == "DermatologyImageAnnotationIG"
    assert ig["fhirVersion"] == ["4.0.1"]


def test_every_canonical_lives_under_the_guide_base(guide: Package) -> None:
    for entry in guide.index:
        if "url" in entry and entry["resourceType"] in CANONICAL_TYPES:
            assert entry["url"] == f"{BASE}/{entry['resourceType']}/{entry['id']}", entry


@pytest.mark.parametrize("profile_id", ["dermatology-image-annotation", "ai-prediction", "annotation-series"])
def test_published_profiles_are_observations(guide: Package, profile_id: str) -> None:
    profile = _resource(guide, "StructureDefinition", profile_id)
    assert profile["type"] == "Observation"
    assert profile["derivation"] == "constraint"
    assert "snapshot" in profile


def test_annotation_profile_rules(guide: Package) -> None:
    profile = StructureDefinition(_resource(guide, "StructureDefinition", "dermatology-image-annotation"))
    category = profile.element("Observation.category")
    assert category.slicing["rules"] == "open"
    assert category.slicing["discriminator"] == [{"type": "pattern", "path": "$this"}]
    patterns = [(s.min, s.pattern()) for s in profile.slices("Observation.category")]
    codings = {(c["system"], c["code"]) for minimum, (_, value) in patterns for c in value["coding"] if minimum == 1}
    assert codings >= {
        ("http://terminology.hl7.org/CodeSystem/observation-category", "imaging"),
        (f"{BASE}/CodeSystem/annotation-type", "dermatology-annotation"),
    }
    status = profile.element("Observation.status").binding
    assert (status["strength"], status["valueSet"]) == ("required", f"{BASE}/ValueSet/dermatology-annotation-status")
    derived = profile.element("Observation.derivedFrom")
    assert derived.min >= 1
    assert [t.target_profiles for t in derived.types] == [
        (
            *(f"http://hl7.org/fhir/StructureDefinition/{t}" for t in ("ImagingStudy", "DocumentReference", "Media")),
            f"{BASE}/StructureDefinition/ai-prediction",
        )
    ]
    method = profile.element("Observation.method")
    assert (method.min, method.max) == (1, 1)
    assert method.binding["strength"] == "required"
    assert method.binding["valueSet"] == f"{BASE}/ValueSet/annotation-methods"
    component = profile.element("Observation.component")
    assert component.slicing["discriminator"][0]["type"] == "pattern"
    skin = profile.element("Observation.component:skinFinding")
    assert skin.min >= 1
    code = profile.element("Observation.component:skinFinding.code").pattern()[1]
    assert {"system": SCT, "code": "106076001"}.items() <= code["coding"][0].items()
    value = profile.element("Observation.component:skinFinding.value[x]")
    assert value.binding["strength"] == "extensible"
    assert value.binding["valueSet"] == f"{BASE}/ValueSet/dermatology-findings"
    for slice_name in (
        "confidenceScore",
        "segmentationMask",
        "boundingBoxes",
        "qaReviewStatus",
        "interAnnotatorAgreement",
    ):
        assert profile.element(f"Observation.component:{slice_name}") is not None, slice_name
    body_site = profile.element("Observation.bodySite").binding
    assert (body_site["strength"], body_site["valueSet"]) == ("extensible", f"{BASE}/ValueSet/body-sites-skin")


def test_ai_prediction_profile_rules(guide: Package) -> None:
    profile = StructureDefinition(_resource(guide, "StructureDefinition", "ai-prediction"))
    status = profile.element("Observation.status").binding
    assert (status["strength"], status["valueSet"]) == ("required", f"{BASE}/ValueSet/ai-prediction-status")
    method = profile.element("Observation.method")
    _, value = method.fixed() or method.pattern()
    assert {"system": f"{BASE}/CodeSystem/annotation-method", "code": "ai-inference"}.items() <= value["coding"][
        0
    ].items()
    assert profile.element("Observation.device").min == 1
    security = [s.pattern() or s.fixed() for s in profile.slices("Observation.meta.security")]
    assert any((v.get("system"), v.get("code")) == AIAST for _, v in security if v)
    for slice_name in ("predictionConfidence", "inferenceTimeMs", "heatmap"):
        assert profile.element(f"Observation.component:{slice_name}") is not None, slice_name


def test_annotation_method_code_system(guide: Package) -> None:
    code_system = _resource(guide, "CodeSystem", "annotation-method")
    assert code_system["url"] == f"{BASE}/CodeSystem/annotation-method"
    assert code_system["caseSensitive"] is True
    assert {c["code"]: c["display"] for c in code_system["concept"]} == {
        "expert-annotation": "Expert Manual Annotation",
        "clinician-point-of-care": "Clinician Point-of-Care Assessment",
        "ai-assisted-confirmed": "AI-Assisted, Clinician Confirmed",
        "ai-assisted-corrected": "AI-Assisted, Clinician Corrected",
        "ai-inference": "AI Model Inference",
    }


def test_annotation_type_code_system(guide: Package) -> None:
    codes = {c["code"] for c in _concepts(_resource(guide, "CodeSystem", "annotation-type")["concept"])}
    assert codes >= {
        "lesion-classification",
        "segmentation",
        "full-annotation",
        "quick-classify",
        "dermatology-annotation",
        "confidence-score",
        "segmentation-mask",
        "bounding-boxes",
        "qa-review-status",
        "inter-annotator-agreement",
        "prediction-confidence",
        "heatmap",
        "inference-time-ms",
        "change-detected",
    }


@pytest.mark.parametrize(
    ("value_set_id", "codes"),
    [
        ("dermatology-annotation-status", {"preliminary", "final", "amended"}),
        ("ai-prediction-status", {"preliminary", "cancelled", "entered-in-error"}),
    ],
)
def test_status_value_sets(guide: Package, value_set_id: str, codes: set[str]) -> None:
    value_set = _resource(guide, "ValueSet", value_set_id)
    assert {(system, code) for system, code, _ in _value_set_codes(value_set)} == {
        ("http://hl7.org/fhir/observation-status", code) for code in codes
    }


def test_annotation_methods_value_set_is_the_whole_code_system(guide: Package) -> None:
    value_set = _resource(guide, "ValueSet", "annotation-methods")
    assert value_set["compose"]["include"] == [{"system": f"{BASE}/CodeSystem/annotation-method"}]


#: code → display as published (compose display where the stored published pages show it, else the published
#: expansion display), in the published order
BODY_SITES = {
    "41695006": "Scalp structure",
    "89545001": "Face structure",
    "52795006": "Forehead structure",
    "60819002": "Cheek structure",
    "45206002": "Nasal structure",
    "30291003": "Chin structure",
    "1910005": "Ear structure",
    "45048000": "Neck structure",
    "51185008": "Thoracic structure",
    "818983003": "Abdomen",
    "77568009": "Back",
    "16982005": "Shoulder",
    "40983000": "Upper arm structure",
    "14975008": "Forearm",
    "85562004": "Hand",
    "7569003": "Finger",
    "68367000": "Thigh",
    "72696002": "Knee",
    "30021000": "Lower leg",
    "56459004": "Foot",
    "29707007": "Toe",
    "72651009": "Nail",
    "182325008": "Entire cheek",
}


def test_body_sites_skin(guide: Package) -> None:
    value_set = _resource(guide, "ValueSet", "body-sites-skin")
    codes = _value_set_codes(value_set)
    assert len(codes) == 23
    assert {code: display for system, code, display in codes if system == SCT} == BODY_SITES
    assert [code for _, code, _ in codes] == list(BODY_SITES), "compose order as published"
    nail = next(c for i in value_set["compose"]["include"] for c in i.get("concept", []) if c["code"] == "72651009")
    assert "inactive" in str(nail).lower()


def test_dermatology_findings_value_set(guide: Package) -> None:
    value_set = _resource(guide, "ValueSet", "dermatology-findings")
    assert value_set["title"].replace(" ", "") == "DermatologyFindings"
    codes = {code for system, code, _ in _value_set_codes(value_set) if system == SCT}
    assert {"106076001", "372244006"} <= codes


def test_search_parameters(guide: Package) -> None:
    derived = _resource(guide, "SearchParameter", "observation-derived-from")
    assert (derived["type"], derived["expression"], derived["base"]) == (
        "reference",
        "Observation.derivedFrom",
        ["Observation"],
    )
    method = _resource(guide, "SearchParameter", "observation-method")
    assert (method["type"], method["expression"], method["base"]) == ("token", "Observation.method", ["Observation"])


def test_capability_statement(guide: Package) -> None:
    statements = list(guide.resources("CapabilityStatement"))
    assert [s["title"] for s in statements] == ["Annotate MD Server Capability Statement"]
    rest = statements[0]["rest"][0]
    observation = next(r for r in rest["resource"] if r["type"] == "Observation")
    assert f"{BASE}/StructureDefinition/dermatology-image-annotation" in observation["supportedProfile"]
    params = {p["definition"] for p in observation.get("searchParam", [])}
    assert {f"{BASE}/SearchParameter/observation-derived-from", f"{BASE}/SearchParameter/observation-method"} <= params


def _component(observation: dict, code: str) -> dict:
    return next(c for c in observation["component"] if any(x["code"] == code for x in c["code"]["coding"]))


def test_example_melanoma_annotation(guide: Package) -> None:
    example = _resource(guide, "Observation", "ExampleMelanomaAnnotation")
    assert example["meta"]["profile"] == [f"{BASE}/StructureDefinition/dermatology-image-annotation"]
    assert example["status"] == "final"
    assert example["method"]["coding"][0]["code"] == "expert-annotation"
    assert _component(example, "106076001")["valueCodeableConcept"]["coding"][0]["code"] == "372244006"
    assert example["bodySite"]["coding"][0]["code"] == "40983000"
    assert _component(example, "confidence-score")["valueQuantity"]["value"] == 0.92
    qa = _component(example, "qa-review-status")["valueCodeableConcept"]["coding"][0]
    assert (qa["code"], qa["display"]) == ("approved", "QA Approved")
    assert _component(example, "inter-annotator-agreement")["valueQuantity"]["value"] == 0.87
    assert example["interpretation"][0]["coding"][0]["code"] == "A"
    assert example["performer"][0]["reference"] == "Practitioner/example-dermatologist"
    assert example["subject"]["reference"] == "Patient/example-patient"
    image = example["derivedFrom"][0]["reference"]
    assert image.startswith("DocumentReference/")
    document = _resource(guide, "DocumentReference", image.split("/")[1])
    assert document["type"]["coding"][0]["display"] == "Photographic image"


def test_example_ai_prediction(guide: Package) -> None:
    example = _resource(guide, "Observation", "ExampleAIPrediction")
    assert example["status"] == "preliminary"
    assert any((s["system"], s["code"]) == AIAST for s in example["meta"]["security"])
    assert _component(example, "prediction-confidence")["valueQuantity"]["value"] == 0.89
    assert _component(example, "inference-time-ms")["valueQuantity"]["value"] == 245
    device = _resource(guide, "Device", example["device"]["reference"].split("/")[1])
    assert device["deviceName"][0]["name"] == "DermAI Classifier v2.1"
    provenances = [
        p
        for p in guide.resources("Provenance")
        if any(t.get("reference") == "Observation/ExampleAIPrediction" for t in p["target"])
    ]
    assert provenances, "the AI prediction has a Provenance"


@pytest.mark.parametrize(
    ("resource_type", "resource_id"), [("Patient", "example-patient"), ("Practitioner", "example-dermatologist")]
)
def test_example_people(guide: Package, resource_type: str, resource_id: str) -> None:
    assert _resource(guide, resource_type, resource_id)["resourceType"] == resource_type
