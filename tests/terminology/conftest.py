"""Shared fixtures: the real R4 core package, and a small guide-like vocabulary held in memory."""

from __future__ import annotations

import pytest

from dermfhir.definitions import Definitions, MemoryPackage, Package, core_package
from dermfhir.terminology import Terminology

EX = "http://example.org/fhir"
DIAGNOSIS = f"{EX}/CodeSystem/lesion-diagnosis"
SITE = f"{EX}/CodeSystem/site-ci"
PARTIAL = f"{EX}/CodeSystem/partial"
FLAT = f"{EX}/CodeSystem/flat-with-parents"
TARGET = f"{EX}/CodeSystem/target"
NOT_LOADED = f"{EX}/CodeSystem/not-loaded"
SNOMED = "http://snomed.info/sct"


def _concept(code: str, display: str, *children: dict, **properties: object) -> dict:
    concept: dict = {"code": code, "display": display}
    props = [{"code": name, _value_key(value): value} for name, value in properties.items()]
    if props:
        concept["property"] = props
    if children:
        concept["concept"] = list(children)
    return concept


def _value_key(value: object) -> str:
    return "valueBoolean" if isinstance(value, bool) else "valueCode"


DIAGNOSIS_CS = {
    "resourceType": "CodeSystem",
    "id": "lesion-diagnosis",
    "url": DIAGNOSIS,
    "version": "1.0.0",
    "status": "active",
    "content": "complete",
    "caseSensitive": True,
    "hierarchyMeaning": "is-a",
    "property": [
        {"code": "status", "uri": "http://hl7.org/fhir/concept-properties#status", "type": "code"},
        {"code": "notSelectable", "uri": "http://hl7.org/fhir/concept-properties#notSelectable", "type": "boolean"},
    ],
    "concept": [
        _concept(
            "benign",
            "Benign",
            _concept(
                "nevus",
                "Nevus",
                _concept("blue-nevus", "Blue nevus"),
                _concept("dysplastic-nevus", "Dysplastic nevus"),
            ),
            _concept("seborrheic-keratosis", "Seborrheic keratosis"),
            notSelectable=True,
        ),
        _concept(
            "malignant",
            "Malignant",
            _concept(
                "melanoma",
                "Melanoma",
                _concept("melanoma-in-situ", "Melanoma in situ"),
                _concept("invasive-melanoma", "Invasive melanoma"),
            ),
            _concept("bcc", "Basal cell carcinoma"),
            _concept("scc", "Squamous cell carcinoma"),
        ),
        _concept("indeterminate", "Indeterminate"),
        _concept("old-code", "Old code", status="retired"),
    ],
}
DIAGNOSIS_CS["concept"][1]["concept"][0]["designation"] = [{"language": "en", "value": "Malignant melanoma"}]

SITE_CS = {
    "resourceType": "CodeSystem",
    "id": "site-ci",
    "url": SITE,
    "status": "active",
    "content": "complete",
    "caseSensitive": False,
    "concept": [_concept("Head", "Head"), _concept("Trunk", "Trunk")],
}

PARTIAL_CS = {
    "resourceType": "CodeSystem",
    "id": "partial",
    "url": PARTIAL,
    "status": "active",
    "content": "fragment",
    "concept": [_concept("a", "A")],
}

FLAT_CS = {
    "resourceType": "CodeSystem",
    "id": "flat-with-parents",
    "url": FLAT,
    "status": "active",
    "content": "complete",
    "property": [{"code": "parent", "uri": "http://hl7.org/fhir/concept-properties#parent", "type": "code"}],
    "concept": [
        _concept("root", "Root"),
        _concept("left", "Left", parent="root"),
        _concept("right", "Right", parent="root"),
        _concept("left-leaf", "Left leaf", parent="left"),
    ],
}

SUPPLEMENT_CS = {
    "resourceType": "CodeSystem",
    "id": "diagnosis-supplement",
    "url": f"{EX}/CodeSystem/diagnosis-supplement",
    "status": "active",
    "content": "supplement",
    "supplements": DIAGNOSIS,
    "concept": [{"code": "melanoma", "designation": [{"language": "de", "value": "Melanom"}]}],
}


def value_set(name: str, compose: dict) -> dict:
    """A ValueSet resource named `name` at http://example.org/fhir/ValueSet/`name`."""
    return {
        "resourceType": "ValueSet",
        "id": name,
        "url": f"{EX}/ValueSet/{name}",
        "version": "1.0.0",
        "name": name.title().replace("-", ""),
        "status": "active",
        "compose": compose,
    }


def vs_url(name: str) -> str:
    return f"{EX}/ValueSet/{name}"


def _filter(prop: str, op: str, value: str, system: str = DIAGNOSIS) -> dict:
    return {"system": system, "filter": [{"property": prop, "op": op, "value": value}]}


