"""The published layouts of public dermatology datasets, as one table of declarations: the columns each file has
(required and optional, as the challenge or dataset publishes them), an example, and a row mapper that fills the
dataset-neutral records of `records.Context`. `detect()` picks a file's layout from its header (the most specific
layout whose required columns are all there); a file matching none gets the list of layouts with their columns and
the nearest one.

Formats read by their own module (HAM10000, Derm7pt, DDI, ISIC Archive JSON, classifier outputs) are in the table
too, with their reader instead of a row mapper, so that `import auto` finds them the same way.

Not handled: Excel files; ISIC 2018 Tasks 1-2 (masks: `dermfhir import masks`); MILK10k submissions (per lesion,
not per image); the train / valid / test index files of Derm7pt.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dermfhir.builders import ImagingModality
from dermfhir.builders import _components as parts
from dermfhir.builders._vocabulary import code_system, coding, mapped_concept
from dermfhir.ingest._common import Labels
from dermfhir.ingest._source import Row, SourceError
from dermfhir.ingest.records import Context, ImageRecord, LesionLabel, LesionPrediction

ISIC = "isic"
ISIC_ID = re.compile(r"^ISIC_\d{7}$")
MISSING = {"", "unknown", "nan", "na", "n/a", "none", "null"}


@dataclass(frozen=True)
class Layout:
    """One published file layout."""

    name: str
    title: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    example: str = ""
    dataset: str = ISIC
    curator: str = "ISIC challenge organisers (International Skin Imaging Collaboration)"
    #: fills the Context from one row (CSV layouts read here)
    mapper: Callable[[Row, Context, Layout], None] | None = None
    #: a format with its own reader (`pipeline.FORMATS` key)
    reader: str | None = None
    #: headerless file (ISIC 2016): recognised by its first row instead
    headerless: bool = False
    #: optional columns starting with one of these prefixes are also the layout's (e.g. tbp_lv_, MONET_)
    prefixes: tuple[str, ...] = ()
    #: columns whose values have no place in FHIR (counted in the summary)
    unplaced: tuple[str, ...] = ()
    note: str = ""

    def columns_text(self) -> str:
        if self.headerless:
            return "no header; " + ", ".join(self.required)
        text = ", ".join(self.required)
        if self.optional or self.prefixes:
            extra = [*self.optional, *(f"{p}*" for p in self.prefixes)]
            text += f" (optional: {', '.join(extra)})"
        return text


# -- value helpers ---------------------------------------------------------------------------------------------


def missing(value: str) -> bool:
    return value.strip().lower() in MISSING


def text(row: Row, column: str) -> str:
    value = row.get(column)
    return "" if missing(value) else value


def age(row: Row, column: str) -> float | None:
    value = text(row, column)
    if not value:
        return None
    try:
        years = float(value)
    except ValueError:
        raise row.error(f"{column} {value!r} is not a number of years", column) from None
    if not 0 <= years <= 120:
        raise row.error(f"{column} {value!r} is out of range 0-120", column)
    return years


def number(row: Row, column: str, low: float = 0, high: float = 1e9) -> float | None:
    value = text(row, column)
    if not value:
        return None
    try:
        result = float(value)
    except ValueError:
        raise row.error(f"{column} {value!r} is not a number", column) from None
    if not low <= result <= high or result != result:
        raise row.error(f"{column} {value!r} is out of range {low:g}-{high:g}", column)
    return result


def sex(row: Row, column: str) -> str:
    value = text(row, column).lower()
    if value in ("m",):
        return "male"
    if value in ("f",):
        return "female"
    if value and value not in ("male", "female", "other"):
        raise row.error(f"{column} {row.get(column)!r} is not male, female or unknown", column)
    return value


def flag(row: Row, column: str) -> bool | None:
    value = text(row, column).lower()
    if not value:
        return None
    if value in ("true", "1", "1.0", "yes", "malignant"):
        return True
    if value in ("false", "0", "0.0", "no", "benign"):
        return False
    raise row.error(f"{column} {row.get(column)!r} is not true or false", column)


def fitzpatrick(row: Row, column: str) -> tuple[int, int] | None:
    value = text(row, column).upper()
    if not value or value == "-1":
        return None
    romans = ("I", "II", "III", "IV", "V", "VI")
    if value in romans:
        n = romans.index(value) + 1
        return n, n
    try:
        n = int(float(value))
    except ValueError:
        raise row.error(f"{column} {row.get(column)!r} is not a Fitzpatrick type (1-6 or I-VI)", column) from None
    if not 1 <= n <= 6 or n != float(value):
        raise row.error(f"{column} {row.get(column)!r} is not a Fitzpatrick type (1-6 or I-VI)", column)
    return n, n


def labels(context: Context, field: str, system: str, concept_map: str | None) -> Labels:
    """One Labels per vocabulary, shared by the rows of an import (unmapped values counted once per value)."""
    cache = context.__dict__.setdefault("_labels", {})
    key = (field, system, concept_map)
    if key not in cache:
        cache[key] = Labels(field, system, concept_map, context.options, context.report)
    return cache[key]


def concept(context: Context, row: Row, column: str, field: str, system: str, concept_map: str | None) -> dict | None:
    value = text(row, column)
    return labels(context, field, system, concept_map).concept(value, row, column) if value else None


def site(context: Context, row: Row, column: str) -> dict | None:
    return concept(context, row, column, "site", "isic-anatomic-site", "isic-anatomic-site-to-snomed")


def isic_diagnosis(context: Context, row: Row, value: str, column: str) -> dict | None:
    if not value:
        return None
    return labels(context, "diagnosis", "isic-diagnosis", "isic-diagnosis-to-snomed").concept(value, row, column)


def legacy_diagnosis(context: Context, row: Row, column: str) -> dict | None:
    return concept(context, row, column, "diagnosis", "isic-legacy-diagnosis", "isic-legacy-diagnosis-to-snomed")


def benign_malignant(malignant: bool | None) -> dict | None:
    """The top level of the ISIC diagnosis hierarchy (Benign / Malignant) for a binary label."""
    if malignant is None:
        return None
    return mapped_concept(
        "isic-diagnosis-to-snomed", code_system("isic-diagnosis"), "Malignant" if malignant else "Benign"
    )


def confirmation(context: Context, row: Row, column: str) -> dict | None:
    return concept(
        context, row, column, "diagnosis_confirm_type", "diagnosis-confirmation", "diagnosis-confirmation-to-snomed"
    )


def modality(row: Row, column: str) -> ImagingModality | None:
    value = text(row, column).lower()
    if not value:
        return None
    if value.startswith("dermoscopic"):
        return ImagingModality.DERMOSCOPY
    if value.startswith(("clinical", "tbp tile")):
        return ImagingModality.PHOTOGRAPHY
    raise row.error(f"{column} {row.get(column)!r} is not dermoscopic, clinical or a TBP tile", column)


def one_hot(row: Row, classes: tuple[str, ...]) -> str:
    hot = []
    for column in classes:
        value = number(row, column, 0, 1)
        if value is None or value not in (0.0, 1.0):
            raise row.error(
                f"{row.get(column)!r} is not a one-hot value (0 or 1); for a classifier's probabilities in this "
                "layout use `dermfhir import predictions`",
                column,
            )
        if value == 1.0:
            hot.append(column)
    if len(hot) != 1:
        raise row.error(f"exactly one class must be 1, found {len(hot)} ({', '.join(hot) or 'none'})")
    return hot[0]


def image_id(row: Row, column: str) -> str:
    value = row.get(column)
    if not value:
        raise row.error(f"{column} (the image id) is empty", column)
    return value


def quantity_component(name: str, value: float, unit: str, code: str) -> dict:
    return parts.text_component(name, valueQuantity={"value": value, "unit": unit, "system": UCUM, "code": code})


UCUM = "http://unitsofmeasure.org"


def unplaced(context: Context, row: Row, layout: Layout) -> None:
    """Count the row's values in columns with no place in FHIR (listed in the summary)."""
    for column in layout.unplaced:
        if text(row, column):
            context.report.unplaced[column] += 1
    if layout.prefixes:
        for column, value in row.values.items():
            if column.startswith(layout.prefixes) and column not in layout.optional and not missing(value or ""):
                context.report.unplaced[column] += 1


