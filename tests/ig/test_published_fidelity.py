"""The compiled package says what the published guide's pages say: metadata, displays, examples field by field,
the content of DermatologyFindings, and what is this project's own completion is marked as such."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dermfhir.definitions import Package, core_package

BASE = "https://annotatemd.com/fhir/ig"
SCT = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
REPOSITORY = Path(__file__).resolve().parents[2]
TERMINOLOGY_NOTES = REPOSITORY.parent / "shared" / "data" / "terminology.md"

#: (resource type, id) → published computable name; all published CodeSystems and ValueSets
PUBLISHED_TERMINOLOGY = {
    ("CodeSystem", "annotation-method"): "AnnotationMethod",
    ("CodeSystem", "annotation-type"): "AnnotationType",
    ("ValueSet", "annotation-methods"): "AnnotationMethods",
    ("ValueSet", "body-sites-skin"): "BodySitesSkin",
    ("ValueSet", "ai-prediction-status"): "AIPredictionStatus",
    ("ValueSet", "dermatology-annotation-status"): "DermatologyAnnotationStatus",
    ("ValueSet", "dermatology-findings"): "DermatologyFindings",
}

#: annotation-type codes, displays exactly as published (title case)
ANNOTATION_TYPE_DISPLAYS = {
    "lesion-classification": "Lesion Classification",
    "segmentation": "Segmentation",
    "full-annotation": "Full Annotation",
    "quick-classify": "Quick Classify",
    "dermatology-annotation": "Dermatology Annotation",
    "confidence-score": "Confidence Score",
    "qa-review-status": "QA Review Status",
    "inter-annotator-agreement": "Inter-Annotator Agreement",
    "inference-time-ms": "Inference Time",
    "segmentation-mask": "Segmentation Mask",
    "bounding-boxes": "Bounding Boxes",
    "prediction-confidence": "Prediction Confidence",
    "heatmap": "Heatmap",
}

#: annotation-type definitions as published
ANNOTATION_TYPE_DEFINITIONS = {
    "lesion-classification": "Classification of a skin lesion by diagnosis",
    "segmentation": "Pixel-level delineation of lesion boundaries",
    "full-annotation": "Classification + segmentation + clinical attributes",
    "quick-classify": "Rapid clinician-driven or AI-assisted classification",
    "dermatology-annotation": "Observation category code for dermatology image annotation",
    "confidence-score": "Annotator self-reported confidence in classification (0-1)",
    "segmentation-mask": "Pixel-level segmentation mask image",
    "bounding-boxes": "Bounding box coordinates for lesion location",
    "qa-review-status": "Quality assurance review status",
    "inter-annotator-agreement": "Cohen's kappa or similar inter-annotator agreement score",
    "prediction-confidence": "AI model prediction confidence score (0-1)",
    "heatmap": "Gradient visualization of AI model attention",
    "inference-time-ms": "AI model inference time in milliseconds",
}

#: annotation-method codes → (display, definition) as published
ANNOTATION_METHODS = {
    "expert-annotation": (
        "Expert Manual Annotation",
        "Full annotation by specialist (dermatologist, dermatopathologist)",
    ),
    "clinician-point-of-care": (
        "Clinician Point-of-Care Assessment",
        "Classification by treating clinician without AI assistance",
    ),
    "ai-assisted-confirmed": (
        "AI-Assisted, Clinician Confirmed",
        "Clinician accepted AI prediction without modification",
    ),
    "ai-assisted-corrected": ("AI-Assisted, Clinician Corrected", "Clinician modified AI prediction before accepting"),
    "ai-inference": ("AI Model Inference", "Automated prediction by AI model without human review"),
}


def _resource(guide: Package, resource_type: str, resource_id: str) -> dict:
    found = [r for r in guide.resources(resource_type) if r.get("id") == resource_id]
    assert found, f"{resource_type}/{resource_id} is missing from the guide"
    return found[0]


def _component(observation: dict, code: str) -> dict:
    matches = [c for c in observation["component"] if any(x["code"] == code for x in c["code"]["coding"])]
    assert len(matches) == 1, f"{observation['id']} has {len(matches)} {code} components"
    return matches[0]


def _coding(concept: dict) -> tuple[str, str, str | None]:
    coding = concept["coding"][0]
    return coding["system"], coding["code"], coding.get("display")


@pytest.mark.parametrize(("key", "name"), list(PUBLISHED_TERMINOLOGY.items()), ids=lambda v: str(v))
def test_published_terminology_metadata(guide: Package, key: tuple[str, str], name: str) -> None:
    resource = _resource(guide, *key)
    assert resource["version"] == "0.1.0"
    assert resource["status"] == "active"
    assert resource["date"] == "2026-04-04"
    assert resource["name"] == name
    assert not re.search(r"(CS|VS)$", resource["name"])
    assert resource["publisher"] == "Annotate MD"
    emails = [t["value"] for c in resource["contact"] for t in c.get("telecom", []) if t["system"] == "email"]
    assert emails == ["fhir@annotatemd.com"]


def test_body_sites_title(guide: Package) -> None:
    assert _resource(guide, "ValueSet", "body-sites-skin")["title"] == "Body Sites - Skin"


def test_every_guide_artifact_carries_version_publisher_and_contact(guide: Package) -> None:
    """Conformance resources written in the guide's own FSH carry the guide's version and publisher."""
    own = ("StructureDefinition", "SearchParameter", "CapabilityStatement")
    for resource_type in own:
        for resource in guide.resources(resource_type):
            assert resource.get("version") == "0.1.0", f"{resource_type}/{resource['id']}"
            assert resource.get("publisher") == "Annotate MD", f"{resource_type}/{resource['id']}"
            assert "fhir@annotatemd.com" in str(resource.get("contact")), f"{resource_type}/{resource['id']}"


def test_annotation_type_displays_and_definitions(guide: Package) -> None:
    concepts = {c["code"]: c for c in _resource(guide, "CodeSystem", "annotation-type")["concept"]}
    assert {code: concepts[code]["display"] for code in ANNOTATION_TYPE_DISPLAYS} == ANNOTATION_TYPE_DISPLAYS
    assert {code: concepts[code]["definition"] for code in ANNOTATION_TYPE_DEFINITIONS} == ANNOTATION_TYPE_DEFINITIONS
    for concept in concepts.values():
        words = concept["display"].split()
        assert all(w[0].isupper() or w in {"at", "of", "and"} for w in words), concept["display"]


def test_annotation_method_displays_and_definitions(guide: Package) -> None:
    code_system = _resource(guide, "CodeSystem", "annotation-method")
    found = {c["code"]: (c["display"], c["definition"]) for c in code_system["concept"]}
    assert found == ANNOTATION_METHODS
    assert list(found) == list(ANNOTATION_METHODS), "published order"


def test_example_codings_use_the_code_system_displays(guide: Package) -> None:
    """Every coding of the guide's own code systems in an example shows the display of its code system."""
    displays = {
        (cs["url"], c["code"]): c["display"]
        for cs in guide.resources("CodeSystem")
        if cs["url"].startswith(BASE)
        for c in _flat(cs.get("concept", []))
    }
    checked = 0
    for resource in _examples(guide):
        for coding in _codings(resource):
            key = (coding.get("system"), coding.get("code"))
            if key in displays and "display" in coding:
                assert coding["display"] == displays[key], (resource["id"], key)
                checked += 1
    assert checked > 20


