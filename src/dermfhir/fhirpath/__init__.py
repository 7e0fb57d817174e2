"""Compiled, cached FHIRPath over FHIR R4 JSON (a thin wrapper around fhirpathpy).

`compile(expression)` parses once and caches; `evaluate(resource, expression, node=…, type_name=…)` runs it with
`%resource`, `%rootResource` and `%context` set, and never raises: failures come back as `FhirPathError`.
Adds `hasValue()`, which fhirpathpy lacks, and `resolve()`, `conformsTo()`, `memberOf()` through the `Services` the
caller sets in `SERVICES` (the validator: contained resources and Bundle entries, its profiles and terminology).
Quantities are compared with their UCUM units and dates with their precision in the common subset (`fast`,
`compare`). Not provided: `%vs-`/`%ext-` variables, and a hard time limit (expressions of FHIR invariants are small
and total).
"""

from __future__ import annotations

from dermfhir.fhirpath.engine import SERVICES, CompiledExpression, FhirPathError, Services, compile, evaluate, truthy

__all__ = ["SERVICES", "CompiledExpression", "FhirPathError", "Services", "compile", "evaluate", "truthy"]
