"""The store's errors, one hierarchy; `http_status` and `issue_code` map each to HTTP and OperationOutcome::

StoreError                      500  exception
 ├── NotFound                   404  not-found     no such resource or version
 │    └── Gone                  410  deleted       the resource (or that version) is deleted
 ├── VersionConflict            412  conflict      If-Match names a version that is not the current one
 ├── PreconditionFailed         412  multiple-matches  a conditional interaction matched more than one
 ├── InvalidResource            400  invalid       not a resource the store can take (type, id, shape)
 ├── InvalidSearch              400  invalid       unknown/unsupported search parameter or bad value
 ├── QueryTimeout               503  timeout       a statement ran past the statement timeout, or was cancelled
 ├── Unavailable                503  transient     no database connection came free in time
 └── SchemaError                500  exception     the database schema is newer than this code
"""

from __future__ import annotations


class StoreError(Exception):
    """Base of every store error."""

    http_status = 500
    issue_code = "exception"


class NotFound(StoreError):
    """No resource (or version) with that type and id."""

    http_status = 404
    issue_code = "not-found"


class Gone(NotFound):
    """The resource, or the asked-for version, is deleted."""

    http_status = 410
    issue_code = "deleted"


class VersionConflict(StoreError):
    """`If-Match` named a version other than the current one."""

    http_status = 412
    issue_code = "conflict"


class PreconditionFailed(StoreError):
    """A conditional create, update or delete matched more than one resource."""

    http_status = 412
    issue_code = "multiple-matches"


class InvalidResource(StoreError):
    """The resource cannot be stored: unknown resourceType, bad or mismatching id, not a JSON object."""

    http_status = 400
    issue_code = "invalid"


class InvalidSearch(StoreError):
    """A search parameter is unknown or unsupported, or its value is malformed; the message names it."""

    http_status = 400
    issue_code = "invalid"

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"Search parameter '{parameter}': {message}")
        self.parameter = parameter


class QueryTimeout(StoreError):
    """A statement ran longer than the store's statement timeout, or its request was cancelled."""

    http_status = 503
    issue_code = "timeout"


class Unavailable(StoreError):
    """Every database connection stayed busy past the pool timeout: try again later."""

    http_status = 503
    issue_code = "transient"


class SchemaError(StoreError):
    """The database was written by a newer dermfhir (its schema version is unknown here)."""
