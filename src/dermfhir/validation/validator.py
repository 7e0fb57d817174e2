"""The Validator: compiled profiles and terminology held across calls, one OperationOutcome per call."""

from __future__ import annotations

import dataclasses
from typing import Any

from dermfhir.definitions import Definitions
from dermfhir.validation.context import Options, Run
from dermfhir.validation.model import Models
from dermfhir.validation.outcome import Issue, operation_outcome
from dermfhir.validation.structure import Walker
from dermfhir.validation.terminology import make_terminology


class Validator:
    """Validates FHIR R4 JSON resources against the core definitions and profiles.

    >>> validator = Validator()                                   # doctest: +SKIP
    >>> validator.validate({"resourceType": "Patient", "gender": "x"})["issue"][0]["severity"]  # doctest: +SKIP
    'error'
    """

    def __init__(self, definitions: Definitions | None = None, terminology: Any = None, **options: Any) -> None:
        self.definitions = definitions if definitions is not None else Definitions.default()
        self.terminology = terminology if terminology is not None else make_terminology(self.definitions)
        self.options = Options(**options)
        self.models = Models(self.definitions)

    def with_options(self, **options: Any) -> Validator:
        """A validator sharing the compiled profiles and terminology but with other options."""
        other = Validator.__new__(Validator)
        other.definitions = self.definitions
        other.terminology = self.terminology
        other.models = self.models
        other.options = dataclasses.replace(self.options, **options)
        return other

    def issues(self, resource: Any, profiles: list[str] | None = None) -> list[Issue]:
        """The issues found in `resource` (meta.profile and `profiles` applied); never raises."""
        run = Run(self.options)
        walker = Walker(self, run)
        try:
            walker.resource(resource, "", tuple(profiles or ()), explicit=True)
        except RecursionError:
            run.add("fatal", "too-costly", "The content is nested too deeply to validate", "", "TOO_DEEP")
        except Exception as error:  # a validator bug must not become the caller's crash
            run.add(
                "fatal",
                "exception",
                f"Internal error while validating: {type(error).__name__}: {error}",
                "",
                "INTERNAL",
            )
        seen: set[tuple[str, str, str]] = set()
        issues = []
        for issue in run.issues:
            key = (issue.severity, issue.location, issue.message)
            if key in seen or _suppressed(issue, self.options.suppress):
                continue
            seen.add(key)
            issues.append(issue)
        return issues

    def validate(self, resource: Any, profiles: list[str] | None = None) -> dict:
        """An OperationOutcome for `resource` (a dict of FHIR JSON)."""
        return operation_outcome(self.issues(resource, profiles))


def _suppressed(issue: Issue, suppress: tuple[str, ...]) -> bool:
    for rule in suppress:
        message_id, _, location = rule.partition("@")
        if (
            message_id == issue.message_id
            or (
                message_id
                and issue.message_id.endswith("#" + message_id.rpartition("#")[2])
                and "#" in message_id
                and issue.message_id == message_id
            )
        ) and (not location or location == issue.location):
            return True
    return False


_default: Validator | None = None


def validate(resource: Any, profiles: list[str] | None = None) -> dict:
    """Validate with a process-wide Validator on the default definitions (core + the guide)."""
    global _default
    if _default is None:
        _default = Validator()
    return _default.validate(resource, profiles)
