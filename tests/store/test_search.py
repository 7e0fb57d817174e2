"""Search on every backend: each parameter type with its prefixes and modifiers, chains, _has, includes, sort,
paging and the common parameters, on a small connected dermatology case."""

from __future__ import annotations

import pytest

from dermfhir.store import InvalidSearch, SearchResult, Store, apply_elements

from .resources import AIAST, DEVICE_URL, PROFILE, dataset, patient


@pytest.fixture
def case(store: Store) -> Store:
    store.load(dataset())
    return store


def ids(result: SearchResult) -> list[str]:
    return sorted(resource["id"] for resource in result.resources)


CASES = [
    # token
    ("Observation", "code=72828-7", ["o1", "o2", "o4"]),
    ("Observation", "code=http://loinc.org|72828-7", ["o1", "o2", "o4"]),
    ("Observation", "code=http://snomed.info/sct|72828-7", []),
    ("Observation", "code=|72828-7", []),
    ("Observation", "code=http://loinc.org|", ["o1", "o2", "o3", "o4"]),
    ("Observation", "code=39156-5,72828-7", ["o1", "o2", "o3", "o4"]),
    ("Observation", "code:not=72828-7", ["o3"]),
    ("Observation", "status:not=final", ["o3", "o4"]),
    ("Observation", "code:text=lesion", ["o1", "o2"]),
    ("Observation", "code:text=LESION SI", ["o2"]),
    ("Observation", "category=imaging", ["o2"]),
    ("Observation", "method=386053000", ["o1"]),
    ("Observation", "combo-code=8867-4", ["o3"]),
    ("Patient", "identifier=urn:mrn|002", ["p2"]),
    ("Patient", "gender=male,female", ["p1", "p2"]),
    ("Patient", "active=true", ["p1"]),
    ("Patient", "email=peter@example.org", ["p1"]),
    ("Patient", "_id=p1,p3", ["p1", "p3"]),
    ("Patient", "_id:not=p1", ["p2", "p3"]),
    ("Device", "type=http://snomed.info/sct|706689003", ["dev1"]),
    ("BodyStructure", "location=368209003", ["bs1"]),
    ("Media", "site=368209003", ["m1"]),
    ("RiskAssessment", "risk=high", ["ra1"]),
    ("Task", "status=requested", ["t1"]),
    # string
    ("Patient", "family=chal", ["p1"]),
    ("Patient", "family=CHALMERS", ["p1"]),
    ("Patient", "name=muller", ["p2"]),
    ("Patient", "name=Müll", ["p2"]),
    ("Patient", "given=jam", ["p1"]),
    ("Patient", "family:exact=Müller", ["p2"]),
    ("Patient", "family:exact=muller", []),
    ("Patient", "name:contains=alme", ["p1"]),
    ("Patient", "name:contains=%", []),
    ("Patient", "name:contains=_", []),
    ("Patient", "family=o'brien; drop", ["p3"]),
    ("Patient", "family=chal&family=mers", []),
    ("Patient", "family=chal&given=pet", ["p1"]),
    ("Device", "device-name=lesionnet", ["dev1"]),
    ("Device", "manufacturer=acme", ["dev1"]),
    ("DocumentReference", "description=dermoscopy", ["doc1"]),
    ("Observation", "value-string=not meas", ["o4"]),
    # uri
    ("Device", f"url={DEVICE_URL}", ["dev1"]),
    ("Device", "url=http://example.org/devices", []),
    ("Device", "url:below=http://example.org/devices", ["dev1"]),
    ("Device", f"url:above={DEVICE_URL}/extra/part", ["dev1"]),
    ("DocumentReference", "location=http://example.org/docs/doc1.pdf", ["doc1"]),
    ("Observation", f"_profile={PROFILE}", ["o2"]),
    # date
    ("Observation", "date=2021-03-04", ["o1"]),
    ("Observation", "date=2021", ["o1", "o2"]),
    ("Observation", "date=eq2021-03", ["o1"]),
    ("Observation", "date=ne2021", ["o3", "o4"]),
    ("Observation", "date=ge2022", ["o3"]),
    ("Observation", "date=gt2021-06", ["o2", "o3"]),
    ("Observation", "date=lt2021", ["o4"]),
    ("Observation", "date=le2021-01-01", ["o4"]),  # o2 starts that day: not below it, nor inside it
    ("Observation", "date=le2021-01-02", ["o2", "o4"]),
    ("Observation", "date=sa2021", ["o3"]),
    ("Observation", "date=eb2021", ["o4"]),
    ("Observation", "date=ge2021&date=lt2022", ["o1", "o2"]),
    ("Observation", "date=2021-03-04T10:30:00Z", ["o1"]),
    ("Observation", "date=2021-03-04T11:30:00%2B01:00", ["o1"]),
    ("Observation", "date=ap2021-03-04", ["o1", "o2"]),
    ("Patient", "birthdate=1974", ["p1"]),
    ("Patient", "birthdate=lt1980-01-01", ["p1"]),
    ("Media", "created=2021-03-04", ["m1"]),
    ("ImagingStudy", "started=ge2021-03-04T09:00:00Z", ["is1"]),
    ("Provenance", "recorded=2022-06-01", ["prov1"]),
    ("Task", "authored-on=gt2022-06-01", ["t1"]),
    ("DocumentReference", "date=2021-05", ["doc1"]),
    # number
    ("RiskAssessment", "probability=0.83", ["ra1"]),
    ("RiskAssessment", "probability=0.8", ["ra1"]),
    ("RiskAssessment", "probability=0.80", []),
    ("RiskAssessment", "probability=gt0.5", ["ra1"]),
    ("RiskAssessment", "probability=lt0.5", ["ra2"]),
    ("RiskAssessment", "probability=ge0.2", ["ra1", "ra2"]),
    ("RiskAssessment", "probability=le0.2", ["ra2"]),
    ("RiskAssessment", "probability=ne0.2", ["ra1"]),
    ("RiskAssessment", "probability=ap0.21", ["ra2"]),
    ("RiskAssessment", "probability=2e-1", ["ra2"]),
    # quantity
    ("Observation", "value-quantity=4.2", ["o1"]),
    ("Observation", "value-quantity=6", ["o2"]),
    ("Observation", "value-quantity=gt5", ["o2"]),
    ("Observation", "value-quantity=gt0.5", ["o1", "o2", "o3"]),
    ("Observation", "value-quantity=lt5|http://unitsofmeasure.org|mm", ["o1"]),
    ("Observation", "value-quantity=lt5|http://unitsofmeasure.org|cm", ["o3"]),
    ("Observation", "value-quantity=le6||mm", ["o1", "o2"]),
    ("Observation", "value-quantity=ap4", ["o1"]),
    ("Observation", "combo-value-quantity=72", ["o3"]),
    ("Observation", "component-value-quantity=gt70", ["o3"]),
    # reference
    ("Observation", "subject=Patient/p1", ["o1", "o2"]),
    ("Observation", "subject=p2", ["o3"]),
    ("Observation", "subject:Patient=p2", ["o3"]),
    ("Observation", "patient=p1", ["o1", "o2"]),
    ("Observation", "subject=Patient/p1/_history/1", ["o1", "o2"]),
    ("Observation", "subject=http://elsewhere.org/fhir/Patient/p1", []),
    ("Observation", "derived-from=Media/m1", ["o1"]),
    ("Observation", "focus=BodyStructure/bs1", ["o1"]),
    ("Observation", "device=Device/dev1", ["o3"]),
    ("Observation", "subject=Patient/p1,Patient/p2", ["o1", "o2", "o3"]),
    ("Media", "patient=p1", ["m1"]),
    ("ImagingStudy", "subject=Patient/p1", ["is1"]),
    ("BodyStructure", "patient=p1", ["bs1"]),
    ("DocumentReference", "subject=Patient/p1", ["doc1"]),
    ("Provenance", "target=Observation/o3", ["prov1"]),
    ("Provenance", "agent=Device/dev1", ["prov1"]),
    ("Task", "patient=p2", ["t1"]),
    ("Task", "focus=Observation/o3", ["t1"]),
    ("Task", "requester:identifier=urn:staff|S1", ["t1"]),
    ("RiskAssessment", "subject=p2", ["ra1"]),
    # :missing
    ("Observation", "subject:missing=true", ["o4"]),
    ("Observation", "subject:missing=false", ["o1", "o2", "o3"]),
    ("Observation", "value-quantity:missing=true", ["o4"]),
    ("Observation", "date:missing=false", ["o1", "o2", "o3", "o4"]),
    ("Patient", "birthdate:missing=true", ["p3"]),
    ("Patient", "family:missing=false", ["p1", "p2", "p3"]),
    ("Device", "url:missing=true", []),
    # composite
    ("Observation", "code-value-quantity=http://loinc.org|72828-7$gt5", ["o2"]),
    ("Observation", "code-value-quantity=72828-7$lt5,39156-5$0.75", ["o1", "o3"]),
    ("Observation", "component-code-value-quantity=8867-4$72", ["o3"]),
    ("Observation", "component-code-value-quantity=72828-7$72", []),
    # chains
    ("Observation", "subject:Patient.name=chalmers", ["o1", "o2"]),
    ("Observation", "subject.name=muller", ["o3"]),
    ("Observation", "subject:Patient.identifier=urn:mrn|002", ["o3"]),
    ("Observation", "subject:Patient.organization.name=derm", ["o3"]),
    ("Observation", "subject:Patient.birthdate=lt1980", ["o1", "o2"]),
    ("Observation", "device.device-name=lesion", ["o3"]),
    ("Provenance", "target:Observation.subject:Patient.gender=female", ["prov1"]),
    ("Task", "focus:Observation.code=39156-5", ["t1"]),
    # _has
    ("Patient", "_has:Observation:subject:code=39156-5", ["p2"]),
    ("Patient", f"_has:Observation:patient:_security={AIAST}", ["p1", "p2"]),
    ("Patient", "_has:Observation:subject:_has:Provenance:target:agent=Device/dev1", ["p2"]),
    ("Patient", "_has:RiskAssessment:subject:probability=gt0.5", ["p2"]),
    ("Device", "_has:Observation:device:subject=Patient/p2", ["dev1"]),
    # common parameters
    ("Observation", f"_security={AIAST}", ["o1", "o3"]),
    ("Observation", f"_security:not={AIAST}", ["o2", "o4"]),
    ("Observation", "_tag=http://example.org/tags|batch-7", ["o1"]),
    ("Observation", "_lastUpdated=gt2000-01-01", ["o1", "o2", "o3", "o4"]),
    ("Observation", "_lastUpdated=lt2000-01-01", []),
    ("Observation", "status=final&subject=Patient/p1&value-quantity=gt5", ["o2"]),
]


