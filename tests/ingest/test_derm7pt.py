"""Derm7pt import: criteria as dermoscopic-feature components, the seven-point score, both images; real file."""

from __future__ import annotations

from collections import Counter

from dermfhir.ingest import Mapping, Options, derm7pt
from tests.ingest.conftest import errors_of, warnings_of


def test_fixture_cases(fixtures) -> None:
    result = derm7pt.read([fixtures / "derm7pt_small.csv"], Options())
    assert result.report.rows_read == 7
    assert result.counts() == Counter(
        {"Patient": 5, "BodyStructure": 5, "DocumentReference": 9, "Observation": 5, "Organization": 1}
    )
    assert errors_of(result.resources) == {}
    assert warnings_of(result.resources) == {}
    case = next(r for r in result.resources if r["id"] == "derm7pt-ann-2")
    features = [
        c["valueCodeableConcept"]["coding"][0]["code"]
        for c in case["component"]
        if c["code"].get("coding", [{}])[0].get("code") == "dermoscopic-feature"
    ]
    assert features == [
        "pigment_network-typical",
        "streaks-absent",
        "pigmentation-absent",
        "regression_structures-absent",
        "dots_and_globules-irregular",
        "blue_whitish_veil-absent",
        "vascular_structures-absent",
    ]
    score = next(c for c in case["component"] if c["code"].get("coding", [{}])[0].get("code") == "seven-point-score")
    texts = {c["code"]["text"]: c["valueString"] for c in case["component"] if "coding" not in c["code"]}
    assert set(texts) == {"Derm7pt elevation", "Derm7pt management", "Derm7pt level of diagnostic difficulty"}
    assert score["valueQuantity"] == {
        "value": 1,
        "unit": "score",
        "system": "http://unitsofmeasure.org",
        "code": "{score}",
    }
    assert [r["reference"] for r in case["derivedFrom"]] == [
        "DocumentReference/derm7pt-img-NEL-Nel028",
        "DocumentReference/derm7pt-img-NEL-NEL027",
    ]
    replaced = next(r for r in result.resources if r["id"] == "derm7pt-ann-3")
    assert len(replaced["derivedFrom"]) == 1  # the clinical image was replaced by the dermoscopic one
    bcc = next(r for r in result.resources if r["id"] == "derm7pt-ann-1")
    assert bcc["component"][0]["valueCodeableConcept"]["coding"][-1]["code"] == "Basal cell carcinoma"


def test_bad_rows_and_unmapped_values(fixtures) -> None:
    result = derm7pt.read([fixtures / "derm7pt_small.csv"], Options())
    file = str(fixtures / "derm7pt_small.csv")
    assert [(r.where, r.reason) for r in result.report.rejected] == [
        (f"{file}, row 5", "column 'seven_point_score': seven_point_score 'three' is not a whole number"),
        (f"{file}, row 6", "8 values for 19 columns"),
    ]
    assert result.report.unmapped == Counter(
        {
            ("diagnosis", "clark nevus"): 1,
            ("diagnosis", "melanoma (in situ)"): 1,
            ("blue_whitish_veil", "present-ish"): 1,
        }
    )
    strict = derm7pt.read([fixtures / "derm7pt_small.csv"], Options(strict=True))
    assert (
        f"{file}, row 7",
        "column 'blue_whitish_veil': unmapped blue_whitish_veil value 'present-ish' (add it to a --map file)",
    ) in [(r.where, r.reason) for r in strict.report.rejected]


def test_mapping_file(fixtures) -> None:
    options = Options(mapping=Mapping.load(fixtures / "derm7pt_map.json"))
    result = derm7pt.read([fixtures / "derm7pt_small.csv"], options)
    assert set(result.report.unmapped) == {("blue_whitish_veil", "present-ish")}
    clark = next(r for r in result.resources if r["id"] == "derm7pt-ann-2")
    assert clark["component"][0]["valueCodeableConcept"]["coding"][-1]["code"] == "Nevus, Clark"


def test_real_file(real) -> None:
    result = derm7pt.read([real / "derm7pt_meta.csv"], Options())
    report = result.report
    assert report.rows_read == 1011 and not report.rejected
    assert sum(report.findings.values()) == 1011
    assert report.findings["clark nevus"] == 399 and report.findings["basal cell carcinoma"] == 42
    assert {field for field, _ in report.unmapped} == {"diagnosis"}  # every criterion value is a guide code
    assert result.counts() == Counter(
        {"Patient": 1011, "BodyStructure": 1011, "DocumentReference": 2013, "Observation": 1011, "Organization": 1}
    )
    assert errors_of(result.resources) == {}
