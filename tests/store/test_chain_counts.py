"""Chains over many resources: the page found by probing in rid order and the total counted from the index agree
with the matches, for a single-valued reference (`subject`) and a repeating one (`performer`)."""

from __future__ import annotations

from dermfhir.store import Store

MATCHES = 2100  # past the estimate limit: the page is found by probing


def _data() -> list[dict]:
    found: list[dict] = [
        {"resourceType": "Patient", "id": "f1", "gender": "female"},
        {"resourceType": "Patient", "id": "f2", "gender": "female"},
        {"resourceType": "Patient", "id": "m1", "gender": "male"},
    ]
    for number in range(MATCHES + 300):
        subject = "f1" if number < MATCHES else "m1"
        found.append(
            {
                "resourceType": "Observation",
                "id": f"o{number}",
                "status": "final",
                "code": {"text": "x"},
                "subject": {"reference": f"Patient/{subject}"},
                "performer": [{"reference": "Patient/f1"}, {"reference": "Patient/f2"}] if number % 2 else [],
            }
        )
    return found


def test_broad_chain_page_and_total(store: Store) -> None:
    store.load(_data())
    found = store.search("Observation", [("subject:Patient.gender", "female"), ("_count", "50")])
    assert found.total == MATCHES
    assert len(found.resources) == 50 and found.has_next
    assert all(item["subject"]["reference"] == "Patient/f1" for item in found.resources)
    last = store.search("Observation", [("subject:Patient.gender", "female"), ("_count", "50"), ("_offset", "2080")])
    assert len(last.resources) == 20 and not last.has_next
    # two matching performers on one Observation count it once
    performers = store.search("Observation", [("performer:Patient.gender", "female"), ("_count", "1")])
    assert performers.total == (MATCHES + 300) // 2
    assert store.search("Observation", [("subject:Patient.gender", "male")]).total == 300
    assert store.search("Observation", [("subject:Patient.gender", "other")]).total == 0


def test_revinclude_of_a_type_without_reference_parameters(store: Store) -> None:
    store.update({"resourceType": "Patient", "id": "p1"})
    found = store.search("Patient", [("_id", "p1"), ("_revinclude", "Binary:*")])
    assert [item["id"] for item in found.resources] == ["p1"] and found.included == []


def test_broad_chain_with_nested_criteria_pages_alike_with_and_without_total(store: Store) -> None:
    """A broad chain whose target is tested by a further chain and by two criteria: the page found by probing (the
    target's criteria tested per row) holds the matches in order, whether the total or the estimate chose probing."""
    data = _data()
    data[0] = {**data[0], "generalPractitioner": [{"reference": "Practitioner/d1"}], "birthDate": "1970-01-01"}
    data.append({"resourceType": "Practitioner", "id": "d1", "name": [{"family": "Doe"}]})
    store.load(data)
    chain = [("subject:Patient.general-practitioner:Practitioner.name", "Doe"), ("subject:Patient.gender", "female")]
    chain.append(("subject:Patient.birthdate", "1970"))
    counted = store.search("Observation", [*chain, ("_count", "40"), ("_offset", "2000")])
    uncounted = store.search("Observation", [*chain, ("_count", "40"), ("_offset", "2000"), ("_total", "none")])
    assert counted.total == MATCHES and uncounted.total is None
    expected = [f"o{number}" for number in range(2000, 2040)]
    assert [item["id"] for item in counted.resources] == expected
    assert [item["id"] for item in uncounted.resources] == expected
    assert store.search("Observation", [("subject:Patient.general-practitioner:Practitioner.name", "Roe")]).total == 0