@pytest.mark.parametrize(("resource_type", "query", "expected"), CASES, ids=[f"{t}?{q}" for t, q, _ in CASES])
def test_search(case: Store, resource_type: str, query: str, expected: list[str]) -> None:
    result = case.search(resource_type, query)
    assert ids(result) == expected
    assert result.total == len(expected)


def test_params_as_mapping_and_pairs(case: Store) -> None:
    assert ids(case.search("Patient", {"given": ["pet", "jam"], "family": "chal"})) == ["p1"]
    assert ids(case.search("Patient", [("gender", "male,female"), ("family", "mül")])) == ["p2"]
    assert ids(case.search("Patient", {"family": ""})) == ["p1", "p2", "p3"]  # empty values are ignored


def test_system_search(case: Store) -> None:
    labelled = case.search(None, f"_security={AIAST}")
    assert sorted((r["resourceType"], r["id"]) for r in labelled.resources) == [
        ("Observation", "o1"),
        ("Observation", "o3"),
    ]
    typed = case.search(None, "_type=Patient,Device&_id=p1,dev1,o1")
    assert sorted(r["id"] for r in typed.resources) == ["dev1", "p1"]
    with pytest.raises(InvalidSearch, match="'family'"):
        case.search(None, "family=chal")


def test_include(case: Store) -> None:
    result = case.search("Observation", "_id=o1&_include=Observation:subject&_include=Observation:derived-from")
    assert ids(result) == ["o1"]
    assert sorted(r["id"] for r in result.included) == ["m1", "p1"]
    typed = case.search("Observation", "_id=o1,o3&_include=Observation:subject:Patient")
    assert sorted(r["id"] for r in typed.included) == ["p1", "p2"]
    everything = case.search("Observation", "_id=o1&_include=Observation:*")
    assert sorted(r["id"] for r in everything.included) == ["bs1", "m1", "p1"]
    shared = case.search("Observation", "subject=Patient/p1&_include=Observation:subject")
    assert [r["id"] for r in shared.included] == ["p1"]  # once, though two matches point at it


