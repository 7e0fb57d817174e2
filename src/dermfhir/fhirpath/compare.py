"""FHIRPath comparison of Quantities (UCUM-aware) and of dates and times with partial precision (FHIRPath N1 §6.1-6.2,
§2.1.20 (Quantity), FHIR R4 datatypes: date, dateTime, instant, time).

`compare_quantities(a, b)` → -1, 0, 1, or None when the quantities cannot be compared (different dimensions, a unit
that is not understood, a missing value): the result of the FHIRPath operator is then empty, never a guess.
Units are compared by their UCUM code when the system is UCUM (or no system is given), otherwise only by equal
system and code (or equal `unit` text). The UCUM subset understood: the metric prefixes (Y … y) on g, m, l/L, s,
mol, eq, Pa, J, W, Hz, K, and the units min, h, d, wk, mo, a (UCUM's mean Julian month and year), t, [in_i],
[ft_i], [lb_av], %, 1 and `10*n`; products (`.`), quotients (`/`) and integer exponents. Not understood (empty): units
with an offset (Cel, [degF]), arbitrary units (`[iU]`, `[arb'U]`), annotations other than a plain `{…}` count.

`compare_temporal(a, b)` follows FHIRPath: the values are compared component by component from the year down;
when one has a component the other lacks and all before are equal, the answer is empty; seconds and milliseconds are
one precision; times with timezones are compared in UTC; a time with a timezone against one without is empty.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

UCUM = "http://unitsofmeasure.org"

#: base units: (factor to the base, dimension vector: g, m, s, mol, K, eq)
_DIMENSIONS = ("g", "m", "s", "mol", "K", "eq")


def _dim(**powers: int) -> tuple[int, ...]:
    return tuple(powers.get(name, 0) for name in _DIMENSIONS)


_ATOMS: dict[str, tuple[Decimal, tuple[int, ...], bool]] = {
    # atom: (factor, dimension, metric: takes prefixes)
    "g": (Decimal(1), _dim(g=1), True),
    "m": (Decimal(1), _dim(m=1), True),
    "l": (Decimal("0.001"), _dim(m=3), True),
    "L": (Decimal("0.001"), _dim(m=3), True),
    "s": (Decimal(1), _dim(s=1), True),
    "mol": (Decimal(1), _dim(mol=1), True),
    "eq": (Decimal(1), _dim(eq=1), True),
    "K": (Decimal(1), _dim(K=1), True),
    "Hz": (Decimal(1), _dim(s=-1), True),
    "Pa": (Decimal(1000), _dim(g=1, m=-1, s=-2), True),
    "J": (Decimal(1000), _dim(g=1, m=2, s=-2), True),
    "W": (Decimal(1000), _dim(g=1, m=2, s=-3), True),
    "t": (Decimal(1_000_000), _dim(g=1), True),
    "min": (Decimal(60), _dim(s=1), False),
    "h": (Decimal(3600), _dim(s=1), False),
    "d": (Decimal(86400), _dim(s=1), False),
    "wk": (Decimal(604800), _dim(s=1), False),
    "a": (Decimal("31557600"), _dim(s=1), False),  # the mean Julian year, 365.25 d
    "mo": (Decimal("2629800"), _dim(s=1), False),  # a Julian year / 12
    "[in_i]": (Decimal("0.0254"), _dim(m=1), False),
    "[ft_i]": (Decimal("0.3048"), _dim(m=1), False),
    "[lb_av]": (Decimal("453.59237"), _dim(g=1), False),
    "%": (Decimal("0.01"), _dim(), False),
    "1": (Decimal(1), _dim(), False),
}
_PREFIXES = {
    "Y": Decimal("1e24"),
    "Z": Decimal("1e21"),
    "E": Decimal("1e18"),
    "P": Decimal("1e15"),
    "T": Decimal("1e12"),
    "G": Decimal("1e9"),
    "M": Decimal("1e6"),
    "k": Decimal("1e3"),
    "h": Decimal("1e2"),
    "da": Decimal("1e1"),
    "d": Decimal("1e-1"),
    "c": Decimal("1e-2"),
    "m": Decimal("1e-3"),
    "u": Decimal("1e-6"),
    "n": Decimal("1e-9"),
    "p": Decimal("1e-12"),
    "f": Decimal("1e-15"),
    "a": Decimal("1e-18"),
    "z": Decimal("1e-21"),
    "y": Decimal("1e-24"),
}
#: FHIRPath's calendar duration keywords (`1 year`) read as their UCUM units (FHIRPath §2.1.20, comparison)
_CALENDAR = {
    "year": "a",
    "years": "a",
    "month": "mo",
    "months": "mo",
    "week": "wk",
    "weeks": "wk",
    "day": "d",
    "days": "d",
    "hour": "h",
    "hours": "h",
    "minute": "min",
    "minutes": "min",
    "second": "s",
    "seconds": "s",
    "millisecond": "ms",
    "milliseconds": "ms",
}
_TERM = re.compile(r"^(?P<atom>\[[^\]]+\]|10\*[+-]?\d+|[A-Za-z%]+|1)(?P<exponent>[+-]?\d+)?$")


def _atom(text: str) -> tuple[Decimal, tuple[int, ...]] | None:
    if text.startswith("10*"):
        try:
            return Decimal(10) ** int(text[3:]), _dim()
        except ValueError:
            return None
    found = _ATOMS.get(text)
    if found is not None:
        return found[0], found[1]
    for prefix, factor in _PREFIXES.items():
        if text.startswith(prefix):
            rest = _ATOMS.get(text[len(prefix) :])
            if rest is not None and rest[2]:
                return factor * rest[0], rest[1]
    return None


def ucum(code: str) -> tuple[Decimal, tuple[int, ...]] | None:
    """(factor to base units, dimension) of a UCUM code in the subset above; None when it is not understood."""
    code = re.sub(r"\{[^}]*\}", "1", code.strip()) if "{" in code else code.strip()
    if not code or (code.count("/") > 1 and code.startswith("/")):
        return None
    factor = Decimal(1)
    dimension = [0] * len(_DIMENSIONS)
    position = 0
    sign = 1
    for match in re.finditer(r"[./]|[^./]+", code):
        token = match.group(0)
        if token in "./":
            sign = -1 if token == "/" else 1
            if token == "/" and position == 0:
                sign = -1
            position += 1
            continue
        term = _TERM.match(token)
        if term is None:
            return None
        found = _atom(term.group("atom"))
        if found is None:
            return None
        exponent = int(term.group("exponent") or 1) * sign
        factor *= found[0] ** exponent
        for index, power in enumerate(found[1]):
            dimension[index] += power * exponent
        position += 1
    return factor, tuple(dimension)


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def quantity_parts(value: Any) -> tuple[Decimal, str | None, str | None, str | None] | None:
    """(value, system, code, unit) of a FHIR Quantity (or Age, Duration, … ) in JSON; None when it is not one."""
    if not isinstance(value, dict) or "value" not in value:
        return None
    number = _number(value.get("value"))
    if number is None:
        return None
    if "comparator" in value:
        return None  # `< 5 mg` is not a point value: FHIRPath comparison is not defined
    system, code, unit = value.get("system"), value.get("code"), value.get("unit")
    return (
        number,
        system if isinstance(system, str) else None,
        code if isinstance(code, str) else None,
        unit if isinstance(unit, str) else None,
    )


def _in_base(parts: tuple[Decimal, str | None, str | None, str | None]) -> tuple[Decimal, tuple[int, ...]] | None:
    number, system, code, unit = parts
    if system not in (None, UCUM):
        return None
    text = code if code is not None else unit
    if text is None:
        return None
    text = _CALENDAR.get(text, text)
    found = ucum(text)
    return None if found is None else (number * found[0], found[1])


def compare_quantities(left: Any, right: Any) -> int | None:
    """-1, 0 or 1 comparing two Quantities, None when they cannot be compared."""
    a, b = quantity_parts(left), quantity_parts(right)
    if a is None or b is None:
        return None
    same_code = a[2] is not None and a[1:3] == b[1:3]
    same_text = a[2] is None and b[2] is None and a[1] == b[1] and a[3] is not None and a[3] == b[3]
    if same_code or same_text:
        return (a[0] > b[0]) - (a[0] < b[0])  # the same unit: no conversion needed (nor possible, for Cel)
    x, y = _in_base(a), _in_base(b)
    if x is None or y is None or x[1] != y[1]:
        return None
    return (x[0] > y[0]) - (x[0] < y[0])


# dates and times ----------------------------------------------------------------------------------------------------
_TEMPORAL = re.compile(
    r"^(?P<year>\d{4})(-(?P<month>\d{2})(-(?P<day>\d{2}))?)?"
    r"(T(?P<hour>\d{2})(:(?P<minute>\d{2})(:(?P<second>\d{2}(\.\d+)?))?)?"
    r"(?P<tz>Z|[+-]\d{2}:\d{2})?)?$"
)
_TIME = re.compile(r"^T?(?P<hour>\d{2})(:(?P<minute>\d{2})(:(?P<second>\d{2}(\.\d+)?))?)?$")


def _parts(text: str) -> tuple[list[Any], int | None, bool] | None:
    """(components from the year (or hour) down, timezone offset in minutes, is a time) of a temporal text."""
    match = _TEMPORAL.match(text)
    names: tuple[str, ...] = ("year", "month", "day", "hour", "minute", "second")
    is_time = False
    if match is None:
        match = _TIME.match(text)
        if match is None or ":" not in text:
            return None
        names, is_time = names[3:], True
    values = []
    for name in names:
        item = match.group(name)
        if item is None:
            break
        values.append(_value(item))
    tz = None if is_time else match.group("tz")
    offset = None
    if tz is not None:
        offset = 0 if tz == "Z" else (1 if tz[0] == "+" else -1) * (int(tz[1:3]) * 60 + int(tz[4:6]))
    return values, offset, is_time


def _value(text: str) -> Any:
    return Decimal(text) if "." in text else int(text)


def _to_utc(values: list[Any], offset: int) -> list[Any]:
    """The components shifted to UTC (only called when hours are present)."""
    second = values[5] if len(values) > 5 else 0
    moment = datetime.datetime(values[0], values[1], values[2], values[3], values[4] if len(values) > 4 else 0)
    moment -= datetime.timedelta(minutes=offset)
    shifted = [moment.year, moment.month, moment.day, moment.hour, moment.minute, second]
    return shifted[: len(values)]


def compare_temporal(left: str, right: str) -> int | None:
    """-1, 0 or 1 comparing two FHIR date/dateTime/instant (or two time) texts; None when not decided."""
    a, b = _parts(left), _parts(right)
    if a is None or b is None or a[2] != b[2]:
        return None  # not temporal, or a time against a date
    (x, x_tz, is_time), (y, y_tz, _) = a, b
    x_timed, y_timed = len(x) > 3 and not is_time, len(y) > 3 and not is_time
    if x_timed and y_timed:
        if (x_tz is None) != (y_tz is None):
            return None
        if x_tz is not None and y_tz is not None and x_tz != y_tz:
            try:
                x, y = _to_utc(x, x_tz), _to_utc(y, y_tz)
            except (ValueError, OverflowError):
                return None
    for index in range(min(len(x), len(y))):
        if x[index] != y[index]:
            return 1 if x[index] > y[index] else -1
    return 0 if len(x) == len(y) else None
