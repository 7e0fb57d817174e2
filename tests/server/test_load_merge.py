"""Two files of one dataset imported apart and loaded into a real server (`dermfhir load --server`) or at start-up
(`dermfhir serve --load`): the resources of the dataset merge into the stored versions, so that neither file blanks
what the other set; a resource not made by a dataset import is still replaced; a version changed by another writer
while a batch was merged is not overwritten; conformance resources left out are counted by every kind of load."""

from __future__ import annotations

from pathlib import Path

import httpx
import orjson
import pytest

from dermfhir.cli.main import main

# MILK10k (ISIC 2025) as published: the metadata file and the supplement, one image of one lesion of one patient
METADATA = (
    "lesion_id,isic_id,image_type,attribution,copyright_license,age_approx,sex,skin_tone_class,site\n"
    "IL_0000930,ISIC_0000931,dermoscopic,Hospital Clinic Barcelona,CC-BY-NC,35.0,female,1,head_neck_face\n"
)
SUPPLEMENT = (
    "isic_id,image_manipulation,diagnosis_full,diagnosis_confirm_type,invasion_thickness_interval\n"
    "ISIC_0000931,instrument only,Melanoma Invasive,histopathology,<0.8\n"
)
IMAGE = "DocumentReference/isic-img-ISIC-0000931"
PATIENT = "Patient/isic-patient-lesion-IL-0000930"
LESION = "BodyStructure/isic-lesion-IL-0000930"


def _imported(tmp_path: Path, name: str, text: str) -> Path:
    """The file written under its published name, imported on its own as NDJSON: the output folder."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    source = tmp_path / name
    source.write_text(text)
    out = tmp_path / f"{source.stem}-out"
    assert main(["import", "auto", str(source), "--out", str(out), "--ndjson"]) == 0
    return out


def _extension(resource: dict, name: str) -> dict:
    found = [e for e in resource.get("extension", []) if e["url"].endswith(f"/{name}")]
    assert len(found) == 1, f"{name} in {resource.get('extension')}"
    return found[0]


def _assert_both_files_kept(read) -> None:  # type: ignore[no-untyped-def]
    image = read(IMAGE)
    # the metadata file: age, skin tone and licence on the image, its patient and lesion, sex, site
    assert _extension(image, "age-at-imaging")["valueQuantity"]["value"] == 35
    assert _extension(image, "image-license")["valueString"] == "CC-BY-NC"
    assert {e["url"]: e for e in _extension(image, "skin-tone")["extension"]}["value"]["valueInteger"] == 1
    assert image["subject"] == {"reference": PATIENT}
    assert image["context"]["related"] == [{"reference": LESION}]
    assert read(PATIENT)["gender"] == "female"
    assert read(LESION)["location"]["text"] == "head_neck_face"
    # the supplement: the image's manipulation, and the label
    assert _extension(image, "image-manipulation")["valueString"] == "instrument only"
    label = read("Observation/isic-ann-ISIC-0000931")
    assert label["derivedFrom"] == [{"reference": IMAGE}]


@pytest.mark.parametrize("order", ["metadata first", "supplement first"])
def test_two_files_of_a_dataset_loaded_into_a_server_merge(live_server, tmp_path: Path, order, capsys) -> None:
    folders = [
        _imported(tmp_path, "MILK10k_Training_Metadata.csv", METADATA),
        _imported(tmp_path, "MILK10k_Training_Supplement.csv", SUPPLEMENT),
    ]
    if order == "supplement first":
        folders.reverse()
    for folder in folders:
        assert main(["load", str(folder), "--server", live_server.url, "--quiet"]) == 0

    def read(reference: str) -> dict:
        response = httpx.get(f"{live_server.url}/{reference}")
        assert response.status_code == 200, reference
        found: dict = response.json()
        return found

    _assert_both_files_kept(read)
    capsys.readouterr()
    assert main(["load", str(folders[1]), "--server", live_server.url, "--quiet"]) == 0  # again: nothing to write
    assert "unchanged: already stored" in capsys.readouterr().out
    _assert_both_files_kept(read)
    assert main(["load", str(folders[0]), "--server", live_server.url, "--quiet"]) == 0  # the first, again
    _assert_both_files_kept(read)
    label = read("Observation/isic-ann-ISIC-0000931")
    # the label first loaded with the stand-ins was changed after final (to the named patient): amended
    assert label["status"] == ("amended" if order == "supplement first" else "final")


def test_a_resource_not_made_by_an_import_is_replaced_on_a_server(live_server, tmp_path: Path) -> None:
    first = tmp_path / "first.ndjson"
    first.write_text('{"resourceType":"Patient","id":"p","gender":"male","birthDate":"1970"}\n')
    second = tmp_path / "second.ndjson"
    second.write_text('{"resourceType":"Patient","id":"p","gender":"female"}\n')
    for source in (first, second):
        assert main(["load", str(source), "--server", live_server.url, "--quiet"]) == 0
    stored = httpx.get(f"{live_server.url}/Patient/p").json()
    assert stored["gender"] == "female" and "birthDate" not in stored


def test_a_conflicting_value_over_a_server_is_reported_and_not_written(live_server, tmp_path: Path, capsys) -> None:
    first = _imported(tmp_path, "MILK10k_Training_Metadata.csv", METADATA)
    assert main(["load", str(first), "--server", live_server.url, "--quiet"]) == 0
    other = _imported(tmp_path / "b", "MILK10k_Training_Metadata.csv", METADATA.replace("female", "male"))
    capsys.readouterr()
    assert main(["load", str(other), "--server", live_server.url, "--quiet"]) == 1
    captured = capsys.readouterr()
    assert f"conflict (the stored value is kept): {PATIENT}.gender" in captured.err
    assert "1 conflicting value(s) not written" in captured.out
    assert httpx.get(f"{live_server.url}/{PATIENT}").json()["gender"] == "female"


def test_a_version_written_meanwhile_by_another_writer_is_not_lost(live_server, tmp_path: Path) -> None:
    """The batch is merged into the version read; another writer stores a newer one before it is posted: the
    server refuses the write (412), the batch is read and merged again, and both writers' elements are kept."""
    from dermfhir.cli.load_commands import _post_merged, _ServerReads, bundles
    from dermfhir.ingest.merge import Merger

    metadata = _imported(tmp_path, "MILK10k_Training_Metadata.csv", METADATA)
    assert main(["load", str(metadata), "--server", live_server.url, "--quiet"]) == 0
    supplement = _imported(tmp_path, "MILK10k_Training_Supplement.csv", SUPPLEMENT)
    statuses: list[int] = []
    with httpx.Client(base_url=live_server.url, headers={"Content-Type": "application/fhir+json"}) as client:
        reads = _ServerReads(client)

        def post(bundle: dict) -> tuple[int, bytes]:
            if not statuses:  # another writer, between the read and the write
                image = client.get(f"/{IMAGE}").json()
                image["description"] = "written meanwhile"
                assert client.put(f"/{IMAGE}", content=orjson.dumps(image)).status_code == 200
            response = client.post("/", content=orjson.dumps(bundle))
            statuses.append(response.status_code)
            return response.status_code, response.content

        for _, bundle in bundles([supplement]):
            status, _, _, conflicts, _ = _post_merged(post, Merger(reads), bundle, reads.prefetch)
            assert status == 200 and conflicts == []
    assert statuses == [412, 200]
    image = httpx.get(f"{live_server.url}/{IMAGE}").json()
    assert image["description"] == "written meanwhile"
    assert _extension(image, "image-manipulation")["valueString"] == "instrument only"
    assert _extension(image, "age-at-imaging")["valueQuantity"]["value"] == 35


