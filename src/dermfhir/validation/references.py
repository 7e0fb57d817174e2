"""References: format, resolution (contained `#id`, `#`, Bundle entries by fullUrl / urn:uuid / relative URL, with
versions) and the target type against the element's targetProfile.

Checked: reference syntax (a conditional `Type?search` reference only in a transaction); local references that
do not resolve (with ref-1); contained or bundled aggregation that does not resolve; several Bundle entries matching
one reference; the type of the target (resolved, or read from a RESTful URL) against the allowed target types; a
target that resolves (contained or in the Bundle) against the target profiles of its type (it must conform to one);
the type of a canonical's target, when it is contained or loaded, against its targetProfile (`check_canonical`).
Not checked: the type or conformance of targets that do not resolve locally when a target profile is not loaded (its
type cannot be known), references to servers (nothing is fetched).
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from typing import TYPE_CHECKING

from dermfhir.validation.context import Frame
from dermfhir.validation.messages import MessageId
from dermfhir.validation.model import Node, StructureModel
from dermfhir.validation.outcome import IssueType

if TYPE_CHECKING:
    from dermfhir.validation.checker import Checker

_RELATIVE = re.compile(r"^([A-Z][A-Za-z]+)/([A-Za-z0-9\-\.]{1,64})(/_history/([A-Za-z0-9\-\.]{1,64}))?$")
_ABSOLUTE = re.compile(
    r"^(https?://\S+/)?([A-Z][A-Za-z]+)/([A-Za-z0-9\-\.]{1,64})(/_history/([A-Za-z0-9\-\.]{1,64}))?$"
)
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$")
#: a conditional reference, `Type?search`: allowed in a transaction only (R4 http.html#trules)
_CONDITIONAL = re.compile(r"^[A-Z][A-Za-z]+\?\S+$")


def _in_transaction(frame: Frame) -> bool:
    """Whether the resource (or the resource containing it) is an entry of a transaction Bundle."""
    holder = frame.root.container
    return (
        holder is not None
        and holder.resource.get("resourceType") == "Bundle"
        and (holder.resource.get("type") == "transaction")
    )


def check(walker: Checker, node: Node, item: dict, location: str, frame: Frame, model: StructureModel) -> None:
    walker.taint()  # targets are looked up in the resource, its Bundle and the loaded resources
    reference = item.get("reference")
    if not isinstance(reference, str):
        return
    if reference.startswith("#"):
        frame.local_reference(reference, "reference")
    run = walker.run
    where = f"{location}"
    if not (reference.startswith("#") or _RELATIVE.match(reference) or _URL.match(reference)):
        if not (_CONDITIONAL.match(reference) and _in_transaction(frame)):
            run.error(IssueType.INVALID, MessageId.REFERENCE_REF_NOTVALID, where, reference=reference)
        return  # a conditional reference is resolved by the server that processes the transaction
    policy = walker.validator.options.validate_reference
    if policy == "IGNORE":
        return
    aggregation = {a for t in node.types for a in t.aggregation}
    target: dict | None = None
    if reference.startswith("#"):
        target = _local(frame, reference)
        if target is None:
            run.error(IssueType.STRUCTURE, MessageId.REFERENCE_REF_CANTRESOLVE, where, reference=reference)
            run.error(IssueType.INVARIANT, MessageId.REF_1, where, url=reference[1:])
            return
    else:
        matches = bundle_matches(frame, reference)
        if len(matches) > 1:
            run.error(
                IssueType.INVALID,
                MessageId.BUNDLE_BUNDLE_MULTIPLE_MATCHES,
                where,
                count=len(matches),
                reference=reference,
            )
            return
        if not matches:
            matches = _in_parameters(frame, reference)
        if matches:
            target = matches[0]
        elif ("bundled" in aggregation and frame.bundle is not None) or aggregation == {"contained"}:
            run.error(IssueType.REQUIRED, MessageId.REFERENCE_REF_AGGREGATION, where, reference=reference)
            return
    if target is None and policy in _MUST_EXIST and _RELATIVE.match(reference):
        parts = reference.split("/")
        target = walker.validator.definitions.read(parts[0], parts[1])
        if target is None:
            run.error(IssueType.NOT_FOUND, MessageId.REFERENCE_REF_CANTRESOLVE, where, reference=reference)
            return
    if _target_type(walker, node, reference, target, where) and target is not None:
        _target_profiles(walker, node, reference, target, frame, where)


#: ReferenceValidationPolicy values under which a reference must resolve (see `Options.validate_reference`)
_MUST_EXIST = frozenset({"CHECK_EXISTS", "CHECK_EXISTS_AND_TYPE", "CHECK_VALID"})


def _in_parameters(frame: Frame, reference: str) -> list[dict]:
    """Resources of an enclosing Parameters (parameter.resource, at any depth of parts) that a relative reference
    `Type/id` names: a Parameters resource carries its resources side by side, as a Bundle does."""
    match = _RELATIVE.match(reference)
    if match is None:
        return []
    current: Frame | None = frame
    while current is not None and current.resource.get("resourceType") != "Parameters":
        current = current.container
    if current is None:
        return []
    found: list[dict] = []
    stack = list(current.resource.get("parameter") or [])
    while stack:
        parameter = stack.pop()
        if not isinstance(parameter, dict):
            continue
        resource = parameter.get("resource")
        if isinstance(resource, dict) and (resource.get("resourceType"), resource.get("id")) == match.group(1, 2):
            found.append(resource)
        parts = parameter.get("part")
        if isinstance(parts, list):
            stack.extend(parts)
    return found


def _local(frame: Frame, reference: str) -> dict | None:
    top = frame
    while top.is_contained and top.container is not None:
        top = top.container
    if reference == "#":
        return top.resource
    wanted = reference[1:]
    for item in top.resource.get("contained") or []:
        if isinstance(item, dict) and item.get("id") == wanted:
            return item
    return None


def resolve(walker: Checker, reference: str, frame: Frame) -> dict | None:
    """The resource a reference points to, when it is contained or in the enclosing Bundle."""
    if reference.startswith("#"):
        return _local(frame, reference)
    matches = bundle_matches(frame, reference)
    return matches[0] if len(matches) == 1 else None


def bundle_matches(frame: Frame, reference: str) -> list[dict]:
    """Resources of the enclosing Bundle(s) that a reference matches."""
    index = frame.bundle
    current: Frame | None = frame
    full_url = frame.full_url
    while current is not None and full_url is None:
        full_url = current.full_url
        current = current.container
    if index is None:
        return []
    return index.find(reference, full_url)


def _target_type(walker: Checker, node: Node, reference: str, target: dict | None, where: str) -> bool:
    """Check the target's type against the target profiles; False when it is wrong (reported) or unknown."""
    targets = [t for item in node.types for t in item.targets]
    if not targets:
        return True
    actual = target.get("resourceType") if isinstance(target, dict) else None
    if actual is not None and not isinstance(actual, str):
        return False  # the target is not a resource: reported where it is
    if actual is None:
        match = _ABSOLUTE.match(reference)
        if match is None:
            return False
        actual = match.group(2)
        if walker.models.get(actual) is None:
            walker.run.error(
                IssueType.INVALID, MessageId.REFERENCE_REF_RESOURCETYPE, where, actual=actual, reference=reference
            )
            return False
    allowed = _allowed_types(walker, node, targets)
    if allowed is None:
        return False  # a target profile that is not loaded may allow any type: nothing can be said
    if allowed & {"Resource", "DomainResource"}:
        return True
    if actual not in allowed:
        walker.run.error(
            IssueType.STRUCTURE,
            MessageId.REFERENCE_REF_BADTARGETTYPE,
            where,
            actual=actual,
            reference=reference,
            allowed=sorted(allowed),
        )
        return False
    return True