# -- row mappers -----------------------------------------------------------------------------------------------


def _isic2016(row: Row, context: Context, layout: Layout) -> None:
    values = list(row.values.values())
    identifier, label = values[0].strip(), values[1].strip().lower()
    if not ISIC_ID.match(identifier):
        raise row.error(f"{identifier!r} is not an ISIC image id (ISIC_ and 7 digits)", "1")
    malignant = {"benign": False, "malignant": True, "0": False, "0.0": False, "1": True, "1.0": True}.get(label)
    if malignant is None:
        raise row.error(f"{values[1]!r} is not benign, malignant, 0 or 1", "2")
    context.image(
        ISIC,
        ImageRecord(identifier, row, finding=benign_malignant(malignant), label=label, malignant=malignant),
    )


def _isic2017_metadata(row: Row, context: Context, layout: Layout) -> None:
    context.image(
        ISIC,
        ImageRecord(image_id(row, "image_id"), row, age=age(row, "age_approximate"), sex=sex(row, "sex")),
    )


def _isic2017_truth(row: Row, context: Context, layout: Layout) -> None:
    melanoma = flag(row, "melanoma")
    keratosis = flag(row, "seborrheic_keratosis")
    if melanoma is None or keratosis is None:
        raise row.error("melanoma and seborrheic_keratosis must both be 0 or 1")
    if melanoma and keratosis:
        raise row.error("both melanoma and seborrheic_keratosis are set", "seborrheic_keratosis")
    value = "melanoma" if melanoma else "seborrheic keratosis" if keratosis else "nevus"
    finding = labels(context, "diagnosis", "isic-legacy-diagnosis", "isic-legacy-diagnosis-to-snomed").concept(value)
    context.image(ISIC, ImageRecord(image_id(row, "image_id"), row, finding=finding, label=value, malignant=melanoma))


def _challenge_truth(row: Row, context: Context, layout: Layout) -> None:
    label = one_hot(row, layout.required[1:])
    finding = labels(context, "class", "isic-challenge-class", "isic-challenge-class-to-snomed").concept(label)
    context.image(ISIC, ImageRecord(image_id(row, "image"), row, finding=finding, label=label))


