"""Terminology, offline: CodeSystem lookup, ValueSet expansion and membership, ConceptMap translation (FHIR R4).

>>> from dermfhir.definitions import Definitions, core_package
>>> terminology = Terminology(Definitions([core_package()]))
>>> terminology.validate_code("http://hl7.org/fhir/ValueSet/observation-status",
...                           "http://hl7.org/fhir/observation-status", "final").result
'valid'
>>> terminology.validate_code("http://hl7.org/fhir/ValueSet/body-site", "http://snomed.info/sct", "368209003").result
'unknown'

A check answers "valid", "invalid" or "unknown"; "unknown" (with a reason) is what cannot be judged from the loaded
packages, and it is never turned into "invalid".

Not handled:
- no remote terminology server: SNOMED CT, LOINC, UCUM, BCP-47, ISO 3166, ICD-10 and the rest of
  `codesystems.NON_ENUMERABLE_SYSTEMS` (and any code system that is not loaded) are never enumerated; codes a
  value set lists explicitly still count;
- no SNOMED CT expression constraints, post-coordination, ECL or implicit value sets (`?fhir_vs`);
- UCUM units get a syntax check only (no atom tables, no unit conversion), LOINC codes a check of their shape and
  check digit (`loinc.loinc_code_error`), BCP-47 tags none;
- CodeSystem supplements add nothing to expansions or lookups (`supplement` finds one); `hierarchyMeaning` is
  reported but any hierarchy serves is-a;
- designations are compared without regard to language; ConceptMap dependsOn / product are not evaluated.
"""

from dermfhir.terminology.codesystems import CodeSystemIndex
from dermfhir.terminology.conceptmaps import ConceptMapIndex
from dermfhir.terminology.filters import FilterNotSupported
from dermfhir.terminology.results import (
    CheckResult,
    CodeCheck,
    Concept,
    ConceptProperty,
    Designation,
    Expansion,
    ExpansionItem,
    Translation,
    normalise_display,
)
from dermfhir.terminology.service import Terminology
from dermfhir.terminology.ucum import ucum_syntax_error

__all__ = [
    "CheckResult",
    "CodeCheck",
    "CodeSystemIndex",
    "Concept",
    "ConceptMapIndex",
    "ConceptProperty",
    "Designation",
    "Expansion",
    "ExpansionItem",
    "FilterNotSupported",
    "Terminology",
    "Translation",
    "normalise_display",
    "ucum_syntax_error",
]