def test_serve_load_merges_the_files_of_a_dataset(client, tmp_path: Path, capsys) -> None:
    from dermfhir.cli.load_commands import load_into_app

    folders = [
        _imported(tmp_path, "MILK10k_Training_Metadata.csv", METADATA),
        _imported(tmp_path, "MILK10k_Training_Supplement.csv", SUPPLEMENT),
    ]
    for folder in folders:
        assert load_into_app(client.app, [folder], "http://testserver") == 0

    def read(reference: str) -> dict:
        response = client.get(f"/{reference}")
        assert response.status_code == 200, reference
        found: dict = response.json()
        return found

    _assert_both_files_kept(read)


def _with_a_definition(tmp_path: Path) -> Path:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "Patient-p.json").write_text('{"resourceType":"Patient","id":"p","gender":"male"}')
    for kind in ("ValueSet", "OperationDefinition"):
        (folder / f"{kind}-d.json").write_text(orjson.dumps({"resourceType": kind, "id": "d"}).decode())
    return folder


NOT_LOADED = "2 conformance resource(s) not loaded (definitions, not data)"


def test_load_counts_the_definitions_it_leaves_out(live_server, tmp_path: Path, capsys) -> None:
    folder = _with_a_definition(tmp_path)
    assert main(["load", str(folder), "--server", live_server.url, "--quiet"]) == 0
    assert capsys.readouterr().out.strip() == f"1 resources loaded into {live_server.url}; {NOT_LOADED}"
    assert httpx.get(f"{live_server.url}/ValueSet/d").status_code == 404
    db = tmp_path / "direct.db"
    assert main(["load", str(folder), "--db", str(db), "--quiet", "--jobs", "1"]) == 0
    assert capsys.readouterr().out.strip() == f"1 resources loaded into {db}; {NOT_LOADED}"


def test_serve_load_counts_the_definitions_it_leaves_out(client, tmp_path: Path, capsys) -> None:
    from dermfhir.cli.load_commands import load_into_app

    assert load_into_app(client.app, [_with_a_definition(tmp_path)], "http://testserver") == 0
    assert capsys.readouterr().out.strip() == f"Stored 1 resources; {NOT_LOADED}"
    assert client.get("/ValueSet/d").status_code == 404