def _isic2018_groupings(row: Row, context: Context, layout: Layout) -> None:
    context.image(
        ISIC,
        ImageRecord(
            image_id(row, "image"),
            row,
            lesion_id=text(row, "lesion"),
            confirmation=confirmation(context, row, "diagnosis_confirm_type"),
        ),
    )


def _isic2019_metadata(row: Row, context: Context, layout: Layout) -> None:
    context.image(
        ISIC,
        ImageRecord(
            image_id(row, "image"),
            row,
            age=age(row, "age_approx"),
            sex=sex(row, "sex"),
            site=site(context, row, "anatom_site_general"),
            lesion_id=text(row, "lesion_id"),
        ),
    )


def _isic2020_truth(row: Row, context: Context, layout: Layout) -> None:
    malignant = flag(row, "target")
    stated = flag(row, "benign_malignant")
    if malignant is None:
        raise row.error(f"target {row.get('target')!r} is not 0 or 1", "target")
    if stated is not None and stated != malignant:
        raise row.error(f"benign_malignant {row.get('benign_malignant')!r} contradicts target", "benign_malignant")
    diagnosis = text(row, "diagnosis")
    finding = legacy_diagnosis(context, row, "diagnosis") if diagnosis else benign_malignant(malignant)
    context.image(
        ISIC,
        ImageRecord(
            image_id(row, "image_name"),
            row,
            patient_id=text(row, "patient_id"),
            lesion_id=text(row, "lesion_id"),
            sex=sex(row, "sex"),
            age=age(row, "age_approx"),
            site=site(context, row, "anatom_site_general_challenge"),
            finding=finding,
            label=diagnosis or ("malignant" if malignant else "benign"),
            malignant=malignant,
            split=("ISIC 2020", "training"),
        ),
    )


def _isic2020_test(row: Row, context: Context, layout: Layout) -> None:
    column = "image" if "image" in row.values else "image_name"
    context.image(
        ISIC,
        ImageRecord(
            image_id(row, column),
            row,
            patient_id=text(row, "patient" if "patient" in row.values else "patient_id"),
            sex=sex(row, "sex"),
            age=age(row, "age_approx"),
            site=site(
                context,
                row,
                "anatom_site_general" if "anatom_site_general" in row.values else "anatom_site_general_challenge",
            ),
            split=("ISIC 2020", "test"),
        ),
    )


def _isic2020_duplicates(row: Row, context: Context, layout: Layout) -> None:
    context.link(ISIC, image_id(row, "image_name_1"), image_id(row, "image_name_2"), row)


def _deepest(row: Row, columns: tuple[str, ...]) -> tuple[str, str]:
    """(value, column) of the deepest non-empty level of a diagnosis hierarchy."""
    found = ("", "")
    for column in columns:
        value = text(row, column)
        if value:
            found = (value, column)
    return found


IDDX = tuple(f"iddx_{n}" for n in range(1, 6))
DIAGNOSIS_LEVELS = tuple(f"diagnosis_{n}" for n in range(1, 6))


def _melanoma_components(row: Row) -> list[dict]:
    found = []
    thickness = number(row, "mel_thick_mm", 0, 100)
    if thickness is not None:
        found.append(quantity_component("Breslow thickness", thickness, "mm", "mm"))
    for column, name in (
        ("mel_mitotic_index", "Melanoma mitotic index"),
        ("invasion_thickness_interval", "Breslow thickness interval"),
        ("mel_class", "Melanoma class"),
        ("mel_type", "Melanoma type"),
        ("mel_ulcer", "Melanoma ulceration"),
        ("nevus_type", "Nevus type"),
    ):
        if text(row, column):
            found.append(parts.text_component(name, valueString=text(row, column)))
    size = number(row, "clin_size_long_diam_mm", 0, 1000)
    if size is not None:
        found.append(quantity_component("Clinical size, longest diameter", size, "mm", "mm"))
    return found


def _isic2024(row: Row, context: Context, layout: Layout) -> None:
    value, column = _deepest(row, IDDX)
    malignant = flag(row, "target")
    finding = isic_diagnosis(context, row, value, column) if value else None
    components = _melanoma_components(row)
    if finding is None and components:
        for item in ("clin_size_long_diam_mm", "mel_thick_mm", "mel_mitotic_index"):
            if text(row, item):
                context.report.unplaced[f"{item} (no diagnosis to attach it to)"] += 1
        components = []
    tile = text(row, "tbp_tile_type")
    context.image(
        ISIC,
        ImageRecord(
            image_id(row, "isic_id"),
            row,
            patient_id=text(row, "patient_id"),
            lesion_id=text(row, "lesion_id"),
            sex=sex(row, "sex"),
            age=age(row, "age_approx"),
            site=site(context, row, "anatom_site_general"),
            modality=modality(row, "image_type") or ImagingModality.PHOTOGRAPHY,
            description="; ".join(
                f"ISIC {k}: {v}" for k, v in (("image_type", text(row, "image_type")), ("tbp_tile_type", tile)) if v
            )
            or "",
            finding=finding,
            label=value,
            malignant=malignant,
            license=text(row, "copyright_license"),
            attribution=text(row, "attribution"),
            components=components,
        ),
    )
    unplaced(context, row, layout)


MONET = "MONET_"


