"""Published layouts: detection from the header, every layout imported from a hand-written file in its exact
layout, identity and linkage, vocabulary, fields placed or listed, and a column mapping for any other CSV."""

from __future__ import annotations

from pathlib import Path

import pytest

from dermfhir.cli.main import main
from dermfhir.ingest import FORMATS, Options, SourceError, layouts, tabular

from .conftest import errors_of, warnings_of

LAYOUT_FILES = {
    "isic2016_ground_truth.csv": "isic2016-ground-truth",
    "isic2017_metadata.csv": "isic2017-metadata",
    "isic2017_ground_truth.csv": "isic2017-ground-truth",
    "isic2018_task3_ground_truth.csv": "isic2018-task3-ground-truth",
    "isic2020_ground_truth.csv": "isic2020-ground-truth",
    "isic2020_duplicates.csv": "isic2020-duplicates",
    "isic2020_test_metadata.csv": "isic2020-test-metadata",
    "isic2024_metadata.csv": "isic2024-metadata",
    "milk10k_metadata.csv": "milk10k-metadata",
    "milk10k_supplement.csv": "milk10k-supplement",
    "milk10k_ground_truth.csv": "milk10k-ground-truth",
    "isic_archive.csv": "isic-archive-csv",
    "bcn20000.csv": "bcn20000",
    "pad_ufes_20.csv": "pad-ufes-20",
    "fitzpatrick17k.csv": "fitzpatrick17k",
}
SNOMED = "http://snomed.info/sct"


@pytest.fixture
def layout_dir(fixtures) -> Path:
    return fixtures / "layouts"


def _read(paths: list[Path], options: Options | None = None):
    return tabular.read_with_layouts(tabular.detected(paths), options or Options(), None, FORMATS)


def _by_id(result) -> dict[str, dict]:
    return {f"{r['resourceType']}/{r['id']}": r for r in result.resources}


def _ext(resource: dict, name: str) -> list[dict]:
    return [e for e in resource.get("extension", []) if e["url"].endswith(f"/StructureDefinition/{name}")]


def _components(annotation: dict) -> dict[str, dict]:
    found = {}
    for component in annotation["component"]:
        code = component["code"]
        key = code.get("text") or code["coding"][0]["code"]
        found[key] = component
    return found


def test_every_layout_is_detected_from_its_header(layout_dir, fixtures) -> None:
    for name, layout in LAYOUT_FILES.items():
        assert layouts.detect(layout_dir / name).name == layout, name
    assert layouts.detect(fixtures / "ham10000_small.csv").name == "ham10000"
    assert layouts.detect(fixtures / "derm7pt_small.csv").name == "derm7pt"
    assert layouts.detect(fixtures / "ddi_small.csv").name == "ddi"
    assert layouts.detect(fixtures / "isic2019_ground_truth.csv").name == "isic2019-ground-truth"
    assert layouts.detect(fixtures / "isic2019_metadata.csv").name == "isic2019-metadata"


