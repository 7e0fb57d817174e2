"""ConceptMap translation (R4): group.source / group.target, element.code, target code / display / equivalence,
and the group's `unmapped` fallback (provided, fixed, other-map).

Not handled: dependsOn / product conditions (targets that carry them are still returned), ConceptMap
source/target value set scoping beyond group systems, and reverse translation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from dermfhir.terminology.results import Translation

#: The R4 ConceptMap equivalence codes (target.equivalence defaults to 'equivalent' when absent).
EQUIVALENCES = (
    "relatedto",
    "equivalent",
    "equal",
    "wider",
    "subsumes",
    "narrower",
    "specializes",
    "inexact",
    "unmatched",
    "disjoint",
)


class ConceptMapIndex:
    """ConceptMaps by canonical URL and by the source systems of their groups."""

    def __init__(self, concept_maps: Iterable[dict]) -> None:
        self.by_url: dict[str, dict] = {}
        self.by_source: dict[str, list[dict]] = {}
        for concept_map in concept_maps:
            url = concept_map.get("url")
            if isinstance(url, str):
                self.by_url.setdefault(url, concept_map)
            for source in dict.fromkeys(_system(group.get("source")) for group in concept_map.get("group", [])):
                if source:
                    self.by_source.setdefault(source, []).append(concept_map)

    def maps_from(self, system: str) -> list[dict]:
        """The ConceptMaps with a group whose source is `system`."""
        return self.by_source.get(_system(system) or "", [])


def translate_with(
    concept_map: dict,
    system: str,
    code: str,
    target_system: str | None,
    resolve: Callable[[str], dict | None],
    seen: tuple[str, ...] = (),
    use_unmapped: bool = True,
) -> list[Translation]:
    """Translate (system, code) with one ConceptMap; `resolve` finds maps named by `unmapped.url`.

    `use_unmapped` False ignores the groups' `unmapped` fallbacks (only explicit elements count).
    """
    url = str(concept_map.get("url", ""))
    source_system = _system(system)
    found: list[Translation] = []
    for group in concept_map.get("group", []):
        if _system(group.get("source")) != source_system:
            continue
        group_target = _system(group.get("target"))
        if target_system is not None and group_target is not None and group_target != _system(target_system):
            continue
        matched = False
        for element in group.get("element", []):
            if element.get("code") != code:
                continue
            matched = True
            for target in element.get("target", []):
                found.append(
                    Translation(
                        system=group_target,
                        code=target.get("code"),
                        display=target.get("display"),
                        equivalence=str(target.get("equivalence", "equivalent")),
                        concept_map=url,
                        comment=target.get("comment"),
                    )
                )
        if not matched and use_unmapped:
            found.extend(_unmapped(group, url, system, code, target_system, resolve, (*seen, url)))
    return found


def _unmapped(
    group: dict,
    url: str,
    system: str,
    code: str,
    target_system: str | None,
    resolve: Callable[[str], dict | None],
    seen: tuple[str, ...],
) -> list[Translation]:
    """The group's fallback: `provided` keeps the code (equivalence 'equal'), `fixed` gives one code ('inexact')."""
    unmapped = group.get("unmapped")
    if not isinstance(unmapped, dict):
        return []
    mode = unmapped.get("mode")
    target = _system(group.get("target"))
    if mode == "provided":
        return [Translation(target, code, None, "equal", url, "unmapped: code as provided")]
    if mode == "fixed" and unmapped.get("code"):
        return [Translation(target, unmapped["code"], unmapped.get("display"), "inexact", url, "unmapped: fixed code")]
    if mode == "other-map" and isinstance(unmapped.get("url"), str) and unmapped["url"] not in seen:
        other = resolve(unmapped["url"])
        if other is not None:
            return translate_with(other, system, code, target_system, resolve, seen)
    return []


def _system(value: object) -> str | None:
    return value.partition("|")[0] if isinstance(value, str) else None
