"""Errors are never lost: caps on the listing, large Bundles validated entry by entry, NDJSON line by line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dermfhir.cli.main import main
from dermfhir.validation import Validator, stream
from dermfhir.validation.context import Run

UNKNOWN_PROFILE = "http://example.org/fhir/StructureDefinition/not-loaded"


def _patient(number: int, **extra: object) -> dict:
    # an unknown profile in meta.profile is a warning (R4 validation page: profiles that cannot be found)
    return {"resourceType": "Patient", "id": f"p{number}", "meta": {"profile": [UNKNOWN_PROFILE]}, **extra}


def _bundle(count: int, last: dict | None = None) -> dict:
    entries = [{"fullUrl": f"http://example.org/fhir/Patient/p{n}", "resource": _patient(n)} for n in range(count)]
    if last is not None:
        entries[-1] = {"fullUrl": f"http://example.org/fhir/{last['resourceType']}/{last['id']}", "resource": last}
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def test_an_error_displaces_warnings_when_the_listing_is_full(validator: Validator) -> None:
    capped = validator.with_options(max_issues=5)
    bundle = _bundle(40, last={"resourceType": "Patient", "id": "bad", "gender": "neither"})
    issues = capped.issues(bundle)
    errors = [issue for issue in issues if issue.is_error]
    assert {issue.location for issue in errors} == {"Bundle.entry[39].resource.gender"}
    notice = issues[-1]
    assert notice.message_id == "VALIDATION_ISSUES_TRUNCATED" and "not listed" in notice.message
    assert len(issues) == 6 and f"{len(errors)} errors or fatal" in notice.message


def test_run_counts_every_severity_past_the_cap(validator: Validator) -> None:
    run = validator.with_options(max_issues=3).run(
        _bundle(10, last={"resourceType": "Patient", "id": "x", "gender": 1})
    )
    assert run.counts["warning"] == 9 and run.error_count == 1
    assert run.unlisted["warning"] == 7
    assert [issue.location for issue in run.listed() if issue.is_error] == ["Bundle.entry[9].resource.gender"]


def test_run_without_a_cap_reached_has_no_notice() -> None:
    from dermfhir.validation.context import Options
    from dermfhir.validation.messages import MessageId
    from dermfhir.validation.outcome import IssueType

    run = Run(Options(max_issues=10))
    run.warning(IssueType.INVALID, MessageId.TX_NOT_EXPANDABLE, "Patient", value_set="v")
    assert run.report()[-1].message == "The value set v cannot be checked here" and not run.unlisted


def test_a_single_resource_is_never_refused_for_its_size(validator: Validator) -> None:
    names = [{"family": "x" * 1000} for _ in range(70_000)]  # ~75 MB of JSON text: beyond the old 64 MB refusal
    issues = validator.issues({"resourceType": "Patient", "name": names, "gender": "bad"})
    assert {issue.location for issue in issues if issue.is_error} == {"Patient.gender"}


@pytest.fixture()
def small_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stream, "STREAM_THRESHOLD", 1024)
    monkeypatch.setattr(stream, "CHUNK", 7)


def _write(path: Path, value: object) -> Path:
    path.write_text(json.dumps(value, indent=1))
    return path


def test_streamed_bundle_reports_the_error_in_its_last_entry(tmp_path, validator, small_threshold) -> None:
    bad = {"resourceType": "Observation", "id": "o1", "status": "not-a-status", "code": {"text": "x"}}
    path = _write(tmp_path / "b.json", _bundle(50, last=bad))
    (result,) = list(stream.validate_file(validator, path))
    assert result.errors >= 1 and result.warnings == 49
    assert {issue.location for issue in result.issues if issue.is_error} == {"Bundle.entry[49].resource.status"}


def test_streamed_and_whole_bundles_agree(tmp_path, validator, small_threshold) -> None:
    """Every chunk sees the Bundle's own elements, the first entry, and all entries for references."""
    composition = {
        "resourceType": "Composition",
        "id": "c",
        "status": "final",
        "type": {"text": "note"},
        "date": "2024-01-01",
        "title": "t",
        "author": [{"reference": "Patient/p3"}],
        "subject": {"reference": "Patient/p30"},
        "section": [{"title": "s", "entry": [{"reference": "Patient/missing"}]}],
    }
    bundle = _bundle(30)
    for entry in bundle["entry"]:
        del entry["resource"]["meta"]
    bundle["type"] = "document"
    bundle["identifier"] = {"system": "urn:ietf:rfc:3986", "value": "urn:uuid:0c3151bd-1cbf-4d64-b04d-cd9187a4c6e0"}
    bundle["timestamp"] = "2024-01-01T00:00:00Z"
    bundle["entry"].insert(0, {"fullUrl": "http://example.org/fhir/Composition/c", "resource": composition})
    bundle["entry"].append(bundle["entry"][5])  # a duplicate fullUrl, 26 entries away from the first
    bundle["entry"][20]["resource"]["link"] = [
        {"other": {"reference": "Patient/p1"}, "type": "seealso"},
        {"other": {"reference": "Observation/nowhere"}, "type": "seealso"},
    ]
    whole = {(i.severity, i.location, i.message) for i in validator.issues(bundle) if i.is_error}
    path = _write(tmp_path / "doc.json", bundle)
    (result,) = list(stream.validate_file(validator, path))
    streamed = {(i.severity, i.location, i.message) for i in result.issues if i.is_error}
    assert streamed == whole
    assert any("bdl-7" in message for _, _, message in streamed)
    assert any("Patient/missing" in message for _, _, message in streamed)


