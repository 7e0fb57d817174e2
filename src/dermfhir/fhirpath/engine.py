"""The FHIRPath engine wrapper: compile once (LRU cache), evaluate at any node with the standard variables.

Expressions are parsed by `parser.parse` (strictly, with their syntax trees kept on disk between runs)."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from functools import lru_cache
from typing import Any, Protocol, cast

from fhirpathpy import apply_parsed_path
from fhirpathpy.engine.invocations import invocation_registry
from fhirpathpy.engine.invocations import types as fp_types
from fhirpathpy.engine.nodes import FP_Quantity, ResourceNode
from fhirpathpy.engine.util import set_paths
from fhirpathpy.models import models

from dermfhir.fhirpath import fast
from dermfhir.fhirpath.compare import UCUM, compare_quantities
from dermfhir.fhirpath.parser import FhirPathError, parse

__all__ = ["CompiledExpression", "FhirPathError", "compile", "evaluate", "truthy"]

#: fhirpathpy's table of functions and operators (name → {"fn": …, "arity": …})
fp_invocations = cast(dict[str, dict[str, Any]], invocation_registry)

_R4 = models["r4"]


def _has_value(collection: list) -> list:
    """`hasValue()`: a single primitive with a value (not only extensions)."""
    if len(collection) != 1:
        return [False]
    item = collection[0]
    return [item is not None and not isinstance(item, dict | list)]


def _ignore_trace(*_: object) -> None:
    """`trace()` writes nowhere: a validator must not print."""


class Services(Protocol):
    """What the functions that look outside the focus need from the caller (the validator provides them)."""

    def resolve(self, reference: str) -> dict | None:
        """The resource a reference points to (contained, in the Bundle), or None."""

    def conforms_to(self, resource: Any, profile: str) -> bool | None:
        """Whether `resource` validates against `profile`; None when the profile is not known."""

    def member_of(self, value: Any, value_set: str) -> bool | None:
        """Whether a code, Coding or CodeableConcept is in the value set; None when that cannot be decided."""


#: The services of the evaluation in progress (set with `services()`); without them the functions answer empty.
SERVICES: ContextVar[Services | None] = ContextVar("fhirpath_services", default=None)


def _resolve(collection: list) -> list:
    """`resolve()`: the resources that References (or reference strings) in the input point to, where known."""
    services = SERVICES.get()
    if services is None:
        return []
    found = []
    for item in collection:
        reference = item.get("reference") if isinstance(item, dict) else item
        if isinstance(reference, str):
            target = services.resolve(reference)
            if isinstance(target, dict) and isinstance(target.get("resourceType"), str):
                found.append(ResourceNode.create_node(target, target["resourceType"]))
    return found


def _conforms_to(collection: list, profile: Any) -> list:
    """`conformsTo(url)`: whether the single input resource conforms to the profile (empty when unknown)."""
    services = SERVICES.get()
    urls = profile if isinstance(profile, list) else [profile]
    if services is None or len(collection) != 1 or len(urls) != 1 or not isinstance(urls[0], str):
        return []
    answer = services.conforms_to(collection[0], urls[0])
    return [] if answer is None else [answer]


def _member_of(collection: list, value_set: Any) -> list:
    """`memberOf(valueset)`: whether the single code / Coding / CodeableConcept is in the value set."""
    services = SERVICES.get()
    urls = value_set if isinstance(value_set, list) else [value_set]
    if services is None or len(collection) != 1 or len(urls) != 1 or not isinstance(urls[0], str):
        return []
    answer = services.member_of(collection[0], urls[0])
    return [] if answer is None else [answer]


#: the System type of the value of each FHIR primitive (the `value` element of its R4 StructureDefinition has type
#: http://hl7.org/fhirpath/System.<name>)
_SYSTEM_TYPE_OF = {
    "boolean": "Boolean",
    "integer": "Integer",
    "positiveInt": "Integer",
    "unsignedInt": "Integer",
    "decimal": "Decimal",
    "date": "Date",
    "dateTime": "DateTime",
    "instant": "DateTime",
    "time": "Time",
    **{
        name: "String"
        for name in (
            "string",
            "code",
            "id",
            "markdown",
            "uri",
            "url",
            "canonical",
            "oid",
            "uuid",
            "base64Binary",
        )
    },
}


def _is(ctx: Any, collection: list, type_info: Any) -> Any:
    """`x is T`, where an unqualified System type name (`Boolean`, `String`, …) also matches a FHIR primitive whose
    value is of that type: `answer is Boolean` holds for an `answerBoolean` (R4 que-7)."""
    result = fp_types.is_fn(ctx, collection, type_info)
    if result is False and len(collection) == 1 and getattr(type_info, "namespace", None) is None:
        item = collection[0]
        info = item.get_type_info() if isinstance(item, ResourceNode) else None
        if info is not None and _SYSTEM_TYPE_OF.get(info.name) == type_info.name:
            return True
    return result


def _is_op(ctx: Any, left: list, type_info: Any) -> Any:
    return _is(ctx, left, type_info)


def _as_op(ctx: Any, left: list, type_info: Any) -> Any:
    return left if _is(ctx, left, type_info) is True else fp_types.as_fn(ctx, left, type_info)


def _quantity(item: Any) -> dict | None:
    """A Quantity operand as FHIR JSON (value, system, code), from a literal (`5 'mg'`) or an element; None for
    anything else, and for calendar-duration literals (`1 year`), which keep fhirpathpy's rules."""
    if isinstance(item, FP_Quantity):
        unit = str(item.unit)
        if not (len(unit) >= 2 and unit[0] == unit[-1] == "'"):
            return None
        return {"value": item.value, "system": UCUM, "code": unit[1:-1]}
    data = item.data if isinstance(item, ResourceNode) else None
    if isinstance(data, dict) and "value" in data and ("code" in data or "unit" in data):
        info = item.get_type_info()
        if info is not None and info.name in _QUANTITY_TYPES:
            return data
    return None


