"""The dataset-neutral record every layout's row mapper fills, and the one assembly from records to FHIR.

A row mapper (see `layouts`) reads one source row into `Context`: an image record (merged with what other files
of the same import said about the same image), a lesion-level label, or a link between two images. `Context.build()`
then makes, with deterministic ids:

- one Patient per patient id (else per lesion, else per image), with the sex;
- one skin-lesion BodyStructure per lesion id (else per image), with the site, shared by all images of the lesion;
- one dermatology-image DocumentReference per image, carrying what belongs to the image: age at imaging, skin tone,
  licence, attribution, split, manipulation, QC verdict and concept scores (extensions of the guide);
- one dermatology-image-annotation per labelled image (or per lesion, over all its images, for lesion-level labels)
  with the finding, confirmation, age, Fitzpatrick type, melanocytic / malignant and the extra components;
- one Linkage per pair of images the source says are the same (ISIC 2020 duplicates).

Two files of one import that give the same field of the same image different values: the later row is rejected
naming both rows. Two images of one patient (lesion) with different sex (site): the first is kept, a warning says so.

Records wait for `build()` in a temporary SQLite file (`spill.DiskMap`), and so do the patients' and lesions' first
values, so memory does not grow with the files; only the images of lesions labelled or predicted as a whole (MILK10k)
are kept until their lesion's annotation is made.

Not handled: values of a field for which FHIR has no place are counted in `Report.unplaced`, never imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path
from typing import Any

from dermfhir.builders import (
    AnnotationMethod,
    DermatologyImage,
    DermatologyImageAnnotation,
    ImagingModality,
    Patient,
    SkinLesion,
    stable_id,
)
from dermfhir.builders import _components as parts
from dermfhir.builders._vocabulary import canonical, morphology_of
from dermfhir.ingest._common import Options, curator, gender
from dermfhir.ingest._result import ImportResult
from dermfhir.ingest._source import Row, SourceError
from dermfhir.ingest.merge import fallback
from dermfhir.ingest.spill import DiskMap

UCUM = "http://unitsofmeasure.org"


@cache
def extension_url(name: str) -> str:
    return canonical("StructureDefinition", name)


@dataclass
class ImageRecord:
    """What the sources say about one image (empty fields: not given)."""

    image_id: str
    row: Row
    file_name: str = ""
    content_type: str = ""
    modality: ImagingModality | None = None
    description: str = ""
    lesion_id: str = ""
    patient_id: str = ""
    sex: str = ""
    age: float | None = None
    site: dict | None = None
    finding: dict | None = None
    label: str = ""
    confirmation: dict | None = None
    malignant: bool | None = None
    melanocytic: bool | None = None
    fitzpatrick: tuple[int, int] | None = None
    skin_tone: tuple[str, Any, str] | None = None  # (scale, integer | (low, high) | text, rater)
    split: tuple[str, str] | None = None  # (dataset or release, split)
    license: str = ""
    attribution: str = ""
    manipulation: str = ""
    quality: str = ""
    concept_scores: list[tuple[str, float, str]] = field(default_factory=list)
    components: list[dict] = field(default_factory=list)
    #: the annotation's id key when the label is the lesion's (several images), else the image id
    performer: str = ""


#: fields merged between files (lists and the row are not compared)
_MERGED = [f.name for f in fields(ImageRecord) if f.name not in ("image_id", "row", "concept_scores", "components")]


@dataclass
class LesionLabel:
    """A label given for a lesion (MILK10k ground truth): annotated over all the lesion's images."""

    lesion_id: str
    row: Row
    finding: dict
    label: str
    components: list[dict] = field(default_factory=list)


@dataclass
class LesionPrediction:
    """A classifier's probabilities for a lesion (MILK10k submission): an AI prediction over the lesion's images."""

    lesion_id: str
    row: Row
    classes: list[tuple[str, dict, float]]  # (label, outcome concept, probability)


