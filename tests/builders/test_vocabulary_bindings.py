"""Every code of the guide's dataset code systems, mapped as the importers map it, conforms to the value set its
element is bound to: diagnoses to DermatologyFindings (morphologic abnormalities to the lesion's
skin-lesion-morphology), sites to body-sites-skin. Checked over the whole code systems, not sample rows."""

from __future__ import annotations

import pytest

from dermfhir.builders._vocabulary import canonical, code_system, codes_of, mapped_concept, morphology_of, terminology
from dermfhir.ingest._common import NOT_RECORDED

DIAGNOSES = {
    "ham10000-dx": "ham10000-dx-to-snomed",
    "isic-challenge-class": "isic-challenge-class-to-snomed",
    "isic-diagnosis": "isic-diagnosis-to-snomed",
    "isic-legacy-diagnosis": "isic-legacy-diagnosis-to-snomed",
    "milk10k-class": "milk10k-class-to-snomed",
    "pad-ufes-20-diagnostic": "pad-ufes-20-diagnostic-to-snomed",
}
SITES = {
    "ham10000-localization": "ham10000-localization-to-snomed",
    "isic-anatomic-site": "isic-anatomic-site-to-snomed",
    "isic-anatomic-site-hierarchy": "isic-anatomic-site-hierarchy-to-snomed",
    "derm7pt-location": "derm7pt-location-to-snomed",
    "pad-ufes-20-region": "pad-ufes-20-region-to-snomed",
}


def _members(value_set: str) -> set[tuple[str, str]]:
    return {(item.system, item.code) for item in terminology().expand(canonical("ValueSet", value_set))}


def _pairs(concept: dict) -> set[tuple[str, str]]:
    return {(c["system"], c["code"]) for c in concept["coding"]}


@pytest.mark.parametrize("name", sorted(DIAGNOSES))
def test_every_diagnosis_code_conforms(name: str) -> None:
    findings, morphologies = _members("dermatology-findings"), _members("skin-lesion-morphology")
    system = code_system(name)
    for code in codes_of(system):
        concept = mapped_concept(DIAGNOSES[name], system, code)
        assert _pairs(concept) & findings, f"{name}#{code}: no coding in DermatologyFindings"
        assert not _pairs(concept) & morphologies, f"{name}#{code}: a morphologic abnormality in a finding"
        morphology = morphology_of(concept)
        if morphology is not None:
            assert _pairs(morphology) <= morphologies, f"{name}#{code}: morphology outside skin-lesion-morphology"


def test_a_morphologic_target_goes_to_the_lesion_only() -> None:
    concept = mapped_concept("ham10000-dx-to-snomed", code_system("ham10000-dx"), "nv")
    assert [c["code"] for c in concept["coding"]] == ["nv"]
    assert [c["code"] for c in morphology_of(concept)["coding"]] == ["1163403006"]
    melanoma = mapped_concept("ham10000-dx-to-snomed", code_system("ham10000-dx"), "mel")
    assert [c["code"] for c in melanoma["coding"]] == ["372244006", "mel"] and morphology_of(melanoma) is None


@pytest.mark.parametrize("name", sorted(SITES))
def test_every_site_code_conforms(name: str) -> None:
    sites = _members("body-sites-skin")
    system = code_system(name)
    for code in codes_of(system):
        if code in NOT_RECORDED.get(system, ()):
            assert (system, code) not in sites, f"{name}#{code} says no site was recorded: not a site"
            continue
        concept = mapped_concept(SITES[name], system, code)
        assert _pairs(concept) & sites, f"{name}#{code}: no coding in body-sites-skin"
