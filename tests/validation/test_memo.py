"""Element walks remembered by content (`validation.memo`) never change what is reported.

Every input is validated by a validator without the memo (the reference) and, in turn, by one validator whose memo
is shared by all inputs (so walks recorded on one resource are replayed into the others) — twice, the second time
replaying. The issue lists (severity, code, message, location, message id) and the counts must be identical.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from dermfhir import fhirjson
from dermfhir.definitions import Definitions, PackageNotFoundError, core_package, guide_package
from dermfhir.validation import Validator, conformance
from dermfhir.validation.validator import Validator as ValidatorClass
from tests.validation.test_conformance import TEST_CASES


def _issues(validator: Validator, resource: Any, profiles: list[str] | None = None) -> tuple[list, dict]:
    run = validator.run(resource, profiles)
    return [(i.severity, i.code, i.message, i.location, i.message_id) for i in run.report()], dict(run.counts)


def _without_memo(validator: Validator) -> Validator:
    other = validator.with_options()
    other.memo = None
    return other


@pytest.fixture(scope="module")
def guide_validator() -> Validator:
    try:
        return Validator()
    except PackageNotFoundError as error:
        pytest.skip(f"packages not installed: {error}")


def _assert_same(remembering: Validator, plain: Validator, resources: list[Any]) -> int:
    for resource in resources:
        expected = _issues(plain, resource)
        assert _issues(remembering, resource) == expected, json.dumps(resource)[:300]
        assert _issues(remembering, resource) == expected, json.dumps(resource)[:300]
    return remembering.memo.hits if remembering.memo is not None else 0


def test_guide_examples_and_their_mutations(guide_validator: Validator) -> None:
    examples = [copy.deepcopy(r) for r in guide_package().resources() if r.get("resourceType") != "StructureDefinition"]
    mutated = []
    for resource in examples:
        broken = copy.deepcopy(resource)
        for value in broken.values():  # the same subtrees with errors in them, at the example's own places
            if isinstance(value, list) and value and isinstance(value[0], dict):
                value.append({**value[0], "unknownProperty": True})
                value.insert(0, {"id": 5})
        mutated.append(broken)
    remembering = guide_validator.with_options()
    hits = _assert_same(remembering, _without_memo(guide_validator), examples + mutated + examples)
    assert hits > 0  # the memo was used, so the comparison above compared something


def test_the_same_subtree_with_an_error_is_reported_at_each_place(guide_validator: Validator) -> None:
    bad_name = {"family": 1, "given": ["A"]}
    patient = {"resourceType": "Patient", "contact": [{"name": bad_name}, {"name": copy.deepcopy(bad_name)}]}
    remembering = guide_validator.with_options()
    issues, _ = _issues(remembering, patient)
    places = [location for _, _, _, location, _ in issues if location.endswith(".family")]
    assert places == ["Patient.contact[0].name.family", "Patient.contact[1].name.family"]
    assert _issues(remembering, patient) == _issues(_without_memo(guide_validator), patient)


def test_a_walk_that_resolves_references_is_not_reused(guide_validator: Validator) -> None:
    # identical identifiers, but the assigner resolves only where the contained Organization exists
    identifier = {"system": "urn:oid:1.2.3", "value": "7", "assigner": {"reference": "#org"}}
    resolved = {
        "resourceType": "Patient",
        "contained": [{"resourceType": "Organization", "id": "org", "name": "A"}],
        "identifier": [identifier],
    }
    dangling = {"resourceType": "Patient", "identifier": [copy.deepcopy(identifier)]}
    remembering = guide_validator.with_options(validate_reference="CHECK_EXISTS")
    plain = _without_memo(remembering)
    assert not [i for i in _issues(remembering, resolved)[0] if i[0] == "error"]
    dangling_issues = _issues(remembering, dangling)
    assert dangling_issues == _issues(plain, dangling)
    assert any(i[0] == "error" and i[3].startswith("Patient.identifier[0].assigner") for i in dangling_issues[0])


def test_a_decimal_and_a_string_are_not_the_same_content(guide_validator: Validator) -> None:
    number = fhirjson.loads(
        '{"resourceType": "Observation", "status": "final", "code": {"text": "x"}, "valueQuantity": {"value": 1.50}}'
    )
    text = {"resourceType": "Observation", "status": "final", "code": {"text": "x"}, "valueQuantity": {"value": "1.50"}}
    remembering = guide_validator.with_options()
    assert not [i for i in _issues(remembering, number)[0] if i[0] == "error"]
    text_issues = _issues(remembering, text)
    assert text_issues == _issues(_without_memo(guide_validator), text)
    assert any(i[0] == "error" and i[3] == "Observation.valueQuantity.value" for i in text_issues[0])


@pytest.mark.slow
def test_the_hl7_test_cases_give_the_same_issues(monkeypatch: pytest.MonkeyPatch) -> None:
    if not (TEST_CASES / "manifest.json").is_file():
        pytest.skip(f"HL7 fhir-test-cases not found at {TEST_CASES}")
    try:
        core = Definitions([core_package()])
    except PackageNotFoundError as error:
        pytest.skip(f"R4 core package not installed: {error}")
    original = ValidatorClass.run
    compared = []

    def run(self: Validator, resource: Any, profiles: Any = None, path: str = "", bundle_index: Any = None) -> Any:
        if self.memo is None:
            return original(self, resource, profiles, path, bundle_index)
        memo, self.memo = self.memo, None
        try:
            expected = original(self, resource, profiles, path, bundle_index)
        finally:
            self.memo = memo
        for _ in range(2):  # recorded, then replayed
            found = original(self, resource, profiles, path, bundle_index)
            assert [(i.severity, i.message, i.location) for i in found.report()] == [
                (i.severity, i.message, i.location) for i in expected.report()
            ], str(resource)[:300]
            assert found.counts == expected.counts
        compared.append(resource)
        return found

    monkeypatch.setattr(ValidatorClass, "run", run)
    results = list(conformance.run(Path(TEST_CASES), core))
    assert len(compared) >= len(results)


def test_an_invariant_is_judged_again_when_the_elements_it_reads_change(guide_validator: Validator) -> None:
    good = copy.deepcopy(
        next(r for r in guide_package().resources("Observation") if r["id"] == "ExampleMelanomaAnnotation")
    )
    bad = copy.deepcopy(good)
    confidence = next(c for c in bad["component"] if c.get("valueQuantity", {}).get("unit") == "score")
    confidence["valueQuantity"]["value"] = 1.5  # annot-confidence-range: a confidence score lies in [0, 1]
    other = copy.deepcopy(good)
    other["note"] = [{"text": "another note"}]  # not read by the component invariants: their outcomes are reused
    remembering = guide_validator.with_options()
    plain = _without_memo(guide_validator)
    for resource in (good, bad, other, good, bad):
        assert _issues(remembering, resource) == _issues(plain, resource)
    assert any("annot-confidence-range" in i[2] for i in _issues(remembering, bad)[0])
    assert not any("annot-confidence-range" in i[2] for i in _issues(remembering, good)[0])
    assert remembering.memo is not None and remembering.memo.invariants


def test_the_elements_an_expression_reads() -> None:
    from dermfhir.fhirpath import fast

    def roots(expression: str) -> tuple[str, ...] | None:
        program = fast.compile(expression)
        assert program is not None
        return program.roots

    assert roots("component.where(code.coding.exists(code = 'x')).all(value > 0)") == ("component",)
    assert roots("(status = 'final' or status = 'amended') implies performer.exists()") == ("performer", "status")
    assert roots("name.matches(pattern)") == ("name", "pattern")  # an argument read on the focus
    assert roots("$this.exists()") is None  # the focus as a whole
    assert roots("exists()") is None
    assert roots("where(a = 'b').exists()") is None


def test_the_memo_stays_within_its_bounds(guide_validator: Validator, monkeypatch: pytest.MonkeyPatch) -> None:
    from dermfhir.validation import memo as memo_module

    monkeypatch.setattr(memo_module, "MAX_BYTES", 2_000)
    remembering = guide_validator.with_options()
    plain = _without_memo(guide_validator)
    for number in range(40):  # distinct content every time: the tables fill and are emptied
        patient = {"resourceType": "Patient", "name": [{"family": f"Family{number}", "given": [f"G{number}"]}]}
        assert _issues(remembering, patient) == _issues(plain, patient)
        assert remembering.memo is not None and remembering.memo.bytes <= 2_000


def _example(resource_type: str, resource_id: str) -> dict:
    return copy.deepcopy(next(r for r in guide_package().resources(resource_type) if r["id"] == resource_id))


def _lesion_bundle(lesion_first: bool = True, lesion: dict | None = None, annotations: int = 2) -> dict:
    """A transaction Bundle: a Patient, a skin-lesion BodyStructure and annotations whose focus (which must conform
    to skin-lesion) is the lesion."""
    patient = _example("Patient", "example-patient")
    lesion = lesion if lesion is not None else _example("BodyStructure", "ExampleLesion")
    lesion["patient"] = {"reference": "urn:uuid:00000000-0000-4000-8000-000000000001"}
    entries = [
        {"fullUrl": "urn:uuid:00000000-0000-4000-8000-000000000001", "resource": patient},
        {"fullUrl": "urn:uuid:00000000-0000-4000-8000-000000000002", "resource": lesion},
    ]
    for number in range(annotations):
        annotation = _example("Observation", "ExampleMelanomaAnnotation")
        annotation["id"] = f"annotation-{number}"
        annotation["subject"] = {"reference": "urn:uuid:00000000-0000-4000-8000-000000000001"}
        annotation["focus"] = [{"reference": "urn:uuid:00000000-0000-4000-8000-000000000002"}]
        for key in ("derivedFrom", "performer"):
            annotation.pop(key, None)
        entries.append({"fullUrl": f"urn:uuid:00000000-0000-4000-8000-00000000010{number}", "resource": annotation})
    if not lesion_first:
        entries = entries[2:] + entries[:2]
    for entry in entries:
        entry["request"] = {"method": "POST", "url": entry["resource"]["resourceType"]}
    return {"resourceType": "Bundle", "type": "transaction", "entry": entries}


def _probes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    from dermfhir.validation.structure import Walker

    made = [0]
    original = Walker.probe

    def probe(self: Walker) -> Walker:
        made[0] += 1
        return original(self)

    monkeypatch.setattr(Walker, "probe", probe)
    return made


def test_an_entry_walked_without_error_is_not_probed_again(
    guide_validator: Validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = _probes(monkeypatch)
    bundle = _lesion_bundle()
    plain = _without_memo(guide_validator)
    expected = _issues(plain, bundle)
    assert made[0] == 2  # without the memo: the lesion is probed for each annotation's focus
    assert not [i for i in expected[0] if i[4] == "Reference_REF_CantMatchChoice"]  # the lesion conforms
    made[0] = 0
    assert _issues(guide_validator.with_options(), bundle) == expected
    assert made[0] == 0  # the lesion's own walk (before the annotations) answered both


@pytest.mark.parametrize(
    "case",
    ["lesion after the annotations", "lesion with an error", "lesion not of the profile", "lesion with a contained"],
)
def test_an_entry_is_probed_when_its_walk_cannot_answer(
    guide_validator: Validator, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    lesion = _example("BodyStructure", "ExampleLesion")
    if case == "lesion with an error":
        lesion["location"]["coding"][0]["system"] = 7
    elif case == "lesion not of the profile":
        del lesion["meta"]
        del lesion["location"]
    elif case == "lesion with a contained":
        lesion["contained"] = [{"resourceType": "Patient", "id": "p", "gender": "other"}]
        lesion["patient"] = {"reference": "#p"}
    bundle = _lesion_bundle(lesion_first=case != "lesion after the annotations", lesion=lesion)
    if case == "lesion with a contained":
        bundle["entry"][1]["resource"]["patient"] = {"reference": "#p"}
    made = _probes(monkeypatch)
    expected = _issues(_without_memo(guide_validator), bundle)
    remembering = guide_validator.with_options()
    made[0] = 0
    assert _issues(remembering, bundle) == expected
    assert _issues(remembering, bundle) == expected
    if case in ("lesion after the annotations", "lesion with an error", "lesion not of the profile"):
        assert made[0] > 0
    if case != "lesion after the annotations" and case != "lesion with a contained":
        assert any(i[4] == "Reference_REF_CantMatchChoice" for i in expected[0])


@pytest.mark.parametrize("max_depth", [3, 4, 5, 6, 8])
def test_an_entry_probed_deeper_than_it_was_walked_meets_the_depth_limit(
    guide_validator: Validator, max_depth: int
) -> None:
    shallow = {
        "resourceType": "Observation",
        "meta": {"profile": ["https://annotatemd.com/fhir/ig/StructureDefinition/dermatology-image-annotation"]},
        "status": "final",
        "code": {"text": "x"},
        "focus": [{"reference": "urn:uuid:00000000-0000-4000-8000-000000000002"}],
    }
    bundle = _lesion_bundle(annotations=0)
    bundle["entry"].append({"fullUrl": "urn:uuid:00000000-0000-4000-8000-000000000009", "resource": shallow})
    limited = guide_validator.with_options(max_depth=max_depth)
    plain = _without_memo(limited)
    assert _issues(limited, bundle) == _issues(plain, bundle)


def test_unique_content_is_no_longer_keyed_and_changes_nothing(guide_validator: Validator) -> None:
    from dermfhir.validation import memo as memo_module

    remembering = guide_validator.with_options()
    plain = _without_memo(guide_validator)
    lesion = _example("BodyStructure", "ExampleLesion")
    for number in range(memo_module.UNIQUE + memo_module.RETRY + 10):
        lesion["identifier"][0]["value"] = f"lesion-{number}"  # a new identifier every time: its walks all miss
        if number % 50 == 0:
            lesion["identifier"][0]["system"] = 5  # and now and then an error inside it
        elif number % 50 == 1:
            lesion["identifier"][0]["system"] = "urn:oid:1.2.3"
        assert _issues(remembering, lesion) == _issues(plain, lesion)
    assert remembering.memo is not None
    missed = remembering.memo.missed
    assert max(missed.values()) >= memo_module.UNIQUE + memo_module.RETRY  # identifiers: keyed no more
    seen_before = copy.deepcopy(lesion)
    assert _issues(remembering, seen_before) == _issues(plain, seen_before)


def test_the_same_extension_is_judged_at_each_place_it_is_used(guide_validator: Validator) -> None:
    # the same extension on two References at the same depth (so the same element definition, Reference.extension):
    # its context of use allows Observation.performer, not Observation.subject
    function = {
        "url": "http://hl7.org/fhir/StructureDefinition/event-performerFunction",
        "valueCodeableConcept": {"text": "reader"},
    }
    observation = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"text": "x"},
        "performer": [{"reference": "Practitioner/a", "extension": [copy.deepcopy(function)]}],
        "subject": {"reference": "Patient/a", "extension": [copy.deepcopy(function)]},
    }
    remembering = guide_validator.with_options()
    plain = _without_memo(guide_validator)
    for _ in range(2):
        assert _issues(remembering, observation) == _issues(plain, observation)
    wrong = [i for i in _issues(remembering, observation)[0] if i[4] == "Extension_EXT_Context_Wrong"]
    assert [i[3] for i in wrong] == ["Observation.subject.extension[0]"]