def test_duplicate_property_in_a_streamed_bundle(tmp_path, validator, small_threshold) -> None:
    text = json.dumps(_bundle(20))
    text = text.replace('"id": "p13"', '"id": "p13", "id": "p13"')
    path = tmp_path / "dup.json"
    path.write_text(text)
    (result,) = list(stream.validate_file(validator, path))
    (error,) = [issue for issue in result.issues if issue.is_error]
    assert error.message_id == "DUPLICATE_JSON_PROPERTY" and error.location == "Bundle.entry[13].resource"


def test_truncated_large_file_is_a_fatal_issue(tmp_path, validator, small_threshold) -> None:
    path = tmp_path / "cut.json"
    path.write_text(json.dumps(_bundle(20))[:-40])
    (result,) = list(stream.validate_file(validator, path))
    assert result.issues[0].severity == "fatal" and result.errors == 1


def test_ndjson_is_read_line_by_line(tmp_path, validator) -> None:
    path = tmp_path / "r.ndjson"
    lines = [json.dumps(_patient(n)) for n in range(5)]
    lines[3] = json.dumps({"resourceType": "Patient", "id": "x", "birthDate": "2024-13-01"})
    lines.insert(2, "")
    lines.append('{"resourceType": "Patient", "id": ')
    path.write_text("\n".join(lines) + "\n")
    results = list(stream.validate_file(validator, path))
    assert [r.line for r in results] == [1, 2, 4, 5, 6, 7]
    assert [r.line for r in results if r.errors] == [5, 7]
    assert results[-1].issues[0].line == 7 and results[-1].issues[0].severity == "fatal"
    birth_date = next(issue for issue in results[3].issues if issue.is_error)
    assert (birth_date.line, birth_date.column) == (5, lines[4].index('"2024-13-01"') + 1)


@pytest.mark.slow
def test_cli_twenty_thousand_entries_error_in_the_last_exits_1(tmp_path, core, capsys, monkeypatch) -> None:
    """The reported failure: thousands of warnings must not hide an error at the end of a large Bundle."""
    monkeypatch.setattr(stream, "STREAM_THRESHOLD", 1024 * 1024)
    bad = {"resourceType": "Patient", "id": "last", "gender": "invalid-gender"}
    path = _write(tmp_path / "big.json", _bundle(20_000, last=bad))
    assert main(["validate", "--format", "json", str(path)]) == 1
    report = json.loads(capsys.readouterr().out)
    (item,) = report["results"]
    assert item["errors"] >= 1 and item["warnings"] == 19_999
    locations = {i.get("expression", [""])[0] for i in item["outcome"]["issue"] if i["severity"] == "error"}
    assert locations == {"Bundle.entry[19999].resource.gender"}
    assert report["summary"]["errors"] == item["errors"]


def test_large_bundle_whose_entry_is_not_an_array(tmp_path, validator, small_threshold) -> None:
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": {"resource": _patient(1)}, "id": "x" * 2000}
    (result,) = list(stream.validate_file(validator, _write(tmp_path / "odd.json", bundle)))
    assert "Bundle.entry" in {issue.location for issue in result.issues if issue.is_error}