def test_revinclude_and_iterate(case: Store) -> None:
    result = case.search("Observation", "_id=o3&_revinclude=Provenance:target")
    assert [r["id"] for r in result.included] == ["prov1"]
    iterated = case.search("Observation", "_id=o3&_revinclude=Provenance:target&_include:iterate=Provenance:agent")
    assert sorted(r["id"] for r in iterated.included) == ["dev1", "prov1"]
    task = case.search("Task", "_include=Task:focus&_include:iterate=Observation:subject")
    assert sorted(r["id"] for r in task.included) == ["o3", "p2"]
    not_iterated = case.search("Task", "_include=Task:focus&_include=Observation:subject")
    assert sorted(r["id"] for r in not_iterated.included) == ["o3"]
    patients = case.search("Patient", "_id=p1&_revinclude=Observation:subject&_revinclude=Media:subject")
    assert sorted(r["id"] for r in patients.included) == ["m1", "o1", "o2"]


def test_sort(case: Store) -> None:
    def order(query: str, resource_type: str = "Observation") -> list[str]:
        return [r["id"] for r in case.search(resource_type, query).resources]

    assert order("_sort=date") == ["o4", "o2", "o1", "o3"]
    assert order("_sort=-date") == ["o3", "o2", "o1", "o4"]
    assert order("_sort=code,-value-quantity") == ["o3", "o2", "o1", "o4"]
    assert order("_sort=value-quantity") == ["o3", "o1", "o2", "o4"]  # no value: last
    assert order("_sort=-_id") == ["o4", "o3", "o2", "o1"]
    assert order("_sort=family", "Patient") == ["p1", "p2", "p3"]
    assert order("_sort=-birthdate", "Patient") == ["p2", "p1", "p3"]
    assert order("_sort=subject,_id") == ["o1", "o2", "o3", "o4"]
    assert order("_sort=-_lastUpdated") == ["o4", "o3", "o2", "o1"]


