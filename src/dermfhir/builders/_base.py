"""What every builder shares: argument checks that name the argument, references, ids, quantities.

Not handled: contained resources and logical references by identifier (every reference is `Type/id`).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any, ClassVar, Literal, TypeVar, overload

from dermfhir.builders._vocabulary import UCUM, profile

_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
_REFERENCE = re.compile(r"^([A-Z][A-Za-z]+)/([A-Za-z0-9\-.]{1,64})$")
_UNSAFE = re.compile(r"[^A-Za-z0-9\-.]+")

E = TypeVar("E", bound=Enum)


class BuildError(ValueError):
    """An argument of a builder is invalid; the message names the argument."""


def stable_id(*parts: str) -> str:
    """A FHIR id derived from source identifiers: readable when it fits, else a short hash (same input, same id)."""
    text = "-".join(_UNSAFE.sub("-", part).strip("-") for part in parts if part)
    if text and len(text) <= 64 and _ID.match(text):
        return text
    digest = hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:16]
    return f"{text[:47]}-{digest}".lstrip("-") if text else digest


def check_id(name: str, value: str) -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise BuildError(f'Argument "{name}" must be a FHIR id (1-64 of A-Z a-z 0-9 - .), got {value!r}.')
    return value


@overload
def check_text(name: str, value: Any, *, optional: Literal[False] = False) -> str: ...
@overload
def check_text(name: str, value: Any, *, optional: bool) -> str | None: ...


def check_text(name: str, value: Any, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value.strip():
        raise BuildError(f'Argument "{name}" must be a non-empty string, got {value!r}.')
    return value


@overload
def check_number(
    name: str, value: Any, low: float | None = None, high: float | None = None, *, optional: Literal[False] = False
) -> float: ...
@overload
def check_number(
    name: str, value: Any, low: float | None = None, high: float | None = None, *, optional: bool
) -> float | None: ...


def check_number(
    name: str, value: Any, low: float | None = None, high: float | None = None, *, optional: bool = False
) -> float | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise BuildError(f'Argument "{name}" must be a number, got {value!r}.')
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = (
            f"between {low:g} and {high:g}"
            if low is not None and high is not None
            else (f"at least {low:g}" if low is not None else f"at most {high:g}")
        )
        raise BuildError(f'Argument "{name}" must be {bounds}, got {value!r}.')
    return value


@overload
def check_pixels(name: str, value: Any, *, optional: Literal[False] = False) -> int: ...
@overload
def check_pixels(name: str, value: Any, *, optional: bool) -> int | None: ...


def check_pixels(name: str, value: Any, *, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise BuildError(f'Argument "{name}" must be a positive whole number of pixels, got {value!r}.')
    return value


@overload
def check_enum(name: str, enum: type[E], value: Any, *, optional: Literal[False] = False) -> E: ...
@overload
def check_enum(name: str, enum: type[E], value: Any, *, optional: bool) -> E | None: ...


def check_enum(name: str, enum: type[E], value: Any, *, optional: bool = False) -> E | None:
    """The member of `enum` for `value` (the member or its wire code)."""
    if value is None and optional:
        return None
    try:
        return enum(value.value if isinstance(value, Enum) else value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise BuildError(f'Argument "{name}" must be one of {allowed}, got {value!r}.') from None


@overload
def check_reference(name: str, value: Any, *types: str, optional: Literal[False] = False) -> str: ...
@overload
def check_reference(name: str, value: Any, *types: str, optional: bool) -> str | None: ...


def check_reference(name: str, value: Any, *types: str, optional: bool = False) -> str | None:
    """`Type/id` for a reference given as a string or as a builder (anything with a `.reference`)."""
    if value is None and optional:
        return None
    text = getattr(value, "reference", value)
    match = _REFERENCE.match(text) if isinstance(text, str) else None
    if match is None:
        raise BuildError(f'Argument "{name}" must be a reference "Type/id" or a built resource, got {value!r}.')
    if types and match.group(1) not in types:
        raise BuildError(f'Argument "{name}" must reference {" or ".join(types)}, got {text!r}.')
    return text


def check_references(name: str, values: Any, *types: str, minimum: int = 0) -> list[str]:
    if values is None:
        values = []
    if isinstance(values, str) or not isinstance(values, Iterable):
        values = [values]
    result = [check_reference(f"{name}[{index}]", value, *types) for index, value in enumerate(values)]
    if len(result) < minimum:
        raise BuildError(f'Argument "{name}" needs at least {minimum} reference(s), got {len(result)}.')
    return [item for item in result if item is not None]


@overload
def check_datetime(name: str, value: Any, *, optional: Literal[False] = False) -> str: ...
@overload
def check_datetime(name: str, value: Any, *, optional: bool) -> str | None: ...


def check_datetime(name: str, value: Any, *, optional: bool = False) -> str | None:
    """An R4 dateTime string for a datetime / date / ISO string (naive datetimes are taken as UTC)."""
    if value is None and optional:
        return None
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and re.match(
        r"^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$", value
    ):
        return value
    raise BuildError(f'Argument "{name}" must be a date, a datetime or an ISO 8601 string, got {value!r}.')


@overload
def check_concept(name: str, value: Any, *, optional: Literal[False] = False) -> dict: ...
@overload
def check_concept(name: str, value: Any, *, optional: bool) -> dict | None: ...


def check_concept(name: str, value: Any, *, optional: bool = False) -> dict | None:
    """A CodeableConcept dict (given as a dict with coding/text, a Coding dict, or an Enum with `.concept()`)."""
    if value is None and optional:
        return None
    if hasattr(value, "concept"):
        return value.concept()
    if isinstance(value, Mapping):
        if "coding" in value or "text" in value:
            if not value.get("coding") and not value.get("text"):
                raise BuildError(f'Argument "{name}" must have a coding or a text, got {value!r}.')
            return dict(value)
        if "system" in value and "code" in value:
            return {"coding": [dict(value)]}
    raise BuildError(f'Argument "{name}" must be a CodeableConcept or a Coding, got {value!r}.')


def quantity(value: float, code: str, unit: str | None = None) -> dict:
    """A UCUM Quantity (integers stay integers)."""
    number: float | int = int(value) if float(value).is_integer() and abs(value) < 2**53 else value
    return {"value": number, "unit": unit or code, "system": UCUM, "code": code}


def reference_id(reference: str | None) -> str | None:
    """The id part of `Type/id`."""
    return reference.partition("/")[2] if reference else None


def get_reference(value: Any) -> str | None:
    return value.get("reference") if isinstance(value, Mapping) else None


class Built:
    """Base of the builders: a resource type, an optional profile, an id, and `reference` for others to point at."""

    resource_type: ClassVar[str]
    profile_id: ClassVar[str | None] = None

    id: str

    @property
    def reference(self) -> str:
        """`ResourceType/id`, what other resources use to point at this one."""
        return f"{self.resource_type}/{self.id}"

    def _header(self, *, claim_profile: bool = True) -> dict[str, Any]:
        header: dict[str, Any] = {"resourceType": self.resource_type, "id": self.id}
        if self.profile_id and claim_profile:
            header["meta"] = {"profile": [profile(self.profile_id)]}
        return header

    def to_resource(self) -> dict:
        raise NotImplementedError

    @classmethod
    def _check_type(cls, resource: Mapping[str, Any]) -> None:
        if not isinstance(resource, Mapping) or resource.get("resourceType") != cls.resource_type:
            got = resource.get("resourceType") if isinstance(resource, Mapping) else type(resource).__name__
            raise BuildError(f'Argument "resource" must be a {cls.resource_type}, got {got!r}.')

    def __repr__(self) -> str:
        return f"{type(self).__name__}(id={self.id!r})"