_QUANTITY_TYPES = frozenset({"Quantity", "Age", "Count", "Distance", "Duration", "MoneyQuantity", "SimpleQuantity"})


def _quantity_operator(name: str, wanted: Callable[[int], bool]) -> Callable[..., list]:
    """A comparison operator that compares two Quantities with their UCUM units (FHIRPath: Quantities with
    comparable units are compared after conversion; units that do not compare give empty), and leaves every other
    operand to fhirpathpy."""
    original = fp_invocations[name]["fn"]

    def operator(ctx: Any, left: list, right: list) -> Any:
        if len(left) == 1 and len(right) == 1:
            a, b = _quantity(left[0]), _quantity(right[0])
            if a is not None and b is not None:
                order = compare_quantities(a, b)
                if order is not None:
                    return [wanted(order)]
                if name not in ("=", "!="):
                    return []
        return original(ctx, left, right)

    return operator


def _extend_operators() -> None:
    """Put the type test and the Quantity comparisons above into fhirpathpy's operator table. They replace
    operators, which the user-function hook cannot do faithfully: it hands functions neither the evaluation context
    nor the typed nodes (a Quantity element, a FHIR boolean) that these need."""
    fp_invocations["isOp"] = {**fp_invocations["isOp"], "fn": _is_op}
    fp_invocations["asOp"] = {**fp_invocations["asOp"], "fn": _as_op}
    fp_invocations["is"] = {**fp_invocations["is"], "fn": _is}
    for name, wanted in (
        ("=", lambda order: order == 0),
        ("!=", lambda order: order != 0),
        ("<", lambda order: order < 0),
        (">", lambda order: order > 0),
        ("<=", lambda order: order <= 0),
        (">=", lambda order: order >= 0),
    ):
        fp_invocations[name] = {**fp_invocations[name], "fn": _quantity_operator(name, wanted)}


_extend_operators()

_INVOCATIONS = {
    "hasValue": {"fn": _has_value, "arity": {0: []}},
    "resolve": {"fn": _resolve, "arity": {0: []}},
    "conformsTo": {"fn": _conforms_to, "arity": {1: ["String"]}},
    "memberOf": {"fn": _member_of, "arity": {1: ["String"]}},
}


class CompiledExpression:
    """A parsed FHIRPath expression, ready to run many times."""

    __slots__ = ("_fast", "_function", "error", "expression", "roots")

    def __init__(self, expression: str) -> None:
        self.expression = expression
        self.error: str | None = None
        self._function: Callable[..., list] | None = None
        self._fast: fast.Program | None = None
        self.roots: tuple[str, ...] | None = None
        try:
            tree = parse(expression)  # parsed once (or read from the cache), for both evaluators
            self._function = set_paths(
                apply_parsed_path,
                parsedPath=tree,
                model=_R4,
                options={"userInvocationTable": _INVOCATIONS, "traceFn": _ignore_trace},
            )
        except Exception as error:  # fhirpathpy raises many kinds of errors on bad syntax
            self.error = f"{type(error).__name__}: {error}"
            return
        self._fast = fast.compile(expression, tree)
        #: the focus's elements the expression reads, when that is all it reads (see `fast.roots`), else None
        self.roots = self._fast.roots if self._fast is not None else None

    def __call__(
        self,
        data: Any,
        type_name: str | None = None,
        resource: Any = None,
        root_resource: Any = None,
        variables: dict | None = None,
    ) -> list:
        """Evaluate at `data` (of FHIR type / element path `type_name`); raises FhirPathError on any failure."""
        if self._function is None:
            raise FhirPathError(self.error or "expression did not compile")
        if self._fast is not None and not variables:
            focus_type = type_name
            if focus_type is None and isinstance(data, dict) and isinstance(data.get("resourceType"), str):
                focus_type = data["resourceType"]
            try:
                return self._fast.evaluator(focus_type)(
                    [data],
                    {
                        "resource": resource if resource is not None else data,
                        "rootResource": root_resource
                        if root_resource is not None
                        else (resource if resource is not None else data),
                        "context": data,
                    },
                )
            except fast.Fallback:
                pass
            except RecursionError as error:
                raise FhirPathError("expression too deeply nested") from error
        context = {
            "resource": resource if resource is not None else data,
            "rootResource": root_resource
            if root_resource is not None
            else (resource if resource is not None else data),
            "context": data,
        }
        if variables:
            context.update(variables)
        node = ResourceNode.create_node(data, type_name) if type_name else data
        try:
            return list(self._function(node, context))
        except RecursionError as error:
            raise FhirPathError("expression too deeply nested") from error
        except Exception as error:
            raise FhirPathError(f"{type(error).__name__}: {error}") from error


@lru_cache(maxsize=4096)
def compile(expression: str) -> CompiledExpression:
    """The compiled expression (cached by text)."""
    return CompiledExpression(expression)


def evaluate(
    data: Any,
    expression: str,
    type_name: str | None = None,
    resource: Any = None,
    root_resource: Any = None,
    variables: dict | None = None,
) -> list:
    """Compile (cached) and evaluate `expression` at `data`; raises FhirPathError."""
    return compile(expression)(data, type_name, resource, root_resource, variables)


def truthy(result: list) -> bool | None:
    """The boolean meaning of an invariant's result: empty → None, [True] → True, anything else false-ish."""
    if not result:
        return None
    if len(result) == 1 and isinstance(result[0], bool):
        return result[0]
    return True
