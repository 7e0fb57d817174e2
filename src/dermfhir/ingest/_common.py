"""Id schemes, identifier systems and label mapping shared by the importers.

Ids are derived from the source identifiers (`{dataset}-{kind}-{source id}`), so importing the same rows again
PUTs the same resources. A label is a code of the field's CodeSystem, a value of the user's mapping file, or a
code or display of that CodeSystem spelled differently (case, blanks, `-` / `_` for spaces); anything else is
reported, and `strict` makes it a row error.

Not handled: fuzzy matching of labels (only case, blanks, hyphens and underscores are normalised), synonyms.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from dermfhir.builders import Gender, Organization, stable_id
from dermfhir.builders._vocabulary import code_system, codes_of, coding, display, known, mapped_concept
from dermfhir.ingest._result import Report
from dermfhir.ingest._source import Mapping, Row, SourceError, read_csv
from dermfhir.ingest.spill import DiskMap

#: Identifier namespaces of the source datasets (URNs: the datasets publish none).
ISIC_IMAGE = "urn:dermfhir:isic:image"
ISIC_LESION = "urn:dermfhir:isic:lesion"
HAM_LESION = "urn:dermfhir:ham10000:lesion"


@dataclass
class Options:
    """Options every importer understands."""

    mapping: Mapping = field(default_factory=Mapping)
    strict: bool = False
    image_base: str = ""
    image_dir: Path | None = None
    recorded: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def ident(dataset: str, kind: str, source_id: str) -> str:
    """The FHIR id of a resource of `kind` made from `source_id` of `dataset`.

    >>> ident("isic", "img", "ISIC_0000000")
    'isic-img-ISIC-0000000'
    """
    return stable_id(dataset, kind, source_id)


def curator(dataset: str, name: str) -> Organization:
    """The Organization performing a dataset's ground-truth annotations."""
    return Organization(stable_id(dataset, "curators"), name=name)


def gender(value: str) -> Gender | None:
    value = value.strip().lower()
    if value in ("male", "female"):
        return Gender(value)
    if value in ("unknown", "other"):
        return Gender(value)
    return None


def each_row(
    rows: Iterable[Row],
    report: Report,
    progress: Callable[[int], None] | None = None,
    keys: ImageKeys | None = None,
) -> Iterator[Row]:
    """The rows to import: each counted and ticked; a row that cannot be read is rejected (file, row) and skipped;
    with `keys`, a row repeating an image id is merged when identical and rejected (naming both rows) when not."""
    for row in rows:
        report.rows_read += 1
        report.rows_by_file[row.file] += 1
        if row.problem:
            report.reject(row.error(row.problem))
        elif keys is None:
            yield row
        else:
            try:
                first = keys.first(row)
            except SourceError as error:
                report.reject(error)
            else:
                if first:
                    yield row
                else:
                    report.merged += 1
        if progress:
            progress(1)


class ImageKeys:
    """The image ids of an import, each with the row that gave it first (file, row, a digest of its values).

    A later row with the same id and the same values is a repeat (merged: nothing new is built); with different
    values it is an error naming both rows and the columns that differ, so that no label is lost silently.
    Only a digest is kept per id, on disk (`spill.DiskMap`), so memory stays flat; the differing columns are found
    by reading the earlier row again (for the first `DETAILED` conflicts only).
    """

    DETAILED = 20

    def __init__(self, *columns: str) -> None:
        self.columns = columns
        self.seen = DiskMap()  # the id → (file, row, digest of the values), on disk: memory stays flat
        self.detailed = 0

    def key(self, row: Row) -> str:
        return "\x1f".join(row.get(column) for column in self.columns)

    def first(self, row: Row) -> bool:
        key = self.key(row)
        if not key.strip("\x1f"):
            return True  # an empty id is the row's own error, reported by its importer
        digest = hash(tuple(sorted((k, (v or "").strip()) for k, v in row.values.items())))
        earlier = self.seen.get(key)
        if earlier is None:
            self.seen[key] = (row.file, row.number, digest)
            return True
        if earlier[2] == digest:
            return False
        where = f"row {earlier[1]}" if earlier[0] == row.file else f"{earlier[0]}, row {earlier[1]}"
        columns = self._differing(earlier, row)
        detail = f" (different {', '.join(columns)})" if columns else " with different values"
        raise row.error(f"image {key.replace(chr(31), ' ')!r} is already given by {where}{detail}", self.columns[0])

    def _differing(self, earlier: tuple[str, int, int], row: Row) -> list[str]:
        if self.detailed >= self.DETAILED:
            return []
        self.detailed += 1
        try:
            _, rows = read_csv(Path(earlier[0]))
            for other in rows:
                if other.number == earlier[1]:
                    return [
                        column
                        for column in row.values
                        if (other.values.get(column) or "").strip() != (row.values.get(column) or "").strip()
                    ]
        except SourceError:
            pass
        return []


