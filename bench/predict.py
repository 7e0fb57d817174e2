"""`dermfhir predict` against onnxruntime alone, on the same model and images.

Run: `python bench/predict.py [--images 256] [--batch-size 16]`. The model is a small convolutional classifier built
here with the onnx helper API (224 x 224 input, two strided convolutions, 8 classes; random weights), the images
are generated 600 x 450 JPEGs. Baseline, measured in the same run: reading, resizing and scaling each image and
`InferenceSession.run` in the same batches — what any script using onnxruntime must do. Ours: `review.predict`,
which also builds the Patient, DocumentReference, AI prediction, RiskAssessment, Provenance and Task of every image
and the Device; and, reported apart, the command's validation of every resource before writing.
Target: images/s overhead of the FHIR output at most 1.2x.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper
from PIL import Image

from dermfhir.review.predict import predict
from dermfhir.validation import Validator

LABELS = ["MEL", "NV", "BCC", "AK", "BKL", "DF", "VASC", "SCC"]


def build_model(path: Path) -> None:
    rng = np.random.default_rng(0)
    init = [
        numpy_helper.from_array(rng.normal(0, 0.1, (16, 3, 3, 3)).astype(np.float32), "w1"),
        numpy_helper.from_array(rng.normal(0, 0.1, (32, 16, 3, 3)).astype(np.float32), "w2"),
        numpy_helper.from_array(rng.normal(0, 0.1, (32, len(LABELS))).astype(np.float32), "w3"),
    ]
    nodes = [
        helper.make_node("Conv", ["image", "w1"], ["c1"], strides=[2, 2], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"]),
        helper.make_node("Conv", ["r1", "w2"], ["c2"], strides=[2, 2], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c2"], ["r2"]),
        helper.make_node("GlobalAveragePool", ["r2"], ["pool"]),
        helper.make_node("Flatten", ["pool"], ["flat"], axis=1),
        helper.make_node("MatMul", ["flat", "w3"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1),
    ]
    graph = helper.make_graph(
        nodes,
        "bench",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["N", 3, 224, 224])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", len(LABELS)])],
        init,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, str(path))


def baseline(model: Path, images: list[Path], batch_size: int) -> float:
    session = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    started = time.perf_counter()
    for start in range(0, len(images), batch_size):
        batch = []
        for path in images[start : start + batch_size]:
            with Image.open(path) as image:
                pixels = np.asarray(image.convert("RGB").resize((224, 224)), dtype=np.float32) / 255.0
            batch.append(pixels.transpose(2, 0, 1))
        session.run(None, {"image": np.stack(batch)})
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="dermfhir-bench-predict-"))
    model = folder / "bench.onnx"
    build_model(model)
    rng = np.random.default_rng(1)
    images = []
    for n in range(args.images):
        path = folder / f"img{n:05d}.jpg"
        Image.fromarray(rng.integers(0, 255, (450, 600, 3), dtype=np.uint8)).save(path, quality=90)
        images.append(path)
    baseline(model, images[: args.batch_size], args.batch_size)  # warm caches
    base = min(baseline(model, images, args.batch_size) for _ in range(3))
    ours = []
    for _ in range(3):
        started = time.perf_counter()
        run = predict(model, LABELS, images, batch_size=args.batch_size)
        ours.append(time.perf_counter() - started)
    best = min(ours)
    validator = Validator()
    started = time.perf_counter()
    for resource in run.resources:
        validator.validate(resource)
    validation = time.perf_counter() - started
    ratio = best / base
    verdict = "meets" if ratio <= 1.2 else "MISSES"
    print(
        f"{args.images} images, batches of {args.batch_size}, "
        f"model {run.inference_seconds / args.images * 1000:.2f} ms/image"
    )
    print(f"onnxruntime alone: {args.images / base:.1f} images/s")
    print(
        f"dermfhir predict (FHIR resources built): {args.images / best:.1f} images/s — "
        f"overhead {ratio:.2f}x, {verdict} the <= 1.2x target"
    )
    print(
        f"validating the {len(run.resources)} resources before writing adds {validation:.2f} s "
        f"({args.images / (best + validation):.1f} images/s end to end, {(best + validation) / base:.2f}x)"
    )


if __name__ == "__main__":
    main()
