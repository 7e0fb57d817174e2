"""ValueSet expansion by the R4 ValueSet.compose rules, offline.

include/exclude with a whole `system`, a `concept` list or `filter`s, `valueSet` imports (intersected with each
other and with the system part), `version`, and `compose.inactive` (false drops inactive codes from system and
filter parts). What cannot be enumerated offline (a system not loaded or `not-present`, a filter on such a system,
an unknown imported value set, an import cycle) leaves the expansion open for that system, with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from dermfhir.terminology.codesystems import NON_ENUMERABLE_SYSTEMS, CodeSystemIndex
from dermfhir.terminology.filters import FilterNotSupported, filter_codes
from dermfhir.terminology.results import Designation, Expansion, ExpansionItem

Key = tuple[str, str]


class ExpansionSource(Protocol):
    """What expansion needs from its surroundings: code systems and (cached) expansions of imported sets."""

    def code_system_for(self, system: str, version: str | None) -> CodeSystemIndex | None: ...

    def expand_import(self, canonical: str, stack: tuple[str, ...]) -> Expansion: ...


@dataclass
class _Part:
    """The codes one include / exclude (or a whole compose) selects, and what stays open."""

    items: dict[Key, ExpansionItem] = field(default_factory=dict)
    open_systems: set[str] = field(default_factory=set)
    open_to_any: bool = False
    reasons: list[tuple[str | None, str]] = field(default_factory=list)
    designations: dict[Key, tuple[Designation, ...]] = field(default_factory=dict)

    def union(self, other: _Part) -> None:
        for key, item in other.items.items():
            self.items.setdefault(key, item)
        for key, designations in other.designations.items():
            self.designations.setdefault(key, designations)
        self.open_systems |= other.open_systems
        self.open_to_any = self.open_to_any or other.open_to_any
        self.reasons.extend(other.reasons)

    def subtract(self, other: _Part) -> None:
        for key in other.items:
            self.items.pop(key, None)
        if other.open_to_any:
            if self.items or self.open_systems:
                self.open_to_any = True
                self.items.clear()
            self.reasons.extend(other.reasons)
            return
        for system in other.open_systems:
            dropped = [key for key in self.items if key[0] == system]
            if dropped or system in self.open_systems:
                for key in dropped:
                    del self.items[key]
                self.open_systems.add(system)
                self.reasons.extend(reason for reason in other.reasons if reason[0] == system)


def expand_value_set(resource: dict, source: ExpansionSource, stack: tuple[str, ...] = ()) -> Expansion:
    """Expand a ValueSet resource; `stack` holds the canonicals being expanded above it (cycle protection)."""
    url = str(resource.get("url", ""))
    version = resource.get("version")
    compose = resource.get("compose")
    if not isinstance(compose, dict):
        return _stored_expansion(resource)
    include_inactive = compose.get("inactive") is not False
    whole = _Part()
    for include in compose.get("include", []):
        whole.union(_evaluate(include, source, stack, include_inactive))
    for exclude in compose.get("exclude", []):
        whole.subtract(_evaluate(exclude, source, stack, True))
    case_insensitive = set()
    for system in {key[0] for key in whole.items}:
        index = source.code_system_for(system, None)
        if index is not None and not index.case_sensitive:
            case_insensitive.add(system)
    return Expansion(
        url,
        version,
        whole.items.values(),
        reasons=whole.reasons,
        open_systems=whole.open_systems,
        open_to_any=whole.open_to_any,
        designations=whole.designations,
        case_insensitive_systems=case_insensitive,
        value_set=resource,
    )


def _evaluate(include: dict, source: ExpansionSource, stack: tuple[str, ...], include_inactive: bool) -> _Part:
    """One include or exclude: the intersection of its system part and its imported value sets."""
    parts: list[_Part] = []
    system = include.get("system")
    if isinstance(system, str):
        parts.append(_system_part(system, include, source, include_inactive))
    for canonical in include.get("valueSet", []):
        parts.append(_import(str(canonical), source, stack))
    if not parts:
        return _Part()
    result = parts[0]
    for other in parts[1:]:
        result = _intersect(result, other, system if isinstance(system, str) else None)
    return result


def _intersect(first: _Part, second: _Part, system: str | None) -> _Part:
    """Codes listed in both; anything open in either stays open (for `system` when the include names one)."""
    items = {key: item for key, item in first.items.items() if key in second.items}
    designations = {key: value for key, value in first.designations.items() if key in items}
    opened = first.open_systems | second.open_systems
    open_to_any = first.open_to_any or second.open_to_any
    if system is not None and (opened or open_to_any):
        opened, open_to_any = {system}, False
    return _Part(items, opened, open_to_any, first.reasons + second.reasons, designations)


def _import(canonical: str, source: ExpansionSource, stack: tuple[str, ...]) -> _Part:
    if canonical in stack:
        return _Part(open_to_any=True, reasons=[(None, f"ValueSet '{canonical}' imports itself (cycle)")])
    imported = source.expand_import(canonical, stack)
    designations = {
        (item.system, item.code): imported.designations(item.system, item.code)
        for item in imported.contains
        if imported.designations(item.system, item.code)
    }
    return _Part(
        items={(item.system, item.code): item for item in imported.contains},
        open_systems=set(imported.open_systems),
        open_to_any=imported.open_to_any or not imported.resolved,
        reasons=imported.reasons_by_system,
        designations=designations,
    )


def _system_part(system: str, include: dict, source: ExpansionSource, include_inactive: bool) -> _Part:
    system, _, pinned = system.partition("|")  # a few core value sets put the version in the system
    version = include.get("version") or pinned or None
    index = None if system in NON_ENUMERABLE_SYSTEMS else source.code_system_for(system, version)
    part = _Part()
    concepts = include.get("concept")
    filters = include.get("filter", [])
    if concepts:
        for concept in concepts:
            _add_listed(part, system, version, concept, index)
        if filters:
            part = _apply_filters_to_listed(part, system, index, filters)
        return part
    if index is None or index.content in ("not-present", "supplement"):
        what = "; ".join(f"filter {f.get('property')} {f.get('op')} {f.get('value')}" for f in filters)
        part.open_systems.add(system)
        part.reasons.append((system, f"{_why_not_enumerable(system, index)}" + (f" ({what})" if what else "")))
        return part
    try:
        selected: set[str] | None = None
        for item in filters:
            codes = filter_codes(index, item)
            selected = codes if selected is None else selected & codes
    except FilterNotSupported as error:
        part.open_systems.add(system)
        part.reasons.append((system, f"{system}: {error}"))
        return part
    for concept in index:
        if selected is not None and concept.code not in selected:
            continue
        if concept.inactive and not include_inactive:
            continue
        key = (system, concept.code)
        part.items[key] = ExpansionItem(
            system, index.version, concept.code, concept.display, concept.inactive, concept.abstract
        )
    if not index.complete:
        part.open_systems.add(system)
        part.reasons.append((system, f"{index.why_incomplete}: codes it does not list cannot be judged"))
    return part


def _add_listed(part: _Part, system: str, version: str | None, concept: dict, index: CodeSystemIndex | None) -> None:
    code = concept.get("code")
    if not isinstance(code, str):
        return
    display = concept.get("display")
    if index is not None and index.content != "supplement":
        known = index.concept(code)
        if known is None and index.complete and not index.dated_copy:
            return  # the code system does not define it: not a member
        if known is not None:
            code = known.code
            part.items.setdefault(
                (system, code),
                ExpansionItem(system, index.version, code, display or known.display, known.inactive, known.abstract),
            )
    part.items.setdefault((system, code), ExpansionItem(system, version, code, display))
    designations = tuple(
        Designation(str(item["value"]), item.get("language"))
        for item in concept.get("designation", [])
        if item.get("value")
    )
    if designations:
        part.designations[(system, code)] = designations


def _apply_filters_to_listed(part: _Part, system: str, index: CodeSystemIndex | None, filters: list) -> _Part:
    """concept and filter together (not allowed by the specification, but seen): keep listed codes that pass."""
    if index is None:
        part.open_systems.add(system)
        part.reasons.append((system, f"{system}: filters cannot be evaluated, the code system is not loaded"))
        part.items.clear()
        return part
    try:
        for item in filters:
            codes = filter_codes(index, item)
            part.items = {key: value for key, value in part.items.items() if key[1] in codes}
    except FilterNotSupported as error:
        part.items.clear()
        part.open_systems.add(system)
        part.reasons.append((system, f"{system}: {error}"))
    return part


def _why_not_enumerable(system: str, index: CodeSystemIndex | None) -> str:
    if system in NON_ENUMERABLE_SYSTEMS:
        return f"codes of {system} cannot be enumerated or checked offline"
    if index is None:
        return f"CodeSystem {system} is not loaded"
    return f"CodeSystem {system} has content '{index.content}'"


def _stored_expansion(resource: dict) -> Expansion:
    """A ValueSet without compose: use its stored expansion, if any (open when it says it is partial)."""
    url = str(resource.get("url", ""))
    stored = resource.get("expansion")
    if not isinstance(stored, dict):
        return Expansion(
            url,
            resource.get("version"),
            [],
            open_to_any=True,
            value_set=resource,
            reasons=[(None, f"ValueSet '{url}' has neither compose nor expansion")],
        )
    items: list[ExpansionItem] = []
    pending = list(stored.get("contains", []))
    while pending:
        entry = pending.pop(0)
        if entry.get("system") and entry.get("code"):
            items.append(
                ExpansionItem(
                    entry["system"],
                    entry.get("version"),
                    entry["code"],
                    entry.get("display"),
                    bool(entry.get("inactive")),
                    bool(entry.get("abstract")),
                )
            )
        pending.extend(entry.get("contains", []))
    partial = "total" in stored and int(stored["total"]) > len(items)
    return Expansion(
        url,
        resource.get("version"),
        items,
        open_to_any=partial,
        value_set=resource,
        reasons=[(None, f"ValueSet '{url}' has only a partial stored expansion")] if partial else [],
    )
