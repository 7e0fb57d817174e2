"""Inter-annotator agreement over annotations of the same images: Cohen's kappa for two annotators, Fleiss' kappa
for more, each with a 95 % confidence interval, per image set; `record_agreement` writes the result into the
inter-annotator-agreement component of every annotation that took part.

Cohen's kappa: Cohen (1960); its large-sample variance is Fleiss, Cohen & Everitt (1969), the formula statsmodels'
`cohens_kappa` uses. Fleiss' kappa: Fleiss (1971), for the same number of ratings per image; its standard error is
the large-sample one of Fleiss, Nee & Landis (1979) (derived under kappa = 0, as statistics packages report it).
Intervals are kappa ± 1.96 SE, clipped to [-1, 1].
Not handled: weighted kappa, Krippendorff's alpha, images rated by only some annotators (they are left out and
counted in `skipped`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import orjson

from dermfhir.review import resources as r
from dermfhir.review.errors import InvalidInput
from dermfhir.store import Store

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Agreement:
    """A kappa with its 95 % interval, the images and annotators it covers, and the annotations it was computed on."""

    method: str  # "cohen" or "fleiss"
    kappa: float
    lower: float
    upper: float
    standard_error: float
    images: int
    annotators: int
    skipped: int = 0
    annotations: tuple[str, ...] = ()


def cohen_kappa(first: Sequence[str], second: Sequence[str]) -> Agreement:
    """Cohen's kappa of two annotators' labels of the same items (in the same order)."""
    if len(first) != len(second):
        raise InvalidInput("review-input", "Cohen's kappa needs the two annotators' labels of the same images")
    if not first:
        raise InvalidInput("review-input", "Cohen's kappa needs at least one image rated by both annotators")
    categories = sorted(set(first) | set(second))
    index = {c: i for i, c in enumerate(categories)}
    table = np.zeros((len(categories), len(categories)))
    np.add.at(table, ([index[a] for a in first], [index[b] for b in second]), 1)
    n = table.sum()
    probs = table / n
    rows, cols = table.sum(1) / n, table.sum(0) / n
    observed = float(np.trace(probs))
    expected = float((rows * cols).sum())
    if expected >= 1:  # both annotators used one and the same label throughout: kappa is undefined; perfect agreement
        return Agreement("cohen", 1.0, 1.0, 1.0, 0.0, int(n), 2)
    kappa = (observed - expected) / (1 - expected)
    term_a = float((np.diag(probs) * (1 - (rows + cols) * (1 - kappa)) ** 2).sum())
    spread = probs * (cols[:, None] + rows) ** 2
    np.fill_diagonal(spread, 0)
    term_b = (1 - kappa) ** 2 * float(spread.sum())
    term_c = (kappa - expected * (1 - kappa)) ** 2
    variance = max((term_a + term_b - term_c) / (1 - expected) ** 2 / n, 0.0)
    return _with_interval("cohen", kappa, math.sqrt(variance), int(n), 2)


def fleiss_kappa(counts: np.ndarray | Sequence[Sequence[int]]) -> Agreement:
    """Fleiss' kappa of a subjects x categories table of rating counts (the same number of ratings per subject)."""
    table = np.asarray(counts, dtype=float)
    if table.ndim != 2 or table.shape[0] == 0:
        raise InvalidInput("review-input", "Fleiss' kappa needs a table of images x categories")
    raters = table.sum(1)
    if not np.all(raters == raters[0]) or raters[0] < 2:
        raise InvalidInput("review-input", "Fleiss' kappa needs the same number (at least 2) of ratings per image")
    subjects, m = table.shape[0], float(raters[0])
    p = table.sum(0) / (subjects * m)
    per_subject = ((table * table).sum(1) - m) / (m * (m - 1))
    observed = float(per_subject.mean())
    expected = float((p * p).sum())
    if expected >= 1:
        return Agreement("fleiss", 1.0, 1.0, 1.0, 0.0, subjects, int(m))
    kappa = (observed - expected) / (1 - expected)
    pq = p * (1 - p)
    total = float(pq.sum())
    inner = total**2 - float((pq * (1 - 2 * p)).sum())
    se = math.sqrt(2 * max(inner, 0.0)) / (total * math.sqrt(subjects * m * (m - 1)))
    return _with_interval("fleiss", kappa, se, subjects, int(m))


def _with_interval(method: str, kappa: float, se: float, images: int, annotators: int) -> Agreement:
    lower, upper = max(-1.0, kappa - Z95 * se), min(1.0, kappa + Z95 * se)
    return Agreement(method, kappa, lower, upper, se, images, annotators)


