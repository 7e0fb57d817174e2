"""A direct evaluator for the common subset of FHIRPath that invariants use, over plain FHIR JSON.

Profiles' invariants are mostly paths, `where`/`exists`/`all`, boolean logic, `=`/`!=`, number comparisons, `mod`
and `matches`. fhirpathpy evaluates them through a generic tree interpreter with type wrappers, about a hundred
times slower than closures over the JSON. `compile` turns the fhirpathpy syntax tree of an expression into such
closures when every part of it is in the subset below, and returns None otherwise. At run time anything outside the
subset's certain semantics (a comparison of mixed types, a non-boolean operand of `and`, a string compared with
`<`, a negative `mod` …) raises `Fallback`, and the caller evaluates the expression with fhirpathpy instead, so the
results are those of fhirpathpy wherever they could differ.

Subset: member paths (choice elements such as `value` resolved to `valueQuantity` …, primitives' `_name`
siblings ignored), `$this`, `%resource`, `%rootResource`, `%context`, string / integer / decimal / boolean literals,
`=`, `!=`, `<`, `<=`, `>`, `>=` (Quantities compared with their UCUM units, dates and times with their precision:
see `compare`), `and`, `or`, `implies`, `mod`, and the functions `exists`, `empty`, `count`, `where`, `all`, `not`,
`matches`, `startsWith`, `endsWith`, `first`, `hasValue`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fhirpathpy.models import models

from dermfhir.fhirpath.compare import compare_quantities, compare_temporal, quantity_parts
from dermfhir.fhirpath.parser import parse
from dermfhir.fhirpath.types import CHOICE_TYPES

Collection = list
Evaluator = Callable[[Collection, dict], Collection]


class Fallback(Exception):
    """The expression meets a case the subset does not decide: evaluate it with fhirpathpy."""


class Unsupported(Exception):
    """The expression is outside the subset."""


_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?")
_MODEL = models["r4"]


class Program:
    """A parsed expression in the subset; `evaluator(type_name)` gives its closures for a focus of that type."""

    __slots__ = ("_evaluators", "roots", "tree")

    def __init__(self, tree: dict) -> None:
        self.tree = tree
        self._evaluators: dict[str | None, Evaluator] = {}
        #: the focus's elements the expression reads (see `roots`), or None
        self.roots: tuple[str, ...] | None = None
        found = roots(tree)
        if found is not None:
            self.roots = tuple(sorted(found))

    def evaluator(self, type_name: str | None) -> Evaluator:
        found = self._evaluators.get(type_name)
        if found is None:
            found = _node(self.tree, type_name)[0]
            if len(self._evaluators) < 64:
                self._evaluators[type_name] = found
        return found


#: functions whose argument is evaluated on each item of their input (not on the expression's focus)
_ITERATING = frozenset({"where", "all", "exists"})


def roots(tree: dict) -> frozenset[str] | None:
    """The names of the focus's elements that an expression of the subset reads (`component.where(…)` reads only
    `component`), or None when it reads the focus as a whole (`$this`, `%context`, a function applied to the focus):
    two foci that agree on those elements give the same result."""
    found: set[str] = set()

    def visit(node: dict) -> bool:
        kind = node.get("type")
        children = node.get("children") or []
        if kind == "ExternalConstantTerm":
            return False  # %context is the focus itself (and %resource … are not the focus's elements)
        if kind == "InvocationTerm":
            invocation = children[0] if children else {}
            if invocation.get("type") == "MemberInvocation":
                found.add(invocation["children"][0]["text"])
                return True
            return False  # $this or a function of the focus
        if kind == "InvocationExpression":
            if not visit(children[0]):
                return False
            invocation = children[1]
            if invocation.get("type") != "FunctionInvocation":
                return True  # a member of the source's items
            function = invocation["children"][0]
            name = function["children"][0]["text"]
            if name in _ITERATING:
                return True  # its argument reads the items
            params = function["children"][1]["children"] if len(function["children"]) > 1 else []
            return all(visit(param) for param in params)
        return all(visit(child) for child in children)

    return frozenset(found) if visit(tree) else None


def compile(expression: str, tree: dict | None = None) -> Program | None:
    """The program of `expression` (or of its fhirpathpy syntax `tree`, when already parsed), or None when it is
    outside the subset (or does not parse)."""
    try:
        if tree is None:
            tree = parse(expression)
        _node(tree, None)
    except Unsupported:
        return None
    except Exception:  # a syntax error: fhirpathpy reports it
        return None
    return Program(tree)


# the tree ------------------------------------------------------------------------------------------------------------
Typed = tuple[Evaluator, str | None]  # an evaluator and the static type of its result (None: not known)


def _node(node: dict, focus_type: str | None) -> Typed:
    kind = node.get("type")
    children = node.get("children") or []
    if kind is None or kind in ("EntireExpression", "TermExpression", "InvocationTerm", "LiteralTerm"):
        if len(children) != 1:
            raise Unsupported(kind)
        if kind == "TermExpression" and children[0].get("type") == "InvocationTerm":
            return _invocation(children[0]["children"][0], None, focus_type)
        return _node(children[0], focus_type)
    if kind == "ParenthesizedTerm":
        return _node(children[0], focus_type)
    if kind == "InvocationExpression":
        return _invocation(children[1], _node(children[0], focus_type), focus_type)
    if kind == "StringLiteral":
        text = node["text"]
        if "\\" in text or len(text) < 2:
            raise Unsupported("escapes")
        value = text[1:-1]
        return (lambda focus, env: [value]), None
    if kind == "NumberLiteral":
        text = node["text"]
        if not _NUMBER.fullmatch(text):
            raise Unsupported(text)
        number: int | float = float(text) if "." in text else int(text)
        return (lambda focus, env: [number]), None
    if kind == "BooleanLiteral":
        flag = node["text"] == "true"
        return (lambda focus, env: [flag]), None
    if kind in ("EqualityExpression", "InequalityExpression", "AndExpression", "OrExpression", "ImpliesExpression"):
        operator = node["terminalNodeText"][0]
        (left, left_type), (right, right_type) = _node(children[0], focus_type), _node(children[1], focus_type)
        temporal = left_type in _TEMPORAL_TYPES or right_type in _TEMPORAL_TYPES
        general = _operator(operator, left, right, temporal)
        literal = _string_literal(children[1])
        if operator in ("=", "!=") and literal is not None and not temporal:
            return _equal_text(operator == "!=", left, literal, general), None
        return general, None
    if kind == "MultiplicativeExpression" and node["terminalNodeText"] == ["mod"]:
        return _mod(_node(children[0], focus_type)[0], _node(children[1], focus_type)[0]), None
    if kind == "PolarityExpression" and node["terminalNodeText"] == ["-"]:
        operand = _node(children[0], focus_type)[0]

        def evaluate_negative(focus: Collection, env: dict) -> Collection:
            value = operand(focus, env)
            if not value:
                return []
            number = _scalar(value)
            if type(number) not in (int, float):
                raise Fallback("not a number")
            return [-number]

        return evaluate_negative, None
    if kind == "ExternalConstantTerm":
        return _constant(children[0]), None
    raise Unsupported(kind)


def _string_literal(node: dict) -> str | None:
    """The text of a string literal operand (`'final'`), or None."""
    while node.get("type") in ("TermExpression", "LiteralTerm") and len(node.get("children") or []) == 1:
        node = node["children"][0]
    text = node.get("text")
    if node.get("type") != "StringLiteral" or not isinstance(text, str) or "\\" in text or len(text) < 2:
        return None
    return text[1:-1]


def _equal_text(negate: bool, left: Evaluator, literal: str, general: Evaluator) -> Evaluator:
    """`path = 'text'` (or `!=`): a single string on the left is compared directly; anything else is left to the
    general operator (quantities, mixed types, collections), which gives the same answers for strings."""

    def evaluate_equal_text(focus: Collection, env: dict) -> Collection:
        value = left(focus, env)
        if len(value) == 1 and type(value[0]) is str:
            return [(value[0] != literal) if negate else (value[0] == literal)]
        return general(focus, env)

    return evaluate_equal_text


def _constant(node: dict) -> Evaluator:
    name = node.get("text") or ""
    name = name.lstrip("%")
    if name not in ("resource", "rootResource", "context"):
        raise Unsupported(name)
    return lambda focus, env: [env[name]] if env.get(name) is not None else []


def _invocation(node: dict, source: Typed | None, focus_type: str | None) -> Typed:
    kind = node.get("type")
    source_type = source[1] if source is not None else focus_type
    if kind == "MemberInvocation":
        name = node["children"][0]["text"]
        if not name or not name[0].islower() or name.startswith("`"):
            raise Unsupported(name)
        step, result_type = _step(source_type, name)
        if source is None:
            return (lambda focus, env: step(focus)), result_type
        before = source[0]
        return (lambda focus, env: step(before(focus, env))), result_type
    if kind == "ThisInvocation":
        if source is not None:
            raise Unsupported("$this")
        return (lambda focus, env: focus), focus_type
    if kind == "FunctionInvocation":
        function = node["children"][0]
        name = function["children"][0]["text"]
        params = function["children"][1]["children"] if len(function["children"]) > 1 else []
        arguments = [_node(param, source_type)[0] for param in params]
        evaluator = source[0] if source is not None else (lambda focus, env: focus)
        return _function(name, arguments, evaluator), (source_type if name in ("where", "first") else None)
    raise Unsupported(kind)


def _step(owner: str | None, name: str) -> tuple[Callable[[Collection], Collection], str | None]:
    """The member access `name` on items of type `owner` (a type name or, for backbone elements, their path)."""
    if owner is not None:
        path = f"{owner}.{name}"
        path = _MODEL["pathsDefinedElsewhere"].get(path, path)
        choices = _MODEL["choiceTypePaths"].get(path)
        if choices is not None:
            names = tuple(name + (c[:1].upper() + c[1:]) for c in choices)
            order = {key: index for index, key in enumerate(names)}
            keys = frozenset(names) | frozenset("_" + key for key in names)
            return (lambda focus: _choice_member(focus, order, keys)), None
        found = _MODEL["path2Type"].get(path)
        if found is not None or _is_backbone(path):
            result = path if found in (None, "BackboneElement", "Element") else found
            return (lambda focus: _member(focus, name)), result
    return (lambda focus: _untyped_member(focus, name)), None


def _is_backbone(path: str) -> bool:
    prefix = path + "."
    return any(key.startswith(prefix) for key in _backbone_index().get(path.split(".", 1)[0], ()))


_BACKBONES: dict[str, list[str]] = {}


def _backbone_index() -> dict[str, list[str]]:
    if not _BACKBONES:
        for key in _MODEL["path2Type"]:
            _BACKBONES.setdefault(key.split(".", 1)[0], []).append(key)
    return _BACKBONES


def _add(result: list, item: dict, key: str) -> None:
    value = item.get(key)
    if "_" + key in item:
        raise Fallback("a primitive with extensions")
    if value is None:
        return
    if type(value) is list:
        if None in value:
            raise Fallback("a null in an array")
        result.extend(value)
    else:
        result.append(value)


def _member(focus: Collection, name: str) -> Collection:
    result: list = []
    for item in focus:
        if type(item) is not dict:
            raise Fallback("a member of a primitive or of a nested collection")
        _add(result, item, name)
    return result


def _choice_member(focus: Collection, order: dict[str, int], keys: frozenset[str]) -> Collection:
    """The values of a choice element (`value` → valueQuantity …), in the order of the element's types."""
    result: list = []
    for item in focus:
        if type(item) is not dict:
            raise Fallback("a member of a primitive or of a nested collection")
        present = [key for key in item if key in keys]
        if not present:
            continue
        if any(key[0] == "_" for key in present):
            raise Fallback("a primitive with extensions")
        if len(present) > 1:
            present.sort(key=order.__getitem__)
        for key in present:
            _add(result, item, key)
    return result