def _flat(concepts: list[dict]) -> list[dict]:
    return [x for c in concepts for x in [c, *_flat(c.get("concept", []))]]


def _examples(guide: Package) -> list[dict]:
    return [
        r
        for r in guide.resources()
        if r["resourceType"] not in {"StructureDefinition", "ValueSet", "CodeSystem", "ConceptMap", "SearchParameter"}
        and r["resourceType"] not in {"CapabilityStatement", "ImplementationGuide"}
    ]


def _codings(node: object) -> list[dict]:
    if isinstance(node, dict):
        own = [node] if "system" in node and "code" in node else []
        return own + [c for value in node.values() for c in _codings(value)]
    if isinstance(node, list):
        return [c for value in node for c in _codings(value)]
    return []


def test_published_patient(guide: Package) -> None:
    patient = _resource(guide, "Patient", "example-patient")
    assert [(n["given"], n["family"]) for n in patient["name"]] == [(["Jane"], "Smith")]
    assert (patient["gender"], patient["birthDate"]) == ("female", "1975-06-15")


def test_published_practitioner(guide: Package) -> None:
    practitioner = _resource(guide, "Practitioner", "example-dermatologist")
    assert [(n["given"], n["family"]) for n in practitioner["name"]] == [(["Robert"], "Johnson")]


