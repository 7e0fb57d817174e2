"""The shape of a LOINC code, checked offline (LOINC is not loaded: its codes cannot be looked up).

LOINC's Users' Guide: a LOINC code is a number and a Mod 10 check digit after a hyphen (`60591-5`); its parts,
answers, answer lists and groups have a two-letter prefix (`LP`, `LA`, `LL`, `LG`) before the number and the check
digit. `loinc_code_error("60591-5")` is None; `loinc_code_error("test")` says why it cannot be a LOINC code. A code
that passes may still not exist.
"""

from __future__ import annotations

import re

LOINC_SYSTEM = "http://loinc.org"

_SHAPE = re.compile(r"^(LP|LA|LL|LG)?([0-9]{1,8})-([0-9])$")


def loinc_code_error(code: str) -> str | None:
    """Why `code` cannot be a LOINC code, or None when it has the shape of one."""
    match = _SHAPE.match(code)
    if match is None:
        return f"'{code}' is not a LOINC code (a number, a hyphen and a check digit, as in 60591-5)"
    prefix, number, check = match.groups()
    if prefix is None and mod10(number) != int(check):
        return f"'{code}' is not a LOINC code: its check digit is not {mod10(number)}"
    return None


def mod10(number: str) -> int:
    """The Mod 10 check digit of a LOINC number (Users' Guide): the digits in odd places from the right, doubled as
    one number, then the digits in even places; the check digit brings the sum of all those digits up to the next
    multiple of ten."""
    digits = number[::-1]
    doubled = str(int(digits[0::2][::-1]) * 2)
    kept = digits[1::2][::-1]
    total = sum(int(digit) for digit in doubled + kept)
    return (10 - total % 10) % 10
