"""The ISIC vocabularies and their maps to SNOMED CT are in the guide."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from dermfhir.definitions import Package

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "real"


def _codes(concepts: list[dict]) -> list[str]:
    return [
        c["code"] for concept in concepts for c in [concept, *[{"code": x} for x in _codes(concept.get("concept", []))]]
    ]


def _code_system(guide: Package, resource_id: str) -> dict:
    return next(r for r in guide.resources("CodeSystem") if r["id"] == resource_id)


def test_isic_diagnosis_has_all_418_values_in_a_hierarchy(guide: Package) -> None:
    code_system = _code_system(guide, "isic-diagnosis")
    codes = _codes(code_system["concept"])
    assert len(codes) == len(set(codes)) == 418
    assert any(concept.get("concept") for concept in code_system["concept"]), "nested (parent/child) concepts"


@pytest.mark.skipif(not REAL.is_dir(), reason="the ISIC data folder ../shared/data/real is absent")
def test_isic_diagnosis_matches_the_csv(guide: Package) -> None:
    with (REAL / "isic_diagnosis_hierarchy.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    parents = {}

    def walk(concepts: list[dict], parent: str | None) -> None:
        for concept in concepts:
            parents[concept["code"]] = parent
            walk(concept.get("concept", []), concept["code"])

    walk(_code_system(guide, "isic-diagnosis")["concept"], None)
    for row in rows:  # `value` is the path of levels, e.g. "Benign:Benign - Other"
        levels = [row[f"diagnosis_{n}"] for n in range(1, 6) if row[f"diagnosis_{n}"]]
        assert row["value"] == ":".join(levels)
        assert levels[-1] in parents, row["value"]
        assert parents[levels[-1]] == (levels[-2] if len(levels) > 1 else None), row["value"]


def _flatten(concepts: list[dict]) -> list[dict]:
    return [c for concept in concepts for c in [concept, *_flatten(concept.get("concept", []))]]


def test_challenge_classes(guide: Package) -> None:
    codes = set(_codes(_code_system(guide, "isic-challenge-class")["concept"]))
    assert codes == {"MEL", "NV", "BCC", "AK", "AKIEC", "BKL", "DF", "VASC", "SCC", "UNK"}


@pytest.mark.parametrize(
    "map_id",
    [
        "isic-diagnosis-to-snomed",
        "isic-challenge-class-to-snomed",
        "ham10000-dx-to-snomed",
        "isic-anatomic-site-to-snomed",
        "ham10000-localization-to-snomed",
    ],
)
def test_concept_maps_target_snomed(guide: Package, map_id: str) -> None:
    concept_map = next(r for r in guide.resources("ConceptMap") if r["id"] == map_id)
    groups = concept_map["group"]
    assert all(group.get("target") == "http://snomed.info/sct" for group in groups)
    targets = [t for group in groups for element in group["element"] for t in element.get("target", [])]
    assert targets
    for target in targets:
        assert target["equivalence"] in {
            "equivalent",
            "equal",
            "wider",
            "narrower",
            "inexact",
            "unmatched",
            "relatedto",
        }
        assert ("code" in target) != (target["equivalence"] == "unmatched")
