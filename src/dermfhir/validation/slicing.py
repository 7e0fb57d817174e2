"""Slicing: which slice each repetition belongs to, and the slicing rules.

Checked: discriminators of type value, pattern, exists, type and profile, on paths made of element names,
`$this`, `extension('url')`, `resolve()` (inside the Bundle or contained), `ofType(T)`; extension slices by url;
type slices of choice elements; rules closed / open / openAtEnd; ordered; per-slice min/max; re-slicing (a slice
that is itself sliced). Not checked: discriminators on paths that need general FHIRPath, and the `position`
discriminator (deprecated).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from dermfhir.validation.bindings import in_value_set
from dermfhir.validation.context import Frame
from dermfhir.validation.messages import MessageId
from dermfhir.validation.model import Node, StructureModel
from dermfhir.validation.outcome import IssueType
from dermfhir.validation.primitives import PRIMITIVE_TYPES

if TYPE_CHECKING:
    from dermfhir.validation.checker import Checker


def assign(
    walker: Checker,
    node: Node,
    items: list[tuple[Any, str, Any]],
    choice_type: str | None,
    path: str,
    frame: Frame,
    model: StructureModel,
    holder: Node,
) -> list[Node | None]:
    """The slice (or None) of every item, after reporting slicing-rule problems."""
    if node.is_choice:
        return [None] * len(items)
    discriminators = _discriminators(walker, node)
    result: list[Node | None] = []
    order: list[int] = []
    memo = walker.validator.memo
    for item, _location, _ in items:
        found = None
        found_index = -1
        # the slice an item belongs to depends only on its content, unless matching resolved a reference or
        # validated against a profile (which taint the walk): kept by content (see `memo`)
        key = memo.slice_key(node, item) if memo is not None and item is not None else None
        known = memo.slices.get(key) if key is not None else None
        if known is not None:
            found_index = known
            found = node.slices[known] if known >= 0 else None
        else:
            taints = walker.taints
            selected: dict[str, list] = {}  # discriminator path → its values in this item, shared by the candidates
            for index, candidate in enumerate(node.slices):
                if item is not None and _matches(walker, node, candidate, item, discriminators, frame, selected):
                    found, found_index = candidate, index
                    break
            if key is not None and walker.taints == taints:
                memo.keep_slice(key, found_index)
        result.append(found)
        order.append(found_index)
        if found is not None and found.slicing is not None and found.slices:
            pass  # re-slices are matched when the slice itself is validated as a group
    rules = (node.slicing or {}).get("rules", "open")
    ordered = bool((node.slicing or {}).get("ordered"))
    last = -1
    seen_unmatched = False
    for (item, location, _), slice_index in zip(items, order, strict=False):
        if slice_index < 0:
            seen_unmatched = True
            if rules == "closed" and item is not None:
                walker.run.error(
                    IssueType.STRUCTURE, MessageId.VALIDATION_VAL_PROFILE_NOTSLICE, location, profile=model.label
                )
            continue
        if rules == "openAtEnd" and seen_unmatched:
            walker.run.error(IssueType.STRUCTURE, MessageId.VALIDATION_VAL_PROFILE_OUTOFORDER_OPEN_AT_END, location)
        if ordered and slice_index < last:
            walker.run.error(
                IssueType.STRUCTURE, MessageId.VALIDATION_VAL_PROFILE_OUTOFORDER, location, profile=model.label
            )
        last = max(last, slice_index)
    check_counts(walker, node, result, path, model)
    return result


def check_counts(walker: Checker, node: Node, assigned: list[Node | None], path: str, model: StructureModel) -> None:
    counts: dict[int, int] = {}
    for item in assigned:
        if item is not None:
            counts[id(item)] = counts.get(id(item), 0) + 1
    for candidate in node.slices:
        count = counts.get(id(candidate), 0)
        if candidate.min <= count and (candidate.max is None or count <= candidate.max):
            continue
        label = f"{node.path}:{candidate.slice_name}"
        if count < candidate.min:
            if count == 0:
                walker.run.error(
                    IssueType.STRUCTURE,
                    MessageId.VALIDATION_VAL_PROFILE_MINIMUM_SLICE,
                    path,
                    label=label,
                    profile=model.label,
                )
            else:
                walker.run.error(
                    IssueType.STRUCTURE,
                    MessageId.VALIDATION_VAL_PROFILE_MINIMUM,
                    path,
                    label=label,
                    min=candidate.min,
                    count=count,
                    profile=model.label,
                )
        if candidate.max is not None and count > candidate.max:
            walker.run.error(
                IssueType.STRUCTURE,
                MessageId.VALIDATION_VAL_PROFILE_MAXIMUM,
                path,
                label=label,
                max=candidate.max,
                count=count,
                profile=model.label,
            )


def _discriminators(walker: Checker, node: Node) -> list[tuple[str, str]]:
    slicing = node.slicing or {}
    found = [
        (str(item.get("type", "value")), str(item.get("path", "$this")))
        for item in slicing.get("discriminator") or []
        if isinstance(item, dict)
    ]
    if not found and node.key in ("extension", "modifierExtension"):
        found = [("value", "url")]
    return found


def _matches(
    walker: Checker,
    node: Node,
    candidate: Node,
    item: Any,
    discriminators: list[tuple[str, str]],
    frame: Frame,
    selected: dict[str, list],
) -> bool:
    if not discriminators:
        return _profile_matches(walker, candidate, item, frame, "$this")
    for kind, path in discriminators:
        if kind in ("value", "pattern"):
            if not _value_matches(walker, node, candidate, item, path, frame, selected):
                return False
        elif kind == "exists":
            definition = _definition_at(walker, candidate, path)
            present = bool(_select_once(walker, item, path, frame, selected))
            if definition is None:
                return False
            if definition.min >= 1 and not present:
                return False
            if definition.max == 0 and present:
                return False
        elif kind == "type":
            if not _type_matches(walker, candidate, item, path, frame):
                return False
        elif kind == "profile":
            if not _profile_matches(walker, candidate, item, frame, path):
                return False
        else:
            return False
    return True


def _select_once(walker: Checker, item: Any, path: str, frame: Frame, selected: dict[str, list]) -> list:
    """`select` of one item, kept in `selected` while every slice is tried on the item."""
    values = selected.get(path)
    if values is None:
        values = selected[path] = select(walker, [item], path, frame)
    return values


def _value_matches(
    walker: Checker, node: Node, candidate: Node, item: Any, path: str, frame: Frame, selected: dict[str, list]
) -> bool:
    if path == "url" and node.key in ("extension", "modifierExtension"):
        urls = [p for t in candidate.types for p in t.profiles]
        definition = _definition_at(walker, candidate, path)
        if definition is not None and definition.fixed is not None:
            urls = [definition.fixed[1]]
        return isinstance(item, dict) and item.get("url") in urls
    definition = _definition_at(walker, candidate, path)
    if definition is None:
        return True  # the slice does not constrain this path
    expected = definition.fixed or definition.pattern
    values = _select_once(walker, item, path, frame, selected)
    if expected is None:
        binding = definition.binding or {}
        if binding.get("strength") == "required" and binding.get("valueSet") and values:
            return all(_in_value_set(walker, binding["valueSet"], value) for value in values)
        return True  # no fixed value, pattern or required binding: the discriminator does not restrict this slice
    if not values:
        return False
    exact = definition.fixed is not None
    return any(matches_pattern(expected[1], value, exact) for value in values)


def matches_pattern(pattern: Any, actual: Any, exact: bool = False) -> bool:
    """Whether `structure._compare` would find no problem: the same rules, without building the messages (slice
    matching tries every slice on every item, and most attempts fail). Scalars are compared in place."""
    if isinstance(pattern, dict):
        if not isinstance(actual, dict):
            return False
        for key, value in pattern.items():
            if key not in actual:
                return False
            if isinstance(value, dict | list):
                if not matches_pattern(value, actual[key], exact):
                    return False
            elif value != actual[key]:
                return False
        if exact:
            for key in actual:
                if key not in pattern and not key.startswith("_") and key not in ("id", "extension"):
                    return False
        return True
    if isinstance(pattern, list):
        actual_list = actual if isinstance(actual, list) else [actual]
        if exact:
            if len(actual_list) != len(pattern):
                return False
            return all(matches_pattern(wanted, item, True) for wanted, item in zip(pattern, actual_list, strict=True))
        for wanted in pattern:
            for item in actual_list:
                if matches_pattern(wanted, item):
                    break
            else:
                return False
        return True
    return bool(pattern == actual)


def _in_value_set(walker: Checker, value_set: str, value: Any) -> bool:
    codings: list[tuple[Any, Any]] = []
    if isinstance(value, str):
        codings = [(None, value)]
    elif isinstance(value, dict):
        if "coding" in value:
            codings = [(c.get("system"), c.get("code")) for c in value.get("coding") or [] if isinstance(c, dict)]
        elif "code" in value:
            codings = [(value.get("system"), value.get("code"))]
    for system, code in codings:
        if isinstance(code, str):
            try:
                if in_value_set(walker, value_set, system, code).result == "valid":
                    return True
            except Exception:
                return False
    return False


def _type_matches(walker: Checker, candidate: Node, item: Any, path: str, frame: Frame) -> bool:
    """The type discriminator (R4 profiling.html#discriminator: "the slices are differentiated by type of the
    nominated element"): a resource's type, or the type a choice element's name carries (`valueQuantity`)."""
    values = select(walker, [item], path, frame)
    definition = _definition_at(walker, candidate, path) if path not in ("$this", "resolve()") else candidate
    if definition is None or not values:
        return False
    allowed = set(definition.type_codes)
    if path.endswith("resolve()"):
        allowed = {_target_type(walker, target) for t in definition.types for target in t.targets}
    if not allowed:
        return False
    actual_types = [
        value["resourceType"]
        for value in values
        if isinstance(value, dict) and isinstance(value.get("resourceType"), str)
    ]
    if not actual_types:
        actual_types = _choice_types(walker, item, path, frame)
    return all(actual in allowed or bool({"Resource", "DomainResource"} & allowed) for actual in actual_types)


def _choice_types(walker: Checker, item: Any, path: str, frame: Frame) -> list[str]:
    """The types of the values at a path whose last step names a choice element (`value` → `valueQuantity` is a
    Quantity); none when the element is not a choice (its type is the declared one)."""
    steps = _split(path)
    name = steps[-1]
    if not name or name == "$this" or "(" in name:
        return []
    types: list[str] = []
    for parent in select(walker, [item], ".".join(steps[:-1]) or "$this", frame):
        if not isinstance(parent, dict) or name in parent:
            continue
        for key in parent:
            if key.startswith(name) and key[len(name) : len(name) + 1].isupper():
                types.append(_type_name(key[len(name) :]))
    return types


def _type_name(suffix: str) -> str:
    """The type a choice element's name ends with: `String` is string, `DateTime` dateTime, `Quantity` Quantity."""
    primitive = suffix[:1].lower() + suffix[1:]
    return primitive if primitive in PRIMITIVE_TYPES else suffix


def _target_type(walker: Checker, url: str) -> str:
    model = walker.models.get(url)
    return model.type if model else url.rsplit("/", 1)[-1]


def _profile_matches(walker: Checker, candidate: Node, item: Any, frame: Frame, path: str) -> bool:
    values = select(walker, [item], path, frame)
    definition = _definition_at(walker, candidate, path) if path not in ("$this", "resolve()") else candidate
    if definition is None or not values:
        return False
    profiles = [p for t in definition.types for p in (t.targets if path.endswith("resolve()") else t.profiles)]
    if not profiles:
        return False
    return all(any(conforms(walker, profile, value, frame) for profile in profiles) for value in values)


def conforms(walker: Checker, profile: str, value: Any, frame: Frame) -> bool:
    """Whether `value` validates against `profile` without errors (issues are not kept)."""
    walker.taint()  # the probe's walk resolves references from the frame
    walker.profile_checks += 1
    model = walker.models.get(profile)
    if model is None or model.root is None:
        return False
    if model.kind == "resource" and isinstance(value, dict) and "resourceType" in value:
        if value.get("resourceType") != model.type:
            return False
        full_url = frame.bundle.full_url_of(value) if hasattr(frame.bundle, "full_url_of") else None
        if walker.walked_clean(profile, value, frame.container, frame.bundle, full_url):
            return True
        probe = walker.probe()
        probe.resource(
            value, value.get("resourceType", ""), (), container=frame.container, bundle=frame.bundle, full_url=full_url
        )
        local = Frame(value, value.get("resourceType", ""), frame.container, frame.bundle, full_url)
        probe.element(model.root, value, local.path, model.type, local, model)
    else:
        probe = walker.probe()
        probe.element(model.root, value, "x", model.type, frame, model)
    return probe.run.error_count == 0


def select(walker: Checker, values: list[Any], path: str, frame: Frame) -> list[Any]:
    """Evaluate a discriminator path (a FHIRPath subset) on `values`."""
    current = values
    steps = _split(path)
    for number, step in enumerate(steps):
        if step in ("$this", ""):
            continue
        following_step = steps[number + 1] if number + 1 < len(steps) else ""
        if following_step.startswith(("ofType(", "as(")) and "(" not in step:
            # `value.ofType(Quantity)`: of a choice element, the value whose name carries the type (valueQuantity)
            wanted = following_step[following_step.index("(") + 1 : -1]
            current = _choice_of_type(current, step, wanted)
            continue
        if step.startswith(("ofType(", "as(")) and number and "(" not in steps[number - 1]:
            continue  # done with the element before it
        following: list[Any] = []
        if step == "resolve()":
            walker.taint()
            for value in current:
                if isinstance(value, dict) and isinstance(value.get("reference"), str):
                    target = walker.resolve(value["reference"], frame)
                    if target is not None:
                        following.append(target)
        elif step.startswith("extension(") and step.endswith(")"):
            url = step[len("extension(") : -1].strip("'\"")
            for value in current:
                if isinstance(value, dict):
                    following.extend(
                        e for e in value.get("extension") or [] if isinstance(e, dict) and e.get("url") == url
                    )
        elif step.startswith(("ofType(", "as(")) and step.endswith(")"):
            wanted = step[step.index("(") + 1 : -1]
            following = [v for v in current if _is_of_type(v, wanted)]
        else:
            for value in current:
                if not isinstance(value, dict):
                    continue
                found = value.get(step)
                if found is None:
                    for key, candidate in value.items():
                        if key.startswith(step) and key[len(step) : len(step) + 1].isupper():
                            found = candidate
                            break
                if isinstance(found, list):
                    following.extend(found)
                elif found is not None:
                    following.append(found)
        current = following
    return current


def _choice_of_type(values: list[Any], name: str, wanted: str) -> list[Any]:
    """The values of element `name` of type `wanted`: `nameWanted` of a choice element, or a resource of that type
    (a resource element such as Bundle.entry.resource), or `name` itself when it is not a choice element."""
    suffix = wanted[:1].upper() + wanted[1:]
    found: list[Any] = []
    for value in values:
        if not isinstance(value, dict):
            continue
        item = value.get(name + suffix)
        if item is None and name in value:
            item = [v for v in _as_list(value[name]) if _is_of_type(v, wanted)]
        found.extend(_as_list(item) if item is not None else [])
    return found


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _is_of_type(value: Any, wanted: str) -> bool:
    if isinstance(value, dict):
        return value.get("resourceType", wanted) == wanted
    return True


@lru_cache(maxsize=1024)
def _split(path: str) -> tuple[str, ...]:
    """The steps of a discriminator path (dots inside parentheses kept); a few distinct paths, split once."""
    steps: list[str] = []
    depth = 0
    current = ""
    for char in path:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "." and depth == 0:
            steps.append(current)
            current = ""
        else:
            current += char
    steps.append(current)
    return tuple(steps)


def _definition_at(walker: Checker, candidate: Node, path: str) -> Node | None:
    """The element of a slice that a discriminator path points to (compiled trees do not change: found once)."""
    cache = walker.models.slice_paths
    key = (candidate, path)
    if key not in cache:
        cache[key] = _find_definition(walker, candidate, path)
    return cache[key]


def _find_definition(walker: Checker, candidate: Node, path: str) -> Node | None:
    node: Node | None = candidate
    for step in _split(path):
        if node is None:
            return None
        if step in ("$this", ""):
            continue
        if step == "resolve()":
            return node
        if step.startswith(("ofType(", "as(")):
            wanted = step[step.index("(") + 1 : -1]
            if node.is_choice:
                matching = [s for s in node.slices if wanted in s.type_codes]
                if matching:
                    node = matching[0]
            continue
        if step.startswith("extension("):
            url = step[len("extension(") : -1].strip("'\"")
            holder = walker.models.children(node)
            extension = holder.children.get("extension") if holder else None
            if extension is None:
                return None
            found = next((s for s in extension.slices if url in [p for t in s.types for p in t.profiles]), None)
            if found is not None and not found.children:
                model = walker.models.get(url)
                node = model.root if model else found
            else:
                node = found
            continue
        holder = walker.models.children(node)
        if holder is None:
            return None
        child = holder.children.get(step)
        if child is None:
            found_child = holder.key_map().get(step)
            child = found_child[0] if found_child else None
        node = child
    return node
