"""The terminology the validator asks: `dermfhir.terminology.Terminology` when available, else a small local one.

The local fallback answers from the loaded definitions only: value sets from `compose` (concept lists, whole code
systems, `is-a` / `descendent-of` filters, imported value sets, excludes) or a stored `expansion`; code systems of
content `complete`. Systems it cannot enumerate (SNOMED CT, LOINC, UCUM, BCP-47 …) give `unknown`, never `invalid`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dermfhir.definitions import Definitions


@dataclass
class CodeCheck:
    result: str  # "valid" | "invalid" | "unknown"
    message: str | None = None
    display_ok: bool | None = None
    expected_display: str | None = None
    system_known: bool = False
    inactive: bool = False
    reason: str | None = None


@dataclass
class Expansion:
    complete: bool
    contains: list[dict] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


def make_terminology(definitions: Definitions) -> Any:
    """The project's Terminology service for these definitions, or the local fallback."""
    try:
        from dermfhir.terminology import Terminology  # type: ignore[attr-defined]
    except ImportError:
        return LocalTerminology(definitions)
    try:
        return Terminology(definitions)
    except Exception:
        return LocalTerminology(definitions)


_IMPLICIT = {"urn:ietf:bcp:47", "urn:ietf:bcp:13", "urn:iso:std:iso:3166", "urn:iso:std:iso:4217"}