def test_published_melanoma_annotation_field_by_field(guide: Package) -> None:
    example = _resource(guide, "Observation", "ExampleMelanomaAnnotation")
    assert example["status"] == "final"
    assert [_coding(c) for c in example["category"]] == [
        ("http://terminology.hl7.org/CodeSystem/observation-category", "imaging", "Imaging"),
        (f"{BASE}/CodeSystem/annotation-type", "dermatology-annotation", "Dermatology Annotation"),
    ]
    assert _coding(example["code"]) == (
        f"{BASE}/CodeSystem/annotation-type",
        "lesion-classification",
        "Lesion Classification",
    )
    assert example["subject"]["reference"] == "Patient/example-patient"
    assert example["effectiveDateTime"] == "2026-03-27T14:30:00Z"
    assert example["issued"] == "2026-03-27T15:45:00Z"
    assert [p["reference"] for p in example["performer"]] == ["Practitioner/example-dermatologist"]
    assert _coding(example["interpretation"][0])[1:] == ("A", "Abnormal")
    assert [n["text"] for n in example["note"]] == [
        "Irregularly bordered lesion with satellite lesions noted superiorly. ABCDE criteria: Asymmetry present, "
        "Border irregular, Color variegated, Diameter >6mm."
    ]
    assert _coding(example["bodySite"]) == (SCT, "40983000", "Upper arm structure")
    assert _coding(example["method"]) == (
        f"{BASE}/CodeSystem/annotation-method",
        "expert-annotation",
        "Expert Manual Annotation",
    )
    assert _coding(_component(example, "106076001")["code"]) == (SCT, "106076001", "Skin finding")
    assert _coding(_component(example, "106076001")["valueCodeableConcept"]) == (SCT, "372244006", "Malignant melanoma")
    assert _component(example, "confidence-score")["valueQuantity"] == {
        "value": 0.92,
        "unit": "score",
        "system": UCUM,
        "code": "1",
    }
    qa = _component(example, "qa-review-status")
    assert _coding(qa["code"])[2] == "QA Review Status"
    assert _coding(qa["valueCodeableConcept"])[1:] == ("approved", "QA Approved")
    kappa = _component(example, "inter-annotator-agreement")
    assert _coding(kappa["code"])[2] == "Inter-Annotator Agreement"
    assert kappa["valueQuantity"] == {"value": 0.87, "unit": "kappa", "system": UCUM, "code": "1"}
    # nothing this project adds: the published example has exactly these four components and no focus
    assert len(example["component"]) == 4
    assert "focus" not in example


def test_published_clinical_photograph(guide: Package) -> None:
    example = _resource(guide, "Observation", "ExampleMelanomaAnnotation")
    kind, photo_id = example["derivedFrom"][0]["reference"].split("/")
    assert kind == "DocumentReference"
    photo = _resource(guide, "DocumentReference", photo_id)
    assert photo["status"] == "current"
    assert _coding(photo["type"]) == ("http://loinc.org", "72170-4", "Photographic image")
    assert "right upper arm" in photo["description"].lower()
    assert "photograph" in photo["description"].lower()
    prediction = _resource(guide, "Observation", "ExampleAIPrediction")
    assert prediction["derivedFrom"] == example["derivedFrom"], "the AI analysed the same photograph"


def test_published_ai_prediction_field_by_field(guide: Package) -> None:
    example = _resource(guide, "Observation", "ExampleAIPrediction")
    assert example["meta"]["security"] == [
        {
            "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
            "code": "AIAST",
            "display": "artificial intelligence asserted",
        }
    ]
    assert example["status"] == "preliminary"
    assert example["effectiveDateTime"] == "2026-03-27T14:29:00Z"
    assert example["subject"]["reference"] == "Patient/example-patient"
    assert _coding(example["code"])[1:] == ("lesion-classification", "Lesion Classification")
    assert _coding(example["method"])[1:] == ("ai-inference", "AI Model Inference")
    assert _component(example, "prediction-confidence")["valueQuantity"]["value"] == 0.89
    assert _component(example, "inference-time-ms")["valueQuantity"] == {
        "value": 245,
        "unit": "ms",
        "system": UCUM,
        "code": "ms",
    }
    assert _coding(_component(example, "106076001")["valueCodeableConcept"])[1:] == ("372244006", "Malignant melanoma")
    codes = {c["code"]["coding"][0]["code"] for c in example["component"]}
    assert codes == {"106076001", "prediction-confidence", "inference-time-ms"}, "project additions moved out"
    device = _resource(guide, "Device", example["device"]["reference"].split("/")[1])
    assert device["deviceName"][0]["name"] == "DermAI Classifier v2.1"


