"""Issues and the OperationOutcome built from them.

Every issue has a severity, an IssueType code, a message, a stable message id and the FHIRPath-style location of
the element it is about (`Observation.component[1].valueQuantity.value`). Its message is the text of its `MessageId`
(`messages.TEXTS`): `Issue.of` builds it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from dermfhir.validation.messages import REPORTED_AS, TEXTS, MessageId

#: The extension that carries the stable message id of an issue.
MESSAGE_ID_URL = "http://hl7.org/fhir/StructureDefinition/operationoutcome-message-id"
#: The extensions that carry the line and column of an issue in the text validated (as the HL7 validator does).
LINE_URL = "http://hl7.org/fhir/StructureDefinition/operationoutcome-issue-line"
COLUMN_URL = "http://hl7.org/fhir/StructureDefinition/operationoutcome-issue-col"


class Severity(StrEnum):
    FATAL = "fatal"
    ERROR = "error"
    WARNING = "warning"
    INFORMATION = "information"


class IssueType(StrEnum):
    """The IssueType codes (http://hl7.org/fhir/issue-type) a validator reports."""

    INVALID = "invalid"
    STRUCTURE = "structure"
    REQUIRED = "required"
    VALUE = "value"
    INVARIANT = "invariant"
    BUSINESS_RULE = "business-rule"
    CODE_INVALID = "code-invalid"
    NOT_FOUND = "not-found"
    NOT_SUPPORTED = "not-supported"
    INFORMATIONAL = "informational"
    PROCESSING = "processing"
    TOO_COSTLY = "too-costly"
    EXCEPTION = "exception"
    SECURITY = "security"
    INCOMPLETE = "incomplete"


@dataclass(frozen=True, slots=True)
class Issue:
    """One finding; `location` is the FHIRPath expression of the element concerned."""

    severity: str
    code: str
    message: str
    location: str
    message_id: str = ""
    #: where the element is in the JSON text (1-based), when the text is known
    line: int = 0
    column: int = 0

    @classmethod
    def of(
        cls,
        severity: str,
        code: IssueType,
        message_id: MessageId,
        location: str,
        /,
        *,
        reported_id: str = "",
        line: int = 0,
        column: int = 0,
        **values: Any,
    ) -> Issue:
        """The issue of `message_id`: its text is `TEXTS[message_id]` formatted with `values`; it carries
        `reported_id` when given (a failed invariant's own id, a primitive type's id), else the id of `message_id`
        (see `messages.REPORTED_AS`)."""
        return cls(
            severity,
            str(code),
            TEXTS[message_id].format_map(values),
            location,
            reported_id or str(REPORTED_AS.get(message_id, message_id)),
            line,
            column,
        )

    @property
    def is_error(self) -> bool:
        return self.severity in ("error", "fatal")

    def to_json(self) -> dict:
        issue: dict = {"severity": self.severity, "code": self.code, "details": {"text": self.message}}
        if self.message_id:
            issue["extension"] = [{"url": MESSAGE_ID_URL, "valueString": self.message_id}]
            issue["details"]["coding"] = [
                {"system": "http://dermfhir.org/CodeSystem/validation-message", "code": self.message_id}
            ]
        if self.line:
            issue.setdefault("extension", []).extend(
                [
                    {"url": LINE_URL, "valueInteger": self.line},
                    {"url": COLUMN_URL, "valueInteger": self.column},
                ]
            )
        if self.location:
            issue["expression"] = [self.location]
            issue["location"] = [self.location]
        if self.line:
            issue.setdefault("location", []).append(f"Line[{self.line}] Col[{self.column}]")
        return issue


_ORDER = {"fatal": 0, "error": 1, "warning": 2, "information": 3}


def operation_outcome(issues: list[Issue]) -> dict:
    """The OperationOutcome of a validation: issues in document order, deduplicated; `All OK` when there are none."""
    seen: set[tuple[str, str, str]] = set()
    unique: list[Issue] = []
    for issue in issues:
        key = (issue.severity, issue.location, issue.message)
        if key not in seen:
            seen.add(key)
            unique.append(issue)
    if not unique:
        return {
            "resourceType": "OperationOutcome",
            "issue": [
                {"severity": "information", "code": "informational", "details": {"text": TEXTS[MessageId.ALL_OK]}}
            ],
        }
    return {"resourceType": "OperationOutcome", "issue": [issue.to_json() for issue in unique]}


def error_count(outcome: dict) -> int:
    """How many issues of an OperationOutcome are errors or fatal."""
    return sum(1 for issue in outcome.get("issue", []) if issue.get("severity") in ("error", "fatal"))
