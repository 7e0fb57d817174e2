"""Primitive formats."""

from __future__ import annotations

import pytest

from dermfhir.validation.primitives import check_primitive, id_problem
from tests.validation.conftest import error_locations


@pytest.mark.parametrize(
    ("type_code", "value"),
    [
        ("date", "2020"),
        ("date", "2020-02-29"),
        ("dateTime", "2020-01-01T10:00:00+01:00"),
        ("instant", "2020-01-01T10:00:00.123Z"),
        ("time", "23:59:59"),
        ("decimal", 1.5),
        ("integer", -3),
        ("positiveInt", 1),
        ("unsignedInt", 0),
        ("code", "a b"),
        ("id", "a-b.c"),
        ("uri", "urn:x"),
        ("oid", "urn:oid:1.2.3"),
        ("uuid", "urn:uuid:c757873d-ec9a-4326-a141-556f43239520"),
        ("base64Binary", "aGVsbG8="),
        ("boolean", False),
    ],
)
def test_valid_primitives(type_code, value):
    assert check_primitive(type_code, value) is None


@pytest.mark.parametrize(
    ("type_code", "value"),
    [
        ("date", "2020-02-30"),
        ("date", "20-01-01"),
        ("dateTime", "2020-01-01T10:00:00"),
        ("instant", "2020-01-01"),
        ("time", "24:00:00"),
        ("decimal", "1.5"),
        ("integer", 1.5),
        ("integer", 2**31),
        ("positiveInt", 0),
        ("unsignedInt", -1),
        ("code", " a"),
        ("uri", "a b"),
        ("oid", "1.2.3"),
        ("uuid", "urn:uuid:xyz"),
        ("boolean", "true"),
        ("string", ""),
    ],
)
def test_invalid_primitives(type_code, value):
    assert check_primitive(type_code, value) is not None


def test_resource_id(validator):
    assert id_problem("abc") is None
    reported = {
        resource_id: [
            (i.message_id, i.message) for i in validator.issues({"resourceType": "Patient", "id": resource_id})
        ]
        for resource_id in ("a_b", "x" * 65)
    }
    assert reported == {
        "a_b": [("RESOURCE_RES_ID_Malformed", "Invalid Resource id: Invalid Characters ('a_b')")],
        "x" * 65: [("RESOURCE_RES_ID_Malformed", "Invalid Resource id: Too long (65 chars)")],
    }


def test_locations_of_primitive_errors(validator):
    resource = {"resourceType": "Patient", "id": "bad id", "birthDate": "1970-13-01", "active": "yes"}
    assert sorted(error_locations(validator, resource)) == ["Patient.active", "Patient.birthDate", "Patient.id"]


def test_narrative_entities(validator):
    good = {
        "resourceType": "Patient",
        "text": {"status": "generated", "div": '<div xmlns="http://www.w3.org/1999/xhtml">a &amp; b</div>'},
    }
    bad = {
        "resourceType": "Patient",
        "text": {"status": "generated", "div": '<div xmlns="http://www.w3.org/1999/xhtml">&reg;</div>'},
    }
    assert error_locations(validator, good) == []
    assert error_locations(validator, bad) == ["Patient.text.div"]


@pytest.mark.parametrize("type_code", ["uri", "url", "canonical"])
def test_uuid_and_oid_urns_in_uris_follow_the_uuid_and_oid_types(type_code: str) -> None:
    """R4 datatypes: a UUID as a URI is urn:uuid: with the lowercase hex form; an OID is urn:oid: with its digits."""
    assert check_primitive(type_code, "urn:uuid:c757873d-ec9a-4326-a141-556f43239520") is None
    assert check_primitive(type_code, "urn:oid:2.16.840.1.113883") is None
    assert check_primitive(type_code, "urn:uuid:not-a-uuid") is not None
    assert check_primitive(type_code, "urn:uuid:C757873D-EC9A-4326-A141-556F43239520") is not None
    assert check_primitive(type_code, "urn:oid:1.2.x") is not None
    assert check_primitive(type_code, "urn:oid:3.1") is not None


def test_uuid_is_lowercase() -> None:
    assert check_primitive("uuid", "urn:uuid:C757873D-EC9A-4326-A141-556F43239520") is not None


def test_a_bundle_fullurl_that_is_not_a_uuid(validator) -> None:  # type: ignore[no-untyped-def]
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"fullUrl": "urn:uuid:1234", "resource": {"resourceType": "Basic", "code": {"text": "x"}}}],
    }
    assert error_locations(validator, bundle) == ["Bundle.entry[0].fullUrl"]
