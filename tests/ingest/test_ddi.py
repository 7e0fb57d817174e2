"""DDI import: skin tone group as a Fitzpatrick range, malignancy, disease; the real file."""

from __future__ import annotations

from collections import Counter

from dermfhir.ingest import Options, ddi
from tests.ingest.conftest import errors_of, warnings_of


def _component(annotation: dict, code: str) -> dict:
    return next(c for c in annotation["component"] if c["code"]["coding"][0]["code"] == code)


def test_fixture_rows(fixtures) -> None:
    result = ddi.read([fixtures / "ddi_small.csv"], Options())
    assert result.report.rows_read == 6
    assert result.counts() == Counter({"Patient": 3, "DocumentReference": 3, "Observation": 3, "Organization": 1})
    assert errors_of(result.resources) == {}
    assert warnings_of(result.resources) == {}
    first = next(r for r in result.resources if r["id"] == "ddi-ann-1")
    assert _component(first, "fitzpatrick-skin-type")["valueRange"] == {"low": {"value": 5}, "high": {"value": 6}}
    assert _component(first, "malignant")["valueBoolean"] is True
    assert first["component"][0]["valueCodeableConcept"]["coding"][-1]["code"] == "Melanoma in situ"
    file = str(fixtures / "ddi_small.csv")
    assert [(r.where, r.reason) for r in result.report.rejected] == [
        (f"{file}, row 5", "column 'skin_tone': skin_tone '78' is not one of 12, 34, 56"),
        (f"{file}, row 6", "column 'malignant': malignant 'maybe' is not TRUE or FALSE"),
        (f"{file}, row 7", "4 values for 6 columns"),
    ]
    assert result.report.unmapped == Counter({("disease", "melanocytic-nevi"): 1})


def test_real_file(real) -> None:
    result = ddi.read([real / "ddi_metadata.csv"], Options())
    report = result.report
    assert report.rows_read == 653 and not report.rejected
    assert result.counts()["Observation"] == 653
    ranges = Counter(
        (c["valueRange"]["low"]["value"], c["valueRange"]["high"]["value"])
        for r in result.resources
        if r["resourceType"] == "Observation"
        for c in r["component"]
        if "valueRange" in c
    )
    assert ranges == Counter({(3, 4): 241, (1, 2): 208, (5, 6): 204})
    malignant = Counter(
        _component(r, "malignant")["valueBoolean"] for r in result.resources if r["resourceType"] == "Observation"
    )
    assert malignant == Counter({False: 483, True: 170})
    assert report.findings["melanocytic-nevi"] == 119
    assert errors_of(result.resources) == {}
