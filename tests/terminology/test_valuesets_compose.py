"""ValueSet.compose rules on a small in-memory vocabulary: filters, exclusions, imports, open parts."""

from __future__ import annotations

import pytest

from dermfhir.terminology import Terminology

from .conftest import DIAGNOSIS, FLAT, NOT_LOADED, PARTIAL, SITE, SNOMED, vs_url


def codes(terminology: Terminology, name: str) -> set[str]:
    return {item.code for item in terminology.expand(vs_url(name)).contains}


MALIGNANT = {"malignant", "melanoma", "melanoma-in-situ", "invasive-melanoma", "bcc", "scc"}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("malignant", MALIGNANT),
        ("below-malignant", MALIGNANT - {"malignant"}),
        ("above-in-situ", {"melanoma-in-situ", "melanoma", "malignant"}),
        ("nevi", {"nevus", "blue-nevus", "dysplastic-nevus"}),
        ("carcinomas", {"bcc", "scc"}),
        ("retired", {"old-code"}),
        ("display-regex", {"melanoma", "melanoma-in-situ", "invasive-melanoma"}),
        (
            "exclusions",
            {"malignant", "melanoma-in-situ", "invasive-melanoma", "bcc", "scc", "indeterminate", "old-code"},
        ),
        ("melanomas-import", {"melanoma", "melanoma-in-situ", "invasive-melanoma"}),
        ("listed-and-imported", {"bcc"}),
        (
            "active-only",
            MALIGNANT | {"benign", "nevus", "blue-nevus", "dysplastic-nevus", "seborrheic-keratosis", "indeterminate"},
        ),
        ("below-root", {"left", "right", "left-leaf"}),
        ("children-of-root", {"left", "right"}),
    ],
)
def test_enumerated_value_sets(local: Terminology, name: str, expected: set[str]) -> None:
    expansion = local.expand(vs_url(name))
    assert expansion.complete, expansion.reasons
    assert {item.code for item in expansion.contains} == expected


def test_is_not_a(local: Terminology) -> None:
    assert codes(local, "not-malignant") == codes(local, "all-diagnoses") - MALIGNANT


def test_membership_follows_the_expansion(local: Terminology) -> None:
    assert local.validate_code(vs_url("malignant"), DIAGNOSIS, "invasive-melanoma").valid
    check = local.validate_code(vs_url("malignant"), DIAGNOSIS, "blue-nevus")
    assert check.invalid
    assert check.message == (
        f"The code 'blue-nevus' from system '{DIAGNOSIS}' is not in the value set '{vs_url('malignant')}'"
    )
    assert local.validate_code(vs_url("exclusions"), DIAGNOSIS, "melanoma").invalid
    assert local.validate_code(vs_url("exclusions"), DIAGNOSIS, "nevus").invalid


def test_abstract_and_inactive_flags(local: Terminology) -> None:
    expansion = local.expand(vs_url("all-diagnoses"))
    benign = expansion.item(DIAGNOSIS, "benign")
    assert benign is not None and benign.abstract and not benign.inactive
    assert local.validate_code(vs_url("all-diagnoses"), DIAGNOSIS, "old-code").inactive
    assert local.validate_code(vs_url("active-only"), DIAGNOSIS, "old-code").invalid


def test_designations_count_as_displays(local: Terminology) -> None:
    check = local.validate_code(vs_url("malignant"), DIAGNOSIS, "melanoma", "malignant  MELANOMA")
    assert check.display_ok is True
    wrong = local.validate_code(vs_url("malignant"), DIAGNOSIS, "melanoma", "Melanom")
    assert wrong.display_ok is False
    assert wrong.message == (
        f"Wrong Display Name 'Melanom' for {DIAGNOSIS}#melanoma. "
        "Valid display is one of 2 choices: 'Melanoma' or 'Malignant melanoma'"
    )


def test_listed_display_overrides_and_code_system_display_still_counts(local: Terminology) -> None:
    expansion = local.expand(vs_url("mixed-snomed"))
    assert expansion.item(DIAGNOSIS, "melanoma").display == "Melanoma of skin"  # type: ignore[union-attr]
    for display in ("Melanoma of skin", "Melanoma"):
        assert local.validate_code(vs_url("mixed-snomed"), DIAGNOSIS, "melanoma", display).display_ok


