"""Lesion series: members in time order, change detection by diagnosis, area growth and outline IoU."""

from __future__ import annotations

import pytest

from dermfhir.builders import DermatologyImageAnnotation
from dermfhir.review import InvalidInput, UnknownResource
from dermfhir.review.series import build_series, compare
from dermfhir.store import Store
from dermfhir.validation import Validator
from tests.review.case import MELANOMA, NEVUS, base_resources, prediction


def annotation(id: str, when: str, finding: dict, box: tuple[int, int, int, int], **extra: object) -> dict:
    return DermatologyImageAnnotation(
        id,
        subject="Patient/p1",
        image="DocumentReference/img1",
        findings=[finding],
        method="expert-annotation",
        performer=["Practitioner/derm"],
        lesion="BodyStructure/l1",
        effective=when,
        bounding_boxes=[box],
        image_size=(1024, 768),
        **extra,  # type: ignore[arg-type]
    ).to_resource()


def test_compare_measures() -> None:
    a = annotation("a", "2025-01-01T00:00:00Z", NEVUS, (100, 100, 100, 100))
    grown = annotation("b", "2025-02-01T00:00:00Z", NEVUS, (100, 100, 130, 130))
    change = compare(a, grown)
    assert change.types == ("size-increase",)
    assert change.area_ratio == pytest.approx(1.69)
    assert change.iou == pytest.approx(1 / 1.69)
    assert compare(grown, a).types == ("size-decrease",)
    moved = annotation("c", "2025-03-01T00:00:00Z", NEVUS, (400, 400, 100, 100))
    assert compare(a, moved).types == ("shape-change",) and compare(a, moved).iou == 0
    small = annotation("d", "2025-03-01T00:00:00Z", NEVUS, (100, 100, 105, 105))
    assert compare(a, small).types == ()  # 10 % growth, IoU 0.91: below both thresholds
    assert compare(a, small, growth=0.05).types == ("size-increase",)
    assert compare(a, annotation("e", "2025-04-01T00:00:00Z", MELANOMA, (100, 100, 100, 100))).types == (
        "diagnosis-change",
    )
    polygon = DermatologyImageAnnotation(
        "p",
        subject="Patient/p1",
        image="DocumentReference/img1",
        findings=[NEVUS],
        method="expert-annotation",
        performer=["Practitioner/derm"],
        polygons=[[(100, 100), (200, 100), (200, 200), (100, 200)]],
        image_size=(1024, 768),
    ).to_resource()
    assert compare(a, polygon).area_ratio == pytest.approx(1.0, abs=0.03)


def test_build_series(store: Store, validator: Validator) -> None:
    for resource in base_resources():
        store.update(resource)
    store.update(annotation("s2", "2025-06-01T00:00:00Z", NEVUS, (100, 100, 130, 130)))
    store.update(annotation("s1", "2025-01-01T00:00:00Z", NEVUS, (100, 100, 100, 100)))
    store.update(annotation("s3", "2025-09-01T00:00:00Z", MELANOMA, (100, 100, 130, 130)))
    store.update(prediction("ai"))  # never a member
    result = build_series(store, "l1")
    assert result.members == ["Observation/s1", "Observation/s2", "Observation/s3"]
    assert [c.types for c in result.changes] == [("size-increase",), ("diagnosis-change",)]
    series = result.series
    assert series["effectivePeriod"] == {"start": "2025-01-01T00:00:00Z", "end": "2025-09-01T00:00:00Z"}
    components = {c["code"]["coding"][0]["code"]: c for c in series["component"] if "valueBoolean" in c}
    assert components["change-detected"]["valueBoolean"] is True
    types = [c["valueCodeableConcept"]["coding"][0]["code"] for c in series["component"] if "valueCodeableConcept" in c]
    assert types == ["size-increase", "diagnosis-change"]
    errors = [i for i in validator.validate(series)["issue"] if i["severity"] in ("error", "fatal")]
    assert errors == []
    again = build_series(store, "l1")
    assert (again.created, again.series["id"], again.series["meta"]["versionId"]) == (False, series["id"], "2")
    with pytest.raises(UnknownResource):
        build_series(store, "missing")
    with pytest.raises(InvalidInput):
        build_series(store, "l1", growth=0)


@pytest.fixture(scope="session")
def validator(definitions) -> Validator:
    return Validator(definitions)