def _allowed_types(walker: Checker, node: Node, targets: list[str]) -> frozenset[str] | None:
    """The types of the target profiles of `node`, or None when one of them is not loaded; found once per node."""
    cache = walker.models.reference_types
    if node not in cache:
        models = [walker.models.get(url) for url in targets]
        cache[node] = None if None in models else frozenset(model.type for model in models if model is not None)
    return cache[node]


#: (target, profile) pairs being checked in this context: a cycle of references counts as conforming.
_CHECKING: ContextVar[frozenset[tuple[int, str]]] = ContextVar("reference_targets_checking", default=frozenset())


def _target_profiles(walker: Checker, node: Node, reference: str, target: dict, frame: Frame, where: str) -> None:
    """A resolved target (contained or in the Bundle) must conform to one of the target profiles of its type."""
    actual = target.get("resourceType")
    candidates = []
    for url in (t for item in node.types for t in item.targets):
        model = walker.models.get(url)
        if model is None or model.type != actual:
            continue
        if model.derivation != "constraint":
            return  # the plain resource type is allowed: the target is validated as itself anyway
        candidates.append(url)
    if not candidates:
        return
    if hasattr(target, "position") and hasattr(frame.bundle, "defer"):
        walker.profile_checks += 1
        frame.bundle.defer(target, candidates, where, reference)  # an entry of another chunk: checked at the end
        return
    checking = _CHECKING.get()
    token = _CHECKING.set(checking | {(id(target), url) for url in candidates})
    try:
        if any((id(target), url) in checking or walker.conforms(url, target, frame) for url in candidates):
            return
    finally:
        _CHECKING.reset(token)
    walker.run.error(
        IssueType.STRUCTURE,
        MessageId.REFERENCE_REF_CANTMATCHCHOICE,
        where,
        reference=reference,
        candidates=", ".join(candidates),
    )


def check_canonical(walker: Checker, node: Node, value: str, location: str, frame: Frame) -> None:
    """A canonical names a resource of a type its element's `type.targetProfile` allows (R4 ElementDefinition.type
    .targetProfile: "the target resource SHALL conform to at least one profile"; datatypes.html#canonical: "the
    canonical URL of a resource of the target type"). Checked when the URL resolves here: a contained resource
    (`#id`) or a loaded definition (`url` or `url|version`); a URL that does not resolve is left alone."""
    targets = [target for item in node.types if item.code == "canonical" for target in item.targets]
    if not targets:
        return
    if value.startswith("#"):
        target = _local(frame, value)
        actual = target.get("resourceType") if target is not None else None
    else:
        found = walker.validator.definitions.locate(value)
        actual = found[1].get("resourceType") if found is not None else None
    if not isinstance(actual, str):
        return
    models = [walker.models.get(url) for url in targets]
    if any(model is None for model in models):
        return  # a target profile that is not loaded may allow any type
    allowed = {model.type for model in models if model is not None}
    if actual in allowed or allowed & {"Resource", "DomainResource"}:
        return
    walker.run.error(
        IssueType.STRUCTURE,
        MessageId.TYPE_SPECIFIC_CHECKS_DT_CANONICAL_TYPE,
        location,
        url=value,
        actual=actual,
        allowed=sorted(allowed),
    )


def parse(reference: str) -> tuple[str, str, str | None] | None:
    """(type, id, version) of a RESTful reference, or None."""
    match = _ABSOLUTE.match(reference)
    if match is None:
        return None
    return match.group(2), match.group(3), match.group(5)