def _milk10k_metadata(row: Row, context: Context, layout: Layout) -> None:
    tone = text(row, "skin_tone_class")
    tone_value = None
    if tone:
        tone_number = number(row, "skin_tone_class", 0, 5)
        if tone_number is None or tone_number != int(tone_number):
            raise row.error(f"skin_tone_class {tone!r} is not a whole number 0-5", "skin_tone_class")
        tone_value = ("MILK10k skin_tone_class (0 very dark - 5 very light)", int(tone_number), "")
    scores = []
    for column, value in row.values.items():
        if column.startswith(MONET) and not missing(value or ""):
            score = number(row, column, 0, 1)
            assert score is not None
            scores.append((column[len(MONET) :].replace("_", " "), score, "MONET"))
    context.image(
        ISIC,
        ImageRecord(
            image_id(row, "isic_id"),
            row,
            lesion_id=text(row, "lesion_id"),
            modality=modality(row, "image_type"),
            description=f"ISIC image_type: {text(row, 'image_type')}" if text(row, "image_type") else "",
            license=text(row, "copyright_license"),
            attribution=text(row, "attribution"),
            age=age(row, "age_approx"),
            sex=sex(row, "sex"),
            skin_tone=tone_value,
            site=site(context, row, "site"),
            concept_scores=scores,
        ),
    )


def _milk10k_supplement(row: Row, context: Context, layout: Layout) -> None:
    value = text(row, "diagnosis_full")
    components = []
    if text(row, "invasion_thickness_interval"):
        components.append(
            parts.text_component("Breslow thickness interval", valueString=text(row, "invasion_thickness_interval"))
        )
    context.image(
        ISIC,
        ImageRecord(
            image_id(row, "isic_id"),
            row,
            lesion_id=text(row, "lesion_id"),
            finding=isic_diagnosis(context, row, value, "diagnosis_full"),
            label=value,
            confirmation=confirmation(context, row, "diagnosis_confirm_type"),
            manipulation=text(row, "image_manipulation"),
            components=components,
        ),
    )


MILK10K_CLASSES = ("AKIEC", "BCC", "BEN_OTH", "BKL", "DF", "INF", "MAL_OTH", "MEL", "NV", "SCCKA", "VASC")


def _milk10k_truth(row: Row, context: Context, layout: Layout) -> None:
    label = one_hot(row, MILK10K_CLASSES)
    finding = labels(context, "class", "milk10k-class", "milk10k-class-to-snomed").concept(label)
    assert finding is not None
    context.lesion_label(ISIC, LesionLabel(image_id(row, "lesion_id"), row, finding, label))


def _milk10k_submission(row: Row, context: Context, layout: Layout) -> None:
    from dermfhir.builders.probabilities import SUM_TOLERANCE

    vocabulary = labels(context, "class", "milk10k-class", "milk10k-class-to-snomed")
    classes = []
    for column in MILK10K_CLASSES:
        value = number(row, column, 0, 1)
        if value is None:
            raise row.error(f"{row.get(column)!r} is not a probability 0-1", column)
        concept = vocabulary.concept(column)
        assert concept is not None
        classes.append((column, concept, value))
    total = sum(value for _, _, value in classes)
    if total > 1 + SUM_TOLERANCE:
        raise row.error(f"probabilities sum to {total:.4f}, more than 1 ± {SUM_TOLERANCE}")
    if total < 1 - SUM_TOLERANCE:
        context.report.warnings.append(f"{row.file}, row {row.number}: probabilities sum to {total:.4f}, not 1")
    context.lesion_prediction(ISIC, LesionPrediction(image_id(row, "lesion_id"), row, classes))


ARCHIVE_OPTIONAL = (
    "attribution",
    "copyright_license",
    "acquisition_day",
    "age_approx",
    "anatom_site_general",
    "anatom_site_special",
    "benign_malignant",
    "clin_size_long_diam_mm",
    "concomitant_biopsy",
    "dermoscopic_type",
    "diagnosis",
    *DIAGNOSIS_LEVELS,
    "diagnosis_confirm_type",
    "family_hx_mm",
    "fitzpatrick_skin_type",
    "image_manipulation",
    "image_type",
    "lesion_id",
    "mel_class",
    "mel_mitotic_index",
    "mel_thick_mm",
    "mel_type",
    "mel_ulcer",
    "melanocytic",
    "nevus_type",
    "patient_id",
    "personal_hx_mm",
    "pixels_x",
    "pixels_y",
    "sex",
    "tbp_tile_type",
)


