"""Running an ONNX image classifier (onnxruntime, CPU) over image files and emitting, per image, the dermatology
image (DocumentReference), an AI prediction (top-1 class, its probability, the measured inference time), a
class-probability RiskAssessment, an AI Provenance and the review Task; once, the AI model Device with the model
file's SHA-256 and its mean measured inference time per image.

Model contract: one image input of shape (N, 3, H, W) (channels first) or (N, H, W, 3) (channels last), float32,
pixels scaled to 0-1 (`--mean`/`--std` normalise further); one output (N, classes). Outputs that are not
probabilities (negative, or rows not summing to 1 ± 0.01) are turned into probabilities with a softmax. A fixed
batch dimension is respected; a dynamic one takes `batch_size` images at a time.
Labels: ISIC challenge classes (MEL, NV, BCC, AK, BKL, DF, VASC, SCC, UNK) map to SNOMED CT through the guide's
ConceptMap; any other label is kept as text.
Not handled: several inputs or outputs, detection or segmentation models, GPUs.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from dermfhir.builders import (
    AIModelDevice,
    AIPrediction,
    AIProvenance,
    AnnotationReviewTask,
    ClassProbability,
    ClassProbabilityAssessment,
    DermatologyImage,
    Patient,
    stable_id,
)
from dermfhir.builders._vocabulary import code_system, codes_of, mapped_concept
from dermfhir.review.errors import InvalidInput

ISIC_MAP = "isic-challenge-class-to-snomed"
SHA256_SYSTEM = "urn:ietf:rfc:6920"  # named information (ni) URIs: the value is ni:///sha-256;<digest>


@dataclass
class ModelRun:
    """What a run produced: the resources (Device first), the images done and the time spent in the model."""

    resources: list[dict] = field(default_factory=list)
    images: int = 0
    inference_seconds: float = 0.0
    sha256: str = ""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class Classifier:
    """An ONNX classifier session on the CPU with its input layout, image size and batch size."""

    def __init__(
        self, model: Path, *, batch_size: int = 16, mean: Sequence[float] = (), std: Sequence[float] = ()
    ) -> None:
        import onnxruntime as ort

        try:
            self.session = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
        except Exception as error:  # onnxruntime raises its own exception types for unreadable models
            raise InvalidInput("review-input", f"{model}: not a loadable ONNX model ({str(error)[:200]})") from None
        inputs, outputs = self.session.get_inputs(), self.session.get_outputs()
        if len(inputs) != 1 or len(outputs) != 1:
            raise InvalidInput("review-input", f"{model}: the model must have one input and one output")
        self.input_name = inputs[0].name
        shape = list(inputs[0].shape)
        if len(shape) != 4:
            raise InvalidInput("review-input", f"{model}: the input must be an image batch (N, C, H, W), got {shape}")
        self.channels_first = shape[1] == 3
        if not self.channels_first and shape[3] != 3:
            raise InvalidInput("review-input", f"{model}: the input needs 3 colour channels, got shape {shape}")
        height, width = (shape[2], shape[3]) if self.channels_first else (shape[1], shape[2])
        if not isinstance(height, int) or not isinstance(width, int):
            raise InvalidInput("review-input", f"{model}: the input's height and width must be fixed, got {shape}")
        self.size = (width, height)
        self.batch_size = shape[0] if isinstance(shape[0], int) and shape[0] > 0 else max(1, batch_size)
        self.mean = np.array(mean or (0.0, 0.0, 0.0), dtype=np.float32)
        self.std = np.array(std or (1.0, 1.0, 1.0), dtype=np.float32)

    def load(self, path: Path) -> tuple[np.ndarray, tuple[int, int], str]:
        """The image as the model's input (one item, no batch axis), its original (width, height), media type."""
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(path) as image:
                original = image.size
                media_type = Image.MIME.get(image.format or "", "image/png")
                pixels = np.asarray(image.convert("RGB").resize(self.size), dtype=np.float32) / 255.0
        except (OSError, UnidentifiedImageError) as error:
            raise InvalidInput("review-input", f"{path}: not a readable image ({error})") from None
        pixels = (pixels - self.mean) / self.std
        return (pixels.transpose(2, 0, 1) if self.channels_first else pixels), original, media_type

    def run(self, batch: np.ndarray) -> np.ndarray:
        """Class probabilities (rows sum to 1) for a batch of prepared images."""
        output = np.asarray(self.session.run(None, {self.input_name: batch.astype(np.float32)})[0], dtype=np.float64)
        output = output.reshape(output.shape[0], -1)
        sums = output.sum(axis=1)
        if (output < 0).any() or not np.allclose(sums, 1.0, atol=0.01):
            shifted = np.exp(output - output.max(axis=1, keepdims=True))
            output = shifted / shifted.sum(axis=1, keepdims=True)
        return output


def label_concept(label: str) -> dict:
    """The skin-finding concept of a class label (ISIC challenge classes through the guide's ConceptMap)."""
    system = code_system("isic-challenge-class")
    if label in codes_of(system):
        return mapped_concept(ISIC_MAP, system, label)
    return {"text": label}


