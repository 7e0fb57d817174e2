"""The conservative UCUM syntax check."""

from __future__ import annotations

import pytest

from dermfhir.terminology import ucum_syntax_error


@pytest.mark.parametrize(
    "unit",
    ["mg", "mg/dL", "/min", "kg/(m.s)", "10*3/uL", "%", "1", "[in_i]", "{cells}/uL", "mm[Hg]", "m2", "ug{FEU}/mL"],
)
def test_plausible_units(unit: str) -> None:
    assert ucum_syntax_error(unit) is None


@pytest.mark.parametrize(
    ("unit", "why"),
    [
        ("", "empty"),
        ("mg / dL", "' '"),
        ("mg/(dL", "open"),
        ("mg)", "never"),
        ("[in_i", "open"),
        ("mg//dL", "empty term"),
        ("mg.", "empty term"),
        ("{a{b}}", "nests"),
        ("µg", "'µ'"),
    ],
)
def test_impossible_units(unit: str, why: str) -> None:
    error = ucum_syntax_error(unit)
    assert error is not None and why in error
