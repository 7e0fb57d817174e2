"""CodeSystem indices: every concept by code, the hierarchy (nested concepts and parent/child properties).

The hierarchy serves is-a, descendent-of and generalizes whatever `hierarchyMeaning` says, as the HL7 validator
does; the meaning is kept on the index for callers that care.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dermfhir.terminology.results import Concept, ConceptProperty, Designation

#: Code systems no offline index can enumerate or check, whatever resource a package may hold for them.
NON_ENUMERABLE_SYSTEMS = frozenset(
    {
        "http://snomed.info/sct",
        "http://loinc.org",
        "http://unitsofmeasure.org",
        "urn:ietf:bcp:47",
        "urn:ietf:bcp:13",
        "urn:iso:std:iso:3166",
        "urn:iso:std:iso:3166:-2",
        "urn:iso:std:iso:4217",
        "http://hl7.org/fhir/sid/icd-10",
        "http://hl7.org/fhir/sid/icd-10-cm",
        "http://hl7.org/fhir/sid/icd-10-us",
        "http://hl7.org/fhir/sid/icd-9-cm",
        "http://hl7.org/fhir/sid/cvx",
        "http://hl7.org/fhir/sid/ndc",
        "http://www.nlm.nih.gov/research/umls/rxnorm",
        "http://www.ama-assn.org/go/cpt",
        "http://www.whocc.no/atc",
    }
)

#: URL prefixes of code systems maintained outside the FHIR specification, whose loaded copies may be dated.
EXTERNALLY_MAINTAINED = ("http://terminology.hl7.org/CodeSystem/", "http://dicom.nema.org/resources/ontology/")

#: Statuses under which the HL7 validator calls a concept inactive.
INACTIVE_STATUSES = frozenset({"retired", "inactive", "deprecated"})

_PARENT_PROPERTIES = frozenset({"parent", "subsumedBy"})
_CHILD_PROPERTIES = frozenset({"child"})


class CodeSystemIndex:
    """A CodeSystem resource indexed for lookup: `concept(code)`, `descendants(code)`, `ancestors(code)`.

    Codes match exactly unless `caseSensitive` is false (an absent caseSensitive counts as sensitive).
    """

    def __init__(self, resource: dict, from_publisher: bool = False) -> None:
        """`from_publisher`: the resource comes from its maintainer's own package (HL7 Terminology for
        terminology.hl7.org), so it is the current release, not a dated copy."""
        self.resource = resource
        self.from_publisher = from_publisher
        self.url: str = str(resource.get("url", ""))
        self.version: str | None = resource.get("version")
        self.content: str = str(resource.get("content", "complete"))
        self.case_sensitive: bool = resource.get("caseSensitive") is not False
        self.hierarchy_meaning: str | None = resource.get("hierarchyMeaning")
        self.property_definitions: dict[str, dict] = {
            item["code"]: item for item in resource.get("property", []) if "code" in item
        }
        parent_codes = {code for code, item in self.property_definitions.items() if _uri_is(item, "parent")}
        child_codes = {code for code, item in self.property_definitions.items() if _uri_is(item, "child")}
        self.parent_properties = _PARENT_PROPERTIES | parent_codes
        self.child_properties = _CHILD_PROPERTIES | child_codes

        raw: dict[str, dict] = {}
        parents: dict[str, list[str]] = {}
        children: dict[str, list[str]] = {}
        self.used_properties: set[str] = set()
        self._walk(resource.get("concept", []), None, raw, parents, children)
        for code, concept in raw.items():
            for item in concept.get("property", []):
                value = _property_value(item)
                if item.get("code") in self.parent_properties and isinstance(value, str):
                    _link(parents, children, parent=value, child=code)
                elif item.get("code") in self.child_properties and isinstance(value, str):
                    _link(parents, children, parent=code, child=value)
        self._concepts: dict[str, Concept] = {
            code: self._concept(concept, tuple(parents.get(code, ())), tuple(children.get(code, ())))
            for code, concept in raw.items()
        }
        self._folded: dict[str, str] = (
            {} if self.case_sensitive else {code.casefold(): code for code in reversed(list(self._concepts))}
        )
        self._descendants: dict[str, frozenset[str]] = {}
        self._ancestors: dict[str, frozenset[str]] = {}

    def _walk(
        self,
        concepts: list[dict],
        parent: str | None,
        raw: dict[str, dict],
        parents: dict[str, list[str]],
        children: dict[str, list[str]],
    ) -> None:
        for concept in concepts:
            code = concept.get("code")
            if not isinstance(code, str):
                continue
            raw.setdefault(code, concept)  # the first occurrence carries the display
            self.used_properties.update(item.get("code", "") for item in concept.get("property", []))
            if parent is not None:
                _link(parents, children, parent=parent, child=code)
            self._walk(concept.get("concept", []), code, raw, parents, children)

    def _concept(self, concept: dict, parents: tuple[str, ...], children: tuple[str, ...]) -> Concept:
        properties = tuple(
            ConceptProperty(str(item.get("code", "")), _property_value(item)) for item in concept.get("property", [])
        )
        status = next((item.value for item in properties if item.code == "status"), None)
        inactive_flag = any(item.code == "inactive" and item.value is True for item in properties)
        abstract = any(item.code in ("notSelectable", "abstract") and item.value is True for item in properties)
        return Concept(
            system=self.url,
            version=self.version,
            code=concept["code"],
            display=concept.get("display"),
            definition=concept.get("definition"),
            designations=tuple(_designation(item) for item in concept.get("designation", []) if item.get("value")),
            properties=properties,
            parents=parents,
            children=children,
            inactive=inactive_flag or status in INACTIVE_STATUSES,
            deprecated=status == "deprecated" or any(item.code == "deprecationDate" for item in properties),
            abstract=abstract,
        )

    @property
    def complete(self) -> bool:
        """True when the resource lists every code of the system (content `complete`).

        A "complete" CodeSystem without any concept (two in the core package) is not trusted to be complete.
        A dated copy (see `dated_copy`) is complete for what it lists, but a code it lacks is not judged wrong.
        """
        return self.content == "complete" and bool(self._concepts)

    @property
    def dated_copy(self) -> bool:
        """True for a copy, not from its maintainer's package, of a code system the maintainer keeps adding to
        (terminology.hl7.org, DICOM).

        The R4 core package carries such copies as of 2019, and the DCM package of a DICOM edition ages the same way;
        a code added since is missing from them, so a code absent from the copy cannot be called wrong. HL7
        Terminology's own package is the current release: a code it lacks is unknown.
        """
        return self.url.startswith(EXTERNALLY_MAINTAINED) and not self.from_publisher

    @property
    def why_incomplete(self) -> str:
        """Why the codes of this CodeSystem cannot all be judged ("" when complete)."""
        if self.complete:
            return ""
        if self.content == "complete":
            return f"CodeSystem {self.url} lists no concepts"
        return f"CodeSystem {self.url} has content '{self.content}'"

    def why_code_missing(self, code: str) -> str:
        """Why a code absent from a dated copy is not judged."""
        return (
            f"Code '{code}' is not in the copy (version {self.version}) of {self.url} loaded here; that code system "
            "is maintained outside FHIR and may have added it since"
        )

    def canonical_code(self, code: str) -> str | None:
        """The code as the CodeSystem spells it (case-insensitive systems fold case), or None when absent."""
        if code in self._concepts:
            return code
        return self._folded.get(code.casefold()) if self._folded else None

    def concept(self, code: str) -> Concept | None:
        """The concept with this code, or None."""
        canonical = self.canonical_code(code)
        return self._concepts[canonical] if canonical is not None else None

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and self.canonical_code(code) is not None

    def __iter__(self) -> Iterator[Concept]:
        """Every concept, nested ones included, in document order."""
        return iter(self._concepts.values())

    def __len__(self) -> int:
        return len(self._concepts)

    def codes(self) -> list[str]:
        """Every code in document order."""
        return list(self._concepts)

    def descendants(self, code: str) -> frozenset[str]:
        """Every code below `code` in the hierarchy (transitively), `code` itself excluded."""
        canonical = self.canonical_code(code)
        if canonical is None:
            return frozenset()
        found = self._descendants.get(canonical)
        if found is None:
            found = frozenset(self._closure(canonical, lambda concept: concept.children))
            self._descendants[canonical] = found
        return found

    def ancestors(self, code: str) -> frozenset[str]:
        """Every code above `code` in the hierarchy (transitively), `code` itself excluded."""
        canonical = self.canonical_code(code)
        if canonical is None:
            return frozenset()
        found = self._ancestors.get(canonical)
        if found is None:
            found = frozenset(self._closure(canonical, lambda concept: concept.parents))
            self._ancestors[canonical] = found
        return found

    def subsumes(self, ancestor: str, descendant: str) -> bool:
        """True when `descendant` is `ancestor` or lies below it."""
        a, d = self.canonical_code(ancestor), self.canonical_code(descendant)
        return a is not None and d is not None and (a == d or d in self.descendants(a))

    def _closure(self, start: str, step: Any) -> set[str]:
        seen: set[str] = set()
        pending = [start]
        while pending:
            concept = self._concepts.get(pending.pop())
            if concept is None:
                continue
            for code in step(concept):
                if code not in seen and code != start:
                    seen.add(code)
                    pending.append(code)
        return seen

    def __repr__(self) -> str:
        return f"CodeSystemIndex({self.url}|{self.version}, {len(self._concepts)} concepts, {self.content})"


def _link(parents: dict[str, list[str]], children: dict[str, list[str]], *, parent: str, child: str) -> None:
    if parent == child:
        return
    above = parents.setdefault(child, [])
    if parent not in above:
        above.append(parent)
    below = children.setdefault(parent, [])
    if child not in below:
        below.append(child)


def _uri_is(definition: dict, name: str) -> bool:
    uri = str(definition.get("uri", ""))
    return uri.endswith(f"concept-properties#{name}")


def _property_value(item: dict) -> Any:
    for key, value in item.items():
        if key.startswith("value"):
            return value
    return None


def _designation(item: dict) -> Designation:
    use = item.get("use")
    return Designation(
        value=str(item["value"]),
        language=item.get("language"),
        use=(use.get("system"), use.get("code")) if isinstance(use, dict) else None,
    )