def predict(
    model: Path,
    labels: Sequence[str],
    images: Sequence[Path],
    *,
    batch_size: int = 16,
    patient: str | None = None,
    model_name: str | None = None,
    model_version: str = "unknown",
    manufacturer: str = "unknown",
    mean: Sequence[float] = (),
    std: Sequence[float] = (),
    progress: Callable[[int], None] | None = None,
) -> ModelRun:
    """Classify `images` with the ONNX `model`; every resource is built (and checked) by the guide's builders."""
    if not labels or len(set(labels)) != len(labels):
        raise InvalidInput("review-input", "--labels needs distinct class labels, one per model output")
    if not images:
        raise InvalidInput("review-input", "no image given")
    classifier = Classifier(model, batch_size=batch_size, mean=mean, std=std)
    run = ModelRun(sha256=file_sha256(model))
    concepts = [label_concept(label) for label in labels]
    recorded = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    name = model_name or model.stem
    device_id = stable_id("model", name, run.sha256[:16])
    device = AIModelDevice(
        device_id,
        name=name,
        version=model_version,
        manufacturer=manufacturer,
        identifier=(SHA256_SYSTEM, f"ni:///sha-256;{run.sha256}"),
    ).to_resource()
    run.resources.append(device)
    patients: set[str] = set()
    for start in range(0, len(images), classifier.batch_size):
        paths = list(images[start : start + classifier.batch_size])
        prepared = [classifier.load(path) for path in paths]
        batch = np.stack([item for item, _, _ in prepared])
        if batch.shape[0] < classifier.batch_size and not isinstance(classifier.session.get_inputs()[0].shape[0], str):
            pad = np.zeros((classifier.batch_size - batch.shape[0], *batch.shape[1:]), dtype=batch.dtype)
            batch = np.concatenate([batch, pad])
        began = time.perf_counter()
        probabilities = classifier.run(batch)[: len(paths)]
        elapsed = time.perf_counter() - began
        run.inference_seconds += elapsed
        if probabilities.shape[1] != len(labels):
            raise InvalidInput(
                "review-input", f"the model gives {probabilities.shape[1]} classes but {len(labels)} labels were given"
            )
        per_image_ms = elapsed * 1000 / len(paths)
        for path, (_, size, media_type), row in zip(paths, prepared, probabilities, strict=True):
            run.resources += _image_resources(
                path, size, media_type, row, concepts, labels, device_id, patient, recorded, per_image_ms, patients
            )
        run.images += len(paths)
        if progress is not None:
            progress(len(paths))
    mean_ms = run.inference_seconds * 1000 / max(run.images, 1)
    device["property"] = [
        {
            "type": {"text": "Mean measured inference time per image (CPU, onnxruntime)"},
            "valueQuantity": [
                {"value": round(mean_ms, 3), "unit": "ms", "system": "http://unitsofmeasure.org", "code": "ms"}
            ],
        }
    ]
    return run


def _image_resources(
    path: Path,
    size: tuple[int, int],
    media_type: str,
    row: np.ndarray,
    concepts: list[dict],
    labels: Sequence[str],
    device: str,
    patient: str | None,
    recorded: str,
    per_image_ms: float,
    patients: set[str],
) -> list[dict]:
    key = path.stem
    found: list[dict] = []
    subject = patient or f"Patient/{stable_id('predict', 'patient', key)}"
    if patient is None and subject not in patients:
        patients.add(subject)
        found.append(Patient(subject.split("/")[1]).to_resource())
    image = DermatologyImage(
        stable_id("predict", "image", key),
        subject=subject,
        url=path.resolve().as_uri(),
        content_type=media_type,
        width=size[0],
        height=size[1],
        title=path.name,
    )
    top = int(np.argmax(row))
    prediction = AIPrediction(
        stable_id("predict", "pred", device, key),
        subject=subject,
        image=image,
        device=f"Device/{device}",
        finding=concepts[top],
        confidence=round(float(row[top]), 6),
        effective=recorded,
        inference_time_ms=round(per_image_ms, 3),
    )
    probabilities = [round(float(p), 6) for p in row]
    assessment = ClassProbabilityAssessment(
        stable_id("predict", "prob", device, key),
        subject=subject,
        device=f"Device/{device}",
        basis=[prediction, image],
        classes=[ClassProbability(c, p, label) for c, p, label in zip(concepts, probabilities, labels, strict=True)],
        occurrence=recorded,
    )
    provenance = AIProvenance(
        stable_id("predict", "prov", device, key),
        targets=[prediction, assessment],
        device=f"Device/{device}",
        images=[image],
        recorded=recorded,
    )
    task = AnnotationReviewTask(
        stable_id("predict", "task", device, key), prediction=prediction, patient=subject, authored=recorded
    )
    found += [b.to_resource() for b in (image, prediction, assessment, provenance, task)]
    return found
