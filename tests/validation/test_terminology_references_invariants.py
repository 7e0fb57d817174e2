"""Bindings, references (contained, Bundle), invariants (native and FHIRPath), Bundle rules, Questionnaires."""

from __future__ import annotations

from tests.validation.conftest import error_locations, errors


def test_required_binding_on_code(validator):
    assert errors(validator, {"resourceType": "Patient", "gender": "female"}) == []
    assert error_locations(validator, {"resourceType": "Patient", "gender": "f"}) == [
        "Patient.gender",
        "Patient.gender",
    ]


def test_required_binding_on_codeable_concept(validator):
    good = {
        "resourceType": "AllergyIntolerance",
        "patient": {"reference": "Patient/1"},
        "clinicalStatus": {
            "coding": [
                {"system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "code": "active"}
            ]
        },
    }
    bad = {**good, "clinicalStatus": {"coding": [{"system": "http://example.org/cs", "code": "active"}]}}
    assert errors(validator, good) == []
    assert error_locations(validator, bad) == ["AllergyIntolerance.clinicalStatus"]


def test_unknown_code_in_a_known_code_system(validator):
    resource = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://hl7.org/fhir/observation-status", "code": "nope"}]},
    }
    assert error_locations(validator, resource) == ["Observation.code.coding[0].code"]


def test_a_coding_system_that_names_a_value_set(validator):
    """Coding.system identifies a code system (R4 datatypes.html#Coding); a value set's URL is not one."""

    def observation(system):
        return {
            "resourceType": "Observation",
            "status": "final",
            "code": {"coding": [{"system": system, "code": "final"}]},
        }

    assert errors(validator, observation("http://hl7.org/fhir/observation-status")) == []
    assert errors(validator, observation("http://hl7.org/fhir/ValueSet/observation-status")) == [
        (
            "Observation.code.coding[0].system",
            "The Coding references a value set, not a code system ('http://hl7.org/fhir/ValueSet/observation-status')",
        )
    ]
    versioned = errors(validator, observation("http://hl7.org/fhir/ValueSet/observation-status|4.0.1"))
    assert [location for location, _ in versioned] == ["Observation.code.coding[0].system"]
    assert errors(validator, observation("http://dermatology.example.net/ValueSet/not-loaded")) == []


def test_code_missing_from_a_dated_copy_is_a_warning(validator):
    """terminology.hl7.org code systems in the R4 core package are 2019 copies: a missing code may be newer."""
    resource = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"text": "x"},
        "category": [
            {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "nope"}]}
        ],
    }
    assert error_locations(validator, resource) == []
    warnings = [i for i in validator.validate(resource)["issue"] if i["severity"] == "warning"]
    assert any(i["expression"] == ["Observation.category[0].coding[0].code"] for i in warnings)


def test_snomed_is_never_a_false_error(validator):
    resource = {
        "resourceType": "Condition",
        "subject": {"reference": "Patient/1"},
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "372130007"}]},
    }
    assert errors(validator, resource) == []


def test_contained_reference(validator):
    good = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"text": "x"},
        "contained": [{"resourceType": "Patient", "id": "p"}],
        "subject": {"reference": "#p"},
    }
    bad = {**good, "subject": {"reference": "#q"}}
    assert errors(validator, good) == []
    assert sorted(error_locations(validator, bad)) == [
        "Observation.contained[0]",
        "Observation.subject",
        "Observation.subject",
    ]


def test_bundle_references_and_full_urls(validator):
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": "urn:uuid:c757873d-ec9a-4326-a141-556f43239520", "resource": {"resourceType": "Patient"}},
            {
                "fullUrl": "urn:uuid:c757873d-ec9a-4326-a141-556f43239521",
                "resource": {
                    "resourceType": "Observation",
                    "status": "final",
                    "code": {"text": "x"},
                    "subject": {"reference": "urn:uuid:c757873d-ec9a-4326-a141-556f43239520"},
                },
            },
        ],
    }
    assert errors(validator, bundle) == []
    bundle["entry"][0]["fullUrl"] = "Patient/1"
    assert error_locations(validator, bundle) == ["Bundle.entry[0]"]


def test_bundle_entry_resolves_to_wrong_type(validator):
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": "urn:uuid:c757873d-ec9a-4326-a141-556f43239520", "resource": {"resourceType": "Device"}},
            {
                "fullUrl": "urn:uuid:c757873d-ec9a-4326-a141-556f43239521",
                "resource": {
                    "resourceType": "Encounter",
                    "status": "finished",
                    "class": {"code": "AMB"},
                    "subject": {"reference": "urn:uuid:c757873d-ec9a-4326-a141-556f43239520"},
                },
            },
        ],
    }
    assert error_locations(validator, bundle) == ["Bundle.entry[1].resource.subject"]


def test_fhirpath_invariant(validator):
    good = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"text": "x"},
        "referenceRange": [{"low": {"value": 1}}],
    }
    bad = {**good, "referenceRange": [{"text": None}]}
    bad["referenceRange"] = [{"appliesTo": [{"text": "adults"}]}]
    assert errors(validator, good) == []
    ((location, message),) = errors(validator, bad)
    assert location == "Observation.referenceRange[0]" and "obs-3" in message


def test_native_ext_1(validator):
    resource = {
        "resourceType": "Patient",
        "extension": [
            {
                "url": "http://hl7.org/fhir/StructureDefinition/patient-birthPlace",
                "valueAddress": {"city": "x"},
                "extension": [{"url": "a", "valueString": "b"}],
            }
        ],
    }
    assert "Patient.extension[0]" in error_locations(validator, resource)


def test_duplicate_link_relation(validator):
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "link": [{"relation": "self", "url": "http://a/1"}, {"relation": "self", "url": "http://a/2"}],
    }
    assert error_locations(validator, bundle) == ["Bundle.link[1]"]


def test_questionnaire_response(core):
    from dermfhir.validation import Validator

    questionnaire = {
        "resourceType": "Questionnaire",
        "url": "http://example.org/Questionnaire/q",
        "status": "active",
        "item": [
            {
                "linkId": "q1",
                "type": "integer",
                "required": True,
                "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/maxValue", "valueInteger": 5}],
            }
        ],
    }
    checker = Validator(core.with_resources([questionnaire]))
    response = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": questionnaire["url"],
        "status": "completed",
        "item": [{"linkId": "q1", "answer": [{"valueInteger": 3}]}],
    }
    assert errors(checker, response) == []
    response["item"][0]["answer"][0] = {"valueInteger": 9}
    assert error_locations(checker, response) == ["QuestionnaireResponse.item[0].answer[0].valueInteger"]
    response["item"] = [{"linkId": "zz"}]
    assert sorted(error_locations(checker, response)) == ["QuestionnaireResponse", "QuestionnaireResponse"]
