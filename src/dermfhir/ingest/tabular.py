"""Reading files by layout: one layout forced for all files, or each file's layout detected from its header
(`import auto`), or any CSV through a declarative column mapping (`--columns mapping.yaml`). Files of row-mapped
layouts are read into one `records.Context`, so that the metadata, ground truth, supplement and duplicates files of
a dataset given together merge into the same resources; formats with their own reader are read by it and the
results joined.

The column mapping (YAML) names the dataset and which column holds what:

    dataset: myclinic              # id namespace of the resources (letters, digits, -)
    curator: My clinic dermatology # who made the labels (an Organization)
    columns:
      image: image_name            # required: the image id (also the file name unless `file` is given)
      file: path                   # image file name or URL
      lesion: lesion_id
      patient: patient_id
      diagnosis: dx                # a value of `diagnosis_system`
      site: location               # a value of `site_system`
      age: age
      sex: sex
      skin_tone: fitzpatrick       # Fitzpatrick type 1-6 or I-VI
      split: fold
      malignant: malignant         # true / false, 1 / 0, malignant / benign
      confirmation: dx_type        # a diagnosis-confirmation code or ISIC diagnosis_confirm_type
      license: license
      attribution: attribution
    diagnosis_system: isic-diagnosis   # or isic-challenge-class, isic-legacy-diagnosis, ham10000-dx, milk10k-class,
                                       # pad-ufes-20-diagnostic
    site_system: isic-anatomic-site    # or isic-anatomic-site-hierarchy, ham10000-localization, derm7pt-location,
                                       # pad-ufes-20-region
    modality: dermoscopy               # or photography (default dermoscopy)

Columns of the file that the mapping does not name are listed in the summary as having no place.
Not handled: mappings that combine or split columns (one field, one column).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml

from dermfhir.builders import ImagingModality
from dermfhir.ingest._common import Options, each_row
from dermfhir.ingest._result import ImportResult
from dermfhir.ingest._source import Row, SourceError, read_csv
from dermfhir.ingest.layouts import (
    BY_NAME,
    Layout,
    age,
    concept,
    confirmation,
    detect,
    fitzpatrick,
    flag,
    image_id,
    sex,
    text,
)
from dermfhir.ingest.records import Context, ImageRecord

DIAGNOSIS_SYSTEMS = {
    "isic-diagnosis": "isic-diagnosis-to-snomed",
    "isic-challenge-class": "isic-challenge-class-to-snomed",
    "isic-legacy-diagnosis": "isic-legacy-diagnosis-to-snomed",
    "ham10000-dx": "ham10000-dx-to-snomed",
    "milk10k-class": "milk10k-class-to-snomed",
    "pad-ufes-20-diagnostic": "pad-ufes-20-diagnostic-to-snomed",
}
SITE_SYSTEMS = {
    "isic-anatomic-site": "isic-anatomic-site-to-snomed",
    "isic-anatomic-site-hierarchy": "isic-anatomic-site-hierarchy-to-snomed",
    "ham10000-localization": "ham10000-localization-to-snomed",
    "derm7pt-location": "derm7pt-location-to-snomed",
    "pad-ufes-20-region": "pad-ufes-20-region-to-snomed",
}
FIELDS = (
    "image",
    "file",
    "lesion",
    "patient",
    "diagnosis",
    "site",
    "age",
    "sex",
    "skin_tone",
    "split",
    "malignant",
    "confirmation",
    "license",
    "attribution",
)
Reader = Callable[..., ImportResult]


def _headerless(path: Path) -> Iterator[Row]:
    """The rows of a file without header, columns named 1, 2, … (row numbers as a spreadsheet shows them)."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            for number, values in enumerate(csv.reader(handle), start=1):
                if any(v.strip() for v in values):
                    names = [str(n) for n in range(1, len(values) + 1)]
                    problem = None if len(values) == 2 else f"{len(values)} values for 2 columns"
                    yield Row(str(path), number, dict(zip(names, values, strict=True)), problem)
    except OSError as error:
        raise SourceError(path, f"cannot read the file ({error.strerror or error})") from None
    except (csv.Error, UnicodeDecodeError) as error:
        raise SourceError(path, f"not a readable CSV file ({error})") from None


