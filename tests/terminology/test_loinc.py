"""The offline check of a LOINC code's shape and Mod 10 check digit (LOINC Users' Guide)."""

from __future__ import annotations

import pytest

from dermfhir.terminology import Terminology
from dermfhir.terminology.loinc import loinc_code_error, mod10


@pytest.mark.parametrize("code", ["8867-4", "2339-0", "29463-7", "8480-6", "85354-9", "60591-5"])
def test_loinc_codes_pass(code: str) -> None:
    assert loinc_code_error(code) is None


def test_mod10_check_digit() -> None:
    """The Users' Guide's worked example: the check digit of 12345 is 5."""
    assert mod10("12345") == 5
    assert mod10("8867") == 4


@pytest.mark.parametrize(("code", "why"), [("test", "not a LOINC code"), ("8867-5", "check digit"), ("8867", "not")])
def test_what_cannot_be_a_loinc_code(code: str, why: str) -> None:
    error = loinc_code_error(code)
    assert error is not None and why in error


def test_a_malformed_loinc_code_is_invalid_where_loinc_is_checked(terminology: Terminology) -> None:
    assert terminology.validate_coding_in_system("http://loinc.org", "8867-5").result == "invalid"
    assert terminology.validate_coding_in_system("http://loinc.org", "8867-4").result == "unknown"
