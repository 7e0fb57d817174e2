"""`dermfhir predict`, `dermfhir report model` and `dermfhir review …`: run an ONNX classifier into FHIR, report an AI
model's performance, and perform review steps directly on a store (the same functions the server's operations run).

Exit 0 when everything asked was done; 1 when the step was refused or an input is unusable (one line naming the
file, resource or rule; nothing written); 2 on usage errors.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import orjson
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from dermfhir import fhirjson
from dermfhir.review import ReviewError
from dermfhir.store import Store


def register(commands: argparse._SubParsersAction) -> None:
    predict = commands.add_parser("predict", help="run an ONNX image classifier and write FHIR AI predictions")
    predict.add_argument("images", nargs="+", type=Path, metavar="IMAGE")
    predict.add_argument("--model", type=Path, required=True, metavar="FILE.onnx")
    predict.add_argument("--labels", required=True, metavar="MEL,NV,…", help="class labels, one per model output")
    predict.add_argument("--out", type=Path, required=True, metavar="PATH", help="transaction Bundle (.json) to write")
    predict.add_argument("--batch-size", type=int, default=16, metavar="N")
    predict.add_argument("--patient", metavar="ID", help="the Patient id of every image (default: one per image)")
    predict.add_argument("--model-name", metavar="NAME", help="default: the model file's name")
    predict.add_argument("--model-version", default="unknown", metavar="VERSION")
    predict.add_argument("--manufacturer", default="unknown", metavar="NAME")
    predict.add_argument("--mean", metavar="R,G,B", help="per-channel mean subtracted after scaling to 0-1")
    predict.add_argument("--std", metavar="R,G,B", help="per-channel standard deviation divided by")
    predict.set_defaults(run=_predict)

    report = commands.add_parser("report", help="reports: `report model DEVICE` (AI model performance)")
    kinds = report.add_subparsers(dest="kind", metavar="KIND", required=True)
    model = kinds.add_parser("model", help="an AI model's performance against clinician labels")
    model.add_argument("device", metavar="DEVICE", help="the AI model Device id (or Device/id)")
    model.add_argument("--db", default="dermfhir.db", metavar="URL", help="SQLite path or postgresql:// URL")
    model.add_argument("--cutoff", metavar="DATETIME", help="labels available before this instant (default now)")
    model.add_argument("--format", choices=("text", "json"), default="text")
    model.add_argument("--png", type=Path, metavar="FILE", help="also draw the confusion matrix and reliability chart")
    model.set_defaults(run=_report_model)

    review = commands.add_parser(
        "review", help="review steps on a store: confirm, correct, reject, qa, agreement, series"
    )
    steps = review.add_subparsers(dest="step", metavar="STEP", required=True)
    for name, text in (
        ("confirm", "accept an AI prediction"),
        ("correct", "replace an AI prediction's finding"),
        ("reject", "reject an AI prediction"),
        ("qa", "QA decision on an annotation"),
    ):
        step = steps.add_parser(name, help=text)
        step.add_argument("target", metavar="OBSERVATION", help="the prediction (or, for qa, the annotation) id")
        step.add_argument("--reviewer", required=True, metavar="REF", help="Practitioner/id or PractitionerRole/id")
        step.add_argument("--db", default="dermfhir.db", metavar="URL")
        if name == "correct":
            step.add_argument(
                "--finding", required=True, metavar="SYSTEM|CODE", help="e.g. http://snomed.info/sct|372244006"
            )
        if name == "reject":
            step.add_argument("--reason", required=True, metavar="TEXT")
        if name == "qa":
            step.add_argument("--result", required=True, choices=("approve", "reject", "request-changes"))
            step.add_argument("--comment", metavar="TEXT")
        step.set_defaults(run=_review_step)
    agreement = steps.add_parser("agreement", help="inter-annotator agreement over an image set")
    agreement.add_argument("images", nargs="+", metavar="IMAGE", help="DocumentReference/id …")
    agreement.add_argument("--db", default="dermfhir.db", metavar="URL")
    agreement.add_argument("--write", action="store_true", help="record kappa in the annotations")
    agreement.set_defaults(run=_agreement)
    series = steps.add_parser("series", help="(re)build a lesion's annotation series")
    series.add_argument("lesion", metavar="BODYSTRUCTURE", help="the lesion's BodyStructure id")
    series.add_argument("--db", default="dermfhir.db", metavar="URL")
    series.add_argument("--growth", type=float, default=0.2, help="area growth counted as a size change (0.2 = 20 %%)")
    series.add_argument("--iou", type=float, default=0.5, help="outline IoU below which the shape changed")
    series.set_defaults(run=_series)


def _numbers(text: str | None, name: str) -> tuple[float, ...]:
    if not text:
        return ()
    try:
        values = tuple(float(x) for x in text.split(","))
    except ValueError:
        raise ReviewError("review-input", f"--{name} takes three numbers R,G,B, got {text!r}") from None
    if len(values) != 3:
        raise ReviewError("review-input", f"--{name} takes three numbers R,G,B, got {text!r}")
    return values


def _predict(arguments: argparse.Namespace) -> int:
    from dermfhir.builders import transaction
    from dermfhir.ingest.output import write_atomic
    from dermfhir.review.predict import predict
    from dermfhir.validation import Validator

    console = Console(stderr=True, soft_wrap=True)
    labels = [label.strip() for label in arguments.labels.split(",") if label.strip()]
    missing = [path for path in arguments.images if not path.is_file()]
    if missing:
        console.print(f"dermfhir predict: {missing[0]}: no such image file", markup=False)
        return 1
    if not arguments.model.is_file():
        console.print(f"dermfhir predict: {arguments.model}: no such model file", markup=False)
        return 1
    if arguments.batch_size < 1:
        console.print("dermfhir predict: --batch-size must be at least 1", markup=False)
        return 2
    try:
        with Progress(
            TextColumn("predict"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task("predict", total=len(arguments.images))
            run = predict(
                arguments.model,
                labels,
                arguments.images,
                batch_size=arguments.batch_size,
                patient=f"Patient/{arguments.patient}" if arguments.patient else None,
                model_name=arguments.model_name,
                model_version=arguments.model_version,
                manufacturer=arguments.manufacturer,
                mean=_numbers(arguments.mean, "mean"),
                std=_numbers(arguments.std, "std"),
                progress=lambda n: bar.advance(task, n),
            )
    except ReviewError as error:
        console.print(f"dermfhir predict: {error.message}", markup=False)
        return 1
    validator = Validator()
    for resource in run.resources:
        errors = [i for i in validator.validate(resource).get("issue", []) if i.get("severity") in ("error", "fatal")]
        if errors:
            where = ", ".join(errors[0].get("expression") or [])
            text = (errors[0].get("details") or {}).get("text") or errors[0].get("diagnostics")
            console.print(
                f"dermfhir predict: {resource['resourceType']}/{resource['id']} {where}: {text}; nothing written",
                markup=False,
            )
            return 1
    write_atomic(arguments.out, fhirjson.dumps(transaction(run.resources), option=orjson.OPT_INDENT_2))
    per_image = run.inference_seconds * 1000 / max(run.images, 1)
    console.print(
        f"{run.images} image(s) classified, {per_image:.1f} ms per image in the model; model SHA-256 {run.sha256}",
        markup=False,
    )
    console.print(f"wrote {arguments.out} ({len(run.resources)} resources)", markup=False)
    return 0


def _open(url: str) -> Store:
    from dermfhir.definitions import Definitions
    from dermfhir.store import open_store

    return open_store(url, Definitions.default())


def _report_model(arguments: argparse.Namespace) -> int:
    from dermfhir.review.monitoring import as_text, draw_png, performance

    console = Console(stderr=True, soft_wrap=True)
    device = arguments.device.removeprefix("Device/")
    try:
        with _open(arguments.db) as store:
            result = performance(store, device, cutoff=arguments.cutoff)
        if arguments.png:
            draw_png(result, str(arguments.png))
    except ReviewError as error:
        console.print(f"dermfhir report model: {error.message}", markup=False)
        return 1
    except ValueError as error:
        console.print(f"dermfhir report model: --cutoff: {error}", markup=False)
        return 1
    print(json.dumps(result.to_dict(), indent=2) if arguments.format == "json" else as_text(result))
    if arguments.png:
        console.print(f"wrote {arguments.png}", markup=False)
    return 0


def _review_step(arguments: argparse.Namespace) -> int:
    from dermfhir import review

    console = Console(stderr=True, soft_wrap=True)
    try:
        with _open(arguments.db) as store:
            if arguments.step == "confirm":
                written = review.confirm(store, arguments.target, arguments.reviewer)
            elif arguments.step == "correct":
                system, _, code = arguments.finding.rpartition("|")
                if not system or not code:
                    raise ReviewError("review-input", f"--finding is SYSTEM|CODE, got {arguments.finding!r}")
                finding = {"coding": [{"system": system, "code": code}]}
                written = review.correct(store, arguments.target, arguments.reviewer, finding=finding)
            elif arguments.step == "reject":
                written = review.reject(store, arguments.target, arguments.reviewer, reason=arguments.reason)
            else:
                written = review.qa_review(
                    store, arguments.target, arguments.reviewer, result=arguments.result, comment=arguments.comment
                )
    except ReviewError as error:
        console.print(f"dermfhir review {arguments.step}: [{error.rule}] {error.message}", markup=False)
        return 1
    for item in written:
        resource = item.resource
        verb = "created" if item.created else "updated"
        print(f"{verb} {resource['resourceType']}/{resource['id']}/_history/{resource['meta']['versionId']}")
    return 0


def _agreement(arguments: argparse.Namespace) -> int:
    from dermfhir.review.agreement import agreement_of, annotations_of_images, record_agreement

    console = Console(stderr=True, soft_wrap=True)
    try:
        with _open(arguments.db) as store:
            result = agreement_of(annotations_of_images(store, arguments.images), set(arguments.images))
            updated = record_agreement(store, result) if arguments.write else []
    except ReviewError as error:
        console.print(f"dermfhir review agreement: [{error.rule}] {error.message}", markup=False)
        return 1
    print(
        f"{result.method} kappa {result.kappa:.4f} (95% CI {result.lower:.4f} to {result.upper:.4f}) over "
        f"{result.images} image(s), {result.annotators} annotators; {result.skipped} image(s) skipped; "
        f"{len(updated)} annotation(s) updated"
    )
    return 0


def _series(arguments: argparse.Namespace) -> int:
    from dermfhir.review.series import build_series

    console = Console(stderr=True, soft_wrap=True)
    try:
        with _open(arguments.db) as store:
            result = build_series(store, arguments.lesion, growth=arguments.growth, iou_threshold=arguments.iou)
    except ReviewError as error:
        console.print(f"dermfhir review series: [{error.rule}] {error.message}", markup=False)
        return 1
    print(
        f"{'created' if result.created else 'updated'} Observation/{result.series['id']} "
        f"({len(result.members)} members)"
    )
    for change in result.changes:
        print(f"  {change.earlier} -> {change.later}: {', '.join(change.types) or 'no change'}")
    return 0