VALUE_SETS = [
    value_set("all-diagnoses", {"include": [{"system": DIAGNOSIS}]}),
    value_set("malignant", {"include": [_filter("concept", "is-a", "malignant")]}),
    value_set("below-malignant", {"include": [_filter("concept", "descendent-of", "malignant")]}),
    value_set("not-malignant", {"include": [_filter("concept", "is-not-a", "malignant")]}),
    value_set("above-in-situ", {"include": [_filter("concept", "generalizes", "melanoma-in-situ")]}),
    value_set("nevi", {"include": [_filter("concept", "regex", ".*nevus")]}),
    value_set("carcinomas", {"include": [_filter("concept", "in", "bcc, scc")]}),
    value_set("retired", {"include": [_filter("status", "=", "retired")]}),
    value_set("display-regex", {"include": [_filter("display", "regex", ".*[Mm]elanoma.*")]}),
    value_set("bad-property", {"include": [_filter("colour", "=", "blue")]}),
    value_set(
        "exclusions",
        {
            "include": [{"system": DIAGNOSIS}],
            "exclude": [
                {"system": DIAGNOSIS, "concept": [{"code": "melanoma"}]},
                _filter("concept", "is-a", "benign"),
            ],
        },
    ),
    value_set("melanomas-import", {"include": [{"valueSet": [vs_url("malignant"), vs_url("display-regex")]}]}),
    value_set(
        "listed-and-imported",
        {
            "include": [
                {
                    "system": DIAGNOSIS,
                    "concept": [{"code": "bcc"}, {"code": "nevus"}],
                    "valueSet": [vs_url("malignant")],
                }
            ]
        },
    ),
    value_set("cycle-a", {"include": [{"valueSet": [vs_url("cycle-b")]}]}),
    value_set("cycle-b", {"include": [{"valueSet": [vs_url("cycle-a")]}, {"system": DIAGNOSIS}]}),
    value_set("missing-import", {"include": [{"valueSet": [f"{EX}/ValueSet/does-not-exist"]}]}),
    value_set(
        "mixed-snomed",
        {
            "include": [
                {"system": DIAGNOSIS, "concept": [{"code": "melanoma", "display": "Melanoma of skin"}]},
                _filter("concept", "is-a", "404684003", SNOMED),
            ]
        },
    ),
    value_set(
        "listed-not-loaded",
        {"include": [{"system": NOT_LOADED, "concept": [{"code": "x1", "display": "Listed example concept"}]}]},
    ),
    value_set(
        "exclude-snomed",
        {"include": [{"system": DIAGNOSIS}], "exclude": [_filter("concept", "is-a", "404684003", SNOMED)]},
    ),
    value_set("active-only", {"inactive": False, "include": [{"system": DIAGNOSIS}]}),
    value_set("sites", {"include": [{"system": SITE}]}),
    value_set("partial", {"include": [{"system": PARTIAL}]}),
    value_set("below-root", {"include": [_filter("concept", "descendent-of", "root", FLAT)]}),
    value_set("children-of-root", {"include": [_filter("parent", "=", "root", FLAT)]}),
    value_set("loinc-all", {"include": [{"system": "http://loinc.org"}]}),
]


def _target_map() -> dict:
    return {
        "resourceType": "ConceptMap",
        "id": "diagnosis-to-target",
        "url": f"{EX}/ConceptMap/diagnosis-to-target",
        "status": "active",
        "group": [
            {
                "source": DIAGNOSIS,
                "target": TARGET,
                "element": [
                    {
                        "code": "melanoma",
                        "target": [{"code": "T-MEL", "display": "Melanoma", "equivalence": "equivalent"}],
                    },
                    {
                        "code": "blue-nevus",
                        "target": [{"code": "T-NEV", "display": "Nevus", "equivalence": "wider"}],
                    },
                    {
                        "code": "indeterminate",
                        "target": [{"equivalence": "unmatched", "comment": "no target concept"}],
                    },
                ],
                "unmapped": {"mode": "other-map", "url": f"{EX}/ConceptMap/fallback"},
            }
        ],
    }


CONCEPT_MAPS = [
    _target_map(),
    {
        "resourceType": "ConceptMap",
        "id": "fallback",
        "url": f"{EX}/ConceptMap/fallback",
        "status": "active",
        "group": [
            {
                "source": DIAGNOSIS,
                "target": TARGET,
                "element": [{"code": "bcc", "target": [{"code": "T-BCC", "equivalence": "equal"}]}],
                "unmapped": {"mode": "fixed", "code": "T-OTHER", "display": "Other lesion"},
            }
        ],
    },
    {
        "resourceType": "ConceptMap",
        "id": "sites-as-provided",
        "url": f"{EX}/ConceptMap/sites-as-provided",
        "status": "active",
        "group": [{"source": SITE, "target": TARGET, "unmapped": {"mode": "provided"}}],
    },
]

RESOURCES = [DIAGNOSIS_CS, SITE_CS, PARTIAL_CS, FLAT_CS, SUPPLEMENT_CS, *VALUE_SETS, *CONCEPT_MAPS]


@pytest.fixture(scope="session")
def core() -> Package:
    return core_package()


@pytest.fixture(scope="session")
def terminology(core: Package) -> Terminology:
    """Terminology over the R4 core package alone."""
    return Terminology(Definitions([core]))


@pytest.fixture(scope="session")
def local(core: Package) -> Terminology:
    """Terminology over the core package plus the in-memory test vocabulary."""
    return Terminology(Definitions([core, MemoryPackage(RESOURCES, name="test.vocabulary")]))
