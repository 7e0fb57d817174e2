"""Property tests: what an expansion lists is valid, what a complete expansion does not list is invalid, and the
hierarchy filters agree with each other."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dermfhir.terminology import Expansion, Terminology

from .conftest import DIAGNOSIS, SITE

CODE_TEXT = st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=12)


@pytest.fixture(scope="module")
def closed_expansions(terminology: Terminology) -> list[Expansion]:
    """Complete, non-empty expansions of core value sets over loaded code systems."""
    found = []
    for resource in terminology.definitions.resources("ValueSet"):
        expansion = terminology.expand(resource["url"])
        if expansion.complete and expansion.contains:
            found.append(expansion)
    assert len(found) > 500
    return found


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_every_member_is_valid(
    terminology: Terminology, closed_expansions: list[Expansion], data: st.DataObject
) -> None:
    expansion = data.draw(st.sampled_from(closed_expansions))
    item = data.draw(st.sampled_from(expansion.contains))
    check = terminology.validate_code(expansion.url, item.system, item.code, item.display)
    assert check.result == "valid", (expansion.url, item)
    assert check.display_ok in (True, None)
    assert check.inactive == item.inactive


@settings(max_examples=300, deadline=None)
@given(data=st.data(), code=CODE_TEXT)
def test_non_members_of_complete_expansions_are_invalid(
    terminology: Terminology, closed_expansions: list[Expansion], data: st.DataObject, code: str
) -> None:
    expansion = data.draw(st.sampled_from(closed_expansions))
    system = data.draw(st.sampled_from(sorted({item.system for item in expansion.contains})))
    if expansion.item(system, code) is not None:
        return
    check = terminology.validate_code(expansion.url, system, code)
    index = terminology.code_system(system)
    if index is not None and index.dated_copy and check.result == "unknown":
        assert check.reason and "maintained outside FHIR" in check.reason  # a dated copy cannot rule a code out
        return
    assert check.result == "invalid", (expansion.url, system, code, check)
    assert check.message and f"'{code}'" in check.message


@settings(max_examples=200, deadline=None)
@given(code=CODE_TEXT)
def test_snomed_is_never_invalid(terminology: Terminology, code: str) -> None:
    check = terminology.validate_code("http://hl7.org/fhir/ValueSet/body-site", "http://snomed.info/sct", code)
    assert check.result == "unknown"


DIAGNOSIS_CODES = st.sampled_from(
    [
        "benign",
        "nevus",
        "blue-nevus",
        "dysplastic-nevus",
        "seborrheic-keratosis",
        "malignant",
        "melanoma",
        "melanoma-in-situ",
        "invasive-melanoma",
        "bcc",
        "scc",
        "indeterminate",
        "old-code",
    ]
)


def _filtered(local: Terminology, op: str, value: str) -> set[str]:
    resource = {
        "resourceType": "ValueSet",
        "status": "draft",
        "compose": {"include": [{"system": DIAGNOSIS, "filter": [{"property": "concept", "op": op, "value": value}]}]},
    }
    return {item.code for item in local.expand_resource(resource).contains}


@settings(max_examples=60, deadline=None)
@given(a=DIAGNOSIS_CODES, b=DIAGNOSIS_CODES)
def test_is_a_and_generalizes_mirror_each_other(local: Terminology, a: str, b: str) -> None:
    assert (b in _filtered(local, "is-a", a)) == (a in _filtered(local, "generalizes", b))
    assert _filtered(local, "descendent-of", a) == _filtered(local, "is-a", a) - {a}
    everything = _filtered(local, "regex", ".*")
    assert _filtered(local, "is-not-a", a) == everything - _filtered(local, "is-a", a)


@settings(max_examples=100, deadline=None)
@given(code=st.sampled_from(["Head", "Trunk"]), flips=st.lists(st.booleans(), min_size=5, max_size=5))
def test_case_insensitive_matching(local: Terminology, code: str, flips: list[bool]) -> None:
    mixed = "".join(ch.swapcase() if flip else ch for ch, flip in zip(code, flips, strict=False))
    assert local.validate_code("http://example.org/fhir/ValueSet/sites", SITE, mixed).valid