class LocalTerminology:
    """Value set membership and code system lookup over the loaded definitions only."""

    def __init__(self, definitions: Definitions) -> None:
        self.definitions = definitions
        self._systems: dict[str, dict[str, dict] | None] = {}
        self._expansions: dict[str, tuple[set[tuple[str, str]], bool, set[str]]] = {}

    # code systems
    def _concepts(self, system: str) -> dict[str, dict] | None:
        if system in self._systems:
            return self._systems[system]
        found: dict[str, dict] | None = None
        resource = self.definitions.resolve(system) if system else None
        if isinstance(resource, dict) and resource.get("resourceType") == "CodeSystem":
            if resource.get("content", "complete") in ("complete", "fragment") and resource.get("concept"):
                found = {}
                _flatten(resource.get("concept") or [], found, None)
                if resource.get("content") == "fragment":
                    found = None
            elif resource.get("content", "complete") == "complete":
                found = {}
        self._systems[system] = found
        return found

    def knows_system(self, system: str) -> bool:
        return self._concepts(system) is not None

    def lookup(self, system: str, code: str) -> dict | None:
        concepts = self._concepts(system)
        return concepts.get(code) if concepts else None

    def validate_coding_in_system(self, system: str, code: str, display: str | None = None) -> CodeCheck:
        concepts = self._concepts(system)
        if concepts is None:
            return CodeCheck("unknown", f"The code system {system} is not known here", system_known=False)
        concept = concepts.get(code)
        if concept is None:
            return CodeCheck("invalid", f"Unknown code '{code}' in the CodeSystem '{system}'", system_known=True)
        return self._display(concept, display)

    def _display(self, concept: dict, display: str | None) -> CodeCheck:
        expected = concept.get("display")
        if display is None or expected is None:
            return CodeCheck("valid", system_known=True, expected_display=expected)
        names = {str(expected).lower()} | {
            str(item.get("value", "")).lower() for item in concept.get("designation") or [] if isinstance(item, dict)
        }
        ok = display.lower() in names
        return CodeCheck("valid", system_known=True, display_ok=ok, expected_display=expected)

    # value sets
    def _expand(self, url: str) -> tuple[set[tuple[str, str]], bool, set[str]]:
        """(system, code) pairs, whether complete, and systems included whole but not enumerable."""
        if url in self._expansions:
            return self._expansions[url]
        self._expansions[url] = (set(), False, set())  # cycle guard
        resource = self.definitions.resolve(url)
        if not isinstance(resource, dict) or resource.get("resourceType") != "ValueSet":
            result: tuple[set[tuple[str, str]], bool, set[str]] = (set(), False, set())
            self._expansions[url] = result
            return result
        codes: set[tuple[str, str]] = set()
        complete = True
        open_systems: set[str] = set()
        compose = resource.get("compose") or {}
        if compose:
            for include in compose.get("include") or []:
                part, part_complete, part_open = self._include(include)
                codes |= part
                complete = complete and part_complete
                open_systems |= part_open
            for exclude in compose.get("exclude") or []:
                part, _, _ = self._include(exclude)
                codes -= part
        else:
            expansion = resource.get("expansion") or {}
            _contains(expansion.get("contains") or [], codes)
            complete = bool(expansion)
        result = (codes, complete, open_systems)
        self._expansions[url] = result
        return result

    def _include(self, include: dict) -> tuple[set[tuple[str, str]], bool, set[str]]:
        system = str(include.get("system") or "")
        codes: set[tuple[str, str]] | None = None
        complete = True
        open_systems: set[str] = set()
        if system:
            if include.get("concept"):
                codes = {(system, str(item.get("code"))) for item in include["concept"] if isinstance(item, dict)}
            else:
                concepts = self._concepts(system)
                if concepts is None or (not concepts and system not in _IMPLICIT):
                    complete = False
                    open_systems.add(system)
                    codes = set()
                else:
                    selected = set(concepts)
                    for filter_ in include.get("filter") or []:
                        selected = self._filter(concepts, filter_, selected)
                        if selected is None:
                            complete = False
                            open_systems.add(system)
                            selected = set()
                            break
                    codes = {(system, code) for code in selected}
        for vs in include.get("valueSet") or []:
            part, part_complete, part_open = self._expand(str(vs))
            complete = complete and part_complete
            open_systems |= part_open
            codes = part if codes is None else (codes & part if system else codes | part)
        return codes or set(), complete, open_systems

    def _filter(self, concepts: dict[str, dict], filter_: dict, selected: set[str]) -> set[str] | None:
        op = filter_.get("op")
        value = str(filter_.get("value", ""))
        if filter_.get("property") == "concept" and op in ("is-a", "descendent-of", "is-not-a"):
            below = {code for code in concepts if _is_a(concepts, code, value)}
            if op == "descendent-of":
                below.discard(value)
            if op == "is-not-a":
                return selected - below
            return selected & below
        return None

    def expand(self, value_set_url: str) -> Expansion:
        codes, complete, _ = self._expand(value_set_url.partition("|")[0])
        return Expansion(complete, [{"system": s, "code": c} for s, c in sorted(codes)])

    def validate_code(
        self,
        value_set_url: str,
        system: str | None,
        code: str,
        display: str | None = None,
        version: str | None = None,
    ) -> CodeCheck:
        url = value_set_url.partition("|")[0]
        if self.definitions.resolve(url) is None:
            return CodeCheck("unknown", f"The value set {url} is not known here", reason="value-set-unknown")
        codes, complete, open_systems = self._expand(url)
        present = (system, code) in codes if system else any(c == code for _, c in codes)
        if present:
            concepts = self._concepts(system) if system else None
            concept = concepts.get(code) if concepts else None
            if concept is not None:
                return self._display(concept, display)
            return CodeCheck("valid", system_known=bool(concepts))
        if not complete and (system is None or system in open_systems or not open_systems):
            return CodeCheck("unknown", f"The value set {url} cannot be expanded here", reason="not-enumerable")
        check = CodeCheck("invalid", system_known=bool(system and self.knows_system(system)))
        if system and self.knows_system(system) and system not in {s for s, _ in codes}:
            check.reason = "system-not-in-value-set"
        if system and self.knows_system(system) and self.lookup(system, code) is None:
            check.reason = "unknown-code"
        return check


def _flatten(concepts: list, into: dict[str, dict], parent: str | None) -> None:
    for concept in concepts:
        if not isinstance(concept, dict) or "code" not in concept:
            continue
        code = str(concept["code"])
        entry = dict(concept)
        entry["_parent"] = parent
        into[code] = entry
        _flatten(concept.get("concept") or [], into, code)


def _is_a(concepts: dict[str, dict], code: str, ancestor: str) -> bool:
    seen = 0
    current: str | None = code
    while current is not None and seen < 64:
        if current == ancestor:
            return True
        current = concepts.get(current, {}).get("_parent")
        seen += 1
    return False


def _contains(items: list, into: set[tuple[str, str]]) -> None:
    for item in items:
        if isinstance(item, dict):
            if item.get("code"):
                into.add((str(item.get("system", "")), str(item["code"])))
            _contains(item.get("contains") or [], into)