def import_csv_rows(
    paths: Iterable[Path],
    columns: tuple[str, ...],
    report: Report,
    progress: Callable[[int], None] | None,
    handle: Callable[[Row], None],
    keys: ImageKeys | None = None,
) -> None:
    """Read each CSV file (required `columns` checked first) and hand every readable row to `handle`; a row whose
    `handle` raises SourceError is rejected with its file, row and column, and the import goes on. With `keys`,
    repeated image ids are merged or rejected (see ImageKeys)."""
    for path in paths:
        _, rows = read_csv(path, columns)
        for row in each_row(rows, report, progress, keys):
            try:
                handle(row)
            except SourceError as error:
                report.reject(error)


def normalised(label: str) -> str:
    """A label in the spelling labels are compared in: lower case, `-` / `_` as spaces, single blanks.

    >>> normalised("Melanoma-in_situ ")
    'melanoma in situ'
    """
    return re.sub(r"\s+", " ", re.sub(r"[-_]", " ", label)).strip().lower()


@cache
def _spellings(system: str) -> dict[str, str]:
    """Normalised code or display → code, for the CodeSystem `system` (the first code wins a tie)."""
    found: dict[str, str] = {}
    for code in codes_of(system):
        found.setdefault(normalised(code), code)
    for code in codes_of(system):
        found.setdefault(normalised(display(system, code) or code), code)
    return found


#: codes of the guide's dataset code systems that say the value was not recorded (HAM10000's localization
#: `unknown`): they are not a site or a label, so the element they would fill is left out (its ConceptMap says so)
NOT_RECORDED: dict[str, frozenset[str]] = {code_system("ham10000-localization"): frozenset({"unknown"})}


class Labels:
    """Maps source labels of one field to the codes of a guide CodeSystem (and SNOMED CT through a ConceptMap)."""

    def __init__(self, field: str, system_name: str, map_name: str | None, options: Options, report: Report) -> None:
        self.field = field
        self.system = code_system(system_name)
        self.map_name = map_name
        self.options = options
        self.report = report

    def find(self, value: str) -> str | dict | None:
        """The code (or mapped Coding) for `value`, or None; nothing is reported."""
        if known(self.system, value):
            return value
        for candidate in (value.strip(), value.strip().lower()):
            if candidate and known(self.system, candidate):
                return candidate
        mapped = self.options.mapping.get(self.field, value)
        if (isinstance(mapped, str) and known(self.system, mapped)) or isinstance(mapped, dict):
            return mapped
        return _spellings(self.system).get(normalised(value)) if value.strip() else None

    def code(self, value: str, row: Row | None = None, column: str | None = None) -> str | dict | None:
        """The code for `value` (or a Coding from the mapping file); None (reported) when unknown.

        Raises the row's SourceError when unknown and strict.
        """
        if known(self.system, value):
            return value
        for candidate in (value.strip(), value.strip().lower()):
            if candidate and known(self.system, candidate):
                return candidate
        mapped = self.options.mapping.get(self.field, value)
        if isinstance(mapped, str) and known(self.system, mapped):
            return mapped
        if isinstance(mapped, dict):
            return mapped
        spelled = _spellings(self.system).get(normalised(value)) if value.strip() else None
        if spelled is not None:
            return spelled
        self.report.unmapped[(self.field, value)] += 1
        if self.options.strict and row is not None:
            raise row.error(f"unmapped {self.field} value {value!r} (add it to a --map file)", column or self.field)
        return None

    def concept(self, value: str, row: Row | None = None, column: str | None = None) -> dict | None:
        """CodeableConcept: SNOMED CT target(s) and the source code; a mapped Coding; or text only when unknown.

        None for a code that says the value was not recorded (`NOT_RECORDED`): the element is left out.
        """
        code = self.code(value, row, column)
        if isinstance(code, str) and code in NOT_RECORDED.get(self.system, ()):
            return None
        if isinstance(code, dict):
            return {"coding": [dict(code)], "text": value}
        if code is None:
            return {"text": value} if value else None
        if self.map_name is None:
            source = coding(self.system, code)
            return {"coding": [source], "text": source.get("display", code)}
        return mapped_concept(self.map_name, self.system, code)


def source_code(concept: dict | None, system_name: str) -> str | None:
    system = code_system(system_name)
    for item in (concept or {}).get("coding", []):
        if item.get("system") == system:
            return item.get("code")
    return None


def image_size(options: Options, file_name: str) -> tuple[int, int] | None:
    """Pixel size of `file_name` in `--image-dir` (header read only), or None."""
    if options.image_dir is None:
        return None
    from PIL import Image

    for candidate in (options.image_dir / file_name, *options.image_dir.glob(Path(file_name).stem + ".*")):
        if candidate.is_file():
            with Image.open(candidate) as image:
                return image.size
    return None