def _untyped_member(focus: Collection, name: str) -> Collection:
    result: list = []
    for item in focus:
        if type(item) is not dict:
            raise Fallback("a member of a primitive or of a nested collection")
        if name in item or "_" + name in item:
            _add(result, item, name)
            continue
        found = None
        for key in item:
            if len(key) > len(name) and key.startswith(name) and key[len(name) :] in CHOICE_TYPES:
                if found is not None:
                    raise Fallback("two values of a choice element")
                found = key
        if found is not None:
            _add(result, item, found)
    return result


# operators -----------------------------------------------------------------------------------------------------------
def _boolean(collection: Collection) -> bool | None:
    if not collection:
        return None
    if len(collection) == 1 and type(collection[0]) is bool:
        return collection[0]
    raise Fallback("not a boolean")


def _scalar(collection: Collection) -> Any:
    if len(collection) != 1:
        raise Fallback("not a single value")
    value = collection[0]
    if type(value) not in (str, int, float, bool):
        raise Fallback("not a primitive")
    return value


def _comparable(left: Any, right: Any) -> None:
    if type(left) is bool or type(right) is bool:
        if type(left) is not type(right):
            raise Fallback("mixed types")
    elif (type(left) is str) != (type(right) is str):
        raise Fallback("mixed types")


