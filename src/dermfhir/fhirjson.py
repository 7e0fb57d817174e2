"""FHIR JSON in and out with decimals kept exactly as written (https://hl7.org/fhir/R4/json.html#primitive: "the
decimal ... precision must be preserved"): `1.10` stays `1.10`, `1E+2` stays `1E+2`.

A number whose text a float would change (trailing zeros, an exponent, more digits than a float holds, an integer
beyond 64 bits) is read as a `Decimal`: a float (so validation, FHIRPath and search treat it as a number) that keeps
its text and is written back with it. Every other document takes orjson's fast path. A document that orjson writes
back byte for byte (what the store wrote, unless it holds such a number) cannot hold one, so its text is not scanned
(the scan costs ten times the parse). Code that serializes resources read from the store with orjson passes
`default=jsontext.default` (or calls `jsontext.dumps`).
Not supported: keeping `-0` (read as 0).
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

#: Number texts a float would not give back: trailing zeros after the point, exponents, long digit runs.
_INEXACT = re.compile(rb"[0-9]\.[0-9]*0(?![0-9])|[0-9][eE]|[0-9.]{17,}|-0(?![0-9.])")


class Decimal(float):
    """A JSON number that keeps the text it was written with."""

    __slots__ = ("text",)
    text: str

    def __new__(cls, text: str) -> Decimal:
        number = float.__new__(cls, text)
        number.text = text
        return number

    def __repr__(self) -> str:
        return self.text

    __str__ = __repr__

    def __reduce__(self) -> tuple[Any, ...]:
        return (Decimal, (self.text,))

    def __deepcopy__(self, memo: dict) -> Decimal:
        return self

    def __copy__(self) -> Decimal:
        return self


def _integer(text: str) -> int | Decimal:
    number = int(text)
    return number if -(2**63) <= number < 2**64 else Decimal(text)


def loads(data: bytes | str) -> Any:
    """Parse JSON text; numbers that a float would change are `Decimal`s (raises ValueError on bad JSON)."""
    raw = data.encode() if isinstance(data, str) else data
    parsed = orjson.loads(raw)  # strict: no NaN, no lone surrogates, no trailing data
    if _written_back(parsed, raw):  # every number is written as its float or int writes it: nothing to keep
        return parsed
    if not _INEXACT.search(raw):
        return parsed
    return json.loads(raw, parse_float=Decimal, parse_int=_integer)


def _written_back(parsed: Any, raw: bytes) -> bool:
    try:
        return orjson.dumps(parsed) == raw
    except TypeError:  # nested deeper than orjson writes (it reads deeper): scanned like any other text
        return False


def default(value: Any) -> Any:
    """orjson's `default` hook: a `Decimal` is written as its own text."""
    if isinstance(value, Decimal):
        return orjson.Fragment(value.text)
    raise TypeError(f"Type is not JSON serializable: {type(value).__name__}")


def dumps(value: Any, option: int = 0) -> bytes:
    """Serialize with orjson, decimals written as they were read."""
    return orjson.dumps(value, default=default, option=option)
