"""The server's one error vocabulary, and the one place where every error becomes HTTP status + OperationOutcome.

Specification: https://hl7.org/fhir/R4/http.html#summary (status codes) and
https://hl7.org/fhir/R4/operationoutcome.html. Hierarchy::

FhirError                         status  issue code
 ├── BadRequest                   400     invalid / structure / value
 ├── Unauthorized                 401     login
 ├── Forbidden                    403     forbidden
 ├── ResourceNotFound             404     not-found
 ├── MethodNotAllowed             405     not-supported
 ├── NotAcceptable                406     not-supported
 ├── Conflict                     409     conflict
 ├── PreconditionFailed           412     conflict / multiple-matches
 ├── PayloadTooLarge              413     too-costly
 ├── UnsupportedMediaType         415     not-supported
 ├── Unprocessable                422     processing (carries the validator's OperationOutcome)
 └── ServiceUnavailable           503     transient (answered with Retry-After)

Store errors answer their own status: 4xx, and 503 (with Retry-After) for a statement timeout or a busy pool.

Store errors (`dermfhir.store.errors`) carry their own `http_status` and `issue_code`; anything else is a 500 whose
response says only that an internal error happened (never a stack trace, SQL or exception text).
"""

from __future__ import annotations

import logging

from dermfhir.store.errors import InvalidSearch, StoreError

log = logging.getLogger("dermfhir.server")


class FhirError(Exception):
    """An error answered with `status` and an OperationOutcome (`outcome`, or one issue made of the message)."""

    status = 500
    code = "exception"

    def __init__(self, message: str, *, code: str | None = None, outcome: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.outcome = outcome


class BadRequest(FhirError):
    status, code = 400, "invalid"


class Unauthorized(FhirError):
    status, code = 401, "login"


class Forbidden(FhirError):
    status, code = 403, "forbidden"


class ResourceNotFound(FhirError):
    status, code = 404, "not-found"


class MethodNotAllowed(FhirError):
    status, code = 405, "not-supported"


class NotAcceptable(FhirError):
    status, code = 406, "not-supported"


class Conflict(FhirError):
    status, code = 409, "conflict"


class PreconditionFailed(FhirError):
    status, code = 412, "conflict"


class PayloadTooLarge(FhirError):
    status, code = 413, "too-costly"


class UnsupportedMediaType(FhirError):
    status, code = 415, "not-supported"


class Unprocessable(FhirError):
    status, code = 422, "processing"


class ServiceUnavailable(FhirError):
    status, code = 503, "transient"


def operation_outcome(severity: str, code: str, text: str, expression: str | None = None) -> dict:
    """An OperationOutcome with one issue."""
    issue: dict = {"severity": severity, "code": code, "diagnostics": text}
    if expression:
        issue["expression"] = [expression]
    return {"resourceType": "OperationOutcome", "issue": [issue]}


def error_outcome(error: BaseException) -> tuple[int, dict]:
    """HTTP status and OperationOutcome for any exception; the only mapping from errors to responses."""
    if isinstance(error, FhirError):
        return error.status, error.outcome or operation_outcome("error", error.code, error.message)
    if isinstance(error, StoreError) and error.http_status != 500:
        expression = error.parameter if isinstance(error, InvalidSearch) else None
        return error.http_status, operation_outcome("error", error.issue_code, str(error), expression)
    log.exception("internal error", exc_info=error)
    return 500, operation_outcome("fatal", "exception", "Internal server error; the server log has the details")


def error_count(outcome: dict) -> int:
    """Number of error and fatal issues in an OperationOutcome."""
    return sum(1 for issue in outcome.get("issue", []) if issue.get("severity") in ("error", "fatal"))
