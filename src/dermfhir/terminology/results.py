"""What the terminology services return: concepts, code checks, expansions and translations.

All are immutable except `Expansion`, which holds indices built once for O(1) membership tests.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

#: The three answers of a code check: "unknown" means it cannot be judged offline.
CheckResult = Literal["valid", "invalid", "unknown"]


def normalise_display(text: str) -> str:
    """Display text as compared by the HL7 validator: whitespace collapsed, case folded."""
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class Designation:
    """A CodeSystem or ValueSet concept designation (another display, maybe in another language)."""

    value: str
    language: str | None = None
    use: tuple[str | None, str | None] | None = None  # (system, code) of the designation use


@dataclass(frozen=True)
class ConceptProperty:
    """One CodeSystem.concept.property: its code and its value (a Coding stays a dict)."""

    code: str
    value: Any


@dataclass(frozen=True)
class Concept:
    """A concept of a loaded CodeSystem, with its place in the hierarchy.

    `inactive` is true for status retired / inactive / deprecated or property `inactive` true, as the HL7 validator
    reads it; `deprecated` tells deprecated (still usable) apart; `abstract` is property notSelectable (or abstract).
    """

    system: str
    version: str | None
    code: str
    display: str | None
    definition: str | None = None
    designations: tuple[Designation, ...] = ()
    properties: tuple[ConceptProperty, ...] = ()
    parents: tuple[str, ...] = ()
    children: tuple[str, ...] = ()
    inactive: bool = False
    deprecated: bool = False
    abstract: bool = False

    def property_values(self, code: str) -> list[Any]:
        """The values of every property with this code, in order."""
        return [item.value for item in self.properties if item.code == code]

    def displays(self) -> list[str]:
        """The display and every designation value: the texts a display may be checked against."""
        texts = [self.display] if self.display else []
        texts.extend(designation.value for designation in self.designations if designation.value)
        return texts


@dataclass(frozen=True)
class CodeCheck:
    """The answer to "is this code valid here?".

    `result` is "valid", "invalid" or "unknown" (cannot be judged offline: `reason` says why). `message` is the
    human text of an invalid result, or of a wrong display on a valid one. `display_ok` is None when no display was
    given or nothing to compare it with is known.
    """

    result: CheckResult
    message: str | None = None
    reason: str | None = None
    display_ok: bool | None = None
    expected_display: str | None = None
    system_known: bool = False
    inactive: bool = False

    @property
    def valid(self) -> bool:
        return self.result == "valid"

    @property
    def invalid(self) -> bool:
        return self.result == "invalid"

    @property
    def unknown(self) -> bool:
        return self.result == "unknown"


@dataclass(frozen=True)
class ExpansionItem:
    """One code of an expansion (ValueSet.expansion.contains, flattened)."""

    system: str
    version: str | None
    code: str
    display: str | None
    inactive: bool = False
    abstract: bool = False


@dataclass(frozen=True)
class Translation:
    """One target of a ConceptMap translation; `code` is None for an `unmatched` target."""

    system: str | None
    code: str | None
    display: str | None
    equivalence: str
    concept_map: str
    comment: str | None = None


class Expansion:
    """The codes of a value set as far as they can be enumerated offline, with O(1) membership.

    `complete` is False when a part could not be enumerated (`reasons` says which): codes of `open_systems` (or of
    any system when `open_to_any`) that are not listed may still belong to the value set.
    """

    def __init__(
        self,
        url: str,
        version: str | None,
        contains: Iterable[ExpansionItem],
        *,
        reasons: Iterable[tuple[str | None, str]] = (),
        open_systems: Iterable[str] = (),
        open_to_any: bool = False,
        resolved: bool = True,
        designations: dict[tuple[str, str], tuple[Designation, ...]] | None = None,
        case_insensitive_systems: Iterable[str] = (),
        value_set: dict | None = None,
    ) -> None:
        self.url = url
        self.version = version
        self.contains: list[ExpansionItem] = list(contains)
        self._reasons: list[tuple[str | None, str]] = list(dict.fromkeys(reasons))
        self.open_systems: frozenset[str] = frozenset(open_systems)
        self.open_to_any = open_to_any
        self.resolved = resolved
        self.value_set = value_set
        self.timestamp = datetime.now(UTC).isoformat(timespec="seconds")
        self._designations = designations or {}
        self._items: dict[tuple[str, str], ExpansionItem] = {}
        for item in self.contains:
            self._items.setdefault((item.system, item.code), item)
        self.members: frozenset[tuple[str, str]] = frozenset(self._items)
        self._case_insensitive = frozenset(case_insensitive_systems)
        self._folded = {
            (item.system, item.code.casefold()): item for item in self.contains if item.system in self._case_insensitive
        }
        self._by_code: dict[str, list[ExpansionItem]] | None = None

    @property
    def complete(self) -> bool:
        """True when every member is listed in `contains`."""
        return self.resolved and not self.open_systems and not self.open_to_any

    @property
    def reasons(self) -> list[str]:
        """Why the expansion is incomplete (or could not be made)."""
        return [text for _, text in self._reasons]

    @property
    def reasons_by_system(self) -> list[tuple[str | None, str]]:
        """The reasons as (system they concern, or None, text) pairs."""
        return list(self._reasons)

    def item(self, system: str, code: str) -> ExpansionItem | None:
        """The member (system, code), matching case-insensitively for case-insensitive code systems."""
        found = self._items.get((system, code))
        if found is None and system in self._case_insensitive:
            found = self._folded.get((system, code.casefold()))
        return found

    def items_with_code(self, code: str) -> list[ExpansionItem]:
        """The members with this code in any system (for codes given without a system)."""
        if self._by_code is None:
            by_code: dict[str, list[ExpansionItem]] = {}
            for item in self._items.values():
                by_code.setdefault(item.code, []).append(item)
            self._by_code = by_code
        return self._by_code.get(code, [])

    def designations(self, system: str, code: str) -> tuple[Designation, ...]:
        """Designations the value set itself gives for a listed concept."""
        return self._designations.get((system, code), ())

    def may_contain(self, system: str | None) -> bool:
        """True when unlisted codes of `system` (None: of any system) may still be members."""
        if self.open_to_any or not self.resolved:
            return True
        return bool(self.open_systems) if system is None else system in self.open_systems

    def reason_for(self, system: str | None) -> str:
        """Why codes of `system` cannot be judged: the reasons about that system, else all of them."""
        specific = [text for about, text in self._reasons if about == system and system is not None]
        return "; ".join(specific or self.reasons) or "the value set cannot be fully expanded offline"

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, tuple) or len(key) != 2:
            return False
        return self.item(key[0], key[1]) is not None

    def __iter__(self) -> Iterator[ExpansionItem]:
        return iter(self.contains)

    def __len__(self) -> int:
        return len(self.contains)

    def __repr__(self) -> str:
        state = "complete" if self.complete else "incomplete"
        return f"Expansion({self.url}, {len(self.contains)} codes, {state})"

    def to_resource(self, *, filter: str | None = None, count: int | None = None, offset: int = 0) -> dict:
        """This expansion as a FHIR R4 ValueSet with `expansion`, as `$expand` returns it.

        `filter` keeps codes whose code or display contains every word of the text (case-insensitive); `offset` and
        `count` page through what is left, `total` counting all of it.
        """
        if offset < 0 or (count is not None and count < 0):
            raise ValueError(f'Arguments "offset" and "count" must not be negative, got {offset} and {count}.')
        items = self.contains
        if filter:
            words = [word.casefold() for word in filter.split()]
            items = [item for item in items if _matches(item, words)]
        page = items[offset:] if count is None else items[offset : offset + count]
        parameters: list[dict] = []
        if filter:
            parameters.append({"name": "filter", "valueString": filter})
        if offset:
            parameters.append({"name": "offset", "valueInteger": offset})
        if count is not None:
            parameters.append({"name": "count", "valueInteger": count})
        expansion: dict[str, Any] = {
            "identifier": f"urn:uuid:{uuid.uuid4()}",
            "timestamp": self.timestamp,
            "total": len(items),
        }
        if not self.complete:
            expansion["extension"] = [
                {"url": "http://hl7.org/fhir/StructureDefinition/valueset-unclosed", "valueBoolean": True}
            ]
        if offset:
            expansion["offset"] = offset
        if parameters:
            expansion["parameter"] = parameters
        if page:
            expansion["contains"] = [_contains_entry(item) for item in page]
        source = self.value_set or {}
        resource: dict[str, Any] = {"resourceType": "ValueSet"}
        for key in ("id", "url", "version", "name", "title", "status", "experimental", "publisher", "description"):
            if key in source:
                resource[key] = source[key]
        resource.setdefault("url", self.url)
        resource.setdefault("status", "active" if self.resolved else "unknown")
        resource["expansion"] = expansion
        return resource


def _matches(item: ExpansionItem, words: list[str]) -> bool:
    text = f"{item.code} {item.display or ''}".casefold()
    return all(word in text for word in words)


def _contains_entry(item: ExpansionItem) -> dict:
    entry: dict[str, Any] = {"system": item.system}
    if item.version:
        entry["version"] = item.version
    if item.abstract:
        entry["abstract"] = True
    if item.inactive:
        entry["inactive"] = True
    entry["code"] = item.code
    if item.display:
        entry["display"] = item.display
    return entry
