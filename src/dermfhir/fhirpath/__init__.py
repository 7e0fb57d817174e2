"""Compiled, cached FHIRPath over FHIR R4 JSON (a thin wrapper around fhirpathpy).

`compile(expression)` parses once and caches; `evaluate(resource, expression, node=…, type_name=…)` runs it with
`%resource`, `%rootResource` and `%context` set, and never raises: failures come back as `FhirPathError`.
Adds `hasValue()`, which fhirpathpy lacks. Not provided: UCUM conversions, `conformsTo()`, `%vs-`/`%ext-` variables,
`resolve()` across resources, and a hard time limit (expressions of FHIR invariants are small and total).
"""

from __future__ import annotations

from dermfhir.fhirpath.engine import CompiledExpression, FhirPathError, compile, evaluate, truthy

__all__ = ["CompiledExpression", "FhirPathError", "compile", "evaluate", "truthy"]
