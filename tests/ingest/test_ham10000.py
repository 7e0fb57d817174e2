"""HAM10000 import: fixtures (every code path, bad rows) and the real file (published counts, validation)."""

from __future__ import annotations

from collections import Counter

import pytest

from dermfhir.ingest import FORMATS, Mapping, Options, ham10000, tabular
from tests.ingest.conftest import errors_of, warnings_of


def test_fixture_rows_become_valid_resources(fixtures) -> None:
    result = ham10000.read([fixtures / "ham10000_small.csv"], Options())
    assert result.report.rows_read == 5 and not result.report.rejected
    assert result.counts() == Counter(
        {"Patient": 4, "BodyStructure": 4, "DocumentReference": 5, "Observation": 5, "Organization": 1}
    )
    assert errors_of(result.resources) == {}
    annotation = next(r for r in result.resources if r["id"] == "ham-ann-ISIC-0027419")
    finding = annotation["component"][0]["valueCodeableConcept"]
    assert [c["code"] for c in finding["coding"]] == ["bkl"]  # narrower SNOMED targets are not added
    melanoma = next(r for r in result.resources if r["id"] == "ham-ann-ISIC-0026769")
    assert [c["code"] for c in melanoma["component"][0]["valueCodeableConcept"]["coding"]] == ["372244006", "mel"]
    assert warnings_of(result.resources) == {}


@pytest.mark.parametrize("reader", ["ham10000", "auto"])
def test_unknown_localization_is_no_site(fixtures, tmp_path, reader) -> None:
    """HAM10000's `unknown` localization says no site was recorded: it is no body site (not a coded one)."""
    source = tmp_path / "ham.csv"
    source.write_text(
        "lesion_id,image_id,dx,dx_type,age,sex,localization\n"
        "HAM_0000001,ISIC_0000001,nv,follow_up,40,female,unknown\n"
        "HAM_0000002,ISIC_0000002,nv,follow_up,40,female,back\n",
        encoding="utf-8",
    )
    if reader == "ham10000":
        result = ham10000.read([source], Options())
    else:
        result = tabular.read_with_layouts(tabular.detected([source]), Options(), None, FORMATS)
    lesions = {r["identifier"][0]["value"]: r for r in result.resources if r["resourceType"] == "BodyStructure"}
    assert lesions["HAM_0000001"]["location"] == {"text": "not recorded"}
    assert lesions["HAM_0000002"]["location"]["coding"][0]["code"] == "77568009"
    annotations = [r for r in result.resources if r["resourceType"] == "Observation"]
    assert sorted("bodySite" in r for r in annotations) == [False, True]
    # a nevus: the finding keeps the dataset code, the lesion gets the morphologic abnormality
    for annotation in annotations:
        assert [c["code"] for c in annotation["component"][0]["valueCodeableConcept"]["coding"]] == ["nv"]
    assert all(lesion["morphology"]["coding"][0]["code"] == "1163403006" for lesion in lesions.values())
    assert errors_of(result.resources) == {} and warnings_of(result.resources) == {}


def test_reimport_gives_the_same_ids(fixtures) -> None:
    first = ham10000.read([fixtures / "ham10000_small.csv"], Options())
    second = ham10000.read([fixtures / "ham10000_small.csv"], Options())
    assert first.resources == second.resources


def test_bad_rows_are_rejected_with_row_and_column(fixtures) -> None:
    result = ham10000.read([fixtures / "ham10000_bad.csv"], Options())
    reasons = [(r.where.rpartition(", ")[2], r.reason) for r in result.report.rejected]
    assert ("row 4", "column 'age': age 'eighty' is not a number") in reasons
    assert ("row 5", "column 'image_id': image_id is empty") in reasons
    assert result.report.unmapped == Counter({("dx", "lentigo"): 1})


def test_strict_makes_unmapped_values_errors(fixtures) -> None:
    result = ham10000.read([fixtures / "ham10000_bad.csv"], Options(strict=True))
    assert any("unmapped dx value 'lentigo'" in r.reason and "row 3" in r.where for r in result.report.rejected)


def test_mapping_file_maps_unknown_labels(fixtures) -> None:
    result = ham10000.read([fixtures / "ham10000_bad.csv"], Options(mapping=Mapping.load(fixtures / "map.json")))
    assert not result.report.unmapped
    assert result.report.findings["lentigo"] == 1


def test_real_file_counts_and_validation(real) -> None:
    result = ham10000.read([real / "HAM10000_metadata.csv"], Options())
    report = result.report
    assert report.rows_read == 10015 and not report.rejected and not report.unmapped
    assert report.findings == Counter(
        {"nv": 6705, "mel": 1113, "bkl": 1099, "bcc": 514, "akiec": 327, "vasc": 142, "df": 115}
    )
    confirmations = Counter(
        c["valueCodeableConcept"]["coding"][-1]["code"]
        for r in result.resources
        if r["resourceType"] == "Observation"
        for c in r["component"]
        if c["code"]["coding"][0]["code"] == "diagnosis-confirmation"
    )
    assert confirmations == Counter({"histo": 5340, "follow_up": 3704, "consensus": 902, "confocal": 69})
    assert result.counts()["Patient"] == 7470
    assert errors_of(result.resources) == {}


