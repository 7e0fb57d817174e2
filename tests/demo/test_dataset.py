"""The demo dataset: deterministic, every resource valid against its profiles, images that decode, masks and
regions that agree, and a review history with every outcome."""

from __future__ import annotations

import base64
import io
from collections import Counter

import numpy as np
import pytest
from PIL import Image

from dermfhir.cli.main import main
from dermfhir.definitions import Definitions
from dermfhir.demo.dataset import DemoSize, resources
from dermfhir.demo.images import generate
from dermfhir.validation import Validator


@pytest.fixture(scope="module")
def demo() -> list[dict]:
    return list(resources(DemoSize(patients=3)))


def test_same_seed_same_data_other_seed_other_pixels(demo: list[dict]) -> None:
    assert list(resources(DemoSize(patients=3))) == demo
    other = {r["id"]: r for r in resources(DemoSize(patients=3, seed=7))}
    first = next(r for r in demo if r["resourceType"] == "Binary")
    assert other.get(first["id"], {}).get("data") != first["data"]


def test_every_resource_validates(demo: list[dict]) -> None:
    validator = Validator(Definitions.default())
    for resource in demo:
        issues = validator.validate(resource).get("issue", [])
        errors = [issue for issue in issues if issue["severity"] in ("error", "fatal")]
        assert not errors, (resource["resourceType"], resource["id"], errors)


def test_images_decode_and_regions_match_the_mask() -> None:
    picture = generate(42, "MEL")
    photo = Image.open(io.BytesIO(picture.jpeg))
    assert (photo.format, photo.size) == ("JPEG", (picture.width, picture.height))
    mask = np.asarray(Image.open(io.BytesIO(picture.mask_png)).convert("L")) > 0
    assert mask.sum() == picture.area > 1000
    ys, xs = np.nonzero(mask)
    assert picture.box == (xs.min(), ys.min(), xs.max() - xs.min() + 1, ys.max() - ys.min() + 1)
    # the outline's points lie on or near the mask's edge (inside the box, within 3 px)
    x, y, w, h = picture.box
    assert all(x - 3 <= px <= x + w + 3 and y - 3 <= py <= y + h + 3 for px, py in picture.outline)
    # a lesion with a darker pigment: the lesion is darker than the skin around it
    grey = np.asarray(photo.convert("L"), np.float32)
    assert grey[mask].mean() < grey[~mask].mean() - 30
    heat = Image.open(io.BytesIO(picture.heatmap_png))
    assert heat.mode == "RGBA" and heat.size == photo.size
    # growth over visits keeps the shape and enlarges the lesion
    assert generate(42, "MEL", scale=1.3).area > picture.area * 1.4


def test_review_history_has_every_outcome(demo: list[dict]) -> None:
    tasks = [r for r in demo if r["resourceType"] == "Task"]
    outcomes = Counter(t["businessStatus"]["coding"][0]["code"] for t in tasks)
    assert {"awaiting-review", "confirmed", "corrected", "rejected"} <= set(outcomes)
    predictions = [
        r for r in demo if r["resourceType"] == "Observation" and r["method"]["coding"][0]["code"] == "ai-inference"
    ]
    assert len(predictions) == len(tasks)
    assert all(p["meta"]["security"][0]["code"] == "AIAST" and p["status"] != "final" for p in predictions)
    by_id = {f"{r['resourceType']}/{r['id']}": r for r in demo}
    results = [o["valueReference"]["reference"] for task in tasks for o in task.get("output", [])]
    assert results
    for result in results:
        annotation = by_id[result]
        assert annotation["meta"]["security"][0]["code"] == "AIAST"
        assert annotation["method"]["coding"][0]["code"].startswith("ai-assisted")
    for resource in demo:
        for attachment in [c.get("attachment", {}) for c in resource.get("content", []) if isinstance(c, dict)]:
            url = attachment.get("url", "")
            if url.startswith("Binary/"):
                stored = by_id[url]
                assert base64.b64decode(stored["data"])[:4] in (b"\xff\xd8\xff\xe0", b"\x89PNG")


def test_command_writes_a_transaction(tmp_path, capsys) -> None:
    assert main(["demo", str(tmp_path / "out"), "--patients", "1", "--quiet"]) == 0
    assert "Wrote" in capsys.readouterr().out
    assert (tmp_path / "out" / "demo.json").read_bytes().startswith(b'{"resourceType":"Bundle","type":"transaction"')
    assert main(["demo", str(tmp_path / "out"), "--patients", "0"]) == 2
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["demo", str(blocker / "sub"), "--patients", "1", "--quiet"]) == 1
    assert "cannot write" in capsys.readouterr().err