def test_paging(store: Store) -> None:
    store.load(
        [
            {"resourceType": "Practitioner", "id": f"pr{index:02d}", "name": [{"family": f"Doc{index:02d}"}]}
            for index in range(25)
        ]
    )
    first = store.search("Practitioner", "_count=10&_sort=family")
    assert first.total == 25 and first.has_next and not first.has_previous
    assert [r["id"] for r in first.resources] == [f"pr{index:02d}" for index in range(10)]
    last = store.search("Practitioner", "_count=10&_sort=family&_offset=20")
    assert [r["id"] for r in last.resources] == [f"pr{index:02d}" for index in range(20, 25)]
    assert not last.has_next and last.has_previous
    beyond = store.search("Practitioner", "_count=10&_offset=100")
    assert beyond.resources == [] and beyond.total == 25
    count = store.search("Practitioner", "_summary=count")
    assert count.resources == [] and count.total == 25
    assert store.search("Practitioner", "_count=0").total == 25
    none = store.search("Practitioner", "_total=none&_count=5")
    assert none.total is None and none.has_next and len(none.resources) == 5
    assert len(list(store.iter_search("Practitioner", "family=doc", page=7))) == 25


def test_default_count(store: Store) -> None:
    store.load([patient(f"P{index}") for index in range(30)])
    result = store.search("Patient")
    assert len(result.resources) == 20 and result.has_next and result.total == 30