def test_an_unknown_header_lists_the_layouts_and_the_nearest(tmp_path, capsys) -> None:
    source = tmp_path / "x.csv"
    source.write_text("image_name,patient_id,sex,age_approx\nISIC_1,IP_1,male,40\n")
    with pytest.raises(SourceError) as raised:
        layouts.detect(source)
    message = str(raised.value)
    assert "nearest: isic2020-test-csv (missing anatom_site_general_challenge)" in message
    for layout in layouts.LAYOUTS:
        assert f"  {layout.name}: " in message
    assert main(["import", "auto", str(source), "--out", str(tmp_path / "o.json")]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "bcn20000: bcn_filename, diagnosis" in err


def test_each_layout_has_its_own_help(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["import", "isic2020-ground-truth", "--help"])
    out = capsys.readouterr().out
    assert "columns: image_name, patient_id, sex, age_approx, anatom_site_general_challenge" in out
    assert "example:" in out and "ISIC_2637011,IP_7279968" in out


@pytest.mark.parametrize(
    "files",
    [
        ["isic2016_ground_truth.csv"],
        ["isic2017_metadata.csv", "isic2017_ground_truth.csv"],
        ["isic2018_task3_ground_truth.csv"],
        ["isic2020_ground_truth.csv", "isic2020_duplicates.csv", "isic2020_test_metadata.csv"],
        ["isic2024_metadata.csv"],
        ["milk10k_metadata.csv", "milk10k_supplement.csv", "milk10k_ground_truth.csv"],
        ["isic_archive.csv"],
        ["bcn20000.csv"],
        ["pad_ufes_20.csv"],
        ["fitzpatrick17k.csv"],
    ],
)
def test_each_layout_imports_and_validates(layout_dir, files) -> None:
    result = _read([layout_dir / f for f in files])
    assert result.report.rejected == [] and result.report.rows_read > 0
    assert errors_of(result.resources) == {}
    # correct data gives no warning either: every site and label is in (or completes) the guide's value sets
    assert warnings_of(result.resources) == {}


def test_isic2016_binary_labels(layout_dir) -> None:
    resources = _by_id(_read([layout_dir / "isic2016_ground_truth.csv"]))
    annotation = resources["Observation/isic-ann-ISIC-0000002"]
    components = _components(annotation)
    assert components["malignant"]["valueBoolean"] is True
    finding = annotation["component"][0]["valueCodeableConcept"]
    assert finding["coding"][-1]["code"] == "Malignant"


def test_isic2017_metadata_and_ground_truth_merge(layout_dir) -> None:
    result = _read([layout_dir / "isic2017_metadata.csv", layout_dir / "isic2017_ground_truth.csv"])
    resources = _by_id(result)
    image = resources["DocumentReference/isic-img-ISIC-0000000"]
    assert _ext(image, "age-at-imaging")[0]["valueQuantity"]["value"] == 55
    assert resources["Patient/isic-patient-image-ISIC-0000000"]["gender"] == "female"
    assert "gender" not in resources["Patient/isic-patient-image-ISIC-0000001"]  # 'unknown' is not recorded
    melanoma = resources["Observation/isic-ann-ISIC-0000002"]["component"][0]["valueCodeableConcept"]
    assert [c["code"] for c in melanoma["coding"]] == ["372244006", "melanoma"]
    assert result.report.findings == {"nevus": 1, "seborrheic keratosis": 1, "melanoma": 1}


def test_isic2020_patients_lesions_sites_and_duplicates(layout_dir) -> None:
    result = _read([layout_dir / "isic2020_ground_truth.csv", layout_dir / "isic2020_duplicates.csv"])
    counts = result.counts()
    assert counts["Patient"] == 3  # one per patient_id, not per image
    assert counts["BodyStructure"] == 5  # IL_9087444 is shared by two images
    assert counts["DocumentReference"] == 6 and counts["Linkage"] == 1
    resources = _by_id(result)
    shared = resources["BodyStructure/isic-lesion-IL-9087444"]
    assert shared["patient"]["reference"] == "Patient/isic-patient-IP-2842074"
    for image in ("ISIC-0052212", "ISIC-0074311"):
        assert resources[f"DocumentReference/isic-img-{image}"]["context"]["related"] == [
            {"reference": "BodyStructure/isic-lesion-IL-9087444"}
        ]
    torso = resources["BodyStructure/isic-lesion-IL-1358381"]["location"]["coding"]
    assert torso[0] == {"system": SNOMED, "code": "86381001", "display": "Skin structure of trunk"}
    linkage = resources["Linkage/isic-dup-ISIC-0052212-ISIC-0074311"]
    assert [i["resource"]["reference"] for i in linkage["item"]] == [
        "DocumentReference/isic-img-ISIC-0052212",
        "DocumentReference/isic-img-ISIC-0074311",
    ]
    unknown = resources["Observation/isic-ann-ISIC-2637011"]
    assert unknown["component"][0]["valueCodeableConcept"]["coding"][-1]["code"] == "Benign"
    assert _ext(resources["DocumentReference/isic-img-ISIC-2637011"], "dataset-split")


def test_isic2024_places_and_lists_fields(layout_dir) -> None:
    result = _read([layout_dir / "isic2024_metadata.csv"])
    resources = _by_id(result)
    image = resources["DocumentReference/isic-img-ISIC-0015845"]
    assert _ext(image, "image-license")[0]["valueString"] == "CC-BY"
    assert image["context"]["event"][0]["coding"][0]["code"] == "XC"
    components = _components(resources["Observation/isic-ann-ISIC-0015845"])
    assert components["Breslow thickness"]["valueQuantity"]["value"] == 0.4
    assert components["Melanoma mitotic index"]["valueString"] == "<1/mm^2"
    assert result.report.unplaced["tbp_lv_areaMM2"] == 3


def test_milk10k_lesion_labels_annotate_the_lesion_images(layout_dir, tmp_path) -> None:
    files = ["milk10k_metadata.csv", "milk10k_supplement.csv", "milk10k_ground_truth.csv"]
    result = _read([layout_dir / f for f in files])
    resources = _by_id(result)
    lesion_annotation = resources["Observation/isic-ann-lesion-IL-0000652"]
    assert [d["reference"] for d in lesion_annotation["derivedFrom"]] == [
        "DocumentReference/isic-img-ISIC-4671410",
        "DocumentReference/isic-img-ISIC-2252891",
    ]
    image = resources["DocumentReference/isic-img-ISIC-2252891"]
    assert _ext(image, "image-manipulation")[0]["valueString"] == "altered"
    scores = {e["extension"][0]["valueString"]: e["extension"][1]["valueDecimal"] for e in _ext(image, "concept-score")}
    assert scores["pigmented"] == 0.6 and len(scores) == 7
    tone = _ext(image, "skin-tone")[0]["extension"]
    assert tone[1] == {"url": "value", "valueInteger": 3}
    face = resources["BodyStructure/isic-lesion-IL-0000930"]["location"]
    assert face["coding"][-1]["code"] == "head_neck_face"
    # without the metadata, a lesion label has no image to annotate: rejected, named
    alone = _read([layout_dir / "milk10k_ground_truth.csv"])
    assert next(r.reason for r in alone.report.rejected).startswith(
        "column 'lesion_id': lesion 'IL_0000652' has no image"
    )


def test_archive_csv_and_bcn_and_pad_and_fitzpatrick(layout_dir) -> None:
    archive = _by_id(_read([layout_dir / "isic_archive.csv"]))
    components = _components(archive["Observation/isic-ann-ISIC-0000000"])
    assert components["fitzpatrick-skin-type"]["valueCodeableConcept"]["coding"][0]["code"] == "C74570"
    assert components["melanocytic"]["valueBoolean"] is True
    assert archive["Patient/isic-patient-IP-0000001"]["gender"] == "female"

    bcn = _by_id(_read([layout_dir / "bcn20000.csv"]))
    split = _ext(bcn["DocumentReference/bcn-img-BCN-0000000004"], "dataset-split")[0]["extension"]
    assert split == [{"url": "dataset", "valueString": "BCN20000"}, {"url": "split", "valueString": "test"}]

    pad = _read([layout_dir / "pad_ufes_20.csv"])
    assert pad.counts()["BodyStructure"] == 2 and pad.counts()["Patient"] == 2
    neck = _by_id(pad)["BodyStructure/pad-lesion-881"]["location"]["coding"][0]
    assert neck["code"] == "45048000"
    assert pad.report.unplaced["smoke"] == 2

    fitz = _read([layout_dir / "fitzpatrick17k.csv"])
    resources = _by_id(fitz)
    image = resources["DocumentReference/fitz17k-img-fa2911a9b13b6f8af79cb700937cc14f"]
    assert _ext(image, "quality-control")[0]["valueString"] == "1 Diagnostic"
    second = _components(resources["Observation/fitz17k-ann-d2a1dbbf1a5bf7c8f0a4a5ffb3c2f0e1"])
    assert second["Fitzpatrick skin type (second rater: Centaur Labs)"]["valueInteger"] == 5
    assert fit_unmapped(fitz) == {"drug induced pigmentary changes"}


def fit_unmapped(result) -> set[str]:
    return {value for (_, value) in result.report.unmapped}


def test_the_same_image_with_other_values_in_another_file_is_rejected(layout_dir, tmp_path) -> None:
    other = tmp_path / "meta.csv"
    other.write_text("image_id,age_approximate,sex\nISIC_0000000,70,female\n")
    result = _read([layout_dir / "isic2017_metadata.csv", other])
    [rejected] = result.report.rejected
    assert rejected.where == f"{other}, row 2"
    assert (
        "already given by" in rejected.reason and "isic2017_metadata.csv, row 2 with a different age" in rejected.reason
    )


def test_a_repeated_row_in_a_layout_file_is_merged_a_changed_one_rejected(layout_dir, tmp_path) -> None:
    lines = (layout_dir / "bcn20000.csv").read_text().splitlines()
    same = tmp_path / "bcn.csv"
    same.write_text("\n".join([*lines, lines[1]]) + "\n")
    result = _read([same])
    assert result.report.merged == 1 and not result.report.rejected
    changed = tmp_path / "bcn2.csv"
    changed.write_text("\n".join([*lines, lines[1].replace(",NV,", ",MEL,")]) + "\n")
    [rejected] = _read([changed]).report.rejected
    assert (
        rejected.reason == "column 'diagnosis': image 'BCN_0000000001' is already given by row 2 (different diagnosis)"
    )


def test_column_mapping_reads_any_csv(layout_dir, tmp_path, capsys) -> None:
    out = tmp_path / "custom.json"
    arguments = ["--columns", str(layout_dir / "custom_mapping.yaml"), "--out", str(out)]
    assert main(["import", "columns", str(layout_dir / "custom.csv"), *arguments]) == 0
    err = capsys.readouterr().err
    assert "note: 1 row(s) with a value" in err
    result = tabular.read_with_layouts(
        tabular.with_mapping([layout_dir / "custom.csv"], layout_dir / "custom_mapping.yaml"), Options(), None, FORMATS
    )
    resources = _by_id(result)
    assert result.counts()["Patient"] == 1
    site = resources["BodyStructure/myclinic-lesion-image-C-001"]["location"]["coding"][0]
    assert site["code"] == "86381001"
    assert errors_of(result.resources) == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("columns: {image: img}\n", "dataset must be a name"),
        ("dataset: x\ncolumns: {img: img}\n", "columns must map at least image"),
        ("dataset: x\ncolumns: {image: img, colour: c}\n", "unknown field(s) colour"),
        ("dataset: x\ncolumns: {image: missing}\n", "the mapping names column(s) missing"),
        ("dataset: x\ncolumns: {image: img}\ndiagnosis_system: icd\n", "diagnosis_system must be one of"),
        ("dataset: [\n", "not valid YAML"),
    ],
)
def test_bad_column_mappings_are_one_line(layout_dir, tmp_path, capsys, text, message) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_text(text)
    out = tmp_path / "o.json"
    assert (
        main(["import", "columns", str(layout_dir / "custom.csv"), "--columns", str(mapping), "--out", str(out)]) == 1
    )
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and not out.exists()