def _rows(path: Path, layout: Layout) -> Iterator[Row]:
    if layout.headerless:
        return _headerless(path)
    _, rows = read_csv(path, layout.required)
    return rows


def read_with_layouts(
    files: Sequence[tuple[Path, Layout]],
    options: Options,
    progress: Callable[[int], None] | None,
    readers: dict[str, Reader],
    reader_arguments: dict[str, Any] | None = None,
    result: ImportResult | None = None,
) -> ImportResult:
    """Read each file with its layout; row-mapped files into one Context (merged), others with their reader (into
    the same result)."""
    result = ImportResult() if result is None else result
    context = Context(result, options)
    by_reader: dict[str, list[Path]] = {}
    for path, layout in files:
        result.report.layouts[str(path)] = layout.name
        if layout.reader is not None:
            by_reader.setdefault(layout.reader, []).append(path)
            continue
        assert layout.mapper is not None
        context.curator(layout.dataset, layout.curator)
        for row in each_row(_rows(path, layout), result.report, progress):
            try:
                layout.mapper(row, context, layout)
            except SourceError as error:
                result.report.reject(error)
    context.build()
    for name, paths in by_reader.items():
        readers[name](paths, options, progress, result=result, **(reader_arguments or {}).get(name, {}))
    return result


def join(result: ImportResult, other: ImportResult) -> None:
    """Add another reader's resources and report to `result`."""
    result.add(*other.resources)
    mine, theirs = result.report, other.report
    mine.rows_read += theirs.rows_read
    mine.rows_by_file.update(theirs.rows_by_file)
    mine.merged += theirs.merged
    mine.unplaced.update(theirs.unplaced)
    mine.findings.update(theirs.findings)
    mine.unmapped.update(theirs.unmapped)
    mine.rejected.extend(theirs.rejected)
    mine.warnings.extend(theirs.warnings)
    for file, layout in theirs.layouts.items():
        mine.layouts.setdefault(file, layout)


def detected(paths: Sequence[Path]) -> list[tuple[Path, Layout]]:
    """Each file with the layout its header shows (SourceError naming the file that matches none)."""
    return [(path, detect(path)) for path in paths]


def forced(paths: Sequence[Path], name: str) -> list[tuple[Path, Layout]]:
    return [(path, BY_NAME[name]) for path in paths]


# -- declarative column mapping ---------------------------------------------------------------------------------


def load_mapping(path: Path) -> dict[str, Any]:
    """The column mapping file, checked: known keys, a dataset name, an image column, known vocabularies."""
    try:
        mapping = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SourceError(path, f"cannot read the mapping file ({error.strerror or error})") from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise SourceError(path, f"the mapping file is not valid YAML ({str(error).splitlines()[0]})") from None
    if not isinstance(mapping, dict):
        raise SourceError(path, "the mapping file must be a YAML mapping with dataset and columns")
    unknown = set(mapping) - {"dataset", "curator", "columns", "diagnosis_system", "site_system", "modality"}
    if unknown:
        raise SourceError(path, f"unknown key(s) {', '.join(sorted(unknown))}")
    dataset = mapping.get("dataset")
    if not isinstance(dataset, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]{0,30}", dataset):
        raise SourceError(path, "dataset must be a name of letters, digits and - (the id namespace)", column="dataset")
    columns = mapping.get("columns")
    if not isinstance(columns, dict) or not isinstance(columns.get("image"), str):
        raise SourceError(path, "columns must map at least image to a column name", column="columns")
    bad = [key for key in columns if key not in FIELDS]
    if bad:
        raise SourceError(path, f"unknown field(s) {', '.join(bad)}; known: {', '.join(FIELDS)}", column="columns")
    if not all(isinstance(value, str) and value for value in columns.values()):
        raise SourceError(path, "every field must name one column", column="columns")
    if mapping.get("diagnosis_system", "isic-diagnosis") not in DIAGNOSIS_SYSTEMS:
        raise SourceError(path, f"diagnosis_system must be one of {', '.join(DIAGNOSIS_SYSTEMS)}")
    if mapping.get("site_system", "isic-anatomic-site") not in SITE_SYSTEMS:
        raise SourceError(path, f"site_system must be one of {', '.join(SITE_SYSTEMS)}")
    if mapping.get("modality", "dermoscopy") not in ("dermoscopy", "photography"):
        raise SourceError(path, "modality must be dermoscopy or photography")
    return mapping


