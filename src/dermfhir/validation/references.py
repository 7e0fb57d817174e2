"""References: format, resolution (contained `#id`, `#`, Bundle entries by fullUrl / urn:uuid / relative URL, with
versions) and the target type against the element's targetProfile.

Checked: reference syntax; local references that do not resolve (with ref-1); contained or bundled aggregation that
does not resolve; several Bundle entries matching one reference; the type of the target (resolved, or read from a
RESTful URL) against the allowed target types. Not checked: that targets conform to non-core target profiles
(only their types are checked), references to servers (nothing is fetched).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from dermfhir.validation.context import Frame
from dermfhir.validation.model import Node, StructureModel

if TYPE_CHECKING:
    from dermfhir.validation.structure import Walker

_RELATIVE = re.compile(r"^([A-Z][A-Za-z]+)/([A-Za-z0-9\-\.]{1,64})(/_history/([A-Za-z0-9\-\.]{1,64}))?$")
_ABSOLUTE = re.compile(
    r"^(https?://\S+/)?([A-Z][A-Za-z]+)/([A-Za-z0-9\-\.]{1,64})(/_history/([A-Za-z0-9\-\.]{1,64}))?$"
)
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$")


def check(walker: Walker, node: Node, item: dict, location: str, frame: Frame, model: StructureModel) -> None:
    reference = item.get("reference")
    if not isinstance(reference, str):
        return
    run = walker.run
    where = f"{location}"
    if not (reference.startswith("#") or _RELATIVE.match(reference) or _URL.match(reference)):
        run.error("invalid", f"The reference '{reference}' is not a valid reference", where, "Reference_REF_NotValid")
        return
    aggregation = {a for t in node.types for a in t.aggregation}
    target: dict | None = None
    if reference.startswith("#"):
        target = _local(frame, reference)
        if target is None:
            run.error(
                "structure",
                f"Unable to resolve resource with reference '{reference}'",
                where,
                "Reference_REF_CantResolve",
            )
            run.error(
                "invariant",
                "Constraint failed: ref-1: 'SHALL have a contained resource if a local reference is provided' (url: "
                f"{reference[1:]})",
                where,
                "http://hl7.org/fhir/StructureDefinition/Reference#ref-1",
            )
            return
    else:
        matches = bundle_matches(frame, reference)
        if len(matches) > 1:
            run.error(
                "invalid",
                f"Found {len(matches)} matches for '{reference}' in the bundle",
                where,
                "BUNDLE_BUNDLE_MULTIPLE_MATCHES",
            )
            return
        if matches:
            target = matches[0]
        elif ("bundled" in aggregation and frame.bundle is not None) or aggregation == {"contained"}:
            run.error(
                "required",
                f"Bundled or contained reference not found within the bundle/resource {reference}",
                where,
                "Reference_REF_Aggregation",
            )
            return
    _target_type(walker, node, reference, target, where)


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


def resolve(walker: Walker, reference: str, frame: Frame) -> dict | None:
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


def _target_type(walker: Walker, node: Node, reference: str, target: dict | None, where: str) -> None:
    targets = [t for item in node.types for t in item.targets]
    if not targets:
        return
    actual = target.get("resourceType") if isinstance(target, dict) else None
    if actual is None:
        match = _ABSOLUTE.match(reference)
        if match is None:
            return
        actual = match.group(2)
        if walker.models.get(actual) is None:
            walker.run.error(
                "invalid",
                f"The resource type {actual} in the reference {reference} is not valid",
                where,
                "Reference_REF_ResourceType",
            )
            return
    allowed: set[str] = set()
    for url in targets:
        target_model = walker.models.get(url)
        allowed.add(target_model.type if target_model is not None else url.rsplit("/", 1)[-1])
    if allowed & {"Resource", "DomainResource"}:
        return
    if actual not in allowed:
        walker.run.error(
            "structure",
            f"The type '{actual}' implied by the reference URL {reference} is not a valid Target for this element "
            f"(must be one of {sorted(allowed)})",
            where,
            "Reference_REF_BadTargetType",
        )


def parse(reference: str) -> tuple[str, str, str | None] | None:
    """(type, id, version) of a RESTful reference, or None."""
    match = _ABSOLUTE.match(reference)
    if match is None:
        return None
    return match.group(2), match.group(3), match.group(5)
