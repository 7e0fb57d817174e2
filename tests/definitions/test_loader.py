"""The real R4 core package, as `make setup` installs it."""

import pytest

from dermfhir.definitions import Definitions, PackageNotFoundError, core_package


@pytest.fixture(scope="module")
def core() -> Definitions:
    try:
        return Definitions([core_package()])
    except PackageNotFoundError as error:
        pytest.skip(str(error))


def test_core_package_has_every_resource(core: Definitions) -> None:
    package = core.packages[0]
    assert len(package.index) == 4480
    kinds = {entry["resourceType"] for entry in package.index}
    assert {"StructureDefinition", "ValueSet", "CodeSystem", "SearchParameter", "ConceptMap"} <= kinds


def test_resolve_with_and_without_version(core: Definitions) -> None:
    url = "http://hl7.org/fhir/ValueSet/observation-status"
    assert core.resolve(url)["id"] == "observation-status"
    assert core.resolve(url + "|4.0.1")["id"] == "observation-status"
    assert core.resolve(url + "|4.0")["id"] == "observation-status"
    assert core.resolve(url + "|3.0.2") is None
    assert core.resolve("http://example.org/nothing") is None


def test_structure_definition_snapshot_access(core: Definitions) -> None:
    observation = core.structure_definition("Observation")
    assert observation is core.structure_definition("http://hl7.org/fhir/StructureDefinition/Observation|4.0.1")
    assert observation.kind == "resource"
    status = observation.element("Observation.status")
    assert (status.min, status.max) == (1, 1)
    assert status.binding["strength"] == "required"
    value = observation.element("Observation.value[x]")
    assert value.is_choice and "Quantity" in {t.code for t in value.types}
    children = [element.name for element in observation.children("Observation.component")]
    assert children[:4] == ["id", "extension", "modifierExtension", "code"]
    subject = observation.element("Observation.subject")
    assert "http://hl7.org/fhir/StructureDefinition/Patient" in subject.types[0].target_profiles


def test_slices_of_a_core_profile(core: Definitions) -> None:
    vitals = core.structure_definition("http://hl7.org/fhir/StructureDefinition/vitalsigns")
    assert vitals.element("Observation.category").slicing["rules"] == "open"
    assert [s.slice_name for s in vitals.slices("Observation.category")] == ["VSCat"]
    assert vitals.element("Observation.category:VSCat.coding.code").fixed() == ("fixedCode", "vital-signs")


def test_primitive_value_types_are_named(core: Definitions) -> None:
    string = core.structure_definition("string")
    assert string.element("string.value").types[0].code == "string"


def test_read_by_type_and_id(core: Definitions) -> None:
    assert core.read("CodeSystem", "observation-status")["url"] == "http://hl7.org/fhir/observation-status"


def test_may_mention_looks_at_the_text_before_parsing(tmp_path) -> None:
    from dermfhir.definitions import MemoryPackage, Package

    folder = tmp_path / "package"
    folder.mkdir()
    (folder / "package.json").write_text('{"name": "example.mention", "version": "0.1.0"}')
    (folder / "ImplementationGuide-a.json").write_text(
        '{"resourceType": "ImplementationGuide", "id": "a", "global": [{"type": "Patient", "profile": "x"}]}'
    )
    (folder / "ImplementationGuide-b.json").write_text('{"resourceType": "ImplementationGuide", "id": "b"}')
    package = Package(folder)
    assert package.may_mention("ImplementationGuide-a.json", b'"global"')
    assert not package.may_mention("ImplementationGuide-b.json", b'"global"')
    memory = MemoryPackage([{"resourceType": "ImplementationGuide", "id": "c"}])
    assert memory.may_mention(memory.index[0]["filename"], b'"global"')  # held parsed: looked at when loaded