def mapping_layout(path: Path, mapping: dict[str, Any], header: list[str]) -> Layout:
    columns: dict[str, str] = mapping["columns"]
    missing = [column for column in columns.values() if column not in header]
    if missing:
        raise SourceError(path, f"the mapping names column(s) {', '.join(missing)} the file does not have", 1)
    diagnosis_system = mapping.get("diagnosis_system", "isic-diagnosis")
    site_system = mapping.get("site_system", "isic-anatomic-site")
    photography = mapping.get("modality") == "photography"

    def mapper(row: Row, context: Context, layout: Layout) -> None:
        def column(field: str) -> str:
            return columns.get(field, "")

        def value(field: str) -> str:
            return text(row, column(field)) if column(field) else ""

        tone = fitzpatrick(row, column("skin_tone")) if column("skin_tone") else None
        split = value("split")
        finding = (
            concept(
                context, row, column("diagnosis"), "diagnosis", diagnosis_system, DIAGNOSIS_SYSTEMS[diagnosis_system]
            )
            if column("diagnosis")
            else None
        )
        context.image(
            mapping["dataset"],
            ImageRecord(
                image_id(row, column("image")),
                row,
                file_name=value("file"),
                modality=ImagingModality.PHOTOGRAPHY if photography else ImagingModality.DERMOSCOPY,
                patient_id=value("patient"),
                lesion_id=value("lesion"),
                sex=sex(row, column("sex")) if column("sex") else "",
                age=age(row, column("age")) if column("age") else None,
                site=concept(context, row, column("site"), "site", site_system, SITE_SYSTEMS[site_system])
                if column("site")
                else None,
                finding=finding,
                label=value("diagnosis"),
                malignant=flag(row, column("malignant")) if column("malignant") else None,
                confirmation=confirmation(context, row, column("confirmation")) if column("confirmation") else None,
                fitzpatrick=tone,
                skin_tone=("Fitzpatrick", tone[0], "") if tone else None,
                split=(mapping["dataset"], split) if split else None,
                license=value("license"),
                attribution=value("attribution"),
            ),
        )

    unplaced = tuple(name for name in header if name not in set(columns.values()))
    return Layout(
        f"columns ({path.name})",
        f"column mapping {path}",
        tuple(columns.values()),
        dataset=mapping["dataset"],
        curator=str(mapping.get("curator") or f"{mapping['dataset']} curators"),
        mapper=mapper,
        unplaced=unplaced,
    )


def with_mapping(paths: Sequence[Path], mapping_file: Path) -> list[tuple[Path, Layout]]:
    mapping = load_mapping(mapping_file)
    files = []
    for path in paths:
        header, _ = read_csv(path)
        layout = mapping_layout(path, mapping, header)
        base = layout.mapper
        assert base is not None

        def counted(row: Row, context: Context, layout: Layout, base: Any = base) -> None:
            base(row, context, layout)
            for column in layout.unplaced:
                if text(row, column):
                    context.report.unplaced[column] += 1

        files.append((path, Layout(**{**layout.__dict__, "mapper": counted})))
    return files