def agreement_of(
    annotations: Iterable[dict], images: set[str] | None = None, annotators: Sequence[str] | None = None
) -> Agreement:
    """The agreement of the annotators of `annotations` (final or amended dermatology annotations), over the images
    every one of them rated (optionally only those in `images`); each annotator's latest annotation of an image.

    The annotators are `annotators` when given; otherwise those who rated the most images of the set (when at
    least two did), else every annotator found."""
    latest: dict[tuple[str, str], tuple[str, str, str]] = {}  # (image, annotator) -> (time, label, reference)
    for annotation in annotations:
        if not r.is_annotation(annotation) or annotation.get("status") not in ("final", "amended"):
            continue
        sources = [r.reference(d) for d in annotation.get("derivedFrom") or []]
        image = sources[0] if sources else None
        performers = r.performers(annotation)
        label = r.finding_code(annotation)
        if annotators is not None and performers and performers[0] not in annotators:
            continue
        if not image or not performers or label is None or (images is not None and image not in images):
            continue
        key = (image, performers[0])
        moment = str(annotation.get("effectiveDateTime") or annotation.get("issued") or "")
        if key not in latest or moment >= latest[key][0]:
            latest[key] = (moment, label, f"Observation/{annotation['id']}")
    rated: dict[str, int] = {}
    for _, annotator in latest:
        rated[annotator] = rated.get(annotator, 0) + 1
    most = max(rated.values(), default=0)
    raters = sorted(a for a, count in rated.items() if count == most)
    if annotators is not None or len(raters) < 2:
        raters = sorted(rated)
    latest = {key: value for key, value in latest.items() if key[1] in raters}
    if len(raters) < 2:
        raise InvalidInput("review-input", f"Agreement needs at least two annotators; found {len(raters)}")
    by_image: dict[str, dict[str, tuple[str, str]]] = {}
    for (image, annotator), (_, label, reference) in latest.items():
        by_image.setdefault(image, {})[annotator] = (label, reference)
    complete = {image: found for image, found in by_image.items() if len(found) == len(raters)}
    skipped = len(by_image) - len(complete)
    if not complete:
        raise InvalidInput("review-input", "No image was annotated by every annotator")
    order = sorted(complete)
    used = tuple(sorted(ref for image in order for _, ref in complete[image].values()))
    if len(raters) == 2:
        first = [complete[image][raters[0]][0] for image in order]
        second = [complete[image][raters[1]][0] for image in order]
        result = cohen_kappa(first, second)
    else:
        categories = sorted({label for image in order for label, _ in complete[image].values()})
        index = {c: i for i, c in enumerate(categories)}
        table = np.zeros((len(order), len(categories)), dtype=int)
        for row, image in enumerate(order):
            for label, _ in complete[image].values():
                table[row, index[label]] += 1
        result = fleiss_kappa(table)
    return Agreement(**{**result.__dict__, "skipped": skipped, "annotations": used})


def annotations_of_images(store: Store, images: Sequence[str]) -> Iterator[dict]:
    """The Observations derived from any of `images` (references `Type/id`), by `derived-from`: one streamed query
    per image type (`Store.iter_referring`), each resource decoded with plain orjson as it comes. `agreement_of`
    keeps a few strings of each, so tens of thousands of decoded resources are never held at once, and no decimal
    is read (fhirjson's keeping of decimal texts is not needed)."""
    by_type: dict[str, list[str]] = {}
    for image in images:
        target_type, _, target_id = image.partition("/")
        if target_id and "/" not in target_id:
            by_type.setdefault(target_type, []).append(target_id)
    for target_type, ids in by_type.items():
        yield from map(orjson.loads, store.iter_referring("Observation", "derived-from", target_type, ids))


def record_agreement(store: Store, result: Agreement) -> list[dict]:
    """Write kappa into the inter-annotator-agreement component of every annotation it was computed on (one
    transaction; a new version of each; the annotation's status is unchanged)."""
    from dermfhir.builders import _components as parts

    code = parts.slice_code("dermatology-image-annotation", "interAnnotatorAgreement")
    value = round(result.kappa, 4)
    written = []
    with store.transaction():
        for reference in result.annotations:
            annotation = store.read("Observation", reference.split("/")[1])
            components = [
                c
                for c in annotation.get("component") or []
                if "inter-annotator-agreement" not in r.codes(c.get("code"), r.TYPE_SYSTEM)
            ]
            quantity = {"value": value, "unit": "1", "system": "http://unitsofmeasure.org", "code": "1"}
            components.append({"code": code, "valueQuantity": quantity})
            written.append(store.update({**annotation, "component": components}).resource)
    return written