def test_project_examples_say_they_are_completions(guide: Package) -> None:
    """Examples the published guide does not have say so in their description (shown on their page)."""
    published = {
        "ExampleMelanomaAnnotation",
        "ExampleAIPrediction",
        "ExampleAIAssistedConfirmed",
        "ExampleAIPredictionProvenance",
        "example-patient",
        "example-dermatologist",
    }
    descriptions = _example_descriptions(guide)
    assert published <= set(descriptions)
    for example_id, description in descriptions.items():
        if example_id in published:
            assert "Published example" in description or "published examples" in description, example_id
        else:
            assert "Published example" in description or "Completion" in description, example_id


def _example_descriptions(guide: Package) -> dict[str, str]:
    ig = _resource(guide, "ImplementationGuide", "annotatemd.dermatology-annotation")
    return {
        r["reference"]["reference"].split("/")[1]: r.get("description", "")
        for r in ig["definition"]["resource"]
        if r.get("exampleBoolean") is True or "exampleCanonical" in r
    }


#: every code of DermatologyFindings: the root and skin disorders (none is a morphologic abnormality or situation)
def test_dermatology_findings_hold_skin_findings_only(guide: Package) -> None:
    value_set = _resource(guide, "ValueSet", "dermatology-findings")
    concepts = [c for i in value_set["compose"]["include"] for c in i.get("concept", [])]
    codes = {c["code"] for c in concepts}
    assert {"106076001", "372244006"} <= codes
    morphology = {c["code"] for c in _value_set_concepts(guide, "skin-lesion-morphology")}
    history = {c["code"] for c in _value_set_concepts(guide, "skin-cancer-history")}
    assert morphology and history
    assert not codes & morphology, "morphologic abnormalities belong in skin-lesion-morphology"
    assert not codes & history, "'History of' situations belong in skin-cancer-history"
    for concept in concepts:
        assert not concept.get("display", "").startswith("History of"), concept
    # every example skin finding is in DermatologyFindings or marked as an extensible-binding completion
    for resource in guide.resources("Observation"):
        for component in resource.get("component", []):
            if component["code"]["coding"][0]["code"] == "106076001":
                code = component["valueCodeableConcept"]["coding"][0]["code"]
                assert code in codes, (resource["id"], code)


def _value_set_concepts(guide: Package, value_set_id: str) -> list[dict]:
    value_set = _resource(guide, "ValueSet", value_set_id)
    return [c for i in value_set["compose"]["include"] for c in i.get("concept", [])]


def test_skin_lesion_morphology_binding(guide: Package) -> None:
    profile = _resource(guide, "StructureDefinition", "skin-lesion")
    morphology = next(e for e in profile["snapshot"]["element"] if e["id"] == "BodyStructure.morphology")
    assert morphology["binding"]["valueSet"] == f"{BASE}/ValueSet/skin-lesion-morphology"


@pytest.mark.skipif(not TERMINOLOGY_NOTES.exists(), reason="the shared terminology notes are not on this machine")
def test_every_snomed_code_of_the_new_value_sets_is_in_the_terminology_notes(guide: Package) -> None:
    notes = TERMINOLOGY_NOTES.read_text()
    for value_set_id in ("dermatology-findings", "skin-lesion-morphology", "skin-cancer-history"):
        for concept in _value_set_concepts(guide, value_set_id):
            if concept["code"] == "106076001":
                continue  # source: the guide (root of DermatologyFindings)
            assert re.search(rf"\b{concept['code']}\b", notes), (value_set_id, concept["code"])


def test_observation_code_allows_loinc(guide: Package) -> None:
    """The published terminology page: LOINC for Observation.code where appropriate; the binding stays extensible."""
    for profile_id in ("dermatology-image-annotation", "ai-prediction"):
        profile = _resource(guide, "StructureDefinition", profile_id)
        code = next(e for e in profile["snapshot"]["element"] if e["id"] == "Observation.code")
        assert code["binding"]["strength"] == "extensible"
        assert "patternCodeableConcept" not in code and "fixedCodeableConcept" not in code
    annotation = _resource(guide, "StructureDefinition", "dermatology-image-annotation")
    code = next(e for e in annotation["snapshot"]["element"] if e["id"] == "Observation.code")
    assert "LOINC" in code["definition"]


