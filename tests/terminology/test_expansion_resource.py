"""`Expansion.to_resource()`: the FHIR R4 ValueSet a `$expand` returns, with filter and paging."""

from __future__ import annotations

import pytest

from dermfhir.terminology import Terminology

from .conftest import DIAGNOSIS, vs_url

OBSERVATION_STATUS = "http://hl7.org/fhir/ValueSet/observation-status"


def test_resource_shape(terminology: Terminology) -> None:
    resource = terminology.expand(OBSERVATION_STATUS).to_resource()
    assert resource["resourceType"] == "ValueSet"
    assert resource["url"] == OBSERVATION_STATUS and resource["version"] == "4.0.1"
    assert resource["status"] and "compose" not in resource
    expansion = resource["expansion"]
    assert expansion["identifier"].startswith("urn:uuid:") and len(expansion["identifier"]) == 45
    assert expansion["timestamp"].startswith("20")
    assert expansion["total"] == 8 == len(expansion["contains"])
    assert "extension" not in expansion and "parameter" not in expansion
    assert expansion["contains"][0] == {
        "system": "http://hl7.org/fhir/observation-status",
        "version": "4.0.1",
        "code": "registered",
        "display": "Registered",
    }


def test_each_call_gets_a_new_identifier(terminology: Terminology) -> None:
    expansion = terminology.expand(OBSERVATION_STATUS)
    assert expansion.to_resource()["expansion"]["identifier"] != expansion.to_resource()["expansion"]["identifier"]


def test_filter_count_offset(terminology: Terminology) -> None:
    expansion = terminology.expand(OBSERVATION_STATUS)
    filtered = expansion.to_resource(filter="ERROR")["expansion"]
    assert [item["code"] for item in filtered["contains"]] == ["entered-in-error"]
    assert filtered["parameter"] == [{"name": "filter", "valueString": "ERROR"}]
    page = expansion.to_resource(count=3, offset=2)["expansion"]
    assert page["total"] == 8 and page["offset"] == 2
    assert [item["code"] for item in page["contains"]] == ["final", "amended", "corrected"]
    empty = expansion.to_resource(filter="no such words")["expansion"]
    assert empty["total"] == 0 and "contains" not in empty
    with pytest.raises(ValueError, match='"offset" and "count"'):
        expansion.to_resource(offset=-1)


def test_abstract_inactive_and_unclosed(local: Terminology) -> None:
    resource = local.expand(vs_url("all-diagnoses")).to_resource()
    by_code = {item["code"]: item for item in resource["expansion"]["contains"]}
    assert by_code["benign"]["abstract"] is True and "inactive" not in by_code["benign"]
    assert by_code["old-code"]["inactive"] is True
    assert by_code["melanoma"]["system"] == DIAGNOSIS
    open_resource = local.expand(vs_url("mixed-snomed")).to_resource()
    assert open_resource["expansion"]["extension"] == [
        {"url": "http://hl7.org/fhir/StructureDefinition/valueset-unclosed", "valueBoolean": True}
    ]


def test_unknown_value_set_resource(terminology: Terminology) -> None:
    resource = terminology.expand("http://example.org/ValueSet/nope").to_resource()
    assert resource["url"] == "http://example.org/ValueSet/nope"
    assert resource["expansion"]["total"] == 0
