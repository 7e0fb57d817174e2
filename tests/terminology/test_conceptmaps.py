"""ConceptMap translation: core maps and in-memory maps with wider, unmatched and unmapped fallbacks."""

from __future__ import annotations

from dermfhir.terminology import Terminology, Translation

from .conftest import DIAGNOSIS, EX, SITE, TARGET

GENDER = "http://hl7.org/fhir/administrative-gender"
V3_GENDER = "http://terminology.hl7.org/CodeSystem/v3-AdministrativeGender"
MAP = f"{EX}/ConceptMap/diagnosis-to-target"


def test_core_map_by_url(terminology: Terminology) -> None:
    found = terminology.translate("http://hl7.org/fhir/ConceptMap/cm-administrative-gender-v3", GENDER, "male")
    assert [(t.system, t.code, t.equivalence) for t in found] == [(V3_GENDER, "M", "equal")]
    assert found[0].concept_map == "http://hl7.org/fhir/ConceptMap/cm-administrative-gender-v3"


def test_core_maps_searched_by_source(terminology: Terminology) -> None:
    found = terminology.translate(None, GENDER, "female")
    assert {t.system for t in found} == {V3_GENDER, "http://terminology.hl7.org/CodeSystem/v2-0001"}
    only_v3 = terminology.translate(None, GENDER, "female", target_system=V3_GENDER)
    assert [t.code for t in only_v3] == ["F"]


def test_equivalent_and_wider(local: Terminology) -> None:
    assert local.translate(MAP, DIAGNOSIS, "melanoma") == [
        Translation(TARGET, "T-MEL", "Melanoma", "equivalent", MAP, None)
    ]
    wider = local.translate(MAP, DIAGNOSIS, "blue-nevus")
    assert [(t.code, t.equivalence) for t in wider] == [("T-NEV", "wider")]


def test_unmatched_keeps_the_comment(local: Terminology) -> None:
    [unmatched] = local.translate(MAP, DIAGNOSIS, "indeterminate")
    assert unmatched.code is None and unmatched.equivalence == "unmatched"
    assert unmatched.comment == "no target concept"


def test_unmapped_other_map_then_fixed(local: Terminology) -> None:
    [via_other] = local.translate(MAP, DIAGNOSIS, "bcc")
    assert (via_other.code, via_other.equivalence) == ("T-BCC", "equal")
    assert via_other.concept_map == f"{EX}/ConceptMap/fallback"
    [fixed] = local.translate(MAP, DIAGNOSIS, "scc")
    assert (fixed.code, fixed.display, fixed.equivalence) == ("T-OTHER", "Other lesion", "inexact")


def test_unmapped_provided(local: Terminology) -> None:
    [provided] = local.translate(None, SITE, "Head")
    assert (provided.system, provided.code, provided.equivalence) == (TARGET, "Head", "equal")


def test_no_translation(local: Terminology) -> None:
    assert local.translate(MAP, "http://example.org/other", "melanoma") == []
    assert local.translate(MAP, DIAGNOSIS, "melanoma", target_system="http://example.org/other") == []
    assert local.translate("http://example.org/ConceptMap/none", DIAGNOSIS, "melanoma") == []


def test_search_all_maps_prefers_explicit_elements(local: Terminology) -> None:
    found = local.translate(None, DIAGNOSIS, "melanoma")
    assert [(t.code, t.concept_map) for t in found] == [("T-MEL", MAP)]  # the fallback map's fixed code is not used
    fallback = local.translate(None, DIAGNOSIS, "seborrheic-keratosis")
    # no map has an element for it: the unmapped rules apply (other-map → fixed, and fixed: the same target once)
    assert [(t.code, t.equivalence) for t in fallback] == [("T-OTHER", "inexact")]
