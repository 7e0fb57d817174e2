"""Narrative XHTML (R4 narrative.html): a `div` in the XHTML namespace, basic HTML only, no active content, some
content; each rule with a valid and an invalid instance."""

from __future__ import annotations

import pytest

from dermfhir.validation import Validator

NS = 'xmlns="http://www.w3.org/1999/xhtml"'


def _div_errors(validator: Validator, div: str) -> list[str]:
    patient = {"resourceType": "Patient", "text": {"status": "generated", "div": div}}
    return [issue.message for issue in validator.issues(patient) if issue.is_error]


@pytest.mark.parametrize(
    "div",
    [
        f'<div {NS}><p class="a" style="color: red">Ann <b>Lee</b></p></div>',
        f'<div {NS}><table border="1"><tr><td colspan="2">x</td></tr></table></div>',
        f'<div {NS}><a href="https://example.org/a">link</a></div>',
        f'<div {NS}><img src="#image" alt="lesion"/></div>',  # an image is content
        f'<div {NS} xml:lang="en" lang="en"><span>x</span></div>',
        f"<div {NS}>text &amp; more</div>",
    ],
)
def test_allowed_narrative(validator: Validator, div: str) -> None:
    assert _div_errors(validator, div) == []


TXT_1 = "Constraint failed: txt-1: 'The narrative SHALL contain only the basic html formatting elements"


@pytest.mark.parametrize(
    ("div", "expected"),
    [
        (f"<div {NS}><script>alert(1)</script></div>", "Illegal element name in the XHTML ('script')"),
        (f'<div {NS}><form action="x">f</form></div>', "Illegal element name in the XHTML ('form')"),
        (f"<div {NS}><font>old</font></div>", "Illegal element name in the XHTML ('font')"),
        (f'<div {NS}><iframe src="x">f</iframe></div>', "Illegal element name in the XHTML ('iframe')"),
        (f'<div {NS}><p onclick="x()">a</p></div>', "Illegal attribute name in the XHTML ('onclick' on 'p')"),
        (f'<div {NS}><p href="x">a</p></div>', "Illegal attribute name in the XHTML ('href' on 'p')"),
        (f'<div {NS}><svg xmlns="http://www.w3.org/2000/svg">x</svg></div>', "Wrong namespace"),
    ],
)
def test_names_outside_basic_html_break_txt_1_too(validator: Validator, div: str, expected: str) -> None:
    """An element or attribute outside the basic HTML set breaks the xhtml content rules and the txt-1 invariant."""
    errors = _div_errors(validator, div)
    assert len(errors) == 2 and expected in errors[0] and errors[1].startswith(TXT_1), errors


def test_txt_1_with_another_xhtml_problem_first(validator: Validator) -> None:
    """txt-1 does not depend on which xhtml problem is found first: a bad entity before a script."""
    errors = _div_errors(validator, f"<div {NS}>&copy;<script>x</script></div>")
    assert errors == ["Invalid entity in the XHTML ('&copy;')"]  # not well-formed XML: txt-1 cannot be evaluated
    errors = _div_errors(validator, f'<div {NS}><a href="javascript:x()">a</a><b onclick="y()">b</b></div>')
    assert len(errors) == 2 and "Active content" in errors[0] and errors[1].startswith(TXT_1), errors


@pytest.mark.parametrize(
    ("div", "expected"),
    [
        (f'<div {NS}><a href="javascript:alert(1)">a</a></div>', "Active content"),
        (f'<div {NS}><a href=" JavaScript:x()">a</a></div>', "Active content"),
        ("<div><p>no namespace</p></div>", "Wrong namespace"),
        (f"<p {NS}>not a div</p>", "must start with div"),
        ('<div xmlns="http://hl7.org/fhir">in the FHIR namespace</div>', "Wrong namespace"),
        (f"<div {NS}>  <p> </p></div>", "txt-2"),
        (f"<div {NS}>&nbsp;</div>", "Invalid entity"),
        (f"<div {NS}><p>unclosed</div>", "not well formed"),
    ],
)
def test_forbidden_narrative(validator: Validator, div: str, expected: str) -> None:
    errors = _div_errors(validator, div)
    assert len(errors) == 1 and expected in errors[0], errors