def test_capability_statement_and_search_parameters_mark_their_completions(guide: Package) -> None:
    statement = _resource(guide, "CapabilityStatement", "annotatemd-server")
    assert statement["description"] == (
        "Defines the expected capabilities of a server implementing the Dermatology Image Annotation IG."
    )
    assert statement["purpose"].startswith("Completion:")
    published = {
        "observation-derived-from": (
            "Search observations by source image reference (ImagingStudy, DocumentReference, or Media)"
        ),
        "observation-method": "Search observations by annotation method (expert, clinician, AI-assisted, AI inference)",
    }
    for parameter_id, description in published.items():
        parameter = _resource(guide, "SearchParameter", parameter_id)
        assert parameter["description"] == description
        assert parameter["purpose"].startswith("Completion:")


def test_external_canonicals_are_declared_or_documented(guide: Package) -> None:
    """Every canonical the package uses that neither the package nor FHIR R4 core defines is listed, with where it
    comes from, on the conformance page, so another validator loading the package knows where to find it."""
    core_urls = {entry.get("url") for entry in core_package().index}
    known = {r.get("url") for r in guide.resources() if "url" in r}
    page = (REPOSITORY / "ig" / "input" / "pagecontent" / "conformance.md").read_text()
    used: set[str] = set()
    for resource in guide.resources():
        used |= _canonicals(resource)
    missing = []
    for url in sorted(used):
        if url in known or url.startswith(BASE) or url in core_urls:
            continue
        if url.startswith(("http://snomed.info/sct", "http://loinc.org", "http://unitsofmeasure.org")):
            continue  # external terminologies every FHIR validator knows by URL
        if url not in page:
            missing.append(url)
    assert not missing, f"used but neither resolvable nor documented on conformance.md: {missing}"
    for code in ("AIAST", "DMS"):
        assert code in page


def _canonicals(node: object) -> set[str]:
    """Extension URLs, coding systems and the valueSet / profile / targetProfile canonicals in `node` (no version)."""
    found: set[str] = set()
    if isinstance(node, dict):
        if isinstance(node.get("system"), str) and "code" in node:
            found.add(node["system"])
        for extension in node.get("extension", []) if isinstance(node.get("extension"), list) else []:
            if isinstance(extension, dict) and isinstance(extension.get("url"), str) and "://" in extension["url"]:
                found.add(extension["url"])
        for key in ("valueSet", "profile", "targetProfile"):
            value = node.get(key)
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str):
                    found.add(item.split("|")[0])
        for value in node.values():
            found |= _canonicals(value)
    elif isinstance(node, list):
        for value in node:
            found |= _canonicals(value)
    return found


#: descriptions as the published artifacts page gives them
PUBLISHED_DESCRIPTIONS = {
    ("StructureDefinition", "ai-prediction"): (
        "AI model prediction for dermatology image classification. Represents machine output before clinician "
        "review. Status is always preliminary until a clinician acts on it."
    ),
    ("StructureDefinition", "annotation-series"): (
        "Groups dermatology annotations for the same lesion over time. Enables longitudinal tracking and change "
        "detection."
    ),
    ("StructureDefinition", "dermatology-image-annotation"): (
        "Structured annotation result from clinical dermatology photography. Produced by expert annotators, "
        "clinicians, or AI-assisted workflows."
    ),
    ("ValueSet", "ai-prediction-status"): (
        "Allowed status values for AI predictions. Never final — AI output requires human review."
    ),
    ("ValueSet", "body-sites-skin"): (
        "SNOMED CT body site codes relevant to dermatology. Extensible — implementations may add any SNOMED CT "
        "body structure code."
    ),
    ("CodeSystem", "annotation-type"): (
        "Types of dermatology image annotation and component codes for annotation Observation profiles"
    ),
    ("CodeSystem", "annotation-method"): (
        "Method by which a dermatology annotation was produced. Aligns with HL7 AI Transparency on FHIR by "
        "distinguishing human, AI-assisted, and pure AI annotation."
    ),
}


@pytest.mark.parametrize(("key", "description"), list(PUBLISHED_DESCRIPTIONS.items()), ids=lambda v: str(v)[:40])
def test_published_descriptions(guide: Package, key: tuple[str, str], description: str) -> None:
    assert _resource(guide, *key)["description"] == description


def test_operation_definitions_are_completions(guide: Package) -> None:
    definitions = list(guide.resources("OperationDefinition"))
    assert {d["code"] for d in definitions} == {
        "confirm",
        "correct",
        "reject",
        "qa-review",
        "claim",
        "release",
        "agreement",
        "series",
        "performance",
    }
    for definition in definitions:
        assert definition["description"].startswith("Completion:"), definition["id"]
        assert definition["purpose"].startswith("Completion:"), definition["id"]
        assert definition["url"] == f"{BASE}/OperationDefinition/{definition['id']}"
