"""Bundle entries (R4 bundle.html and Bundle.entry.fullUrl): a fullUrl is absolute, its id part agrees with the
resource's id, fullUrls are unique per version (bdl-7), and references between entries resolve against the
referring entry's base."""

from __future__ import annotations

from dermfhir.validation import Validator


def _ids(validator: Validator, bundle: dict) -> list[tuple[str, str]]:
    return [(issue.location, issue.message_id) for issue in validator.issues(bundle) if issue.is_error]


def _collection(*entries: dict) -> dict:
    return {"resourceType": "Bundle", "type": "collection", "entry": list(entries)}


def _observation(subject: str) -> dict:
    return {
        "resourceType": "Observation",
        "id": "o1",
        "status": "final",
        "code": {"text": "x"},
        "subject": {"reference": subject},
    }


def test_the_id_part_of_a_restful_fullurl_is_the_resource_id(validator: Validator) -> None:
    same = _collection(
        {"fullUrl": "http://example.org/fhir/Patient/p1", "resource": {"resourceType": "Patient", "id": "p1"}}
    )
    assert _ids(validator, same) == []
    other = _collection(
        {"fullUrl": "http://example.org/fhir/Patient/p1", "resource": {"resourceType": "Patient", "id": "p2"}}
    )
    assert _ids(validator, other) == [("Bundle.entry[0]", "Bundle_BUNDLE_Entry_IdUrlMismatch")]
    other_type = _collection(
        {"fullUrl": "http://example.org/fhir/Basic/b1", "resource": {"resourceType": "Patient", "id": "p2"}}
    )
    assert _ids(validator, other_type) == [("Bundle.entry[0]", "Bundle_BUNDLE_Entry_IdUrlMismatch")]


def test_fullurl_is_absolute(validator: Validator) -> None:
    relative = _collection({"fullUrl": "Patient/p1", "resource": {"resourceType": "Patient", "id": "p1"}})
    assert _ids(validator, relative) == [("Bundle.entry[0]", "Bundle_BUNDLE_Entry_Canonical")]


def test_same_fullurl_needs_distinct_versions(validator: Validator) -> None:
    def entry(version: str) -> dict:
        patient = {"resourceType": "Patient", "id": "p1", "meta": {"versionId": version}}
        return {"fullUrl": "http://example.org/fhir/Patient/p1", "resource": patient}

    assert _ids(validator, _collection(entry("1"), entry("2"))) == []
    assert _ids(validator, _collection(entry("1"), entry("1"))) == [("Bundle", "bdl-7")]


def test_relative_references_resolve_against_the_entry_base(validator: Validator) -> None:
    """A relative reference in an entry whose fullUrl is RESTful names `[base]/Type/id` of that entry's base."""
    patient = {"fullUrl": "http://a.example.org/fhir/Patient/p1", "resource": {"resourceType": "Patient", "id": "p1"}}
    same_base = {"fullUrl": "http://a.example.org/fhir/Observation/o1", "resource": _observation("Patient/p1")}
    document = {
        "resourceType": "Bundle",
        "type": "document",
        "identifier": {"system": "urn:ietf:rfc:3986", "value": "urn:uuid:0c3151bd-1cbf-4d64-b04d-cd9187a4c6e0"},
        "timestamp": "2024-01-01T00:00:00Z",
        "entry": [
            {
                "fullUrl": "http://b.example.org/fhir/Composition/c1",
                "resource": {
                    "resourceType": "Composition",
                    "id": "c1",
                    "status": "final",
                    "type": {"text": "report"},
                    "date": "2024-01-01",
                    "author": [{"display": "lab"}],
                    "title": "t",
                    "subject": {"reference": "Patient/p1"},
                },
            },
            patient,
        ],
    }
    assert _ids(validator, _collection(patient, same_base)) == []
    assert _ids(validator, document) == [("Bundle.entry[0].resource.subject", "BUNDLE_BUNDLE_ENTRY_NOTFOUND")]


def test_entries_have_a_fullurl_except_where_the_resource_has_no_identity_yet(validator: Validator) -> None:
    """R4 Bundle.entry.fullUrl: SHALL have a value, except on a POST and for unidentified results of operations."""
    patient = {"resourceType": "Patient", "id": "p1"}
    assert _ids(validator, _collection({"resource": patient})) == [
        ("Bundle.entry[0]", "BUNDLE_BUNDLE_ENTRY_FULLURL_REQUIRED")
    ]
    created = {"resource": {"resourceType": "Patient"}, "request": {"method": "POST", "url": "Patient"}}
    assert _ids(validator, {"resourceType": "Bundle", "type": "transaction", "entry": [created]}) == []
    outcome = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "warning", "code": "not-supported", "diagnostics": "parameter ignored"}],
    }
    searchset = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [
            {"fullUrl": "http://example.org/fhir/Patient/p1", "resource": patient, "search": {"mode": "match"}},
            {"resource": outcome, "search": {"mode": "outcome"}},
        ],
    }
    assert _ids(validator, searchset) == []


