"""Contained resources (R4 references.html#contained, dom-2…dom-5): one id space with the container, every contained
resource referenced (dom-3) from the container or another contained resource, or referring to the container."""

from __future__ import annotations

from dermfhir.validation import Validator


def _observation(**values: object) -> dict:
    return {"resourceType": "Observation", "status": "final", "code": {"text": "x"}, **values}


def _errors(validator: Validator, resource: dict) -> list[tuple[str, str]]:
    return [(issue.location, issue.message_id) for issue in validator.issues(resource) if issue.is_error]


def test_duplicate_contained_ids(validator: Validator) -> None:
    twice = _observation(
        contained=[{"resourceType": "Patient", "id": "p"}, {"resourceType": "Patient", "id": "p"}],
        subject={"reference": "#p"},
    )
    assert _errors(validator, twice) == [("Observation.contained[1]", "CONTAINED_RES_DUPLICATE_ID")]
    distinct = _observation(
        contained=[{"resourceType": "Patient", "id": "p"}, {"resourceType": "Practitioner", "id": "q"}],
        subject={"reference": "#p"},
        performer=[{"reference": "#q"}],
    )
    assert _errors(validator, distinct) == []


def test_every_contained_resource_is_referenced(validator: Validator) -> None:
    orphan = _observation(contained=[{"resourceType": "Patient", "id": "p"}])
    assert _errors(validator, orphan) == [("Observation.contained[0]", "Contained_Orphan_DOM3")]


def test_reference_from_another_contained_resource_counts(validator: Validator) -> None:
    chained = _observation(
        contained=[
            {"resourceType": "Patient", "id": "p", "generalPractitioner": [{"reference": "#gp"}]},
            {"resourceType": "Practitioner", "id": "gp"},
        ],
        subject={"reference": "#p"},
    )
    assert _errors(validator, chained) == []


def test_contained_resource_referring_to_its_container(validator: Validator) -> None:
    provenance = {
        "resourceType": "Provenance",
        "id": "prov",
        "target": [{"reference": "#"}],
        "recorded": "2024-01-01T00:00:00Z",
        "agent": [{"who": {"display": "lab"}}],
    }
    assert _errors(validator, _observation(contained=[provenance])) == []


def test_local_reference_that_resolves_nowhere(validator: Validator) -> None:
    dangling = _observation(
        contained=[{"resourceType": "Patient", "id": "p", "generalPractitioner": [{"reference": "#missing"}]}],
        subject={"reference": "#p"},
    )
    found = _errors(validator, dangling)
    assert ("Observation.contained[0].generalPractitioner[0]", "Reference_REF_CantResolve") in found


def test_contained_may_not_nest_or_carry_versions(validator: Validator) -> None:
    nested = _observation(
        contained=[
            {
                "resourceType": "Patient",
                "id": "p",
                "meta": {"versionId": "1"},
                "contained": [{"resourceType": "Practitioner", "id": "q"}],
                "generalPractitioner": [{"reference": "#q"}],
            }
        ],
        subject={"reference": "#p"},
    )
    ids = {message_id for _, message_id in _errors(validator, nested)}
    assert {"dom-2", "dom-4"} <= ids


def test_only_references_canonicals_and_uris_refer_to_a_contained_resource(validator: Validator) -> None:
    """dom-3 reads `reference`, canonical, uri and url values: `#p` in a plain string names nothing."""
    in_text = _observation(contained=[{"resourceType": "Patient", "id": "p"}], note=[{"text": "#p"}])
    assert _errors(validator, in_text) == [("Observation.contained[0]", "Contained_Orphan_DOM3")]
    in_url = {
        "resourceType": "DiagnosticReport",
        "status": "final",
        "code": {"text": "x"},
        "contained": [{"resourceType": "Binary", "id": "pdf", "contentType": "application/pdf"}],
        "presentedForm": [{"contentType": "application/pdf", "url": "#pdf"}],
    }
    assert _errors(validator, in_url) == []
    in_canonical = {
        "resourceType": "Questionnaire",
        "status": "draft",
        "contained": [{"resourceType": "ValueSet", "id": "vs", "status": "draft"}],
        "item": [{"linkId": "1", "type": "choice", "text": "q", "answerValueSet": "#vs"}],
    }
    assert ("Questionnaire.contained[0]", "Contained_Orphan_DOM3") not in _errors(validator, in_canonical)


def test_a_reference_to_the_container_excuses_only_the_resource_that_makes_it(validator: Validator) -> None:
    provenance = {
        "resourceType": "Provenance",
        "id": "prov",
        "target": [{"reference": "#"}],
        "recorded": "2024-01-01T00:00:00Z",
        "agent": [{"who": {"display": "lab"}}],
    }
    both = _observation(contained=[provenance, {"resourceType": "Patient", "id": "p"}])
    assert _errors(validator, both) == [("Observation.contained[1]", "Contained_Orphan_DOM3")]


def test_a_contained_resource_without_id_cannot_be_referenced(validator: Validator) -> None:
    """dom-3 in words: a contained resource SHALL be referred to from elsewhere in the resource or SHALL refer to the
    containing resource; without an id nothing can refer to it."""
    anonymous = _observation(contained=[{"resourceType": "Patient"}])
    assert _errors(validator, anonymous) == [("Observation.contained[0]", "Contained_Orphan_No_Id")]
    provenance = {
        "resourceType": "Provenance",
        "target": [{"reference": "#"}],
        "recorded": "2024-01-01T00:00:00Z",
        "agent": [{"who": {"display": "lab"}}],
    }
    assert _errors(validator, _observation(contained=[provenance])) == []