def _archive_csv(row: Row, context: Context, layout: Layout) -> None:
    value, column = _deepest(row, DIAGNOSIS_LEVELS)
    if value:
        finding = isic_diagnosis(context, row, value, column)
    elif text(row, "diagnosis"):
        value, finding = text(row, "diagnosis"), legacy_diagnosis(context, row, "diagnosis")
    else:
        finding = None
    malignant = flag(row, "benign_malignant") if text(row, "benign_malignant") in ("benign", "malignant") else None
    if malignant is None and column:
        malignant = {"Benign": False, "Malignant": True}.get(text(row, "diagnosis_1"))
    special = text(row, "anatom_site_special")
    general = site(context, row, "anatom_site_general")
    tone = fitzpatrick(row, "fitzpatrick_skin_type")
    context.image(
        ISIC,
        ImageRecord(
            image_id(row, "isic_id"),
            row,
            patient_id=text(row, "patient_id"),
            lesion_id=text(row, "lesion_id"),
            sex=sex(row, "sex"),
            age=age(row, "age_approx"),
            site=general or (site(context, row, "anatom_site_special") if special else None),
            modality=modality(row, "image_type"),
            description="; ".join(
                f"ISIC {k}: {text(row, k)}" for k in ("image_type", "dermoscopic_type", "tbp_tile_type") if text(row, k)
            ),
            finding=finding,
            label=value,
            confirmation=confirmation(context, row, "diagnosis_confirm_type"),
            malignant=malignant,
            melanocytic=flag(row, "melanocytic"),
            fitzpatrick=tone,
            skin_tone=("Fitzpatrick", tone[0], "") if tone else None,
            license=text(row, "copyright_license"),
            attribution=text(row, "attribution"),
            manipulation=text(row, "image_manipulation"),
            components=_melanoma_components(row) if finding is not None else [],
        ),
    )
    unplaced(context, row, layout)


def _bcn20000(row: Row, context: Context, layout: Layout) -> None:
    file_name = image_id(row, "bcn_filename")
    identifier = Path(file_name).stem
    label = text(row, "diagnosis")
    finding = concept(context, row, "diagnosis", "diagnosis", "isic-challenge-class", "isic-challenge-class-to-snomed")
    split = text(row, "split")
    context.image(
        "bcn",
        ImageRecord(
            identifier,
            row,
            file_name=file_name if "." in file_name else f"{file_name}.jpg",
            lesion_id=text(row, "lesion_id"),
            age=age(row, "age_approx"),
            sex=sex(row, "sex"),
            site=site(context, row, "anatom_site_general"),
            finding=finding,
            label=label,
            split=("BCN20000", split) if split else None,
        ),
    )
    unplaced(context, row, layout)


PAD_FLAGS = ("itch", "grew", "hurt", "changed", "bleed", "elevation")


def _pad_ufes_20(row: Row, context: Context, layout: Layout) -> None:
    label = text(row, "diagnostic")
    finding = concept(
        context, row, "diagnostic", "diagnostic", "pad-ufes-20-diagnostic", "pad-ufes-20-diagnostic-to-snomed"
    )
    if finding is None:
        raise row.error("diagnostic is empty", "diagnostic")
    biopsied = flag(row, "biopsed")
    code = "histo" if biopsied else "consensus" if biopsied is False else None
    components = []
    for column, name in (("diameter_1", "Lesion diameter 1"), ("diameter_2", "Lesion diameter 2")):
        size = number(row, column, 0, 1000)
        if size is not None:
            components.append(quantity_component(name, size, "mm", "mm"))
    for column in PAD_FLAGS:
        if text(row, column):
            components.append(parts.text_component(f"PAD-UFES-20 {column}", valueString=text(row, column)))
    tone = fitzpatrick(row, "fitspatrick")
    file_name = image_id(row, "img_id")
    context.image(
        "pad",
        ImageRecord(
            Path(file_name).stem,
            row,
            file_name=file_name,
            modality=ImagingModality.PHOTOGRAPHY,
            patient_id=text(row, "patient_id"),
            lesion_id=text(row, "lesion_id"),
            sex=sex(row, "gender"),
            age=age(row, "age"),
            site=concept(context, row, "region", "region", "pad-ufes-20-region", "pad-ufes-20-region-to-snomed"),
            finding=finding,
            label=label,
            confirmation=mapped_concept("diagnosis-confirmation-to-snomed", code_system("diagnosis-confirmation"), code)
            if code
            else None,
            fitzpatrick=tone,
            skin_tone=("Fitzpatrick", tone[0], "") if tone else None,
            components=components,
        ),
    )
    unplaced(context, row, layout)


def _fitzpatrick17k(row: Row, context: Context, layout: Layout) -> None:
    identifier = image_id(row, "md5hash")
    label = text(row, "label")
    legacy = labels(context, "label", "isic-legacy-diagnosis", "isic-legacy-diagnosis-to-snomed")
    if label and legacy.find(label) is not None:
        finding = legacy.concept(label, row, "label")
    else:
        finding = concept(context, row, "label", "label", "isic-diagnosis", "isic-diagnosis-to-snomed")
    if finding is None:
        raise row.error("label is empty", "label")
    scale = fitzpatrick(row, "fitzpatrick_scale")
    centaur = fitzpatrick(row, "fitzpatrick_centaur")
    partition = text(row, "three_partition_label")
    if partition and partition not in ("benign", "malignant", "non-neoplastic"):
        raise row.error(
            f"three_partition_label {partition!r} is not benign, malignant or non-neoplastic", "three_partition_label"
        )
    components = []
    if text(row, "nine_partition_label"):
        components.append(
            parts.text_component("Fitzpatrick17k nine-partition label", valueString=text(row, "nine_partition_label"))
        )
    if centaur:
        components.append(
            parts.text_component("Fitzpatrick skin type (second rater: Centaur Labs)", valueInteger=centaur[0])
        )
    url = text(row, "url")
    context.image(
        "fitz17k",
        ImageRecord(
            identifier,
            row,
            file_name=url or f"{identifier}.jpg",
            modality=ImagingModality.PHOTOGRAPHY,
            finding=finding,
            label=label,
            malignant=None if not partition else partition == "malignant",
            fitzpatrick=scale or centaur,
            skin_tone=("Fitzpatrick", scale[0], "Scale AI")
            if scale
            else (("Fitzpatrick", centaur[0], "Centaur Labs") if centaur else None),
            quality=text(row, "qc"),
            components=components,
        ),
    )
    unplaced(context, row, layout)