def _document(*others: dict, subject: str = "Patient/p1") -> dict:
    composition = {
        "resourceType": "Composition",
        "id": "c1",
        "status": "final",
        "type": {"text": "report"},
        "date": "2024-01-01",
        "author": [{"display": "lab"}],
        "title": "t",
        "subject": {"reference": subject},
        "section": [{"title": "findings", "entry": [{"reference": "Observation/o1"}]}],
    }
    return {
        "resourceType": "Bundle",
        "type": "document",
        "identifier": {"system": "urn:ietf:rfc:3986", "value": "urn:uuid:0c3151bd-1cbf-4d64-b04d-cd9187a4c6e0"},
        "timestamp": "2024-01-01T00:00:00Z",
        "entry": [{"fullUrl": "http://example.org/fhir/Composition/c1", "resource": composition}, *others],
    }


def _orphans(validator: Validator, bundle: dict) -> list[str]:
    found = validator.issues(bundle)
    return [issue.location for issue in found if issue.message_id == "BUNDLE_BUNDLE_ENTRY_ORPHAN_DOCUMENT"]


def test_document_entries_are_reached_from_the_composition(validator: Validator) -> None:
    """R4 documents: a Composition "followed by a series of other resources, referenced from the Composition";
    an entry reached through another entry counts, a Provenance need not be reached."""
    patient = {"fullUrl": "http://example.org/fhir/Patient/p1", "resource": {"resourceType": "Patient", "id": "p1"}}
    practitioner = {
        "fullUrl": "http://example.org/fhir/Practitioner/pr1",
        "resource": {"resourceType": "Practitioner", "id": "pr1"},
    }
    observation = {
        "fullUrl": "http://example.org/fhir/Observation/o1",
        "resource": {**_observation("Patient/p1"), "performer": [{"reference": "Practitioner/pr1"}]},
    }
    provenance = {
        "fullUrl": "http://example.org/fhir/Provenance/pv1",
        "resource": {
            "resourceType": "Provenance",
            "id": "pv1",
            "target": [{"reference": "Composition/c1"}],
            "recorded": "2024-01-01T00:00:00Z",
            "agent": [{"who": {"reference": "Practitioner/pr1"}}],
        },
    }
    assert _orphans(validator, _document(patient, observation, practitioner, provenance)) == []
    stray = {"fullUrl": "http://example.org/fhir/Patient/p2", "resource": {"resourceType": "Patient", "id": "p2"}}
    assert _orphans(validator, _document(patient, observation, practitioner, stray)) == ["Bundle.entry[4]"]


def test_an_ambiguous_reference_reaches_no_entry(validator: Validator) -> None:
    patient = {"fullUrl": "http://example.org/fhir/Patient/p1", "resource": {"resourceType": "Patient", "id": "p1"}}

    def observation(version: str) -> dict:
        resource = {**_observation("Patient/p1"), "meta": {"versionId": version}}
        return {"fullUrl": "http://example.org/fhir/Observation/o1", "resource": resource}

    bundle = _document(patient, observation("1"), observation("2"))
    assert _orphans(validator, bundle) == ["Bundle.entry[2]", "Bundle.entry[3]"]


def test_conditional_references_belong_to_transactions(validator: Validator) -> None:
    """R4 http.html#trules: `Type?search` references are resolved by the server processing a transaction; they
    are not references anywhere else."""
    observation = _observation("Patient?identifier=http://example.org/mrn|123")
    observation.pop("id")
    entry = {
        "fullUrl": "urn:uuid:0c3151bd-1cbf-4d64-b04d-cd9187a4c6e2",
        "resource": observation,
        "request": {"method": "POST", "url": "Observation"},
    }
    assert _ids(validator, {"resourceType": "Bundle", "type": "transaction", "entry": [entry]}) == []
    assert _ids(validator, observation) == [("Observation.subject", "Reference_REF_NotValid")]


def _searchset(self_url: str | None, *entries: dict) -> dict:
    bundle: dict = {"resourceType": "Bundle", "type": "searchset", "entry": list(entries)}
    if self_url is not None:
        bundle["link"] = [{"relation": "self", "url": self_url}]
    return bundle


def _found(resource: dict, mode: str, number: int) -> dict:
    return {"fullUrl": f"http://example.org/fhir/entry/{number}", "resource": resource, "search": {"mode": mode}}


_OUTCOME = {"resourceType": "OperationOutcome", "issue": [{"severity": "warning", "code": "processing"}]}


def test_search_set_entries_agree_with_their_mode(validator: Validator) -> None:
    """R4 search-entry-mode: `outcome` is an OperationOutcome; `match` and `include` are resources the server holds
    (they have ids, Resource.id), and a `match` is of the type the search named."""
    good = _searchset(
        "http://example.org/fhir/Observation?code=x&_include=Observation:subject",
        _found({**_observation("Patient/p1"), "id": "o1"}, "match", 1),
        _found({"resourceType": "Patient", "id": "p1"}, "include", 2),
        _found(_OUTCOME, "outcome", 3),
    )
    assert _ids(validator, good) == []
    bad = _searchset(
        "http://example.org/fhir/Observation?code=x",
        _found({"resourceType": "Patient", "id": "p1"}, "match", 1),
        _found({"resourceType": "Patient"}, "include", 2),
        _found({"resourceType": "Patient", "id": "p3"}, "outcome", 3),
    )
    assert _ids(validator, bad) == [
        ("Bundle.entry[0].resource", "BUNDLE_SEARCH_WRONG_TYPE"),
        ("Bundle.entry[1].resource", "BUNDLE_SEARCH_NOID"),
        ("Bundle.entry[2].resource", "BUNDLE_SEARCH_OUTCOME_NOT_OO"),
    ]


