"""`Terminology`: code system lookup, value set expansion and membership, ConceptMap translation, offline.

Everything comes from the loaded `Definitions`. Expansions are cached per canonical (they are immutable), so a
membership check against a value set already expanded is a dictionary look-up.
"""

from __future__ import annotations

from functools import lru_cache

from dermfhir.definitions import Definitions
from dermfhir.definitions.package import Package
from dermfhir.terminology.codesystems import NON_ENUMERABLE_SYSTEMS, CodeSystemIndex
from dermfhir.terminology.conceptmaps import ConceptMapIndex, translate_with
from dermfhir.terminology.loinc import LOINC_SYSTEM, loinc_code_error
from dermfhir.terminology.results import CodeCheck, Concept, Expansion, Translation, normalise_display
from dermfhir.terminology.ucum import UCUM_SYSTEM, ucum_syntax_error
from dermfhir.terminology.valuesets import expand_value_set


class Terminology:
    """Terminology services over a set of definitions (see the package docstring for what is not handled)."""

    def __init__(self, definitions: Definitions) -> None:
        self.definitions = definitions
        self._code_systems: dict[str, CodeSystemIndex | None] = {}
        self._supplements: dict[str, dict | None] = {}
        self._expansions: dict[str, Expansion] = {}
        self._concept_maps: ConceptMapIndex | None = None

    @classmethod
    def default(cls) -> Terminology:
        """Terminology over `Definitions.default()`, made once per process."""
        return _default()

    # -- code systems -------------------------------------------------------------------------------------------

    def code_system(self, system: str) -> CodeSystemIndex | None:
        """The loaded CodeSystem for `url` or `url|version` (supplements excluded), or None."""
        if system in self._code_systems:
            return self._code_systems[system]
        found = self._code_system_resource(system)
        index = None
        if found is not None and not is_supplement(found[1]):
            index = CodeSystemIndex(found[1], from_publisher=_publishes(found[0].canonical, system))
        self._code_systems[system] = index
        return index

    def supplement(self, system: str) -> dict | None:
        """The loaded CodeSystem `system` (`url` or `url|version`) when it is a supplement, else None."""
        if system not in self._supplements:
            found = self._code_system_resource(system)
            self._supplements[system] = found[1] if found is not None and is_supplement(found[1]) else None
        return self._supplements[system]

    def _code_system_resource(self, system: str) -> tuple[Package, dict] | None:
        """(package, resource) of the loaded CodeSystem `url` or `url|version`, or None."""
        located = self.definitions.locate(system)
        if located is None or located[1].get("resourceType") != "CodeSystem":
            return None
        package, entry = located
        return package, package.load(entry["filename"])

    def code_system_for(self, system: str, version: str | None) -> CodeSystemIndex | None:
        """The CodeSystem of `version` when loaded, else whichever version is loaded."""
        if version:
            index = self.code_system(f"{system}|{version}")
            if index is not None:
                return index
        return self.code_system(system)

    def knows_system(self, system: str) -> bool:
        """True when membership and displays can be judged: a complete CodeSystem is loaded for `system`.

        False for SNOMED CT, LOINC, UCUM, BCP-47 and the other NON_ENUMERABLE_SYSTEMS, for systems not loaded, and for
        CodeSystems with content fragment, example or not-present.
        """
        url, _, version = system.partition("|")
        if url in NON_ENUMERABLE_SYSTEMS:
            return False
        index = self.code_system_for(url, version or None)
        return index is not None and index.complete

    def lookup(self, system: str, code: str, version: str | None = None) -> Concept | None:
        """The concept `code` of `system` (the requested version if loaded, else the loaded one), or None."""
        url, _, pinned = system.partition("|")
        if url in NON_ENUMERABLE_SYSTEMS:
            return None
        index = self.code_system_for(url, version or pinned or None)
        return index.concept(code) if index is not None else None

    def validate_coding_in_system(self, system: str, code: str, display: str | None = None) -> CodeCheck:
        """Whether `code` exists in the CodeSystem `system`, and whether `display` is one of its displays."""
        url, _, version = system.partition("|")
        index = None if url in NON_ENUMERABLE_SYSTEMS else self.code_system_for(url, version or None)
        if index is None or index.content in ("not-present", "supplement"):
            if url == UCUM_SYSTEM and (error := ucum_syntax_error(code)):
                return CodeCheck("invalid", message=error, reason=error)
            if url == LOINC_SYSTEM and (error := loinc_code_error(code)):
                return CodeCheck("invalid", message=error, reason=error)
            reason = _not_checkable(url, index)
            return CodeCheck("unknown", reason=reason)
        concept = index.concept(code)
        if concept is None:
            if index.dated_copy:
                return CodeCheck("unknown", reason=index.why_code_missing(code), system_known=True)
            if not index.complete:
                reason = f"Code '{code}' is not listed: {index.why_incomplete}"
                return CodeCheck("unknown", reason=reason, system_known=False)
            message = _unknown_code(code, index)
            return CodeCheck("invalid", message=message, system_known=True)
        return _checked(concept.displays(), display, f"{url}#{concept.code}", index.complete, concept.inactive)

    # -- value sets ---------------------------------------------------------------------------------------------

    def expand(self, value_set: str) -> Expansion:
        """The expansion of the ValueSet `url` or `url|version` (cached); an unknown URL gives `resolved` False.

        A version not loaded falls back to the loaded version of the value set.
        """
        found = self._expansions.get(value_set)
        if found is None:
            found = self.expand_import(value_set, ())
        return found

    def expand_resource(self, resource: dict) -> Expansion:
        """The expansion of a ValueSet given as a resource (not cached: it may not be a loaded definition)."""
        url = str(resource.get("url", ""))
        return expand_value_set(resource, self, (url,) if url else ())

    def expand_import(self, canonical: str, stack: tuple[str, ...]) -> Expansion:
        """Expansion of `canonical` inside the expansion of the value sets in `stack` (cycle protection)."""
        found = self._expansions.get(canonical)
        if found is not None:
            return found
        resource = self._value_set(canonical)
        if resource is None:
            url, _, version = canonical.partition("|")
            found = Expansion(
                url, version or None, [], resolved=False, reasons=[(None, f"ValueSet '{canonical}' is not loaded")]
            )
        else:
            found = expand_value_set(resource, self, (*stack, canonical))
        if not _cycle_limited(found):
            self._expansions[canonical] = found
        return found

    def validate_code(
        self,
        value_set: str,
        system: str | None,
        code: str,
        display: str | None = None,
        version: str | None = None,
    ) -> CodeCheck:
        """Whether (system, code) is in the value set, and whether `display` is right for it.

        Membership ignores the code system version; `version` picks the CodeSystem displays are checked against.
        """
        expansion = self.expand(value_set)
        url = system.partition("|")[0] if system else None
        system_known = url is not None and self.knows_system(url)
        if not expansion.resolved:
            return CodeCheck("unknown", reason=expansion.reason_for(url), system_known=system_known)
        if url is None:
            return self._validate_without_system(expansion, code, display)
        item = expansion.item(url, code)
        if item is not None:
            texts = list(expansion.designations(item.system, item.code))
            displays = [item.display] if item.display else []
            displays.extend(designation.value for designation in texts)
            concept = self.lookup(url, item.code, version or item.version)
            if concept is not None:
                displays.extend(concept.displays())
            return _checked(displays, display, f"{url}#{item.code}", system_known, item.inactive)
        if url == UCUM_SYSTEM and expansion.may_contain(url) and (error := ucum_syntax_error(code)):
            return CodeCheck("invalid", message=error, reason=error)
        if url == LOINC_SYSTEM and expansion.may_contain(url) and (error := loinc_code_error(code)):
            return CodeCheck("invalid", message=error, reason=error)
        unknown_code = self._unknown_code_message(url, code, version) if system_known else None
        dated = self.code_system_for(url, version) if unknown_code else None
        if dated is not None and dated.dated_copy and _includes_by_rule(expansion.value_set, url):
            return CodeCheck("unknown", reason=dated.why_code_missing(code), system_known=True)
        if expansion.may_contain(url) and unknown_code is None:
            return CodeCheck("unknown", reason=expansion.reason_for(url), system_known=system_known)
        message = f"The code '{code}' from system '{url}' is not in the value set '{value_set}'"
        if unknown_code:
            message += f" ({unknown_code})"
        return CodeCheck("invalid", message=message, system_known=system_known)

    def _unknown_code_message(self, system: str, code: str, version: str | None) -> str | None:
        """The "Unknown code …" message when the loaded CodeSystem lacks `code`, else None."""
        index = self.code_system_for(system, version)
        if index is None or code in index:
            return None
        return _unknown_code(code, index)

    def _validate_without_system(self, expansion: Expansion, code: str, display: str | None) -> CodeCheck:
        """A code with no system (a `code` element): a member when exactly one member has that code."""
        items = expansion.items_with_code(code)
        if len(items) == 1:
            item = items[0]
            concept = self.lookup(item.system, item.code, item.version)
            displays = [item.display] if item.display else []
            displays.extend(concept.displays() if concept else [])
            known = self.knows_system(item.system)
            return _checked(displays, display, f"{item.system}#{item.code}", known, item.inactive)
        if len(items) > 1:
            systems = ", ".join(sorted({item.system for item in items}))
            return CodeCheck("unknown", reason=f"The code '{code}' is in several systems of the value set: {systems}")
        if expansion.may_contain(None):
            return CodeCheck("unknown", reason=expansion.reason_for(None))
        for system in sorted({item.system for item in expansion.contains}):
            index = self.code_system(system)
            if index is not None and index.dated_copy and _includes_by_rule(expansion.value_set, system):
                return CodeCheck("unknown", reason=index.why_code_missing(code), system_known=True)
        return CodeCheck("invalid", message=f"The code '{code}' is not in the value set '{expansion.url}'")

    def _value_set(self, canonical: str) -> dict | None:
        resource = self.definitions.resolve(canonical)
        if resource is None and "|" in canonical:
            resource = self.definitions.resolve(canonical.partition("|")[0])
        if resource is None or resource.get("resourceType") != "ValueSet":
            return None
        return resource

    # -- concept maps -------------------------------------------------------------------------------------------

    def translate(
        self, concept_map: str | None, system: str, code: str, target_system: str | None = None
    ) -> list[Translation]:
        """Targets for (system, code) in the ConceptMap `concept_map`, or in every loaded ConceptMap from `system`.

        Searching every map, explicit elements win: the groups' `unmapped` fallbacks apply only when no map has an
        element for the code. Unknown ConceptMap URLs give an empty list.
        """
        if concept_map is not None:
            resource = self._concept_map(concept_map)
            if resource is None:
                return []
            return list(dict.fromkeys(translate_with(resource, system, code, target_system, self._concept_map)))
        maps = self._concept_map_index().maps_from(system)
        for use_unmapped in (False, True):
            found: list[Translation] = []
            for resource in maps:
                found.extend(
                    translate_with(resource, system, code, target_system, self._concept_map, use_unmapped=use_unmapped)
                )
            if found:
                return list(dict.fromkeys(found))  # the same target reached through two maps counts once
        return []

    def _concept_map(self, canonical: str) -> dict | None:
        resource = self.definitions.resolve(canonical)
        return resource if resource is not None and resource.get("resourceType") == "ConceptMap" else None

    def _concept_map_index(self) -> ConceptMapIndex:
        if self._concept_maps is None:
            self._concept_maps = ConceptMapIndex(self.definitions.resources("ConceptMap"))
        return self._concept_maps

    def __repr__(self) -> str:
        return f"Terminology({self.definitions!r})"