# -- the table -------------------------------------------------------------------------------------------------

PAD_HISTORY = (
    "smoke",
    "drink",
    "background_father",
    "background_mother",
    "pesticide",
    "skin_cancer_history",
    "cancer_history",
    "has_piped_water",
    "has_sewage_system",
)

LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "isic2016-ground-truth",
        "ISIC 2016 Task 3 ground truth (benign / malignant)",
        ("image id", "benign | malignant (or 0 / 1)"),
        headerless=True,
        mapper=_isic2016,
        example="ISIC_0000000,benign",
    ),
    Layout(
        "isic2017-metadata",
        "ISIC 2017 Part 3 clinical metadata",
        ("image_id", "age_approximate", "sex"),
        mapper=_isic2017_metadata,
        example="image_id,age_approximate,sex\nISIC_0000000,55,female",
    ),
    Layout(
        "isic2017-ground-truth",
        "ISIC 2017 Part 3 ground truth",
        ("image_id", "melanoma", "seborrheic_keratosis"),
        mapper=_isic2017_truth,
        example="image_id,melanoma,seborrheic_keratosis\nISIC_0000000,0.0,0.0",
    ),
    Layout(
        "isic2018-task3-ground-truth",
        "ISIC 2018 Task 3 ground truth (HAM10000 classes)",
        ("image", "MEL", "NV", "BCC", "AKIEC", "BKL", "DF", "VASC"),
        mapper=_challenge_truth,
        example="image,MEL,NV,BCC,AKIEC,BKL,DF,VASC\nISIC_0024306,0.0,1.0,0.0,0.0,0.0,0.0,0.0",
    ),
    Layout(
        "isic2018-task3-lesion-groupings",
        "ISIC 2018 Task 3 lesion groupings",
        ("image", "lesion", "diagnosis_confirm_type"),
        mapper=_isic2018_groupings,
        example="image,lesion,diagnosis_confirm_type\nISIC_0024306,HAM_0000550,follow_up",
    ),
    Layout(
        "isic2019-ground-truth",
        "ISIC 2019 ground truth",
        ("image", "MEL", "NV", "BCC", "AK", "BKL", "DF", "VASC", "SCC", "UNK"),
        mapper=_challenge_truth,
        example="image,MEL,NV,BCC,AK,BKL,DF,VASC,SCC,UNK\nISIC_0000000,0.0,1.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0",
    ),
    Layout(
        "isic2019-metadata",
        "ISIC 2019 training or test metadata",
        ("image", "age_approx", "anatom_site_general", "sex"),
        optional=("lesion_id",),
        mapper=_isic2019_metadata,
        example="image,age_approx,anatom_site_general,lesion_id,sex\nISIC_0000000,55.0,anterior torso,,female",
    ),
    Layout(
        "isic2020-ground-truth",
        "ISIC 2020 training ground truth",
        (
            "image_name",
            "patient_id",
            "sex",
            "age_approx",
            "anatom_site_general_challenge",
            "diagnosis",
            "benign_malignant",
            "target",
        ),
        optional=("lesion_id",),
        mapper=_isic2020_truth,
        example="image_name,patient_id,lesion_id,sex,age_approx,anatom_site_general_challenge,diagnosis,"
        "benign_malignant,target\nISIC_2637011,IP_7279968,IL_7972535,male,45.0,head/neck,unknown,benign,0",
    ),
    Layout(
        "isic2020-test-metadata",
        "ISIC 2020 test metadata",
        ("image", "patient", "sex", "age_approx", "anatom_site_general"),
        mapper=_isic2020_test,
        example="image,patient,sex,age_approx,anatom_site_general\nISIC_0052060,IP_3579794,male,70.0,",
    ),
    Layout(
        "isic2020-test-csv",
        "ISIC 2020 test.csv (the challenge's Kaggle copy)",
        ("image_name", "patient_id", "sex", "age_approx", "anatom_site_general_challenge"),
        mapper=_isic2020_test,
        example="image_name,patient_id,sex,age_approx,anatom_site_general_challenge\n"
        "ISIC_0052060,IP_3579794,male,70.0,",
    ),
    Layout(
        "isic2020-duplicates",
        "ISIC 2020 training duplicates (pairs of the same image)",
        ("image_name_1", "image_name_2"),
        mapper=_isic2020_duplicates,
        example="image_name_1,image_name_2\nISIC_5224960,ISIC_9542986",
    ),
    Layout(
        "isic2024-metadata",
        "ISIC 2024 (SLICE-3D) training or test metadata",
        (
            "isic_id",
            "patient_id",
            "age_approx",
            "sex",
            "anatom_site_general",
            "clin_size_long_diam_mm",
            "image_type",
            "tbp_tile_type",
            "attribution",
            "copyright_license",
        ),
        optional=("target", "lesion_id", "iddx_full", *IDDX, "mel_mitotic_index", "mel_thick_mm"),
        prefixes=("tbp_lv_",),
        unplaced=("iddx_full",),
        mapper=_isic2024,
        note="The tbp_lv_* columns (TBP vendor measurements) have no place in FHIR here and are counted as such; "
        "iddx_full repeats iddx_1..5.",
        example="isic_id,target,patient_id,age_approx,sex,anatom_site_general,clin_size_long_diam_mm,image_type,"
        "tbp_tile_type,tbp_lv_areaMM2,attribution,copyright_license,lesion_id,iddx_full,iddx_1\n"
        "ISIC_0015670,0,IP_1235828,60.0,male,lower extremity,3.04,TBP tile: close-up,3D: white,3.15,"
        "Memorial Sloan Kettering Cancer Center,CC-BY,,Benign,Benign",
    ),
    Layout(
        "milk10k-metadata",
        "ISIC 2025 MILK10k metadata",
        ("lesion_id", "isic_id", "image_type", "age_approx", "sex", "skin_tone_class", "site"),
        optional=("attribution", "copyright_license"),
        prefixes=(MONET,),
        mapper=_milk10k_metadata,
        example="lesion_id,isic_id,image_type,attribution,copyright_license,age_approx,sex,skin_tone_class,site,"
        "MONET_hair\nIL_0000652,ISIC_4671410,dermoscopic,Hospital Clinic,CC-BY-NC,60.0,male,3,trunk,0.12",
    ),
    Layout(
        "milk10k-supplement",
        "ISIC 2025 MILK10k supplement (fine diagnosis per image)",
        ("isic_id", "diagnosis_full"),
        optional=("lesion_id", "image_manipulation", "diagnosis_confirm_type", "invasion_thickness_interval"),
        mapper=_milk10k_supplement,
        example="isic_id,image_manipulation,diagnosis_full,diagnosis_confirm_type,invasion_thickness_interval\n"
        "ISIC_4671410,instrument only,Basal cell carcinoma,histopathology,",
    ),
    Layout(
        "milk10k-ground-truth",
        "ISIC 2025 MILK10k ground truth (per lesion)",
        ("lesion_id", *MILK10K_CLASSES),
        mapper=_milk10k_truth,
        note="Each lesion's label annotates all its images: give the metadata file too.",
        example="lesion_id," + ",".join(MILK10K_CLASSES) + "\nIL_0000652,0.0,1.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0",
    ),
    Layout(
        "milk10k-submission",
        "ISIC 2025 MILK10k submission (a classifier's probabilities per lesion)",
        ("lesion_id", *MILK10K_CLASSES),
        mapper=_milk10k_submission,
        note="Needs --model-name and --model-version, and the metadata file (the lesion's images). Recognised by "
        "`auto` when the first row is not one-hot.",
        example="lesion_id,"
        + ",".join(MILK10K_CLASSES)
        + "\nIL_0000652,0.02,0.7,0.03,0.05,0.02,0.02,0.02,0.05,0.05,0.02,"
        "0.02",
    ),
    Layout(
        "isic-archive-csv",
        "ISIC Archive metadata CSV export",
        ("isic_id",),
        optional=ARCHIVE_OPTIONAL,
        unplaced=("acquisition_day", "concomitant_biopsy", "family_hx_mm", "personal_hx_mm", "pixels_x", "pixels_y"),
        mapper=_archive_csv,
        curator="ISIC Archive contributors (International Skin Imaging Collaboration)",
        example="isic_id,attribution,copyright_license,age_approx,anatom_site_general,diagnosis_1,diagnosis_2,"
        "diagnosis_3,image_type,sex\nISIC_0000000,Anonymous,CC-0,55,anterior torso,Benign,Benign melanocytic "
        "proliferations,Nevus,dermoscopic,female",
    ),
    Layout(
        "bcn20000",
        "BCN20000 metadata (Hospital Clínic de Barcelona)",
        ("bcn_filename", "diagnosis"),
        optional=("age_approx", "anatom_site_general", "lesion_id", "sex", "split"),
        unplaced=("capture_date",),
        mapper=_bcn20000,
        dataset="bcn",
        curator="BCN20000 curators (Hospital Clínic de Barcelona)",
        example="bcn_filename,age_approx,anatom_site_general,diagnosis,lesion_id,capture_date,sex,split\n"
        "BCN_0000000001.jpg,55.0,anterior torso,NV,BCN_0003884,2012-05-16,male,train",
    ),
    Layout(
        "pad-ufes-20",
        "PAD-UFES-20 metadata (smartphone clinical images)",
        ("patient_id", "lesion_id", "img_id", "diagnostic", "biopsed"),
        optional=("age", "gender", "fitspatrick", "region", "diameter_1", "diameter_2", *PAD_FLAGS, *PAD_HISTORY),
        unplaced=PAD_HISTORY,
        mapper=_pad_ufes_20,
        dataset="pad",
        curator="PAD-UFES-20 curators (Federal University of Espírito Santo)",
        example="patient_id,lesion_id,smoke,drink,background_father,background_mother,age,pesticide,gender,"
        "skin_cancer_history,cancer_history,has_piped_water,has_sewage_system,fitspatrick,region,diameter_1,"
        "diameter_2,diagnostic,itch,grew,hurt,changed,bleed,elevation,img_id,biopsed\n"
        "PAT_1516,1765,,,,,8,,,,,,,,ARM,,,NEV,FALSE,FALSE,FALSE,FALSE,FALSE,FALSE,PAT_1516_1765_530.png,False",
    ),
    Layout(
        "fitzpatrick17k",
        "Fitzpatrick17k (clinical images with Fitzpatrick types)",
        ("md5hash", "fitzpatrick_scale", "label"),
        optional=("fitzpatrick_centaur", "nine_partition_label", "three_partition_label", "qc", "url", "url_alphanum"),
        unplaced=("url_alphanum",),
        mapper=_fitzpatrick17k,
        dataset="fitz17k",
        curator="Fitzpatrick17k curators (Groh et al. 2021)",
        example="md5hash,fitzpatrick_scale,fitzpatrick_centaur,label,nine_partition_label,three_partition_label,qc,"
        "url,url_alphanum\n5e82a45bc5d78bd24ae9202d194423f8,3,3,drug induced pigmentary changes,"
        "inflammatory,non-neoplastic,,https://example.org/a.jpg,httpsexampleorgajpg",
    ),
    Layout(
        "ham10000",
        "HAM10000 metadata",
        ("lesion_id", "image_id", "dx", "dx_type", "age", "sex", "localization"),
        reader="ham10000",
        example="lesion_id,image_id,dx,dx_type,age,sex,localization\n"
        "HAM_0000118,ISIC_0027419,bkl,histo,80.0,male,scalp",
    ),
    Layout(
        "derm7pt",
        "Derm7pt metadata (seven-point checklist)",
        (
            "case_num",
            "diagnosis",
            "seven_point_score",
            "pigment_network",
            "streaks",
            "pigmentation",
            "regression_structures",
            "dots_and_globules",
            "blue_whitish_veil",
            "vascular_structures",
            "location",
            "sex",
            "clinic",
            "derm",
        ),
        reader="derm7pt",
        example="case_num,diagnosis,seven_point_score,pigment_network,streaks,pigmentation,"
        "regression_structures,dots_and_globules,blue_whitish_veil,vascular_structures,location,sex,clinic,derm\n"
        "1,basal cell carcinoma,0,absent,absent,absent,absent,absent,absent,arborizing,abdomen,female,"
        "NEL/Nel026.jpg,NEL/Nel025.jpg",
    ),
    Layout(
        "ddi",
        "Stanford Diverse Dermatology Images (DDI) metadata",
        ("DDI_ID", "DDI_file", "skin_tone", "malignant", "disease"),
        reader="ddi",
        example=",DDI_ID,DDI_file,skin_tone,malignant,disease\n0,1,000001.png,56,True,melanoma-in-situ",
    ),
)