_TEMPORAL_TYPES = frozenset({"date", "dateTime", "instant", "time"})
_SIGN = {"<": (-1,), "<=": (-1, 0), ">": (1,), ">=": (1, 0)}


def _single(collection: Collection) -> Any:
    if len(collection) != 1:
        raise Fallback("not a single value")
    return collection[0]


def _operator(operator: str, left: Evaluator, right: Evaluator, temporal: bool = False) -> Evaluator:
    """`temporal`: an operand's static type is date, dateTime, instant or time (compared by their components)."""
    if operator == "and":

        def evaluate_and(focus: Collection, env: dict) -> Collection:
            a = _boolean(left(focus, env))
            if a is False:
                return [False]
            b = _boolean(right(focus, env))
            if b is False:
                return [False]
            return [True] if a is True and b is True else []

        return evaluate_and
    if operator == "or":

        def evaluate_or(focus: Collection, env: dict) -> Collection:
            a = _boolean(left(focus, env))
            if a is True:
                return [True]
            b = _boolean(right(focus, env))
            if b is True:
                return [True]
            return [False] if a is False and b is False else []

        return evaluate_or
    if operator == "implies":

        def evaluate_implies(focus: Collection, env: dict) -> Collection:
            a = _boolean(left(focus, env))
            if a is False:
                return [True]
            b = _boolean(right(focus, env))
            if a is True:
                return [] if b is None else [b]
            return [True] if b is True else []

        return evaluate_implies
    if operator in ("=", "!="):
        negate = operator == "!="

        def evaluate_equal(focus: Collection, env: dict) -> Collection:
            a = left(focus, env)
            b = right(focus, env)
            if not a or not b:
                return []
            x, y = _single(a), _single(b)
            if type(x) is dict and type(y) is dict and quantity_parts(x) and quantity_parts(y):
                order = compare_quantities(x, y)
                return [] if order is None else [(order != 0) if negate else (order == 0)]
            if temporal and type(x) is str and type(y) is str:
                order = compare_temporal(x, y)
                if order is None and _temporal_text(x) and _temporal_text(y):
                    return []  # different precisions: FHIRPath answers empty
                if order is not None:
                    return [(order != 0) if negate else (order == 0)]
            x, y = _scalar(a), _scalar(b)
            _comparable(x, y)
            return [(x != y) if negate else (x == y)]

        return evaluate_equal
    if operator in ("<", "<=", ">", ">="):
        compare: Callable[[Any, Any], bool] = {
            "<": lambda x, y: x < y,
            "<=": lambda x, y: x <= y,
            ">": lambda x, y: x > y,
            ">=": lambda x, y: x >= y,
        }[operator]

        signs = _SIGN[operator]

        def evaluate_compare(focus: Collection, env: dict) -> Collection:
            a = left(focus, env)
            b = right(focus, env)
            if not a or not b:
                return []
            x, y = _single(a), _single(b)
            if type(x) is dict or type(y) is dict:
                if quantity_parts(x) is None or quantity_parts(y) is None:
                    raise Fallback("not two quantities")
                order = compare_quantities(x, y)
                return [] if order is None else [order in signs]
            if temporal and type(x) is str and type(y) is str:
                order = compare_temporal(x, y)
                if order is not None or (_temporal_text(x) and _temporal_text(y)):
                    return [] if order is None else [order in signs]
            x, y = _scalar(a), _scalar(b)
            if type(x) not in (int, float) or type(y) not in (int, float):
                raise Fallback("not numbers")
            return [compare(x, y)]

        return evaluate_compare
    raise Unsupported(operator)


