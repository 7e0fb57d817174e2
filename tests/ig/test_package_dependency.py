"""The guide's tarball works as a dependency: a downstream FSH project derives a profile from it and compiles."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import orjson
import pytest

from dermfhir.definitions import PackageNotFoundError, core_package, terminology_packages
from dermfhir.definitions.install import install_stubs, install_tarball, write_tarball
from dermfhir.definitions.loader import GUIDE_PACKAGE_FOLDER

BASE = "https://annotatemd.com/fhir/ig/StructureDefinition/dermatology-image-annotation"

DOWNSTREAM_CONFIG = """\
canonical: http://example.org/fhir/downstream
status: draft
version: 0.0.1
fhirVersion: 4.0.1
FSHOnly: true
dependencies:
  annotatemd.dermatology-annotation: 0.1.0
  hl7.fhir.uv.tools.r4: 0.0.1-stub
  hl7.terminology.r4: 7.0.1
  hl7.fhir.uv.extensions.r4: 0.0.1-stub
"""

DOWNSTREAM_FSH = f"""\
Profile: ClinicDermoscopyAnnotation
Parent: {BASE}
Id: clinic-dermoscopy-annotation
Title: "Clinic Dermoscopy Annotation"
Description: "A clinic's annotation: the body site is required."
* bodySite 1..1
* performer 1..*
"""


@pytest.mark.toolchain
def test_downstream_project_derives_a_profile(sushi: Path, tmp_path: Path) -> None:
    try:
        installed = [core_package().folder.parent, terminology_packages()[0].folder.parent]
    except PackageNotFoundError as error:
        pytest.skip(str(error))
    cache = tmp_path / "home" / ".fhir" / "packages"
    cache.mkdir(parents=True)
    for package in installed:  # the core package and HL7 Terminology, which the guide depends on
        (cache / package.name).symlink_to(package)
    install_stubs(cache=cache)
    tarball = write_tarball(GUIDE_PACKAGE_FOLDER, tmp_path / "annotatemd.dermatology-annotation-0.1.0.tgz")
    install_tarball(tarball, cache=cache)

    project = tmp_path / "downstream"
    (project / "input" / "fsh").mkdir(parents=True)
    (project / "sushi-config.yaml").write_text(DOWNSTREAM_CONFIG)
    (project / "input" / "fsh" / "profile.fsh").write_text(DOWNSTREAM_FSH)
    environment = dict(os.environ, HOME=str(tmp_path / "home"))
    completed = subprocess.run(
        [str(sushi), "build", str(project), "--snapshot"], capture_output=True, text=True, env=environment, check=False
    )
    log = completed.stdout + completed.stderr
    assert completed.returncode == 0, log
    assert re.search(r"\b0 Errors\s+0 Warnings", log), log
    assert "Loaded annotatemd.dermatology-annotation#0.1.0" in log

    generated = project / "fsh-generated" / "resources" / "StructureDefinition-clinic-dermoscopy-annotation.json"
    profile = orjson.loads(generated.read_bytes())
    assert profile["baseDefinition"] == BASE
    elements = {element["id"]: element for element in profile["snapshot"]["element"]}
    assert elements["Observation.bodySite"]["min"] == 1
    # what the guide's profile constrains is inherited
    assert elements["Observation.derivedFrom"]["min"] >= 1
    assert elements["Observation.method"]["min"] == 1
    assert "Observation.component:skinFinding" in elements