def test_mixed_value_set_open_only_for_snomed(local: Terminology) -> None:
    vs = vs_url("mixed-snomed")
    assert not local.expand(vs).complete
    assert local.expand(vs).open_systems == {SNOMED}
    assert local.validate_code(vs, SNOMED, "404684003").result == "unknown"
    assert local.validate_code(vs, DIAGNOSIS, "bcc").result == "invalid"  # not listed; our system is closed
    assert local.validate_code(vs, None, "melanoma").result == "valid"
    assert local.validate_code(vs, None, "bcc").result == "unknown"  # could be a SNOMED code


def test_listed_codes_of_unloaded_system_are_members(local: Terminology) -> None:
    vs = vs_url("listed-not-loaded")
    assert local.expand(vs).complete
    check = local.validate_code(vs, NOT_LOADED, "x1", "listed example concept")
    assert check.valid and check.display_ok and not check.system_known
    assert local.validate_code(vs, NOT_LOADED, "x2").invalid


def test_snomed_exclusion_does_not_touch_other_systems(local: Terminology) -> None:
    expansion = local.expand(vs_url("exclude-snomed"))
    assert expansion.complete
    assert local.validate_code(vs_url("exclude-snomed"), DIAGNOSIS, "bcc").valid


def test_unknown_import_is_unknown(local: Terminology) -> None:
    check = local.validate_code(vs_url("missing-import"), DIAGNOSIS, "bcc")
    assert check.result == "unknown"
    assert "does-not-exist" in (check.reason or "")


def test_import_cycle_is_reported_not_fatal(local: Terminology) -> None:
    expansion = local.expand(vs_url("cycle-a"))
    assert not expansion.complete
    assert any("cycle" in reason for reason in expansion.reasons)
    assert local.validate_code(vs_url("cycle-a"), DIAGNOSIS, "bcc").valid


def test_unsupported_filter_property_is_unknown(local: Terminology) -> None:
    expansion = local.expand(vs_url("bad-property"))
    assert not expansion.complete and "colour" in expansion.reasons[0]
    assert local.validate_code(vs_url("bad-property"), DIAGNOSIS, "bcc").result == "unknown"
    assert local.validate_code(vs_url("bad-property"), DIAGNOSIS, "nonsense").result == "invalid"


def test_case_insensitive_value_set(local: Terminology) -> None:
    check = local.validate_code(vs_url("sites"), SITE, "HEAD", "head")
    assert check.valid and check.display_ok
    assert local.validate_code(vs_url("sites"), SITE, "Leg").invalid
    assert local.validate_code(vs_url("malignant"), DIAGNOSIS, "BCC").invalid  # case-sensitive system


def test_fragment_value_set(local: Terminology) -> None:
    assert local.validate_code(vs_url("partial"), PARTIAL, "a").valid
    assert local.validate_code(vs_url("partial"), PARTIAL, "b").result == "unknown"


def test_whole_unloaded_system(local: Terminology) -> None:
    expansion = local.expand(vs_url("loinc-all"))
    assert not expansion.complete and expansion.contains == []
    assert local.validate_code(vs_url("loinc-all"), "http://loinc.org", "8480-6").result == "unknown"


def test_flat_hierarchy_membership(local: Terminology) -> None:
    assert local.validate_code(vs_url("below-root"), FLAT, "left-leaf").valid
    assert local.validate_code(vs_url("below-root"), FLAT, "root").invalid


def test_expand_resource_not_cached(local: Terminology) -> None:
    resource = {
        "resourceType": "ValueSet",
        "status": "draft",
        "compose": {"include": [{"system": DIAGNOSIS, "concept": [{"code": "bcc"}, {"code": "nope"}]}]},
    }
    expansion = local.expand_resource(resource)
    assert [item.code for item in expansion.contains] == ["bcc"]  # 'nope' is not in the complete code system
    assert expansion.complete