#: name → layout
BY_NAME = {layout.name: layout for layout in LAYOUTS}


def _first_row(path: Path) -> list[str]:
    import csv

    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            return next(csv.reader(handle), [])
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise SourceError(path, f"cannot read the file ({error})") from None


def detect(path: Path) -> Layout:
    """The layout of a CSV file from its header; SourceError listing every layout (and the nearest) otherwise."""
    header = [name.strip() for name in _first_row(path)]
    if len(header) == 2 and ISIC_ID.match(header[0]):
        return BY_NAME["isic2016-ground-truth"]
    present = set(header)
    matches = [layout for layout in LAYOUTS if not layout.headerless and set(layout.required) <= present]
    if matches:
        best = max(matches, key=lambda layout: (len(layout.required), -LAYOUTS.index(layout)))
        if best.name == "milk10k-ground-truth" and not _one_hot_first_row(path, header):
            return BY_NAME["milk10k-submission"]
        return best
    raise SourceError(path, no_match(header), 1)


def _one_hot_first_row(path: Path, header: list[str]) -> bool:
    """Whether the first data row's class columns are all 0 or 1 (ground truth rather than probabilities)."""
    import csv

    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        first = next(reader, None)
    if first is None:
        return True
    values = dict(zip(header, first, strict=False))
    return all(values.get(column, "").strip() in ("0", "1", "0.0", "1.0") for column in MILK10K_CLASSES)


def no_match(header: list[str]) -> str:
    """The message for a header no layout matches: the nearest layout and what it misses, then every layout."""
    present = set(header)
    scored = sorted(
        (layout for layout in LAYOUTS if not layout.headerless),
        key=lambda layout: (-len(set(layout.required) & present), len(set(layout.required) - present)),
    )
    nearest = scored[0]
    missing_columns = [c for c in nearest.required if c not in present]
    lines = [
        f"no known layout has the columns {', '.join(header) or '(none)'}; nearest: {nearest.name} "
        f"(missing {', '.join(missing_columns)}). Known layouts and the columns each needs:"
    ]
    lines += [f"  {layout.name}: {layout.columns_text()}" for layout in LAYOUTS]
    lines.append("  any other CSV: dermfhir import columns FILE --columns mapping.yaml")
    return "\n".join(lines)


def concept_of(system: str, code: str) -> dict:
    item = coding(code_system(system), code)
    return {"coding": [item], "text": item.get("display", code)}
