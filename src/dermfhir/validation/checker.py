"""The interface the rule modules (bindings, references, slicing, extensions, invariants, bundle, questionnaire,
conformance resources) see of the walk that calls them.

`structure.Walker` implements it; the rule modules depend on this Protocol only, so none of them imports the walker
(and the walker's module, which imports them all, is never imported back), and none imports another rule module to
resolve a reference or test conformance to a profile: they ask the walker (`resolve`, `conforms`).
`tests/validation/test_imports.py` checks that the imports among the validation modules form no cycle.
"""

from __future__ import annotations

from typing import Any, Protocol

from dermfhir.validation.context import Frame, Run
from dermfhir.validation.model import Models, Node, StructureModel


class Checker(Protocol):
    """One walk of an instance: where issues go, the compiled definitions, and the walk's entry points."""

    validator: Any  # the Validator: options, definitions, terminology caches
    run: Run
    models: Models
    terminology: Any
    depth: int
    #: how many times the walk looked beyond the element it was given (see `taint`)
    taints: int
    #: how many times a target or slice was checked against a profile (a probe, or a check deferred to the end)
    profile_checks: int
    #: (element path, type) of the element whose children are being walked: the context of its extensions
    context: tuple[str, str | None]
    #: (value, invariant key, expression) evaluated in this run → whether it reported an issue
    invariants_done: dict[tuple[int, str, str], bool]

    def taint(self) -> None:
        """Say that the walk in progress depends on more than the value and its definition (see `memo`)."""

    def resource(
        self,
        value: Any,
        path: str,
        profiles: tuple[str, ...] = (),
        container: Frame | None = None,
        bundle: Any = None,
        full_url: str | None = None,
        contained: bool = False,
        explicit: bool = False,
    ) -> None:
        """Validate a resource (and everything inside it)."""

    def element(
        self,
        node: Node,
        value: Any,
        path: str,
        type_code: str | None,
        frame: Frame,
        model: StructureModel,
        context_path: str | None = None,
    ) -> None:
        """Validate a complex value against `node`."""

    def resolve(self, reference: str, frame: Frame) -> dict | None:
        """The resource a reference points to (contained, in the enclosing Bundle or Parameters), or None."""

    def conforms(self, profile: str, value: Any, frame: Frame) -> bool:
        """Whether `value` validates against `profile` without errors (its issues are not kept)."""

    def walked_clean(
        self, profile: str, value: dict, container: Frame | None, bundle: Any, full_url: str | None
    ) -> bool:
        """Whether the run already walked `value`, a Bundle entry, against `profile` with no error (see `conforms`)."""

    def probe(self) -> Checker:
        """A walk of the same validator at the same depth into a fresh Run, for trying a value (does it conform?)."""