class Context:
    """The records of one import, by dataset: row mappers add to it, `build()` turns it into resources."""

    def __init__(self, result: ImportResult, options: Options) -> None:
        self.result = result
        self.options = options
        #: (dataset, record) by `dataset \x1f image id`, on disk past the first thousands (memory stays flat)
        self.images = DiskMap(limit=5_000)
        self.lesion_labels: dict[tuple[str, str], LesionLabel] = {}
        self.lesion_predictions: dict[tuple[str, str], LesionPrediction] = {}
        self.links: list[tuple[str, str, str]] = []
        self.curators: dict[str, str] = {}

    @property
    def report(self) -> Any:
        return self.result.report

    def curator(self, dataset: str, name: str) -> None:
        self.curators.setdefault(dataset, name)

    def image(self, dataset: str, record: ImageRecord) -> None:
        """Add `record`, merging it into what earlier rows said about the same image."""
        key = f"{dataset}\x1f{record.image_id}"
        found = self.images.get(key)
        if found is None:
            self.images[key] = (dataset, record)
            return
        earlier: ImageRecord = found[1]
        if earlier.row.file == record.row.file:
            if earlier.row.values == record.row.values:
                self.report.merged += 1  # the same row again
                return
            columns = [c for c in record.row.values if record.row.get(c) != earlier.row.get(c)]
            raise record.row.error(
                f"image {record.image_id!r} is already given by row {earlier.row.number} (different "
                f"{', '.join(columns)})",
                columns[0] if columns else None,
            )
        differing = [
            name
            for name in _MERGED
            if getattr(record, name) not in (None, "")
            and getattr(earlier, name) not in (None, "")
            and _comparable(getattr(record, name)) != _comparable(getattr(earlier, name))
        ]
        if differing:
            same = earlier.row.file == record.row.file
            place = f"row {earlier.row.number}" if same else f"{earlier.row.file}, row {earlier.row.number}"
            raise record.row.error(
                f"image {record.image_id!r} is already given by {place} with a different {', '.join(differing)}"
            )
        for name in _MERGED:
            if getattr(earlier, name) in (None, "") and getattr(record, name) not in (None, ""):
                setattr(earlier, name, getattr(record, name))
        earlier.concept_scores.extend(record.concept_scores)
        earlier.components.extend(record.components)
        self.images[key] = (dataset, earlier)  # written back: the map may hold a copy

    def lesion_label(self, dataset: str, label: LesionLabel) -> None:
        key = (dataset, label.lesion_id)
        earlier = self.lesion_labels.get(key)
        if earlier is not None:
            if _comparable(earlier.finding) == _comparable(label.finding):
                self.report.merged += 1
                return
            raise label.row.error(
                f"lesion {label.lesion_id!r} is already labelled by {earlier.row.file}, row {earlier.row.number}"
            )
        self.lesion_labels[key] = label

    def lesion_prediction(self, dataset: str, prediction: LesionPrediction) -> None:
        key = (dataset, prediction.lesion_id)
        earlier = self.lesion_predictions.get(key)
        if earlier is not None:
            if earlier.classes == prediction.classes:
                self.report.merged += 1
                return
            raise prediction.row.error(
                f"lesion {prediction.lesion_id!r} is already predicted by {earlier.row.file}, row {earlier.row.number}"
            )
        self.lesion_predictions[key] = prediction

    def link(self, dataset: str, first: str, second: str, row: Row) -> None:
        self.links.append((dataset, first, second))

    # -- building --------------------------------------------------------------------------------------------

    def build(self) -> None:
        """Turn the records into resources in the result; a record that cannot be built is rejected (its row)."""
        performers = {dataset: curator(dataset, name) for dataset, name in sorted(self.curators.items())}
        # only the lesions labelled or predicted as a whole need their images kept until the end
        wanted = set(self.lesion_labels) | set(self.lesion_predictions)
        images_of_lesion: dict[tuple[str, str], list[str]] = {}
        first_record: dict[tuple[str, str], ImageRecord] = {}
        built: dict[tuple[str, str], tuple[DermatologyImage, Patient, SkinLesion]] = {}
        patients = DiskMap()  # patient key → (sex, file, row) of the first image that named it
        lesions = DiskMap()  # lesion key → (site, file, row)
        used = set()
        for dataset, record in self.images.values():
            try:
                image, patient, lesion = self._image(dataset, record, patients, lesions)
            except SourceError as error:
                self.report.reject(error)
                continue
            if record.lesion_id and (dataset, record.lesion_id) in wanted:
                images_of_lesion.setdefault((dataset, record.lesion_id), []).append(record.image_id)
                first_record.setdefault((dataset, record.lesion_id), record)
                built[(dataset, record.image_id)] = (image, patient, lesion)
            if record.finding is None:
                continue
            try:
                self.result.add(self._annotation(dataset, record, [image], patient, lesion, performers))
                used.add(dataset)
                self.report.findings[record.label] += 1
            except (SourceError, ValueError) as error:
                self.report.reject(error if isinstance(error, SourceError) else record.row.error(str(error)))
        patients.close()
        lesions.close()
        for (dataset, lesion_id), label in self.lesion_labels.items():
            image_ids = images_of_lesion.get((dataset, lesion_id))
            if not image_ids:
                self.report.reject(
                    label.row.error(
                        f"lesion {lesion_id!r} has no image in this import (give its metadata file too)", "lesion_id"
                    )
                )
                continue
            first = first_record[(dataset, lesion_id)]
            images = [built[(dataset, i)][0] for i in image_ids]
            _, patient, lesion = built[(dataset, image_ids[0])]
            record = ImageRecord(
                lesion_id,
                label.row,
                finding=label.finding,
                label=label.label,
                age=first.age,
                fitzpatrick=first.fitzpatrick,
                confirmation=first.confirmation,
                components=label.components,
            )
            self.result.add(self._annotation(dataset, record, images, patient, lesion, performers, lesion_id))
            used.add(dataset)
            self.report.findings[label.label] += 1
        if self.lesion_predictions:
            self._predictions(images_of_lesion, built)
        for dataset, first_id, second_id in self.links:
            # an image of another file of the dataset (imported apart) is referred to by its deterministic id
            one, other = (f"DocumentReference/{stable_id(dataset, 'img', i)}" for i in (first_id, second_id))
            self.result.add(_linkage(dataset, one, other, first_id, second_id))
        for dataset in sorted(used):
            self.result.add(performers[dataset])

    def _predictions(
        self,
        images_of_lesion: dict[tuple[str, str], list[str]],
        built: dict[tuple[str, str], tuple[DermatologyImage, Patient, SkinLesion]],
    ) -> None:
        """AI prediction, class distribution and provenance per predicted lesion, over the lesion's images."""
        from datetime import UTC, datetime

        from dermfhir.builders import (
            AIModelDevice,
            AIPrediction,
            AIProvenance,
            ClassProbability,
            ClassProbabilityAssessment,
            ModelCard,
        )

        model = self.options.extra.get("model") or {}
        if not model.get("name") or not model.get("version"):
            for prediction in self.lesion_predictions.values():
                self.report.reject(prediction.row.error("a classifier's output needs --model-name and --model-version"))
            return
        key = f"{model['name']}-{model['version']}"
        card = None
        if model.get("card") is not None:
            try:
                markdown = Path(model["card"]).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                raise SourceError(model["card"], f"cannot read the model card ({error})") from None
            card = ModelCard(
                stable_id("model", "card", key),
                title=f"{model['name']} {model['version']} model card",
                markdown=markdown,
            )
            self.result.add(card)
        device = AIModelDevice(
            stable_id("model", "device", key),
            name=model["name"],
            version=model["version"],
            manufacturer=model.get("manufacturer") or "unknown",
            model_card=card,
        )
        self.result.add(device)
        recorded = self.options.recorded or datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        for (dataset, lesion_id), prediction in self.lesion_predictions.items():
            image_ids = images_of_lesion.get((dataset, lesion_id))
            if not image_ids:
                self.report.reject(
                    prediction.row.error(
                        f"lesion {lesion_id!r} has no image in this import (give its metadata file too)", "lesion_id"
                    )
                )
                continue
            images = [built[(dataset, i)][0] for i in image_ids]
            _, patient, lesion = built[(dataset, image_ids[0])]
            top = max(prediction.classes, key=lambda item: item[2])
            suffix = f"{key}-lesion-{lesion_id}"
            ai = AIPrediction(
                stable_id(dataset, "pred", suffix),
                subject=patient,
                image=images,
                device=device,
                finding=top[1],
                confidence=top[2],
                lesion=lesion,
                body_site=lesion.location if lesion.location.get("coding") else None,
                effective=recorded,
            )
            assessment = ClassProbabilityAssessment(
                stable_id(dataset, "prob", suffix),
                subject=patient,
                device=device,
                basis=[ai, *images],
                classes=[ClassProbability(concept, value, label) for label, concept, value in prediction.classes],
                occurrence=recorded,
                label_prefix="MILK10k class ",
            )
            provenance = AIProvenance(
                stable_id(dataset, "prov", suffix),
                targets=[ai, assessment],
                device=device,
                images=images,
                recorded=recorded,
            )
            self.result.add(ai, assessment, provenance)
            self.report.findings[top[0]] += 1

    def _image(
        self,
        dataset: str,
        record: ImageRecord,
        patients: DiskMap,
        lesions: DiskMap,
    ) -> tuple[DermatologyImage, Patient, SkinLesion]:
        system = f"urn:dermfhir:{dataset}"
        if record.patient_id:
            patient_key, patient_identifier = record.patient_id, (f"{system}:patient", record.patient_id)
        elif record.lesion_id:
            patient_key, patient_identifier = f"lesion-{record.lesion_id}", (f"{system}:lesion", record.lesion_id)
        else:
            patient_key, patient_identifier = f"image-{record.image_id}", (f"{system}:image", record.image_id)
        sex = gender(record.sex) if record.sex else None
        if record.sex and sex is None:
            raise record.row.error(f"sex {record.sex!r} is not male, female or unknown", "sex")
        previous = patients.get(patient_key)
        if previous is not None and previous[0] is not None and sex is not None and previous[0] != sex:
            self.report.warnings.append(
                f"{record.row.file}, row {record.row.number}: patient {patient_key} is {sex.value} here but "
                f"{previous[0].value} in {previous[1]}, row {previous[2]} (the first is kept)"
            )
            sex = previous[0]
        elif previous is not None and sex is None:
            sex = previous[0]
        patients[patient_key] = (sex, record.row.file, record.row.number)
        patient = Patient(stable_id(dataset, "patient", patient_key), identifier=patient_identifier, gender=sex)
        # made per image (the file names neither patient nor lesion): gives way to a named one on load
        self.result.add(fallback(patient.to_resource()) if patient_key.startswith("image-") else patient)

        lesion_key = record.lesion_id or f"image-{record.image_id}"
        location = record.site
        known = lesions.get(lesion_key)
        if known is not None and location is not None and known[0] and location != known[0]:
            self.report.warnings.append(
                f"{record.row.file}, row {record.row.number}: lesion {lesion_key} has another site here than in "
                f"{known[1]}, row {known[2]} (the first is kept)"
            )
        # the lesion's kind, from the first of its images whose label implies one (a morphologic abnormality)
        morphology = morphology_of(record.finding)
        if known is not None and known[3] is not None:
            if morphology is not None and morphology != known[3]:
                self.report.warnings.append(
                    f"{record.row.file}, row {record.row.number}: lesion {lesion_key} is labelled "
                    f"{morphology['text']!r} here but {known[3]['text']!r} before (the lesion keeps the first kind; "
                    "each image's annotation keeps its own label)"
                )
            morphology = known[3]
        if known is not None and known[0]:
            location = known[0]
        if known is None or (location and not known[0]) or (morphology and known[3] is None):
            where = known[1:3] if known is not None and known[0] else (record.row.file, record.row.number)
            lesions[lesion_key] = (location, *where, morphology)
        lesion = SkinLesion(
            stable_id(dataset, "lesion", lesion_key),
            identifier=(f"{system}:lesion", record.lesion_id)
            if record.lesion_id
            else (f"{system}:image", record.image_id),
            patient=patient,
            location=location or {"text": "not recorded"},
            morphology=morphology,
        )
        self.result.add(fallback(lesion.to_resource()) if not record.lesion_id else lesion)
        file_name = record.file_name or f"{record.image_id}.jpg"
        content_type = record.content_type or ("image/png" if file_name.lower().endswith(".png") else "image/jpeg")
        image = DermatologyImage(
            stable_id(dataset, "img", record.image_id),
            subject=patient,
            url=file_name if "://" in file_name else f"{self.options.image_base}{file_name}",
            content_type=content_type,
            modality=record.modality or ImagingModality.DERMOSCOPY,
            lesion=lesion,
            identifier=(f"{system}:image" if dataset != "isic" else "urn:dermfhir:isic:image", record.image_id),
            description=record.description or None,
        )
        resource = image.to_resource()
        extensions = image_extensions(record)
        if extensions:
            resource["extension"] = extensions
        self.result.add(resource)
        return image, patient, lesion

    def _annotation(
        self,
        dataset: str,
        record: ImageRecord,
        images: list[DermatologyImage],
        patient: Patient,
        lesion: SkinLesion,
        performers: dict[str, Any],
        lesion_key: str | None = None,
    ) -> DermatologyImageAnnotation:
        extra = []
        if record.confirmation is not None:
            extra.append(parts.fact(parts.DIAGNOSIS_CONFIRMATION, valueCodeableConcept=record.confirmation))
        if record.age is not None:
            extra.append(parts.age(record.age))
        if record.fitzpatrick is not None:
            extra.append(parts.skin_type(*record.fitzpatrick))
        if record.melanocytic is not None:
            extra.append(parts.fact(parts.MELANOCYTIC, valueBoolean=record.melanocytic))
        if record.malignant is not None:
            extra.append(parts.fact(parts.MALIGNANT, valueBoolean=record.malignant))
        extra.extend(record.components)
        key = f"lesion-{lesion_key}" if lesion_key else record.image_id
        site = lesion.location if lesion.location.get("coding") else None
        return DermatologyImageAnnotation(
            stable_id(dataset, "ann", key),
            subject=patient,
            image=images if len(images) > 1 else images[0],
            findings=[record.finding],
            method=AnnotationMethod.EXPERT_ANNOTATION,
            performer=[performers[dataset].reference],
            lesion=lesion,
            body_site=site,
            extra_components=extra,
        )


