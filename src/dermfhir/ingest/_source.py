"""Reading source files with positions: CSV rows numbered as a spreadsheet shows them (header = row 1), errors that
name file, row and column, and the user's mapping file for unknown labels.

Not handled: Excel files, encodings other than UTF-8 (a BOM is accepted), CSV dialects other than comma-separated.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class SourceError(Exception):
    """A problem in an input file, located by file, row and column (when known)."""

    def __init__(
        self,
        file: str | Path,
        message: str,
        row: int | None = None,
        column: str | None = None,
        item: str | None = None,
    ) -> None:
        self.file = str(file)
        self.row = row
        self.column = column
        self.message = message
        self.item = item
        super().__init__(str(self))

    @property
    def where(self) -> str:
        """`file, row N` (or `file, <item>` for JSON records and images)."""
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.item:
            where += f", {self.item}"
        return where

    def __str__(self) -> str:
        where = self.where
        if self.column:
            where += f", column {self.column!r}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Row:
    """One CSV data row: its values by column and its row number (header = 1)."""

    file: str
    number: int
    values: dict[str, str]
    #: why the row cannot be read (e.g. a wrong number of values); such a row is rejected on its own
    problem: str | None = None

    def get(self, column: str) -> str:
        return (self.values.get(column) or "").strip()

    def error(self, message: str, column: str | None = None) -> SourceError:
        return SourceError(self.file, message, self.number, column)


def read_csv(path: Path, required: tuple[str, ...] = ()) -> tuple[list[str], Iterator[Row]]:
    """The header and an iterator of rows, read as they are consumed (the file is never held in memory whole); a
    missing required column raises SourceError at once.

    A row with the wrong number of values comes with `problem` set (see `_common.each_row`), so that it is rejected
    on its own and the rest of the file is still read. A file that turns out unreadable part-way (bad UTF-8, a
    broken quote) raises SourceError naming the row.
    """
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            first = next(csv.reader(handle), None)
    except OSError as error:
        raise SourceError(path, f"cannot read the file ({error.strerror or error})") from None
    except (csv.Error, UnicodeDecodeError) as error:
        raise SourceError(path, f"not a readable CSV file ({error})", 1) from None
    if first is None:
        raise SourceError(path, "the file is empty", 1)
    header = [name.strip() for name in first]
    missing = [name for name in required if name not in header]
    if missing:
        raise SourceError(path, f"missing column(s) {', '.join(missing)}; found {', '.join(header)}", 1)

    name = str(path)  # one string shared by every row (and by what keeps a row's file)

    def rows() -> Iterator[Row]:
        number = 1
        try:
            with path.open(newline="", encoding="utf-8-sig") as handle:
                reader = csv.reader(handle)
                next(reader, None)
                for values in reader:
                    number += 1
                    if not any(v.strip() for v in values):
                        continue
                    if len(values) != len(header):
                        yield Row(name, number, {}, f"{len(values)} values for {len(header)} columns")
                        continue
                    yield Row(name, number, dict(zip(header, values, strict=True)))
        except OSError as error:
            raise SourceError(path, f"cannot read the file ({error.strerror or error})", number) from None
        except (csv.Error, UnicodeDecodeError) as error:
            raise SourceError(path, f"not a readable CSV file ({error})", number + 1) from None

    return header, rows()


class Mapping:
    """The user's mapping file (`--map FILE`): JSON `{field: {source value: target}}` where target is a code of the
    field's own vocabulary (e.g. `"lentigo": "bkl"`) or a Coding `{"system", "code", "display"}`.

    >>> Mapping({"dx": {"lentigo": "bkl"}}).get("dx", "lentigo")
    'bkl'
    """

    def __init__(self, table: dict[str, dict[str, Any]] | None = None, file: str = "") -> None:
        self.table = table or {}
        self.file = file

    @classmethod
    def load(cls, path: Path | None) -> Mapping:
        if path is None:
            return cls()
        try:
            table = json.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise SourceError(path, f"cannot read the mapping file ({error.strerror or error})") from None
        except ValueError as error:
            raise SourceError(path, f"the mapping file is not valid JSON ({error})") from None
        if not isinstance(table, dict) or not all(isinstance(v, dict) for v in table.values()):
            raise SourceError(path, 'the mapping file must be a JSON object {"field": {"source value": target}}')
        for field, values in table.items():
            for value, target in values.items():
                if not isinstance(target, str) and not (
                    isinstance(target, dict) and isinstance(target.get("system"), str) and target.get("code")
                ):
                    raise SourceError(path, f"{field}.{value}: target must be a code or a Coding with system and code")
        return cls(table, str(path))

    def get(self, field: str, value: str) -> Any:
        return self.table.get(field, {}).get(value)
