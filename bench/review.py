"""Review workflow benchmark at about 100,000 stored resources (SQLite), over in-process HTTP (the FastAPI app).

Run: `python bench/review.py [--images 10000] [--open 1000] [--samples 200]`.
Data (built once with the guide's builders, then cloned with new ids): one Patient and one dermatology-image
DocumentReference per image; one AI prediction per image with its class-probability RiskAssessment, AI Provenance
and review Task; a clinician's ai-assisted annotation (with label-available-at) for every reviewed prediction
(all but `--open`); three expert annotators' annotations of every image.
Targets (the issue's): $confirm p50 <= 20 ms; queue listing p50 <= 10 ms; $agreement over 10,000 images and
3 annotators <= 2 s; $performance over 10,000 predictions <= 2 s. Baselines measured in the same run: a plain REST
create of an Observation ($confirm), a read by id (queue), statsmodels' Fleiss kappa on the same table
($agreement: the pure computation), and reading the device's predictions with the store alone ($performance).
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import tempfile
import time
import warnings
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
    DermatologyImageAnnotation,
    Patient,
)
from dermfhir.definitions import Definitions
from dermfhir.server import ServerConfig, create_app
from dermfhir.store import open_store

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

SCT = "http://snomed.info/sct"
FINDINGS = [
    {"coding": [{"system": SCT, "code": "372244006", "display": "Malignant melanoma (disorder)"}]},
    {"coding": [{"system": SCT, "code": "1163403006", "display": "Pigmented nevus"}]},
    {"coding": [{"system": SCT, "code": "25499005", "display": "Seborrheic keratosis"}]},
]
FHIR = {"Content-Type": "application/fhir+json"}


def dataset(images: int, open_reviews: int) -> list[dict]:
    rng = np.random.default_rng(1)
    out: list[dict] = [AIModelDevice("model1", name="Bench", version="1", manufacturer="Bench").to_resource()]
    out += [
        {
            "resourceType": "Practitioner",
            "id": f"r{i}",
            "extension": [
                {"url": "https://annotatemd.com/fhir/ig/StructureDefinition/credential-ordinal", "valueInteger": 4}
            ],
        }
        for i in range(5)
    ]
    patient = Patient("p0").to_resource()
    image = DermatologyImage(
        "i0", subject="Patient/p0", url="https://example.org/i0.jpg", width=600, height=450
    ).to_resource()
    templates = {
        "pred": AIPrediction(
            "x0",
            subject="Patient/p0",
            image="DocumentReference/i0",
            device="Device/model1",
            finding=FINDINGS[0],
            confidence=0.8,
            effective="2026-01-01T00:00:00Z",
        ).to_resource(),
        "risk": ClassProbabilityAssessment(
            "rk0",
            subject="Patient/p0",
            device="Device/model1",
            basis=["Observation/x0", "DocumentReference/i0"],
            classes=[ClassProbability(f, 0.5 if n == 0 else 0.25, f"c{n}") for n, f in enumerate(FINDINGS)],
        ).to_resource(),
        "prov": AIProvenance(
            "pv0",
            targets=["Observation/x0"],
            device="Device/model1",
            images=["DocumentReference/i0"],
            recorded="2026-01-01T00:00:00Z",
        ).to_resource(),
        "task": AnnotationReviewTask(
            "t0", prediction="Observation/x0", patient="Patient/p0", authored="2026-01-01T00:00:00Z"
        ).to_resource(),
        "label": DermatologyImageAnnotation(
            "l0",
            subject="Patient/p0",
            image="DocumentReference/i0",
            prediction="Observation/x0",
            findings=[FINDINGS[0]],
            method="ai-assisted-confirmed",
            performer=["Practitioner/r0"],
            effective="2026-01-02T00:00:00Z",
            label_available_at="2026-01-02T00:00:00Z",
        ).to_resource(),
        "expert": DermatologyImageAnnotation(
            "e0",
            subject="Patient/p0",
            image="DocumentReference/i0",
            findings=[FINDINGS[0]],
            method="expert-annotation",
            performer=["Practitioner/r1"],
            effective="2026-01-03T00:00:00Z",
        ).to_resource(),
    }
    text = {key: json.dumps(value) for key, value in templates.items()}
    for n in range(images):

        def clone(key: str, new_id: str, n: int = n) -> dict:
            body = (
                text[key]
                .replace('"Patient/p0"', f'"Patient/p{n}"')
                .replace('"DocumentReference/i0"', f'"DocumentReference/i{n}"')
                .replace('"Observation/x0"', f'"Observation/x{n}"')
            )
            found = json.loads(body)
            found["id"] = new_id
            return found

        out.append({**copy.deepcopy(patient), "id": f"p{n}"})
        img = copy.deepcopy(image)
        img.update(id=f"i{n}", subject={"reference": f"Patient/p{n}"})
        out.append(img)
        guess = int(rng.integers(3))
        pred = clone("pred", f"x{n}")
        pred["component"][0]["valueCodeableConcept"] = FINDINGS[guess]
        out += [pred, clone("risk", f"rk{n}"), clone("prov", f"pv{n}")]
        task = clone("task", f"t{n}")
        truth = guess if rng.random() < 0.7 else int(rng.integers(3))
        if n >= open_reviews:
            label = clone("label", f"l{n}")
            label["component"][0]["valueCodeableConcept"] = FINDINGS[truth]
            out.append(label)
            task.update(
                status="completed",
                owner={"reference": "Practitioner/r0"},
                lastModified="2026-01-02T00:00:00Z",
                businessStatus={
                    "coding": [
                        {
                            "system": "https://annotatemd.com/fhir/ig/CodeSystem/annotation-review",
                            "code": "confirmed" if truth == guess else "corrected",
                        }
                    ]
                },
                output=[
                    {
                        "type": {
                            "coding": [
                                {
                                    "system": "https://annotatemd.com/fhir/ig/CodeSystem/annotation-type",
                                    "code": "dermatology-annotation",
                                }
                            ]
                        },
                        "valueReference": {"reference": f"Observation/l{n}"},
                    }
                ],
            )
        out.append(task)
        for rater in (1, 2, 3):
            expert = clone("expert", f"e{rater}-{n}")
            expert["performer"] = [{"reference": f"Practitioner/r{rater}"}]
            agree = truth if rng.random() < 0.8 else int(rng.integers(3))
            expert["component"][0]["valueCodeableConcept"] = FINDINGS[agree]
            out.append(expert)
    return out


def p50(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=int, default=10000)
    parser.add_argument("--open", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="dermfhir-bench-review-"))
    definitions = Definitions.default()
    started = time.perf_counter()
    resources = dataset(args.images, args.open)
    built = time.perf_counter() - started
    store = open_store(folder / "review.db", definitions)
    started = time.perf_counter()
    store.load(resources, return_resources=False)
    loaded = time.perf_counter() - started
    print(f"{len(resources):,} resources built in {built:.1f} s, loaded into SQLite in {loaded:.1f} s")
    # entered, as a running server is: its worker threads and their store connections are kept between requests
    # (outside the context every request would start a thread and open a new SQLite connection, with a cold cache)
    with TestClient(
        create_app(ServerConfig(db=str(folder / "review.db")), store=store, definitions=definitions)
    ) as client:
        confirm, create = [], []
        body = json.dumps(
            {
                "resourceType": "Parameters",
                "parameter": [{"name": "reviewer", "valueReference": {"reference": "Practitioner/r4"}}],
            }
        )
        plain = copy.deepcopy(resources[next(i for i, r in enumerate(resources) if r.get("id") == "e1-0")])
        plain.pop("id")
        for n in range(min(args.samples, args.open)):
            t = time.perf_counter()
            response = client.post(f"/Observation/x{n}/$confirm", content=body, headers=FHIR)
            confirm.append(time.perf_counter() - t)
            assert response.status_code == 200, response.text
            t = time.perf_counter()
            assert client.post("/Observation", content=json.dumps(plain), headers=FHIR).status_code == 201
            create.append(time.perf_counter() - t)
        verdict = "meets" if p50(confirm) <= 20 else "MISSES"
        print(
            f"$confirm p50 {p50(confirm):.1f} ms — {verdict} the <= 20 ms target; "
            f"plain REST create p50 {p50(create):.1f} ms (ratio {p50(confirm) / p50(create):.2f}x)"
        )

        queue, read = [], []
        for n in range(args.samples):
            t = time.perf_counter()
            response = client.get("/Task?status=requested&_sort=authored-on&_count=20")
            queue.append(time.perf_counter() - t)
            assert response.status_code == 200 and response.json()["entry"]
            t = time.perf_counter()
            assert client.get(f"/Patient/p{n}").status_code == 200
            read.append(time.perf_counter() - t)
        verdict = "meets" if p50(queue) <= 10 else "MISSES"
        print(
            f"queue listing p50 {p50(queue):.1f} ms — {verdict} the <= 10 ms target; "
            f"read by id p50 {p50(read):.1f} ms (ratio {p50(queue) / p50(read):.2f}x)"
        )

        images = [
            {"name": "image", "valueReference": {"reference": f"DocumentReference/i{n}"}} for n in range(args.images)
        ]
        agreement_body = json.dumps(
            {"resourceType": "Parameters", "parameter": [*images, {"name": "write", "valueBoolean": False}]}
        )
        t = time.perf_counter()
        cpu = time.process_time()
        response = client.post("/Observation/$agreement", content=agreement_body, headers=FHIR)
        agreement = time.perf_counter() - t
        agreement_cpu = time.process_time() - cpu
        assert response.status_code == 200, response.text
        figures = {
            p["name"]: next(v for k, v in p.items() if k.startswith("value")) for p in response.json()["parameter"]
        }
        from statsmodels.stats.inter_rater import fleiss_kappa

        table = np.zeros((args.images, 3), dtype=int)
        for resource in resources:
            if resource["id"].startswith("e") and "-" in resource["id"]:
                n = int(resource["id"].split("-")[1])
                table[
                    n,
                    [f["coding"][0]["code"] for f in FINDINGS].index(
                        resource["component"][0]["valueCodeableConcept"]["coding"][0]["code"]
                    ),
                ] += 1
        t = time.perf_counter()
        reference = fleiss_kappa(table)
        baseline = time.perf_counter() - t
        verdict = "meets" if agreement <= 2 else "MISSES"
        print(
            f"$agreement over {figures['images']:,} images x {figures['annotators']} annotators "
            f"(kappa {figures['kappa']:.4f}, statsmodels {reference:.4f}): {agreement:.2f} s "
            f"({agreement_cpu:.2f} CPU-s) — {verdict} the <= 2 s "
            f"target; statsmodels on the ready table {baseline * 1000:.1f} ms "
            f"(ratio {agreement / max(baseline, 1e-9):.0f}x)"
        )

        t = time.perf_counter()
        cpu = time.process_time()
        response = client.get("/Device/model1/$performance")
        performance = time.perf_counter() - t
        performance_cpu = time.process_time() - cpu
        assert response.status_code == 200, response.text
        labelled = next(p["valueInteger"] for p in response.json()["parameter"] if p["name"] == "labelled")
        t = time.perf_counter()
        count = sum(1 for _ in store.iter_search("Observation", [("device", "Device/model1")]))
        baseline = time.perf_counter() - t
        verdict = "meets" if performance <= 2 else "MISSES"
        print(
            f"$performance over {count:,} predictions ({labelled:,} labelled): {performance:.2f} s "
            f"({performance_cpu:.2f} CPU-s) — {verdict} the "
            f"<= 2 s target; reading the predictions alone {baseline:.2f} s (ratio {performance / baseline:.1f}x)"
        )
    store.close()


if __name__ == "__main__":
    main()
