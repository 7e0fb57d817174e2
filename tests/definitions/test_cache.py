from pathlib import Path

import pytest

from dermfhir.definitions import PackageNotFoundError, package_cache, package_folder


def test_cache_comes_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FHIR_PACKAGE_CACHE", str(tmp_path))
    assert package_cache() == tmp_path


def test_cache_defaults_to_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("FHIR_PACKAGE_CACHE", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert package_cache() == tmp_path / ".fhir" / "packages"


def test_missing_core_package_says_how_to_fix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FHIR_PACKAGE_CACHE", str(tmp_path))
    with pytest.raises(PackageNotFoundError) as raised:
        package_folder("hl7.fhir.r4.core", "4.0.1")
    message = str(raised.value)
    assert str(tmp_path) in message
    assert "make setup" in message
    assert "dermfhir packages install-core" in message