def _comparable(value: Any) -> Any:
    return repr(value)


def image_extensions(record: ImageRecord) -> list[dict]:
    """The guide's image extensions for what the record says about the image itself."""
    found: list[dict] = []
    if record.age is not None:
        found.append(
            {
                "url": extension_url("age-at-imaging"),
                "valueQuantity": {"value": record.age, "unit": "years", "system": UCUM, "code": "a"},
            }
        )
    if record.skin_tone is not None:
        scale, value, rater = record.skin_tone
        inner: list[dict] = [{"url": "scale", "valueString": scale}]
        if isinstance(value, tuple):
            inner.append({"url": "value", "valueRange": {"low": {"value": value[0]}, "high": {"value": value[1]}}})
        elif isinstance(value, int):
            inner.append({"url": "value", "valueInteger": value})
        else:
            inner.append({"url": "value", "valueString": str(value)})
        if rater:
            inner.append({"url": "rater", "valueString": rater})
        found.append({"url": extension_url("skin-tone"), "extension": inner})
    if record.split is not None:
        dataset, split = record.split
        inner = ([{"url": "dataset", "valueString": dataset}] if dataset else []) + [
            {"url": "split", "valueString": split}
        ]
        found.append({"url": extension_url("dataset-split"), "extension": inner})
    for name, value in (
        ("image-license", record.license),
        ("image-attribution", record.attribution),
        ("image-manipulation", record.manipulation),
        ("quality-control", record.quality),
    ):
        if value:
            found.append({"url": extension_url(name), "valueString": value})
    for concept, score, method in record.concept_scores:
        inner = [{"url": "concept", "valueString": concept}, {"url": "score", "valueDecimal": score}]
        if method:
            inner.append({"url": "method", "valueString": method})
        found.append({"url": extension_url("concept-score"), "extension": inner})
    return found


def _linkage(dataset: str, first: str, second: str, first_id: str, second_id: str) -> dict:
    """A Linkage saying two image records are the same image (the source lists them as duplicates)."""
    return {
        "resourceType": "Linkage",
        "id": stable_id(dataset, "dup", f"{first_id}-{second_id}"),
        "item": [
            {"type": "source", "resource": {"reference": first}},
            {"type": "alternate", "resource": {"reference": second}},
        ],
    }