def _checked(displays: list[str], display: str | None, what: str, system_known: bool, inactive: bool) -> CodeCheck:
    """A valid code check, with the display judged against `displays` (HL7 validator normalisation)."""
    expected = displays[0] if displays else None
    if display is None or not displays:
        return CodeCheck("valid", expected_display=expected, system_known=system_known, inactive=inactive)
    wanted = normalise_display(display)
    if any(normalise_display(text) == wanted for text in displays):
        return CodeCheck(
            "valid", display_ok=True, expected_display=expected, system_known=system_known, inactive=inactive
        )
    choices = list(dict.fromkeys(displays))
    if len(choices) == 1:
        message = f"Wrong Display Name '{display}' for {what}. Valid display is '{choices[0]}'"
    else:
        listed = " or ".join(f"'{text}'" for text in choices)
        message = f"Wrong Display Name '{display}' for {what}. Valid display is one of {len(choices)} choices: {listed}"
    return CodeCheck(
        "valid",
        message=message,
        display_ok=False,
        expected_display=expected,
        system_known=system_known,
        inactive=inactive,
    )


def _unknown_code(code: str, index: CodeSystemIndex) -> str:
    version = f" version '{index.version}'" if index.version else ""
    return f"Unknown code '{code}' in the CodeSystem '{index.url}'{version}"


