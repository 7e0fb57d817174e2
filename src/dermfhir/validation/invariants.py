"""Invariants (ElementDefinition.constraint): the universal ones natively, the rest through compiled FHIRPath.

Native (never evaluated through FHIRPath): ele-1 (checked by the walk: no empty objects), ext-1 (extensions),
dom-2/dom-3/dom-4/dom-5 (contained resources), ref-1 (references), txt-1/txt-2 (narrative checked as xhtml), dom-6
(a best-practice narrative guideline; not reported). Everything else runs through `dermfhir.fhirpath` with
%resource, %rootResource and %context set. Expressions that fhirpathpy cannot evaluate give a warning naming the
invariant, never an error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from dermfhir import fhirpath
from dermfhir.validation.context import Frame
from dermfhir.validation.messages import MessageId
from dermfhir.validation.model import Constraint, Node
from dermfhir.validation.outcome import IssueType

if TYPE_CHECKING:
    from dermfhir.validation.checker import Checker

NATIVE = frozenset({"ele-1", "ext-1", "dom-2", "dom-3", "dom-4", "dom-5", "dom-6", "ref-1", "txt-1", "txt-2"})
_BEST_PRACTICE = "http://hl7.org/fhir/StructureDefinition/elementdefinition-bestpractice"


def _has_value_key(value: dict) -> bool:
    return any(key.startswith("value") and key[5:6].isupper() for key in value)


def _obs7(value: dict, resource: Any) -> bool:
    if not _has_value_key(value):
        return True
    code = resource.get("code") if isinstance(resource, dict) else None
    codings = code.get("coding") if isinstance(code, dict) else None
    own = {_coding_key(c) for c in _list(codings) if isinstance(c, dict)}
    for component in _list(value.get("component")):
        component_code = component.get("code") if isinstance(component, dict) else None
        for coding in _list(component_code.get("coding")) if isinstance(component_code, dict) else []:
            if isinstance(coding, dict) and _coding_key(coding) in own:
                return False
    return True


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _coding_key(coding: dict) -> str:
    return repr(sorted((k, repr(v)) for k, v in coding.items()))


def _has_object(parent: dict, name: str) -> bool | None:
    """`name.exists()` for a complex element; None for shapes left to FHIRPath (null, [], {}, an array …)."""
    if name not in parent:
        return False
    item = parent[name]
    return True if isinstance(item, dict) and item else None


def _text(parent: dict, name: str) -> str | None:
    """A non-empty string element without a `_name` sibling; None otherwise (absent or left to FHIRPath)."""
    item = parent.get(name)
    return item if isinstance(item, str) and item and "_" + name not in parent else None


def _entries(bundle: dict) -> list[dict] | None:
    """Bundle.entry when every entry is a non-empty object; None for shapes left to FHIRPath."""
    if "entry" not in bundle:
        return []
    entries = bundle["entry"]
    if not isinstance(entries, list) or not all(isinstance(entry, dict) and entry for entry in entries):
        return None
    return entries


def _entries_have(bundle: dict, resource: Any, element: str, types: tuple[str, ...]) -> bool | None:
    """bdl-3 / bdl-4: `entry.all(<element>.exists() = (%resource.type = <one of types>))`."""
    bundle_type = _text(resource, "type") if isinstance(resource, dict) else None
    entries = _entries(bundle)
    if bundle_type is None or entries is None:
        return None
    present = [_has_object(entry, element) for entry in entries]
    if None in present:
        return None
    return all(item == (bundle_type in types) for item in present)


def _bdl7(bundle: dict, resource: Any) -> bool | None:
    """`(type = 'history') or entry.where(fullUrl.exists()).select(fullUrl&resource.meta.versionId).isDistinct()`"""
    bundle_type = _text(bundle, "type")
    if bundle_type is None:
        return None
    if bundle_type == "history":
        return True
    entries = _entries(bundle)
    if entries is None:
        return None
    keys = []
    for entry in entries:
        if "fullUrl" not in entry and "_fullUrl" not in entry:
            continue
        full_url = _text(entry, "fullUrl")
        if full_url is None:
            return None
        version = ""
        if "resource" in entry:
            inner = entry["resource"]
            meta = inner.get("meta", {}) if isinstance(inner, dict) else None
            if not isinstance(meta, dict):
                return None
            if "versionId" in meta or "_versionId" in meta:
                version = _text(meta, "versionId") or ""
                if not version:
                    return None
        keys.append(full_url + version)
    return len(set(keys)) == len(keys)


def _bdl8(entry: dict, resource: Any) -> bool | None:
    """`fullUrl.exists() implies fullUrl.contains('/_history/').not()`"""
    if "fullUrl" not in entry and "_fullUrl" not in entry:
        return True
    full_url = _text(entry, "fullUrl")
    return None if full_url is None else "/_history/" not in full_url


#: Core invariants evaluated in Python: expression text → check(value, %resource) → passed, or None to evaluate the
#: expression as FHIRPath after all (the Bundle ones handle only well-formed JSON and leave the rest to FHIRPath;
#: through the general engine they cost O(entries) object wrappers per Bundle, most of a large Bundle's checking).
#: Used only when the expression is exactly the core one, so a profile's own invariant with the same key still runs
#: as FHIRPath.
NATIVE_EXPRESSIONS: dict[str, Callable[[dict, Any], bool | None]] = {
    "code.empty() or system.exists()": lambda v, r: "code" not in v or "system" in v,
    "dataAbsentReason.empty() or value.empty()": lambda v, r: "dataAbsentReason" not in v or not _has_value_key(v),
    "value.empty() or component.code.where(coding.intersect(%resource.code.coding).exists()).empty()": _obs7,
    "url.exists() or data.exists()": lambda v, r: "url" in v or "data" in v,
    "entry.all(request.exists() = (%resource.type = 'batch' or %resource.type = 'transaction' or %resource.type = "
    "'history'))": lambda v, r: _entries_have(v, r, "request", ("batch", "transaction", "history")),
    "entry.all(response.exists() = (%resource.type = 'batch-response' or %resource.type = 'transaction-response' or "
    "%resource.type = 'history'))": lambda v, r: _entries_have(
        v, r, "response", ("batch-response", "transaction-response", "history")
    ),
    "(type = 'history') or entry.where(fullUrl.exists()).select(fullUrl&resource.meta.versionId).isDistinct()": _bdl7,
    "fullUrl.exists() implies fullUrl.contains('/_history/').not()": _bdl8,
}


def check(
    walker: Checker, node: Node, holder: Node, value: dict, path: str, type_code: str | None, frame: Frame
) -> None:
    constraints = _evaluated(walker, node, holder)
    if not constraints:
        return
    done = walker.invariants_done
    run = walker.run
    for constraint in constraints:
        key = (id(value), constraint.key, constraint.expression)
        if key in done:
            if done[key]:
                walker.taint()  # its issue was reported by the first evaluation, not by this walk
            continue  # the same invariant on the same element (base and profile): evaluated once
        before = run.attempted
        if _looks(_LOOKS_AROUND, constraint.expression):
            walker.taint()
        native = NATIVE_EXPRESSIONS.get(constraint.expression)
        passed = native(value, frame.resource) if native is not None else None
        if passed is not None:
            if not passed:
                report(walker, constraint, path)
        else:
            _evaluate(walker, constraint, node, holder, value, path, type_code, frame)
        done[key] = run.attempted != before


def _evaluated(walker: Checker, node: Node, holder: Node) -> tuple[Constraint, ...]:
    """The constraints of `node` (and of `holder`, its type, unless `node` has one with the same key) that are not
    checked natively; compiled trees do not change, so they are listed once per (node, holder)."""
    found = walker.models.invariants.get((node, holder))
    if found is None:
        constraints = node.constraints
        if holder is not node and holder.constraints:
            keys = {c.key for c in constraints}
            constraints = constraints + [c for c in holder.constraints if c.key not in keys]
        found = tuple(c for c in constraints if c.key not in NATIVE and c.expression)
        walker.models.invariants[node, holder] = found
    return found


def _evaluate(
    walker: Checker,
    constraint: Constraint,
    node: Node,
    holder: Node,
    value: dict,
    path: str,
    type_code: str | None,
    frame: Frame,
) -> None:
    compiled = fhirpath.compile(constraint.expression)
    is_resource = isinstance(value.get("resourceType"), str) and value is frame.resource
    if is_resource:
        walker.taint()
    type_name = (
        None
        if is_resource
        else (type_code if type_code and type_code[:1].isupper() and holder is not node else node.path or type_code)
    )
    if not is_resource and holder is not node and type_code:
        type_name = type_code
    memo = walker.validator.memo
    key = None
    if memo is not None and compiled.roots is not None and not _looks(_LOOKS_AROUND, constraint.expression):
        key = memo.invariant_key(constraint.expression, type_name, value, compiled.roots)
        if key is not None:
            found = memo.invariant(key)
            if found is not None:
                _outcome(walker, constraint, path, found)
                return
    outcome = _run(walker, constraint, compiled, value, type_name, frame)
    if key is not None:
        memo.keep_invariant(key, outcome)
    _outcome(walker, constraint, path, outcome)


def _outcome(walker: Checker, constraint: Constraint, path: str, outcome: str) -> None:
    """Report the outcome of an evaluation: "" passed, "failed", or "!" and the text of an evaluation error."""
    if outcome == "failed":
        report(walker, constraint, path)
    elif outcome:
        walker.run.warning(
            IssueType.INFORMATIONAL,
            MessageId.FHIRPATH_EVALUATION_FAILED,
            path,
            key=constraint.key,
            error=outcome[1:],
            expression=constraint.expression,
        )


def _run(
    walker: Checker, constraint: Constraint, compiled: Any, value: dict, type_name: str | None, frame: Frame
) -> str:
    """Evaluate an invariant: "" when it passed (or gave nothing), "failed", or "!" and the text of an evaluation
    error."""
    root = frame.root.resource
    resource = frame.resource
    if frame.bundle is not None and frame.full_url is None and frame.container is not None and not frame.is_contained:
        resource = frame.resource
    services = _looks(_LOOKS_OUTSIDE, constraint.expression)
    token = fhirpath.SERVICES.set(_Services(walker, frame)) if services else None
    try:
        result = compiled(value, type_name, resource, root)
    except fhirpath.FhirPathError as error:
        return f"!{error}"
    finally:
        if token is not None:
            fhirpath.SERVICES.reset(token)
    return "failed" if fhirpath.truthy(result) is False else ""


_LOOKED: dict[tuple[re.Pattern, str], bool] = {}


def _looks(pattern: re.Pattern, expression: str) -> bool:
    """Whether `pattern` occurs in `expression` (answers kept: expressions come from a bounded set of definitions)."""
    found = _LOOKED.get((pattern, expression))
    if found is None:
        found = _LOOKED[pattern, expression] = pattern.search(expression) is not None
    return found


#: what makes an invariant's answer depend on more than the element it is evaluated on (see `memo`)
_LOOKS_AROUND = re.compile(r"%resource|%rootResource|\b(resolve|conformsTo)\s*\(")
#: the functions that need the walk's services (`_Services`): set only for the expressions that call them
_LOOKS_OUTSIDE = re.compile(r"\b(resolve|conformsTo|memberOf)\s*\(")


class _Services:
    """`resolve()`, `conformsTo()` and `memberOf()` for FHIRPath, answered by the walk in progress."""

    def __init__(self, walker: Checker, frame: Frame) -> None:
        self.walker = walker
        self.frame = frame

    def resolve(self, reference: str) -> dict | None:
        return self.walker.resolve(reference, self.frame)

    def conforms_to(self, resource: Any, profile: str) -> bool | None:
        if self.walker.models.get(profile) is None:
            return None
        return self.walker.conforms(profile, resource, self.frame)

    def member_of(self, value: Any, value_set: str) -> bool | None:
        from dermfhir.validation.bindings import in_value_set

        if isinstance(value, str):
            codings: list = [(None, value)]
        elif isinstance(value, dict) and "coding" in value:
            items = value.get("coding")
            codings = [(c.get("system"), c.get("code")) for c in items or [] if isinstance(c, dict)]
        elif isinstance(value, dict):
            codings = [(value.get("system"), value.get("code"))]
        else:
            return None
        answers = []
        for system, code in codings:
            if not isinstance(code, str) or (system is not None and not isinstance(system, str)):
                continue
            result = in_value_set(self.walker, value_set, system, code)
            answers.append(True if result.valid else (False if result.invalid else None))
        if True in answers:
            return True
        if answers and all(answer is False for answer in answers):
            return False
        return None


def report(walker: Checker, constraint: Constraint, path: str) -> None:
    """Report a failed invariant at `path`, with its own severity."""
    severity = "error" if constraint.severity == "error" else "warning"
    walker.run.add(
        severity,
        IssueType.INVARIANT,
        MessageId.INVARIANT_FAILED,
        path,
        reported_id=f"{constraint.source}#{constraint.key}" if constraint.source else constraint.key,
        key=constraint.key,
        human=constraint.human,
    )