def test_deleted_resources_leave_search_chains_and_includes(case: Store) -> None:
    case.delete("Patient", "p2")
    assert ids(case.search("Observation", "subject:Patient.name=muller")) == []
    assert ids(case.search("Observation", "subject=Patient/p2")) == ["o3"]  # the reference itself remains
    assert case.search("Observation", "_id=o3&_include=Observation:subject").included == []
    assert ids(case.search("Patient", "_has:Observation:subject:code=39156-5")) == []


def test_updates_replace_index_values(case: Store) -> None:
    observation = case.read("Observation", "o1")
    case.update({**observation, "valueQuantity": {"value": 9.9, "system": "http://unitsofmeasure.org", "code": "mm"}})
    assert ids(case.search("Observation", "value-quantity=4.2")) == []
    assert ids(case.search("Observation", "value-quantity=9.9")) == ["o1"]


def test_elements_helper(case: Store) -> None:
    observation = case.read("Observation", "o1")
    subset = apply_elements(observation, ["status", "value"])
    assert set(subset) == {"resourceType", "id", "meta", "status", "valueQuantity"}
    assert subset["meta"]["tag"][-1]["code"] == "SUBSETTED"


INVALID = [
    ("Observation", "unknown=1", "'unknown'"),
    ("Observation", "code:below=1", "'code:below'"),
    ("Observation", "code:in=http://x/vs", "'code:in'"),
    ("Observation", "date:exact=2020", "'date:exact'"),
    ("Observation", "subject:Practitioner=1", "'subject:Practitioner'"),
    ("Observation", "subject:missing=maybe", "'subject:missing'"),
    ("Observation", "date=yesterday", "'date'"),
    ("Observation", "date=2021-02-30", "'date'"),
    ("Observation", "date=2021-13", "'date'"),
    ("Observation", "value-quantity=lots", "'value-quantity'"),
    ("Observation", "value-quantity=1|a", "'value-quantity'"),
    ("RiskAssessment", "probability=1e999", "'probability'"),
    ("RiskAssessment", "probability=NaN", "'probability'"),
    ("Observation", "subject=Patient/with space", "'subject'"),
    ("Observation", "code-value-quantity=72828-7", "'code-value-quantity'"),
    ("Observation", "status.name=x", "'status.name'"),
    ("Observation", "subject:Patient.nothing=x", "'subject:Patient.nothing'"),
    ("Observation", "_text=lesion", "'_text'"),
    ("Observation", "_content=lesion", "'_content'"),
    ("Observation", "_filter=code eq x", "'_filter'"),
    ("Observation", "_contained=true", "'_contained'"),
    ("Observation", "_count=-1", "'_count'"),
    ("Observation", "_count=ten", "'_count'"),
    ("Observation", "_sort=nothing", "'_sort'"),
    ("Observation", "_sort=code-value-quantity", "'_sort'"),
    ("Observation", "_include=Observation:status", "'_include'"),
    ("Observation", "_include=Nothing:subject", "'_include'"),
    ("Observation", "_include:deep=Observation:subject", "'_include:deep'"),
    ("Observation", "_summary=some", "'_summary'"),
    ("Observation", "_total=all", "'_total'"),
    ("Observation", "_has:Observation:subject", "'_has:Observation:subject'"),
    ("Patient", "_has:Nothing:subject:code=1", "'_has:Nothing:subject:code'"),
    ("Patient", "_has:Observation:status:code=1", "'_has:Observation:status:code'"),
    ("Patient", "_has:Observation:subject:nothing=1", "'nothing'"),
    ("Location", "near=1|2|3", "'near'"),
    ("Observation", "_type=Patient", "'_type'"),
    ("Nothing", "_id=1", "'_type'"),
]


@pytest.mark.parametrize(("resource_type", "query", "named"), INVALID, ids=[q for _, q, _ in INVALID])
def test_invalid_search(case: Store, resource_type: str, query: str, named: str) -> None:
    with pytest.raises(InvalidSearch) as raised:
        case.search(resource_type, query)
    assert named in str(raised.value)
    assert raised.value.http_status == 400