@pytest.mark.parametrize("reader", ["ham10000", "records"])
def test_a_lesion_labelled_two_kinds_keeps_the_first_and_says_so(tmp_path, reader) -> None:
    """Images of one lesion with labels of different kinds (nevus, seborrheic keratosis): the lesion keeps the first
    kind with a warning naming the row; each annotation keeps its own label; a label implying no kind changes none."""
    if reader == "ham10000":
        source = tmp_path / "ham.csv"
        source.write_text(
            "lesion_id,image_id,dx,dx_type,age,sex,localization\n"
            "HAM_0000001,ISIC_0000001,nv,follow_up,40,female,back\n"
            "HAM_0000001,ISIC_0000002,bkl,histo,40,female,back\n"
            "HAM_0000001,ISIC_0000003,nv,histo,40,female,back\n"
            "HAM_0000001,ISIC_0000004,mel,histo,40,female,back\n",
            encoding="utf-8",
        )
        result = ham10000.read([source], Options())
        first, second = "nv", "mel"
    else:  # the general path of the other layouts (BCN20000 here)
        source = tmp_path / "bcn.csv"
        source.write_text(
            "bcn_filename,age_approx,anatom_site_general,diagnosis,lesion_id,capture_date,sex,split\n"
            "BCN_0000000001.jpg,55.0,anterior torso,NV,BCN_0000001,2012-05-16,male,train\n"
            "BCN_0000000002.jpg,55.0,anterior torso,BKL,BCN_0000001,2012-05-16,male,train\n"
            "BCN_0000000003.jpg,55.0,anterior torso,NV,BCN_0000001,2012-05-16,male,train\n"
            "BCN_0000000004.jpg,55.0,anterior torso,SCC,BCN_0000001,2012-05-16,male,train\n",
            encoding="utf-8",
        )
        result = tabular.read_with_layouts(tabular.detected([source]), Options(), None, FORMATS)
        first, second = "NV", "SCC"
    (lesion,) = [r for r in result.resources if r["resourceType"] == "BodyStructure"]
    assert lesion["morphology"]["coding"][0]["code"] == "1163403006"  # Pigmented nevus, from the first image
    labels = sorted(
        r["component"][0]["valueCodeableConcept"]["coding"][-1]["code"]
        for r in result.resources
        if r["resourceType"] == "Observation"
    )
    assert len(labels) == 4 and labels.count(first) == 2 and second in labels
    assert result.report.warnings == []  # a disorder (melanoma, SCC) or no target implies no other kind


def test_images_of_one_lesion_with_two_kinds_are_reported(tmp_path) -> None:
    """A nevus and a melanoma in situ (two morphologic abnormalities) on one lesion: a data conflict, said."""
    source = tmp_path / "archive.csv"
    source.write_text(
        "isic_id,diagnosis_1,diagnosis_2,diagnosis_3,lesion_id,patient_id\n"
        "ISIC_0000001,Benign,Benign melanocytic proliferations,Nevus,IL_0000001,IP_0000001\n"
        "ISIC_0000002,Malignant,Malignant melanocytic proliferations (Melanoma),Melanoma in situ,"
        "IL_0000001,IP_0000001\n",
        encoding="utf-8",
    )
    result = tabular.read_with_layouts(tabular.detected([source]), Options(), None, FORMATS)
    (lesion,) = [r for r in result.resources if r["resourceType"] == "BodyStructure"]
    assert lesion["morphology"]["coding"][0]["code"] == "1163403006"
    (warning,) = result.report.warnings
    assert "row 3" in warning and "IL_0000001" in warning and "Melanoma in situ" in warning
    assert errors_of(result.resources) == {}


@pytest.mark.parametrize("command", ["ham10000", "auto"])
def test_a_lesion_is_written_once_with_its_first_kind_from_the_command_line(tmp_path, capsys, command) -> None:
    """Streamed (as the command writes), every image of the lesion carries the same lesion: no second version."""
    import json

    from dermfhir.cli.main import main

    source = tmp_path / "ham.csv"
    source.write_text(
        "lesion_id,image_id,dx,dx_type,age,sex,localization\n"
        "HAM_0000001,ISIC_0000001,nv,follow_up,40,female,back\n"
        "HAM_0000001,ISIC_0000002,bkl,histo,40,female,back\n"
        "HAM_0000001,ISIC_0000003,mel,histo,40,female,back\n",
        encoding="utf-8",
    )
    out = tmp_path / "ham.json"
    assert main(["import", command, str(source), "--out", str(out)]) == 0
    assert "given again" not in capsys.readouterr().err
    entries = [e["resource"] for e in json.loads(out.read_text())["entry"]]
    (lesion,) = [r for r in entries if r["resourceType"] == "BodyStructure"]
    assert lesion["morphology"]["coding"][0]["code"] == "1163403006"
