"""Syntax trees kept on disk: written once, read back by later compiles, and never trusted when damaged."""

from __future__ import annotations

import pytest

from dermfhir.fhirpath import engine, parser


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    parser.cache_folder.cache_clear()
    yield tmp_path
    parser.cache_folder.cache_clear()


def test_a_tree_is_written_then_read_back(cache_home) -> None:
    expression = "name.where(use = 'official').given.count() > 1"
    first = engine.CompiledExpression(expression)
    files = list(parser.cache_folder().glob("*.json"))
    assert len(files) == 1 and files[0].parent.parent == cache_home / "dermfhir"
    again = engine.CompiledExpression(expression)
    patient = {"resourceType": "Patient", "name": [{"use": "official", "given": ["A", "B"]}]}
    assert first(patient) == again(patient) == [True]


def test_a_damaged_or_foreign_entry_is_parsed_again(cache_home) -> None:
    expression = "active.exists()"
    engine.CompiledExpression(expression)
    (path,) = parser.cache_folder().glob("*.json")
    for damaged in (b"{not json", b'{"expression": "other", "tree": {}}'):
        path.write_bytes(damaged)
        compiled = engine.CompiledExpression(expression)
        assert compiled({"resourceType": "Patient", "active": True}) == [True]
        assert compiled({"resourceType": "Patient"}) == [False]


@pytest.mark.parametrize(
    "expression",
    [
        "telecom.where(system = 'phone').value.startsWith('+')",
        "birthDate < @2000-01-01 and gender in ('male' | 'female')",
        "(contact.count() + 2) mod 2 = 0 implies name.exists()",
        "name.given.first().matches('^[A-Z]')",
    ],
)
def test_a_cached_tree_evaluates_as_a_fresh_parse(cache_home, expression) -> None:
    patient = {
        "resourceType": "Patient",
        "name": [{"given": ["Ann"]}],
        "gender": "female",
        "birthDate": "1990-05-01",
        "telecom": [{"system": "phone", "value": "+41 1"}],
    }
    fresh = engine.CompiledExpression(expression)(patient)  # parsed, then written
    assert len(list(parser.cache_folder().glob("*.json"))) == 1
    assert engine.CompiledExpression(expression)(patient) == fresh == [True]


def test_an_unwritable_cache_is_not_used(cache_home) -> None:
    (cache_home / "dermfhir").write_text("a file where the folder would be")
    compiled = engine.CompiledExpression("active = true")
    assert compiled.error is None and compiled({"resourceType": "Patient", "active": True}) == [True]


@pytest.mark.parametrize("expression", ["name.where(", "name..given", "1 +", "name.(", "name) or active", "active 'x'"])
def test_bad_syntax_is_an_error_never_a_recovered_tree(cache_home, expression) -> None:
    """ANTLR's error recovery would compile these to some other expression (or stop at the first complete one)."""
    compiled = engine.CompiledExpression(expression)
    assert compiled.error is not None and "syntax error at column" in compiled.error
    with pytest.raises(engine.FhirPathError):
        compiled({"resourceType": "Patient", "active": True})
    assert not list(parser.cache_folder().glob("*.json"))


def test_no_home_folder_means_no_cache(monkeypatch) -> None:
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)

    def no_home() -> None:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(parser.Path, "home", staticmethod(no_home))
    parser.cache_folder.cache_clear()
    try:
        assert parser.cache_folder() is None
        compiled = engine.CompiledExpression("active.not()")
        assert compiled.error is None and compiled({"resourceType": "Patient", "active": False}) == [True]
    finally:
        parser.cache_folder.cache_clear()