def test_search_set_types_come_from_the_self_link(validator: Validator) -> None:
    patient = {"resourceType": "Patient", "id": "p1"}
    across = "http://example.org/fhir?name=x&_type=Patient,Practitioner"
    assert _ids(validator, _searchset(across, _found(patient, "match", 1))) == []
    only_others = "http://example.org/fhir?name=x&_type=Practitioner,RelatedPerson"
    assert _ids(validator, _searchset(only_others, _found(patient, "match", 1))) == [
        ("Bundle.entry[0].resource", "BUNDLE_SEARCH_WRONG_TYPE")
    ]
    posted = "http://example.org/fhir/Patient/_search"
    assert _ids(validator, _searchset(posted, _found(patient, "match", 1))) == []
    compartment = "http://example.org/fhir/Patient/p1/Observation"
    assert _ids(validator, _searchset(compartment, _found(patient, "match", 1))) == [
        ("Bundle.entry[0].resource", "BUNDLE_SEARCH_WRONG_TYPE")
    ]
    # an abstract type names every resource
    assert _ids(validator, _searchset("http://example.org/fhir/Resource?_id=p1", _found(patient, "match", 1))) == []
    # no self link, or one naming no type: nothing to compare the type with; the id is still needed
    assert _ids(validator, _searchset(None, _found(patient, "match", 1))) == []
    unnamed = _searchset("http://example.org/fhir?name=x", _found({"resourceType": "Patient"}, "match", 1))
    assert _ids(validator, unnamed) == [("Bundle.entry[0].resource", "BUNDLE_SEARCH_NOID")]


def test_search_set_entries_without_a_mode_are_not_judged_by_one(validator: Validator) -> None:
    """An entry without a search mode (Bundle.entry.search is optional) says nothing of its role in the search."""
    entry = {"fullUrl": "urn:uuid:0c3151bd-1cbf-4d64-b04d-cd9187a4c6e0", "resource": _OUTCOME}
    plain = _searchset("http://example.org/fhir/Observation?code=x", entry)
    assert _ids(validator, plain) == []


def test_search_sets_say_what_was_searched_and_why_each_entry_is_there(validator: Validator) -> None:
    """R4 search.html: the self link states the search performed; each entry's search mode says its role."""

    def warnings(bundle: dict) -> list[tuple[str, str]]:
        return [(i.location, i.message_id) for i in validator.issues(bundle) if i.severity == "warning"]

    patient = {"resourceType": "Patient", "id": "p1"}
    assert warnings(_searchset("http://example.org/fhir/Patient?name=x", _found(patient, "match", 1))) == []
    assert warnings(_searchset(None, {"fullUrl": "http://example.org/fhir/Patient/p1", "resource": patient})) == [
        ("Bundle", "BUNDLE_SEARCH_NOSELF"),
        ("Bundle", "BUNDLE_SEARCH_NO_MODE"),
    ]


def _transaction(*entries: tuple[str, str, dict]) -> dict:
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": f"urn:uuid:0c3151bd-1cbf-4d64-b04d-cd9187a4c6e{number}",
                "resource": resource,
                "request": {"method": method, "url": url},
            }
            for number, (method, url, resource) in enumerate(entries)
        ],
    }


def test_a_transaction_request_names_the_resource_it_sends(validator: Validator) -> None:
    """R4 http.html: an update (PUT [type]/[id]) sends a resource with that type and id; a create (POST [type]) a
    resource of that type."""
    patient = {"resourceType": "Patient", "id": "p1"}
    good = _transaction(
        ("PUT", "Patient/p1", patient),
        ("POST", "Patient", {"resourceType": "Patient"}),
        ("PUT", "Patient?identifier=http://example.org/mrn|1", {"resourceType": "Patient"}),  # conditional update
        ("POST", "Patient/$validate", {"resourceType": "Parameters"}),  # an operation
    )
    assert _ids(validator, good) == []
    bad = _transaction(
        ("PUT", "Patient/p2", patient),
        ("PUT", "Observation/p1", patient),
        ("PUT", "Patient/p1", {"resourceType": "Patient"}),
        ("POST", "Observation", {"resourceType": "Patient"}),
    )
    assert _ids(validator, bad) == [
        ("Bundle.entry[0].request.url", "BUNDLE_ENTRY_URL_MATCHES_TYPE_ID"),
        ("Bundle.entry[1].request.url", "BUNDLE_ENTRY_URL_MATCHES_TYPE_ID"),
        ("Bundle.entry[2].request.url", "BUNDLE_ENTRY_PUT_NO_ID"),
        ("Bundle.entry[3].request.url", "BUNDLE_ENTRY_URL_MATCHES_TYPE"),
    ]
