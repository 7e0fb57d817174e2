"""Validator options with the HL7 validator's meaning: security checks on strings, HTML in markdown, the reference
validation policy; references between the resources of a Parameters."""

from __future__ import annotations

from dermfhir.validation import Validator


def _found(validator: Validator, resource: dict) -> list[tuple[str, str, str]]:
    return [(i.severity, i.location, i.message_id) for i in validator.issues(resource) if i.severity != "warning"]


def test_html_in_a_string_is_information_by_default_and_an_error_with_security_checks(validator: Validator) -> None:
    patient = {"resourceType": "Patient", "name": [{"text": "Ann <script>alert(1)</script>"}]}
    assert _found(validator, patient) == [("information", "Patient.name[0].text", "SECURITY_STRING_CONTENT_WARNING")]
    strict = validator.with_options(security_checks=True)
    assert _found(strict, patient) == [("error", "Patient.name[0].text", "SECURITY_STRING_CONTENT_ERROR")]


def test_angle_brackets_that_are_not_tags_are_text(validator: Validator) -> None:
    patient = {"resourceType": "Patient", "name": [{"text": "a < b and c > d, <unknown-tag>"}]}
    assert _found(validator.with_options(security_checks=True), patient) == []


def test_html_in_markdown_follows_the_option(validator: Validator) -> None:
    annotation = {"text": "**bold** and <b>html</b>"}
    resource = {"resourceType": "Observation", "status": "final", "code": {"text": "x"}, "note": [annotation]}
    location = "Observation.note[0].text"
    warned = [(i.severity, i.location) for i in validator.issues(resource) if i.message_id == "MARKDOWN_HTML"]
    assert warned == [("warning", location)]
    errors = validator.with_options(html_in_markdown="error").issues(resource)
    assert [(i.severity, i.location) for i in errors if i.message_id == "MARKDOWN_HTML"] == [("error", location)]
    assert not [i for i in validator.with_options(html_in_markdown="none").issues(resource) if i.code == "invalid"]


OBSERVATION = {
    "resourceType": "Observation",
    "status": "final",
    "code": {"text": "x"},
    "subject": {"reference": "Patient/nowhere"},
}


def test_reference_policy(validator: Validator) -> None:
    assert not [i for i in validator.issues(OBSERVATION) if i.is_error]  # the default: nothing must exist
    exists = validator.with_options(validate_reference="CHECK_EXISTS")
    found = [(i.location, i.message_id) for i in exists.issues(OBSERVATION) if i.is_error]
    assert found == [("Observation.subject", "Reference_REF_CantResolve")]
    wrong_type = {**OBSERVATION, "subject": {"reference": "Medication/m"}}
    assert [i for i in validator.issues(wrong_type) if i.message_id == "Reference_REF_BadTargetType"]
    assert not [i for i in validator.with_options(validate_reference="IGNORE").issues(wrong_type) if i.is_error]


def test_references_resolve_among_the_resources_of_parameters(validator: Validator) -> None:
    def parameters(target_id: str) -> dict:
        return {
            "resourceType": "Parameters",
            "parameter": [
                {"name": "patient", "resource": {"resourceType": "Patient", "id": "p1"}},
                {
                    "name": "result",
                    "part": [{"name": "observation", "resource": {**OBSERVATION, "subject": {"reference": target_id}}}],
                },
            ],
        }

    exists = validator.with_options(validate_reference="CHECK_EXISTS_AND_TYPE")
    assert not [i for i in exists.issues(parameters("Patient/p1")) if i.is_error]
    missing = [i.message_id for i in exists.issues(parameters("Patient/p2")) if i.is_error]
    assert missing == ["Reference_REF_CantResolve"]


def _markdown_html(validator: Validator, text: str) -> list[str]:
    resource = {"resourceType": "Observation", "status": "final", "code": {"text": "x"}, "note": [{"text": text}]}
    return [i.location for i in validator.issues(resource) if i.message_id == "MARKDOWN_HTML"]


def test_raw_html_in_markdown_is_any_tag_comment_or_declaration(validator: Validator) -> None:
    """CommonMark's raw HTML (spec 6.6) is any well-formed tag, not only HTML's elements."""
    for text in ("see <resource type>", "a <custom-tag>x</custom-tag>", "x <!-- hidden --> y", "<img src=x>\n\npara"):
        assert _markdown_html(validator, text) == ["Observation.note[0].text"], text


def test_tags_in_code_escapes_and_autolinks_are_not_raw_html(validator: Validator) -> None:
    for text in (
        "use `<b>` for bold",
        "text\n\n```\n<div>x</div>\n```\n",
        "para\n\n    <p>indented code</p>\n",
        "an escaped \\<b> tag",
        "see <https://example.org/a>",
        "a < b and c > d",
    ):
        assert _markdown_html(validator, text) == [], text
