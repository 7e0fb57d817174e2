"""FHIR R4 validation driven by StructureDefinition snapshots: structure, profiles, slicing, bindings, references,
invariants → OperationOutcome.

>>> from dermfhir.validation import Validator                          # doctest: +SKIP
>>> Validator().validate({"resourceType": "Patient", "active": "yes"})  # doctest: +SKIP

Not checked (see each module's docstring for detail): full snapshot generation for StructureDefinitions (their
differential is replayed against the base for the common errors only, see `conformance_resources`),
OperationDefinition parameters against their input/output profiles; terminology that cannot be expanded offline;
references to servers.
"""

from dermfhir.validation.context import Options
from dermfhir.validation.outcome import Issue, IssueType, Severity, error_count, operation_outcome
from dermfhir.validation.validator import Validator, validate

__all__ = [
    "Issue",
    "IssueType",
    "Options",
    "Severity",
    "Validator",
    "error_count",
    "operation_outcome",
    "validate",
]
