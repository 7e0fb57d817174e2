"""`dermfhir predict`: a tiny ONNX classifier built here (onnx helper API) runs over generated images; every
resource written validates, the Device carries the model's SHA-256 and the measured inference time."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from PIL import Image

from dermfhir.cli.main import main
from dermfhir.review import InvalidInput
from dermfhir.review.predict import predict
from dermfhir.validation import Validator


def colour_model(path: Path, *, batch: int | str = "N", logits: bool = True) -> Path:
    """(N, 3, 8, 8) -> mean colour per channel -> 3 classes: red -> 0, green -> 1, blue -> 2."""
    weights = numpy_helper.from_array((np.eye(3) * 10).astype(np.float32), "W")
    nodes = [
        helper.make_node("GlobalAveragePool", ["image"], ["pooled"]),
        helper.make_node("Flatten", ["pooled"], ["flat"], axis=1),
        helper.make_node("MatMul", ["flat", "W"], ["logits"]),
    ]
    output = "logits"
    if not logits:
        nodes.append(helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1))
        output = "probabilities"
    graph = helper.make_graph(
        nodes,
        "colour",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, [batch, 3, 8, 8])],
        [helper.make_tensor_value_info(output, TensorProto.FLOAT, [batch, 3])],
        [weights],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


def images(folder: Path) -> list[Path]:
    found = []
    for name, colour in (("red", (250, 10, 10)), ("green", (10, 250, 10)), ("blue", (10, 10, 250))):
        path = folder / f"{name}.png"
        Image.new("RGB", (16, 12), colour).save(path)
        found.append(path)
    return found


@pytest.mark.parametrize("logits", [True, False])
def test_predict_classifies_and_every_resource_validates(tmp_path: Path, logits: bool) -> None:
    model = colour_model(tmp_path / "colour.onnx", logits=logits)
    run = predict(model, ["MEL", "NV", "BKL"], images(tmp_path), batch_size=2)
    assert run.images == 3 and run.inference_seconds > 0
    predictions = [r for r in run.resources if r["resourceType"] == "Observation"]
    tops = [p["component"][0]["valueCodeableConcept"]["coding"][-1]["code"] for p in predictions]
    assert tops == ["MEL", "NV", "BKL"]
    assert predictions[0]["component"][0]["valueCodeableConcept"]["coding"][0]["code"] == "372244006"  # SNOMED first
    device = run.resources[0]
    assert device["identifier"][0]["value"] == f"ni:///sha-256;{hashlib.sha256(model.read_bytes()).hexdigest()}"
    assert device["property"][0]["valueQuantity"][0]["unit"] == "ms"
    counts: dict[str, int] = {}
    for resource in run.resources:
        counts[resource["resourceType"]] = counts.get(resource["resourceType"], 0) + 1
    assert counts == {
        "Device": 1,
        "Patient": 3,
        "DocumentReference": 3,
        "Observation": 3,
        "RiskAssessment": 3,
        "Provenance": 3,
        "Task": 3,
    }
    risk = next(r for r in run.resources if r["resourceType"] == "RiskAssessment")
    assert sum(p["probabilityDecimal"] for p in risk["prediction"]) == pytest.approx(1, abs=1e-5)
    validator = Validator()
    for resource in run.resources:
        errors = [i for i in validator.validate(resource)["issue"] if i["severity"] in ("error", "fatal")]
        assert errors == [], (resource["resourceType"], errors)


def test_predict_refusals(tmp_path: Path) -> None:
    model = colour_model(tmp_path / "colour.onnx")
    pictures = images(tmp_path)
    with pytest.raises(InvalidInput, match="3 classes but 2 labels"):
        predict(model, ["MEL", "NV"], pictures)
    with pytest.raises(InvalidInput, match="distinct"):
        predict(model, ["MEL", "MEL", "NV"], pictures)
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image")
    with pytest.raises(InvalidInput, match=r"broken\.png"):
        predict(model, ["MEL", "NV", "BKL"], [broken])
    not_model = tmp_path / "model.onnx"
    not_model.write_bytes(b"junk")
    with pytest.raises(InvalidInput, match="not a loadable ONNX model"):
        predict(not_model, ["MEL", "NV", "BKL"], pictures)


def test_fixed_batch_model(tmp_path: Path) -> None:
    model = colour_model(tmp_path / "fixed.onnx", batch=2)
    run = predict(model, ["MEL", "NV", "BKL"], images(tmp_path), batch_size=16)
    assert run.images == 3


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = colour_model(tmp_path / "colour.onnx")
    pictures = [str(p) for p in images(tmp_path)]
    out = tmp_path / "out" / "predictions.json"
    code = main(
        ["predict", "--model", str(model), "--labels", "MEL,NV,BKL", *pictures, "--out", str(out), "--batch-size", "2"]
    )
    assert code == 0
    bundle = json.loads(out.read_text())
    assert bundle["type"] == "transaction" and len(bundle["entry"]) == 19
    missing = tmp_path / "none.png"
    assert (
        main(
            [
                "predict",
                "--model",
                str(model),
                "--labels",
                "MEL,NV,BKL",
                str(missing),
                "--out",
                str(tmp_path / "x.json"),
            ]
        )
        == 1
    )
    assert "none.png" in capsys.readouterr().err
    assert not (tmp_path / "x.json").exists()