def _mod(left: Evaluator, right: Evaluator) -> Evaluator:
    def evaluate_mod(focus: Collection, env: dict) -> Collection:
        a = left(focus, env)
        b = right(focus, env)
        if not a or not b:
            return []
        x, y = _scalar(a), _scalar(b)
        if type(x) not in (int, float) or type(y) not in (int, float) or x < 0 or y <= 0:
            raise Fallback("mod")
        if type(x) is float and y != 1:
            raise Fallback("decimal mod")
        return [x % y]

    return evaluate_mod


# functions -----------------------------------------------------------------------------------------------------------
def _function(name: str, arguments: list[Evaluator], source: Evaluator) -> Evaluator:
    count = len(arguments)
    if name == "exists" and count <= 1:
        if not arguments:
            return lambda focus, env: [bool(source(focus, env))]
        criteria = arguments[0]
        return lambda focus, env: [any(_is_true(criteria([item], env)) for item in source(focus, env))]
    if name == "hasValue" and count == 0:
        return lambda focus, env: [_has_value(source(focus, env))]
    if name == "empty" and count == 0:
        return lambda focus, env: [not source(focus, env)]
    if name == "count" and count == 0:
        return lambda focus, env: [len(source(focus, env))]
    if name == "first" and count == 0:
        return lambda focus, env: source(focus, env)[:1]
    if name == "where" and count == 1:
        criteria = arguments[0]
        return lambda focus, env: [item for item in source(focus, env) if _is_true(criteria([item], env))]
    if name == "all" and count == 1:
        criteria = arguments[0]
        return lambda focus, env: [all(_is_true(criteria([item], env)) for item in source(focus, env))]
    if name == "not" and count == 0:

        def evaluate_not(focus: Collection, env: dict) -> Collection:
            value = _boolean(source(focus, env))
            return [] if value is None else [not value]

        return evaluate_not
    if name in ("startsWith", "endsWith") and count == 1:
        affix = arguments[0]
        starts = name == "startsWith"

        def evaluate_affix(focus: Collection, env: dict) -> Collection:
            value = source(focus, env)
            wanted = affix(focus, env)
            if not value or not wanted:
                return []
            text, part = _scalar(value), _scalar(wanted)
            if type(text) is not str or type(part) is not str or not text or not part:
                raise Fallback(name)  # empty strings: fhirpathpy's answers differ from the specification's
            return [text.startswith(part) if starts else text.endswith(part)]

        return evaluate_affix
    if name == "matches" and count == 1:
        pattern = arguments[0]

        def evaluate_matches(focus: Collection, env: dict) -> Collection:
            regex = pattern(focus, env)
            value = source(focus, env)
            if not value or not regex:
                return []
            text, expression = _scalar(value), _scalar(regex)
            if type(text) is not str or type(expression) is not str:
                raise Fallback("matches")
            return [_regex(expression).search(text) is not None]

        return evaluate_matches
    raise Unsupported(name)


def _has_value(collection: Collection) -> bool:
    """`hasValue()`: a single primitive with a value (a primitive with only extensions has no JSON value)."""
    return len(collection) == 1 and type(collection[0]) in (str, int, float, bool)


def _temporal_text(text: str) -> bool:
    return _TEMPORAL_TEXT.match(text) is not None


_TEMPORAL_TEXT = re.compile(
    r"^(\d{4}(-\d{2}(-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:\d{2})?)?)?)?|T?\d{2}:\d{2}(:\d{2}(\.\d+)?)?)$"
)


def _is_true(collection: Collection) -> bool:
    """A criteria's result as `where`/`exists`/`all` read it: only a single `true` counts."""
    return _boolean(collection) is True


_REGEXES: dict[str, re.Pattern] = {}


def _regex(expression: str) -> re.Pattern:
    compiled = _REGEXES.get(expression)
    if compiled is None:
        try:
            compiled = re.compile(expression, re.DOTALL)
        except re.error as error:
            raise Fallback("regex") from error
        if len(_REGEXES) < 1024:
            _REGEXES[expression] = compiled
    return compiled
