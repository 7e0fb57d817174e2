"""Extensions: the definition of each extension is found by URL and the extension is validated against it.

Checked: url present and unversioned; unknown extensions (an error, except HL7 core-namespace extensions that are
not loaded, which are warnings since they cannot be resolved offline, the allowed extension domains, also warnings,
and the URLs HL7's validator lets through unknown — DICOM's nema.org, HL7's tools namespace, example URLs
(example.org, acme.com) where examples are allowed — which are information; an unknown modifier extension is always
an error, since its meaning cannot be known); example URLs when examples are not allowed;
the context of use (element / extension / fhirpath contexts by type or path, element contexts of a profile's
element by `url#element-id`); modifier vs non-modifier use; value
type and nested extensions through the extension's StructureDefinition; ext-1 (value or extensions, not both).
A `fhirpath` context is met when the element holding the extension is among the nodes its expression selects from
the resource; an `extension` context when the extension sits inside an extension with that URL.
Not checked: `contextInvariant` expressions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dermfhir.validation.context import Frame
from dermfhir.validation.messages import MessageId
from dermfhir.validation.model import Node, StructureModel
from dermfhir.validation.outcome import IssueType

if TYPE_CHECKING:
    from dermfhir.validation.checker import Checker

_HL7_NAMESPACE = ("http://hl7.org/fhir/StructureDefinition/",)
_TOOLS_NAMESPACE = "http://hl7.org/fhir/tools/StructureDefinition/"

#: Contexts that R4 4.0.1 forgot but uses itself. structuredefinition-fhir-type declares ElementDefinition.type.code,
#: yet the core snapshots (and every SUSHI snapshot) carry it on ElementDefinition.type; R5 corrected the context.
_CONTEXT_ERRATA = {
    "http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type": ("ElementDefinition.type",),
}
_EXAMPLE_HOSTS = (
    "http://example.org",
    "https://example.org",
    "http://example.com",
    "https://example.com",
    "http://acme.",
)


def check(
    walker: Checker, node: Node, item: dict, location: str, frame: Frame, model: StructureModel, holder: Node | None
) -> None:
    run = walker.run
    url = item.get("url")
    if not isinstance(url, str):
        run.error(IssueType.INVALID, MessageId.EXTENSION_EXT_URL_ABSENT, location)
        base = walker.models.get("Extension")
        if base is not None and base.root is not None:
            walker.element(base.root, item, location, "Extension", frame, base)
        return
    if "|" in url:
        run.error(IssueType.INVALID, MessageId.EXTENSION_EXT_VERSION_INTERNAL, f"{location}[url='{url}']")
    if not walker.validator.options.examples_allowed and url.startswith(_EXAMPLE_HOSTS):
        run.error(IssueType.INVALID, MessageId.EXTENSION_EXT_URL_NOTFOUND, f"{location}.url", url=url)
    if node.slice_name and not any(t.profiles for t in node.types) and node.children:
        # a slice of a complex extension defined inline (`Extension.extension:part`): its own tree applies
        _ext1(walker, item, location)
        walker.element(node, item, location, "Extension", frame, model)
        return
    definition = _definition(walker, node, url)
    if definition is None and ":" not in url and _inside_extension(node, holder):
        # a relative url names a part of a complex extension: the extension's definition, when known, defines it
        parent = _undefined_part(node, url)
        if parent is not None:
            run.error(IssueType.INVALID, MessageId.EXTENSION_EXT_SUBEXTENSION_INVALID, location, url=url, parent=parent)
        base = walker.models.get("Extension")
        if base is not None and base.root is not None:
            walker.element(base.root, item, location, "Extension", frame, base)
        return
    if definition is None:
        _unknown(walker, item, url, location, node)
        return
    if definition.type != "Extension" or definition.root is None:
        run.error(IssueType.STRUCTURE, MessageId.EXTENSION_EXT_TYPE, location, url=url)
        return
    _context(walker, definition, location, holder, frame, model)
    modifier = _is_modifier(definition)
    if node.key == "modifierExtension" and not modifier:
        run.error(IssueType.STRUCTURE, MessageId.EXTENSION_EXT_MODIFIER_N, location, url=url)
    elif node.key == "extension" and modifier:
        run.error(IssueType.STRUCTURE, MessageId.EXTENSION_EXT_MODIFIER_Y, location, url=url)
    _ext1(walker, item, location)
    walker.element(definition.root, item, location, "Extension", frame, definition)


def _definition(walker: Checker, node: Node, url: str) -> StructureModel | None:
    for profile in (p for t in node.types for p in t.profiles):
        if profile.partition("|")[0] == url.partition("|")[0]:
            model = walker.models.get(profile)
            if model is not None:
                return model
    model = walker.models.get(url)
    if model is None and "|" in url:
        model = walker.models.get(url.partition("|")[0])
    return model


def _allowed_unknown(url: str, examples_allowed: bool) -> bool:
    """URLs whose extensions HL7's validator accepts without their definition: DICOM's (nema.org), HL7's tooling
    extensions, structuredefinition-expression (used by versions that predate it), and example URLs (`_EXAMPLE_HOSTS`:
    example.org, example.com, acme.*) where examples are allowed: example domains (RFC 2606 reserves example.org and
    example.com; HL7's own examples use acme.com) whose extension definitions are never published."""
    return (
        "nema.org" in url
        or url.startswith(_TOOLS_NAMESPACE)
        or url == _HL7_NAMESPACE[0] + "structuredefinition-expression"
        or (examples_allowed and url.startswith(_EXAMPLE_HOSTS))
    )


def _unknown(walker: Checker, item: dict, url: str, location: str, node: Node) -> None:
    run = walker.run
    cannot_fetch = url.startswith(_HL7_NAMESPACE)
    if url.startswith(walker.validator.options.extension_domains) and node.key != "modifierExtension":
        run.warning(IssueType.STRUCTURE, MessageId.EXTENSION_EXT_UNKNOWN_DOMAIN, location, url=url)
    elif node.key != "modifierExtension" and _allowed_unknown(url, walker.validator.options.examples_allowed):
        run.info(IssueType.STRUCTURE, MessageId.EXTENSION_EXT_UNKNOWN, location, url=url)
    elif cannot_fetch:
        run.warning(IssueType.STRUCTURE, MessageId.EXTENSION_EXT_UNKNOWN_NOTHERE_NOT_LOADED, location, url=url)
    elif node.key == "modifierExtension" or not url.startswith(("http:", "https:", "urn:")):
        run.error(IssueType.STRUCTURE, MessageId.EXTENSION_EXT_UNKNOWN_NOTHERE, location, url=url)
    else:
        run.error(IssueType.STRUCTURE, MessageId.EXTENSION_EXT_UNKNOWN_NOTHERE, location, url=url)
    _ext1(walker, item, location)
    base = walker.models.get("Extension")
    if base is not None and base.root is not None:
        frame = Frame(item, location)
        walker.element(base.root, item, location, "Extension", frame, base)


def _undefined_part(node: Node, url: str) -> str | None:
    """The URL of the complex extension whose definition `node` is (its `Extension.extension`) when that definition
    defines no part named `url`; None when it does, or when the definition is not a complex extension's."""
    model = node.model
    if model.type != "Extension" or model.derivation != "constraint" or not node.path.endswith("Extension.extension"):
        return None
    if not node.slices:
        return None
    for part in node.slices:
        fixed = part.children.get("url")
        if fixed is not None and fixed.fixed is not None and fixed.fixed[1] == url:
            return None
    return str(model.url)


def _inside_extension(node: Node, holder: Node | None) -> bool:
    """Whether the extension is a part of another extension (`Extension.extension`): only there may its url be
    relative (Extension.url: "The definition SHALL be a URI for the Structure Definition defining the
    extension")."""
    if node.path.endswith("Extension.extension"):
        return True
    return holder is not None and (holder.path == "Extension" or holder.path.endswith(".extension"))


def _ext1(walker: Checker, item: dict, location: str) -> None:
    has_value = any(key.startswith("value") and key[5:6].isupper() for key in item)
    if has_value and item.get("extension"):
        walker.run.error(IssueType.INVARIANT, MessageId.EXT_1, location)


def _is_modifier(definition: StructureModel) -> bool:
    root = definition.root
    return bool(root is not None and root.is_modifier)


def _context(
    walker: Checker,
    definition: StructureModel,
    location: str,
    holder: Node | None,
    frame: Frame,
    model: StructureModel,
) -> None:
    if not definition.context or holder is None:
        return
    type_name = holder.model.type if holder is holder.model.root else None
    element_path = holder.path
    candidates = {element_path, "Element", "Base"}
    context_path, context_type = walker.context
    if context_path:
        candidates.add(context_path)
    if context_type:
        candidates.add(context_type)
    if type_name:
        candidates.add(type_name)
        if holder.model.kind == "resource":
            candidates.update({"Resource", "DomainResource"})
        base: StructureModel | None = holder.model
        hops = 0
        while base is not None and base.base_definition and hops < 10:
            candidates.add(str(base.base_definition).rsplit("/", 1)[-1])
            base = walker.models.get(str(base.base_definition))
            hops += 1
    if holder.model.derivation == "constraint" and holder.model.type:
        candidates.add(
            holder.model.type + element_path[len(holder.model.root.path) :] if holder.model.root else element_path
        )
    for context in definition.context:
        kind = context.get("type")
        expression = str(context.get("expression", ""))
        if kind == "element" and "#" in expression:
            if _profile_element(expression, context_path or element_path, holder, model):
                return
            continue
        if kind == "element" and (expression in candidates or expression.partition(".")[0] in ("Element",)):
            return
        if kind == "element" and "." not in expression and expression in candidates:
            return
        if kind in ("extension", "fhirpath"):
            walker.taint()  # looks at the elements around the extension
        if kind == "extension" and _in_extension(frame, location, expression):
            return
        if kind == "fhirpath" and _matches_fhirpath(frame, location, expression) is not False:
            return  # a context expression that cannot be evaluated here does not condemn the extension
    if candidates & set(_CONTEXT_ERRATA.get(definition.url, ())):
        return
    allowed = ", ".join(f"{c.get('type')}={c.get('expression')}" for c in definition.context)
    walker.run.error(
        IssueType.STRUCTURE,
        MessageId.EXTENSION_EXT_CONTEXT_WRONG,
        location,
        url=definition.url,
        types=", ".join(sorted(x for x in candidates if x not in ("Element", "Base"))),
        allowed=allowed,
    )


def _profile_element(expression: str, element_path: str, holder: Node, model: StructureModel) -> bool:
    """An element context `url#element-id`: "the context is any element that has an ElementDefinition.id that matches
    [...] This includes ElementDefinition Ids that have slicing identifiers. The full path for the element is
    [url]#[elementid]" (R4 extension-context-type). The element holding the extension must have that element's path
    (slice names removed); in the walk against that profile, where the profile constrains the element (the holder is
    the profile's own element), it must be the element with that id. Whether an element the profile leaves to its
    type belongs to a slice is not told here."""
    url, _, element_id = expression.partition("#")
    if element_path != ".".join(step.partition(":")[0] for step in element_id.split(".")):
        return False
    return not (model.url == url.partition("|")[0] and holder.model is model) or holder.id == element_id


def _container(frame: Frame, location: str) -> Any:
    """The JSON value that holds the extension at `location` (`….extension[2]` → the value of `…`), found from the
    resource being walked; None when the location is not inside it."""
    from dermfhir.validation.jsonsource import parse_location

    if not location.startswith(frame.path):
        return None
    steps = parse_location("X" + location[len(frame.path) :])
    if not steps or len(steps) < 2:
        return None
    value: Any = frame.resource
    for step in steps[:-2]:  # drop `extension` and its index
        try:
            value = value[step]
        except (KeyError, IndexError, TypeError):
            return None
    return value


def _in_extension(frame: Frame, location: str, expression: str) -> bool:
    """An `extension` context: the extension sits inside an extension with that URL (`url#path` names the same)."""
    holder = _container(frame, location)
    return isinstance(holder, dict) and holder.get("url") == expression.partition("#")[0]


def _matches_fhirpath(frame: Frame, location: str, expression: str) -> bool | None:
    """A `fhirpath` context: the element holding the extension is one of the nodes the expression selects from the
    resource; None when that cannot be decided."""
    from dermfhir import fhirpath

    holder = _container(frame, location)
    if holder is None:
        return None
    try:
        nodes = fhirpath.evaluate(frame.resource, expression)
    except fhirpath.FhirPathError:
        return None
    return any(node is holder or node == holder for node in nodes)


def value_of(item: dict) -> tuple[str, Any] | None:
    for key, value in item.items():
        if key.startswith("value") and key[5:6].isupper():
            return key[5:], value
    return None


__all__ = ["check", "value_of"]
Any = Any