def _includes_by_rule(value_set: dict | None, system: str) -> bool:
    """True when the value set takes codes of `system` by rule (whole system, filter or import), not by listing."""
    if value_set is None:
        return True
    for include in value_set.get("compose", {}).get("include", []):
        if include.get("valueSet"):
            return True
        if str(include.get("system", "")).partition("|")[0] == system and not include.get("concept"):
            return True
    return False


def _publishes(package_canonical: str | None, url: str) -> bool:
    """True when a package with this canonical base is the maintainer's own for the code system `url`."""
    return bool(package_canonical) and url.startswith(str(package_canonical).rstrip("/") + "/")


def _not_checkable(system: str, index: CodeSystemIndex | None) -> str:
    if system in NON_ENUMERABLE_SYSTEMS:
        return f"Codes of {system} cannot be checked offline"
    if index is None:
        return f"CodeSystem {system} is not loaded"
    return f"{index.why_incomplete}: its codes cannot be checked"


def _cycle_limited(expansion: Expansion) -> bool:
    """An expansion cut short by an import cycle depends on where the expansion started: do not cache it."""
    return any("(cycle)" in reason for reason in expansion.reasons)


@lru_cache(maxsize=1)
def _default() -> Terminology:
    return Terminology(Definitions.default())


def is_supplement(resource: dict) -> bool:
    """A supplement: content `supplement`, or `supplements` naming "the code system that this code system supplement
    is adding designations and properties to" (R4 CodeSystem)."""
    return resource.get("content") == "supplement" or "supplements" in resource