def test_milk10k_submission_is_a_lesion_prediction_and_exports_back(layout_dir, tmp_path, capsys) -> None:
    submission = layout_dir / "milk10k_submission.csv"
    assert layouts.detect(submission).name == "milk10k-submission"  # same header as the ground truth, not one-hot
    out = tmp_path / "ai.json"
    files = [str(layout_dir / "milk10k_metadata.csv"), str(submission)]
    assert main(["import", "auto", *files, "--out", str(out)]) == 1  # no model named
    assert "needs --model-name and --model-version" in capsys.readouterr().err
    model = ["--model-name", "M", "--model-version", "1", "--recorded", "2025-01-01T00:00:00Z"]
    assert main(["import", "auto", *files, "--out", str(out), *model]) == 0
    resources = {r["id"]: r for r in _read_bundle(out)}
    prediction = resources["isic-pred-M-1-lesion-IL-0000652"]
    assert len(prediction["derivedFrom"]) == 2  # both images of the lesion
    csv_out = tmp_path / "submission.csv"
    assert main(["export", "submission", str(out), "--submission-layout", "milk10k", "--out", str(csv_out)]) == 0
    lines = csv_out.read_text().splitlines()
    assert lines[0] == "lesion_id,AKIEC,BCC,BEN_OTH,BKL,DF,INF,MAL_OTH,MEL,NV,SCCKA,VASC"
    assert lines[1] == "IL_0000652,0.02,0.7,0.03,0.05,0.02,0.02,0.02,0.05,0.05,0.02,0.02"


def _read_bundle(path: Path) -> list[dict]:
    from dermfhir.export import read_resources

    return list(read_resources([path]))
