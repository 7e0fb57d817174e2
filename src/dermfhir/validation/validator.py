"""The Validator: compiled profiles and terminology held across calls, one OperationOutcome per call."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Any

import orjson

from dermfhir.definitions import Definitions
from dermfhir.fhirjson import Decimal
from dermfhir.terminology import Terminology
from dermfhir.validation import health_cards
from dermfhir.validation.context import Options, Run
from dermfhir.validation.memo import Memo
from dermfhir.validation.messages import MessageId
from dermfhir.validation.model import Models
from dermfhir.validation.outcome import Issue, IssueType, operation_outcome
from dermfhir.validation.structure import Walker


class Validator:
    """Validates FHIR R4 JSON resources against the core definitions and profiles.

    >>> validator = Validator()                                   # doctest: +SKIP
    >>> validator.validate({"resourceType": "Patient", "gender": "x"})["issue"][0]["severity"]  # doctest: +SKIP
    'error'
    """

    def __init__(self, definitions: Definitions | None = None, terminology: Any = None, **options: Any) -> None:
        self.definitions = definitions if definitions is not None else Definitions.default()
        self.terminology = terminology if terminology is not None else Terminology(self.definitions)
        self.options = Options(**options)
        self.models = Models(self.definitions)
        #: answers of the terminology, which never change for a validator's definitions (see bindings.py)
        self.code_checks: dict[tuple, Any] = {}
        self.binding_checks: dict[tuple, Any] = {}
        #: element walks remembered by content (see `memo`); None walks every element every time
        self.memo: Memo | None = Memo()

    def with_options(self, **options: Any) -> Validator:
        """A validator sharing the compiled profiles and terminology but with other options."""
        other = Validator.__new__(Validator)
        other.definitions = self.definitions
        other.terminology = self.terminology
        other.models = self.models
        other.code_checks = self.code_checks
        other.binding_checks = self.binding_checks
        other.options = dataclasses.replace(self.options, **options)
        other.memo = Memo() if self.memo is not None else None  # remembered issues depend on the options
        return other

    def issues(self, resource: Any, profiles: list[str] | None = None) -> list[Issue]:
        """The issues found in `resource` (meta.profile and `profiles` applied); never raises. When the listing was
        capped (`Options.max_issues`), a last issue says how many of each severity are not listed."""
        return self.run(resource, profiles).report()

    def run(self, resource: Any, profiles: list[str] | None = None, path: str = "", bundle_index: Any = None) -> Run:
        """The Run of one validation: its issues and the counts of every severity, listed or not; never raises.
        `bundle_index` resolves the references of a Bundle whose entries are not all present (see `stream`)."""
        run = Run(self.options)
        problem = _bounds(resource, self.options)
        if problem is not None:
            where = resource.get("resourceType") if isinstance(resource, dict) else None
            run.add("fatal", problem[0], problem[1], path or (where if isinstance(where, str) else ""), **problem[2])
            return run
        walker = Walker(self, run)
        if bundle_index is not None:
            walker.bundle_index, walker.bundle_root = bundle_index, resource
        try:
            if not path and health_cards.is_health_card_file(resource):
                health_cards.check(walker, resource)
            else:
                walker.resource(resource, path, tuple(profiles or ()), explicit=True)
        except RecursionError:
            run.add("fatal", IssueType.TOO_COSTLY, MessageId.TOO_DEEP_RECURSION, path)
        except Exception as error:  # a validator bug must not become the caller's crash
            run.add("fatal", IssueType.EXCEPTION, MessageId.INTERNAL, path, __name__=type(error).__name__, error=error)
        return run

    def validate(self, resource: Any, profiles: list[str] | None = None) -> dict:
        """An OperationOutcome for `resource` (a dict of FHIR JSON)."""
        return operation_outcome(self.issues(resource, profiles))

    def validate_file(self, path: Any, profiles: list[str] | None = None) -> Any:
        """Results (`stream.Result`) for every resource of a JSON, NDJSON or XML file, streamed: files of any size
        are validated with flat memory."""
        from dermfhir.validation.stream import validate_file

        return validate_file(self, Path(path), profiles)


_SCALARS = frozenset({str, int, float, bool, type(None), Decimal})
#: integers Python can turn into text (JSON parsers refuse longer numbers)
_MAX_INT_BITS = int(sys.get_int_max_str_digits() * 3.32) if sys.get_int_max_str_digits() else 1 << 62


def _bounds(resource: Any, options: Options) -> tuple[IssueType, MessageId, dict[str, Any]] | None:
    """(code, message id, placeholder values) of the fatal issue when `resource` is not JSON data, nests deeper than
    `max_depth` objects (or `2 × max_depth` objects and arrays: FHIR JSON never puts an array directly in an array) or
    is larger than `max_size` bytes as JSON text; None when it can be validated."""
    size = 0
    if options.max_size is not None:
        try:
            size = len(orjson.dumps(resource))
        except (orjson.JSONEncodeError, TypeError):
            size = -1  # nested more than 255 levels, a number beyond 64 bits or not JSON data: measured below
    approximate = 0
    measure = size < 0  # the size is only estimated here when orjson could not serialize the content
    stack: list[tuple[Any, int, int]] = [(resource, 0, 0)]
    while stack:
        value, objects, levels = stack.pop()
        levels += 1
        kind = type(value)
        if kind is dict:
            objects += 1
            for key in value:
                if type(key) is not str:
                    return IssueType.STRUCTURE, MessageId.NOT_JSON_PROPERTY_NAME, {}
            if measure:
                approximate += sum(len(key) for key in value)
            items: Any = value.values()
        elif kind is list:
            items = value
        elif kind in _SCALARS:
            continue
        else:
            return IssueType.STRUCTURE, MessageId.NOT_JSON, {"kind": kind.__name__}
        if objects > options.max_depth or levels > 2 * options.max_depth:
            return IssueType.TOO_COSTLY, MessageId.TOO_DEEP, {"max_depth": options.max_depth}
        for item in items:
            kind = type(item)
            if kind is str:
                if measure:
                    approximate += len(item)
            elif kind in _SCALARS:
                if measure:
                    if kind is int and item.bit_length() > _MAX_INT_BITS:
                        return IssueType.TOO_COSTLY, MessageId.TOO_LARGE_NUMBER, {}
                    approximate += 8
            else:
                stack.append((item, objects, levels))  # objects, arrays and anything else (reported when popped)
    size = size if size >= 0 else approximate
    if options.max_size is not None and size > options.max_size:
        return IssueType.TOO_COSTLY, MessageId.TOO_LARGE, {"size": size, "max_size": options.max_size}
    return None


_default: Validator | None = None


def validate(resource: Any, profiles: list[str] | None = None) -> dict:
    """Validate with a process-wide Validator on the default definitions (core + the guide)."""
    global _default
    if _default is None:
        _default = Validator()
    return _default.validate(resource, profiles)
