"""Rules on conformance resources themselves (StructureDefinition, SearchParameter, CapabilityStatement and every
resource with a canonical URL) that their element tree and invariants do not express; run only for resources of
those types.

Every resource whose R4 `url` is its canonical URL: the url is an absolute URI (contained ones included).
CodeSystem supplements: every concept is one of the supplemented code system's (when it is loaded and complete; for
LOINC, which is not loaded, when it has the shape of a LOINC code).

StructureDefinition, every element list: no slicing on the root element of a differential; a binding, maxLength,
minValue or maxValue only on types that can carry one (the HL7 type characteristics); discriminator paths of a
differential's slicing must name an element of the sliced type. For a constraint with a differential, the
differential is replayed against its base's element tree, as a snapshot generator would: no slicing at the root
(fatal to the replay); a type-specific choice name (`valueQuantity`) must name one of the choice's types unless the
element restricts its types; every element must match an element of the base, in the base's order (children after
their parent, slices after the sliced element); a fixed value must not contradict a fixed value of the base; a slice
must not restate its slicing differently from the slicing entry that introduced it. SearchParameter: `derivedFrom`
(its base list, type and, as a warning, expression), composite parameters need two or more components, and an
expression's paths must start from one of the bases. CapabilityStatement: the type of a search parameter must be
the type of its definition.

Not checked: a full snapshot generation (a snapshot present in the resource is not compared with one generated from
the differential), slicing rules against an already sliced base, invariant expressions of element definitions
(FHIRPath compile checks), mapping and obligation extensions, OperationDefinition parameters against the
input/output profiles, CapabilityStatement interactions beyond search parameter types, and the FHIRPath type
checking of search expressions beyond the type each path starts from.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from dermfhir.terminology.loinc import LOINC_SYSTEM, loinc_code_error
from dermfhir.terminology.service import is_supplement
from dermfhir.validation.messages import TEXTS, MessageId
from dermfhir.validation.model import Node, StructureModel
from dermfhir.validation.outcome import IssueType

if TYPE_CHECKING:
    from dermfhir.validation.checker import Checker

#: The R4 resources whose `url` is "An absolute URI that is used to identify this [resource] when it is referenced in
#: a specification, model, design or an instance" (the definition of each one's `url` element): their canonical URL.
#: `tests/validation/test_conformance_resources.py` derives the same list from the core definitions.
CANONICAL_URL_TYPES = frozenset(
    {
        "ActivityDefinition",
        "CapabilityStatement",
        "ChargeItemDefinition",
        "CodeSystem",
        "CompartmentDefinition",
        "ConceptMap",
        "EffectEvidenceSynthesis",
        "EventDefinition",
        "Evidence",
        "EvidenceVariable",
        "ExampleScenario",
        "GraphDefinition",
        "ImplementationGuide",
        "Library",
        "Measure",
        "OperationDefinition",
        "PlanDefinition",
        "Questionnaire",
        "ResearchDefinition",
        "ResearchElementDefinition",
        "RiskEvidenceSynthesis",
        "SearchParameter",
        "StructureDefinition",
        "StructureMap",
        "TerminologyCapabilities",
        "TestScript",
        "ValueSet",
    }
)

#: Resource types with checks here: the walk calls `check` for these only, so other resources pay nothing.
CHECKED = frozenset({"StructureDefinition", "SearchParameter", "CapabilityStatement"}) | CANONICAL_URL_TYPES

_ABSOLUTE_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")

_FHIR_TYPE_EXT = "http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type"

#: What each R4 type allows to be constrained (HL7 "type characteristics"; types not listed allow none of these).
_CHARACTERISTICS: dict[str, frozenset[str]] = {
    name: frozenset(values.split())
    for name, values in {
        "integer": "has-range has-length",
        "integer64": "has-range has-length",
        "decimal": "has-range is-continuous has-length",
        "base64Binary": "has-size",
        "instant": "has-range is-continuous has-length",
        "string": "has-length do-translations can-bind",
        "uri": "has-length can-bind",
        "date": "has-range has-length",
        "dateTime": "has-range is-continuous has-length",
        "time": "has-range is-continuous has-length",
        "canonical": "has-target has-length",
        "code": "has-length can-bind",
        "id": "has-length",
        "markdown": "do-translations has-length",
        "oid": "has-length can-bind",
        "positiveInt": "has-range has-length",
        "unsignedInt": "has-range has-length",
        "url": "has-length can-bind",
        "uuid": "has-length can-bind",
        "Address": "do-translations",
        "Age": "has-range is-continuous can-bind has-units",
        "Attachment": "has-size do-translations",
        "CodeableConcept": "can-bind do-translations",
        "CodeableReference": "has-target can-bind do-translations",
        "Coding": "can-bind do-translations",
        "Count": "has-range",
        "Distance": "has-range is-continuous can-bind has-units",
        "Duration": "has-range is-continuous can-bind has-units",
        "Money": "has-range is-continuous",
        "Quantity": "has-range is-continuous can-bind has-units",
        "Range": "has-units can-bind",
        "Ratio": "has-units",
        "RatioRange": "has-units",
        "Reference": "has-target",
        "Extension": "can-bind",
        "MoneyQuantity": "has-range is-continuous can-bind has-units",
        "SimpleQuantity": "has-range is-continuous can-bind has-units",
    }.items()
}
_CONSTRAINT_NEEDS = (
    ("binding", "can-bind", "Binding"),
    ("maxLength", "has-length", "MaxLength"),
    ("minValue", "has-range", "MinValue"),
    ("maxValue", "has-range", "MaxValue"),
)


class SnapshotError(Exception):
    """A differential problem a snapshot generator cannot get past: reported once, the replay stops."""

    def __init__(self, message_id: MessageId, **values: Any) -> None:
        super().__init__(TEXTS[message_id].format_map(values))
        self.message_id = message_id
        self.values = values


def check(walker: Checker, resource: dict, path: str) -> None:
    resource_type = resource.get("resourceType")
    url = resource.get("url")
    if resource_type in CANONICAL_URL_TYPES and isinstance(url, str) and url and not _ABSOLUTE_URI.match(url):
        # a canonical URL is absolute wherever the resource is, contained ones included: a contained resource is
        # referred to by `#id`, never by a relative url of its own
        walker.run.error(IssueType.INVALID, MessageId.TYPE_SPECIFIC_CHECKS_CANONICAL_ABSOLUTE, f"{path}.url", url=url)
    if resource_type == "CodeSystem" and is_supplement(resource):
        _supplement(walker, resource, path)
    if resource_type == "StructureDefinition":
        _structure_definition(walker, resource, path)
    elif resource_type == "SearchParameter":
        _search_parameter(walker, resource, path)
    elif resource_type == "CapabilityStatement":
        _capability_statement(walker, resource, path)


# CodeSystem -------------------------------------------------------------------------------------------------------
def _supplement(walker: Checker, code_system: dict, path: str) -> None:
    """A supplement adds designations and properties to the concepts of the code system it supplements (R4
    CodeSystem.content `supplement`: "adding additional designations and properties to another CodeSystem"): each
    of its concepts is one of that code system's, judged when the code system is loaded and complete."""
    base = code_system.get("supplements")
    if not isinstance(base, str) or not base:
        return
    url, _, version = base.partition("|")
    # LOINC is not loaded: a code of its shape may be one of its codes
    index = None if url == LOINC_SYSTEM else walker.terminology.code_system_for(url, version or None)
    if url != LOINC_SYSTEM and (index is None or not index.complete):
        return
    pending: list[tuple[Any, str]] = [(code_system.get("concept"), path)]
    while pending:
        concepts, where = pending.pop()
        for number, concept in enumerate(concepts if isinstance(concepts, list) else []):
            if not isinstance(concept, dict):
                continue
            location = f"{where}.concept[{number}]"
            code = concept.get("code")
            if isinstance(code, str) and not _declared(index, code):
                walker.run.error(
                    IssueType.BUSINESS_RULE, MessageId.CODESYSTEM_CS_SUPPLEMENT_NEW_CODE, location, code=code, base=base
                )
            pending.append((concept.get("concept"), location))


def _declared(index: Any, code: str) -> bool:
    """Whether `code` is a concept of the code system `index` (None: LOINC, which has the shape of its codes only)."""
    return loinc_code_error(code) is None if index is None else index.concept(code) is not None


# StructureDefinition ---------------------------------------------------------------------------------------------
def _structure_definition(walker: Checker, sd: dict, path: str) -> None:
    differential = _elements(sd.get("differential"))
    snapshot = _elements(sd.get("snapshot"))
    for index, element in differential:
        _element_rules(walker, element, f"{path}.differential.element[{index}]", differential=True)
    for index, element in snapshot:
        _element_rules(walker, element, f"{path}.snapshot.element[{index}]", differential=False)
    if sd.get("derivation") == "constraint" and differential and isinstance(sd.get("baseDefinition"), str):
        base = walker.models.get(sd["baseDefinition"])
        if base is None or base.root is None:
            walker.run.warning(IssueType.NOT_FOUND, MessageId.UNABLE_TO_FIND_BASE_FOR, path, base=sd["baseDefinition"])
            return
        try:
            _Replay(walker, sd, base, differential, path).run()
        except SnapshotError as error:
            walker.run.error(IssueType.EXCEPTION, error.message_id, path, **error.values)


def _elements(holder: Any) -> list[tuple[int, dict]]:
    items = holder.get("element") if isinstance(holder, dict) else None
    if not isinstance(items, list):
        return []
    return [
        (index, item)
        for index, item in enumerate(items)
        if isinstance(item, dict) and isinstance(item.get("path"), str)
    ]


def _type_code(item: dict) -> str | None:
    for extension in item.get("extension") or []:
        if isinstance(extension, dict) and extension.get("url") == _FHIR_TYPE_EXT:
            value = extension.get("valueUrl") or extension.get("valueUri")
            if isinstance(value, str):
                return value
    code = item.get("code")
    return code if isinstance(code, str) and code else None


def _element_rules(walker: Checker, element: dict, location: str, differential: bool) -> None:
    element_path = element["path"]
    if differential and "." not in element_path and "slicing" in element:
        walker.run.error(IssueType.INVALID, MessageId.SD_NO_SLICING_ON_ROOT, location)
    codes = [code for code in (_type_code(t) for t in element.get("type") or [] if isinstance(t, dict)) if code]
    if "." not in element_path:
        codes.append(element_path)  # the root element's type is the structure's type
    if codes:
        characteristics: set[str] = set()
        for code in codes:
            characteristics |= _CHARACTERISTICS.get(code, frozenset())
        for key, needed, label in _CONSTRAINT_NEEDS:
            present = key in element or (
                key in ("minValue", "maxValue")
                and any(k.startswith(key) and k[len(key) :][:1].isupper() for k in element)
            )
            if present and needed not in characteristics:
                walker.run.error(
                    IssueType.BUSINESS_RULE,
                    MessageId.SD_ILLEGAL_CHARACTERISTICS,
                    location,
                    label=label,
                    types=", ".join(codes),
                )


class _Resolved:
    """Where a differential element lands in the base tree: its node, its types and its order key."""

    __slots__ = ("codes", "key", "node")

    def __init__(self, node: Node, codes: tuple[str, ...], key: tuple) -> None:
        self.node = node
        self.codes = codes
        self.key = key


class _Replay:
    """Replays a differential against its base's element tree (see the module docstring for the rules)."""

    def __init__(self, walker: Checker, sd: dict, base: StructureModel, elements: list, path: str) -> None:
        self.walker = walker
        self.sd = sd
        self.base = base
        self.elements = elements
        self.path = path
        #: slice names seen per sliced element (base slices first), for the order of new slices
        self.slice_order: dict[tuple, list[str]] = {}
        #: differential element id → the types it restricts itself to
        self.declared_types: dict[str, tuple[str, ...]] = {}

    def run(self) -> None:
        assert self.base.root is not None
        root_path = self.base.root.path
        for _, element in self.elements:
            if "." not in element["path"] and "slicing" in element:
                raise SnapshotError(MessageId.ERROR_GENERATING_SNAPSHOT, path=element["path"])
        resolved: list[tuple[int, dict, _Resolved | None]] = []
        for index, element in self.elements:
            element_id = element.get("id") if isinstance(element.get("id"), str) else None
            if not element_id or _strip_slices(element_id).split(".")[0] != element["path"].split(".")[0]:
                element_id = element["path"] + (f":{element['sliceName']}" if element.get("sliceName") else "")
            if element_id.split(".")[0].partition(":")[0] != root_path:
                continue  # a path outside the type: the element's own path rules report it
            self._check_choice_name(element, root_path)
            codes = tuple(c for c in (_type_code(t) for t in element.get("type") or [] if isinstance(t, dict)) if c)
            if codes:
                self.declared_types[element_id] = codes
            resolved.append((index, element, self._resolve(element_id)))
        unmatched = self._unmatched(resolved)
        for index, element, found in resolved:
            location = f"{self.path}.differential.element[{index}]"
            if index in unmatched:
                continue
            if found is not None:
                self._fixed(element, found.node, location)
            if isinstance(element.get("slicing"), dict):
                self._discriminators(element, found, location)
        self._slicing_restated()
        if unmatched:
            ids = []
            for index, element, _ in resolved:
                if index in unmatched:
                    element_id = str(element.get("id") or element["path"])
                    ids.append(element_id)
                    self.walker.run.error(
                        IssueType.NOT_FOUND,
                        MessageId.SNAPSHOT_NO_MATCH,
                        f"{self.path}.differential.element[{index}]",
                        element_id=element_id,
                    )
            self.walker.run.error(
                IssueType.NOT_FOUND,
                MessageId.UNMATCHED_DIFFERENTIAL_ELEMENT
                if len(ids) == 1
                else MessageId.UNMATCHED_DIFFERENTIAL_ELEMENTS,
                self.path,
                url=self.sd.get("url"),
                count=len(ids),
                ids=", ".join(ids),
            )

    # resolution --------------------------------------------------------------------------------------------------
    def _check_choice_name(self, element: dict, root_path: str) -> None:
        """`Observation.valueBla`: a type-specific name must name one of the choice's types (unless `type` says)."""
        steps = element["path"].split(".")
        node: Node | None = self.base.root
        codes: tuple[str, ...] = ()
        for position, name in enumerate(steps[1:], start=1):
            holder = self._holder(node, codes) if node is not None else None
            if holder is None:
                return
            child = holder.children.get(name[:-3] if name.endswith("[x]") else name)
            codes = ()
            if child is None:
                choice = next(
                    (c for c in holder.children.values() if c.is_choice and name.startswith(c.key) and name != c.key),
                    None,
                )
                if choice is None:
                    return
                suffix = name[len(choice.key) :]
                matching = [t.code for t in choice.types if t.code[:1].upper() + t.code[1:] == suffix]
                if not matching and position == len(steps) - 1 and not element.get("type"):
                    raise SnapshotError(
                        MessageId.ERROR_GENERATING_SNAPSHOT_CHOICE_PATH,
                        expected=".".join([*steps[:position], choice.name]),
                        path=element["path"],
                    )
                if not matching:
                    return
                child, codes = choice, (matching[0],)
            node = child

    def _holder(self, node: Node, codes: tuple[str, ...], element_id: str | None = None) -> Node | None:
        if node.children:
            return node
        if not codes and element_id is not None:
            codes = self.declared_types.get(element_id, ())
        if not codes:
            codes = node.type_codes
        if len({c for c in codes}) > 1:
            return None
        return self.walker.models.children(node, codes[0] if codes else None)

    def _resolve(self, element_id: str) -> _Resolved | None:
        """The base node and order key of a differential element id; None when it cannot be told (not an error)."""
        assert self.base.root is not None
        node: Node = self.base.root
        codes: tuple[str, ...] = ()
        key: list[tuple] = []
        current_id = _split_id(element_id)[0]
        for step in _split_id(element_id)[1:]:
            name, _, slice_part = step.partition(":")
            holder = self._holder(node, codes, current_id)
            if holder is None:
                return None
            child = holder.children.get(name[:-3] if name.endswith("[x]") else name)
            codes = ()
            if child is None:
                choice = next(
                    (c for c in holder.children.values() if c.is_choice and name.startswith(c.key) and name != c.key),
                    None,
                )
                matching = (
                    [t.code for t in choice.types if t.code[:1].upper() + t.code[1:] == name[len(choice.key) :]]
                    if choice is not None
                    else []
                )
                if choice is None or not matching:
                    return _Resolved(node, (), ("missing",))
                child, codes = choice, (matching[0],)
            position = list(holder.children.values()).index(child)
            ranks: list[int] = []
            target = child
            scope = (tuple(key), position)
            if slice_part:
                base_slice: Node | None = child
                for depth, part in enumerate(slice_part.split("/")):
                    names = self.slice_order.setdefault(
                        (scope, tuple(slice_part.split("/")[:depth])),
                        [s.slice_name or "" for s in base_slice.slices] if base_slice is not None else [],
                    )
                    if part not in names:
                        names.append(part)
                    ranks.append(names.index(part) + 1)
                    base_slice = (
                        next((s for s in base_slice.slices if s.slice_name == part), None)
                        if base_slice is not None
                        else None
                    )
                if base_slice is not None:
                    target = base_slice
            key.append((position, *ranks) if ranks else (position, 0))
            current_id += "." + step
            node = target
        return _Resolved(node, codes, tuple(key))

    def _unmatched(self, resolved: list[tuple[int, dict, _Resolved | None]]) -> set[int]:
        """Differential indexes a generator walking the base in order would never reach."""
        unmatched = {index for index, _, found in resolved if found is not None and found.key == ("missing",)}
        ordered = sorted(
            (
                (found.key, position, index)
                for position, (index, _, found) in enumerate(resolved)
                if found is not None and index not in unmatched
            ),
        )
        cursor = -1
        for _, position, index in ordered:
            if position < cursor:
                unmatched.add(index)
            else:
                cursor = position
        return unmatched

    # element rules -----------------------------------------------------------------------------------------------
    def _fixed(self, element: dict, node: Node, location: str) -> None:
        if node.fixed is None:
            return
        for key, value in element.items():
            if key.startswith("fixed") and key[5:6].isupper() and value != node.fixed[1]:
                self.walker.run.error(
                    IssueType.VALUE,
                    MessageId.PROFILE_VAL_NOTALLOWED_IN_BASE,
                    location,
                    value=_short(value),
                    fixed=_short(node.fixed[1]),
                    url=self.base.url,
                )

    def _discriminators(self, element: dict, found: _Resolved | None, location: str) -> None:
        if found is None or found.key == ("missing",):
            return
        codes = (
            tuple(c for c in (_type_code(t) for t in element.get("type") or [] if isinstance(t, dict)) if c)
            or found.codes
            or found.node.type_codes
        )
        profiles = [
            p
            for t in element.get("type") or []
            if isinstance(t, dict)
            for p in t.get("profile") or []
            if isinstance(p, str)
        ]
        roots: list[Node] = []
        if found.node.children:
            roots.append(found.node)
        elif profiles:
            for profile in profiles:
                model = self.walker.models.get(profile)
                if model is None or model.root is None:
                    return
                roots.append(model.root)
        else:
            for code in codes:
                root = self.walker.models.type_root(code)
                if root is None:
                    return
                roots.append(root)
        if not roots:
            return
        slicing = element["slicing"]
        for number, discriminator in enumerate(slicing.get("discriminator") or []):
            if not isinstance(discriminator, dict) or not isinstance(discriminator.get("path"), str):
                continue
            if discriminator.get("type") not in ("value", "pattern", "exists", "type", "profile"):
                continue
            if not any(self._path_exists(root, discriminator["path"]) for root in roots):
                self.walker.run.error(
                    IssueType.INVALID,
                    MessageId.SD_DISCRIMINATOR_PATH_INVALID,
                    f"{location}.slicing.discriminator[{number}]",
                    discriminator=discriminator["path"],
                    element=element["path"],
                )

    def _path_exists(self, root: Node, path: str) -> bool:
        """Whether a discriminator path names an element below `root` (paths with functions other than
        `extension(url)` are given the benefit of the doubt)."""
        node: Node | None = root
        for step in _split_path(path):
            if node is None:
                return True
            if step == "$this":
                continue
            match = re.fullmatch(r"extension\((['\"]?)([^'\"()]+)\1\)", step)
            if match:
                model = self.walker.models.get(match.group(2))
                node = model.root if model is not None else None
                continue
            if "(" in step:
                return True
            holder = node if node.children else self.walker.models.children(node)
            if holder is None:
                return True
            child = holder.children.get(step)
            if child is None:
                child = next((c for c in holder.children.values() if c.is_choice and step.startswith(c.key)), None)
                if child is None:
                    return False
            node = child
        return True

    def _slicing_restated(self) -> None:
        """A slice that restates its slicing must agree with the slicing entry that introduced it."""
        groups: dict[str, list[dict]] = {}
        for _, element in self.elements:
            element_id = element.get("id")
            if not isinstance(element_id, str):
                continue
            parent, _, last = element_id.rpartition(".")
            name, _, slice_part = last.partition(":")
            if "/" in slice_part:
                continue
            groups.setdefault(f"{parent}.{name}", []).append(element)
        for members in groups.values():
            first = members[0]
            if not isinstance(first.get("slicing"), dict) or len(members) < 2:
                continue
            found = self._resolve(first["id"])
            if found is not None and found.key != ("missing",) and found.node.slicing:
                continue  # slicing over an already sliced base is not replayed here
            for other in members[1:]:
                if isinstance(other.get("slicing"), dict) and not _slicing_matches(first["slicing"], other["slicing"]):
                    self.walker.run.error(
                        IssueType.BUSINESS_RULE,
                        MessageId.ATTEMPT_TO_CHANGE_SLICING,
                        self.path,
                        first=first["id"],
                        slicing=_slicing_summary(first["slicing"]),
                        other=other["id"],
                        new_slicing=_slicing_summary(other["slicing"]),
                    )


def _split_id(element_id: str) -> list[str]:
    """The steps of an element id (slice names with dots in them are not supported: ids in practice have none)."""
    return [step for step in element_id.split(".") if step]


def _strip_slices(element_id: str) -> str:
    return ".".join(step.partition(":")[0] for step in _split_id(element_id))


def _split_path(path: str) -> list[str]:
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
            continue
        current += char
    steps.append(current)
    return [s.strip() for s in steps if s.strip()]


def _slicing_matches(first: dict, other: dict) -> bool:
    if "ordered" in other and other.get("ordered") != first.get("ordered"):
        return False
    if "rules" in other and other.get("rules") != first.get("rules"):
        return False
    return "discriminator" not in other or _discriminator_list(other) == _discriminator_list(first)


def _discriminator_list(slicing: dict) -> list[tuple[Any, Any]]:
    return [
        (item.get("type"), item.get("path")) for item in slicing.get("discriminator") or [] if isinstance(item, dict)
    ]


def _slicing_summary(slicing: dict) -> str:
    ordered = slicing.get("ordered")
    order = "??" if ordered is None else ("ordered" if ordered else "unordered")
    discriminators = ", ".join(f"{kind}={path}" for kind, path in _discriminator_list(slicing))
    return f"{order}/{slicing.get('rules', '??')} [{discriminators}]"


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) < 120 else text[:117] + "..."


# SearchParameter -------------------------------------------------------------------------------------------------
def _search_parameter(walker: Checker, sp: dict, path: str) -> None:
    bases = [b for b in sp.get("base") or [] if isinstance(b, str)]
    kind = sp.get("type")
    components = [c for c in sp.get("component") or [] if isinstance(c, dict)]
    if kind == "composite" and len(components) < 2:
        walker.run.error(IssueType.BUSINESS_RULE, MessageId.SEARCHPARAMETER_COMPOSITE_COMPONENTS, path)
    expression = sp.get("expression")
    if isinstance(expression, str) and bases:
        _search_expression(walker, expression, bases, f"{path}.expression")
    master_url = sp.get("derivedFrom")
    if not isinstance(master_url, str) or not master_url:
        return
    master = walker.validator.definitions.resolve(master_url)
    if not isinstance(master, dict) or master.get("resourceType") != "SearchParameter":
        walker.run.warning(IssueType.BUSINESS_RULE, MessageId.SEARCHPARAMETER_NOTFOUND, path, master_url=master_url)
        return
    master_bases = [b for b in master.get("base") or [] if isinstance(b, str)]
    for base in bases:
        if base not in master_bases and "Resource" not in master_bases:
            walker.run.error(
                IssueType.BUSINESS_RULE, MessageId.SEARCHPARAMETER_BASE_WRONG, path, base=base, master_url=master_url
            )
    if isinstance(kind, str) and kind != master.get("type"):
        walker.run.error(
            IssueType.BUSINESS_RULE,
            MessageId.SEARCHPARAMETER_TYPE_WRONG,
            path,
            kind=kind,
            master_type=master.get("type"),
            master_url=master_url,
        )
    master_expression = master.get("expression")
    if (
        isinstance(expression, str)
        and isinstance(master_expression, str)
        and expression != master_expression
        and _canonical_expression(walker, expression, bases) != _canonical_expression(walker, master_expression, bases)
    ):
        walker.run.warning(
            IssueType.BUSINESS_RULE,
            MessageId.SEARCHPARAMETER_EXP_WRONG,
            path,
            expression=expression,
            master_expression=master_expression,
            master_url=master_url,
        )


def _union_terms(expression: str) -> list[str]:
    """The top-level `|` terms of a FHIRPath expression (outside parentheses and strings)."""
    terms: list[str] = []
    depth = 0
    quote = ""
    current = ""
    for char in expression:
        if quote:
            if char == quote:
                quote = ""
        elif char in "'`\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            terms.append(current.strip())
            current = ""
            continue
        current += char
    terms.append(current.strip())
    return [t for t in terms if t]


_LEADING_NAME = re.compile(r"^\(*\s*([A-Za-z][A-Za-z0-9]*)")


def _resource_name(walker: Checker, term: str) -> str | None:
    match = _LEADING_NAME.match(term)
    if not match or not match.group(1)[:1].isupper():
        return None
    name = match.group(1)
    model = walker.models.get(name)
    return name if model is not None and model.kind == "resource" and model.derivation != "constraint" else None


def _search_expression(walker: Checker, expression: str, bases: list[str], location: str) -> None:
    allowed = set(bases)
    for base in bases:
        model = walker.models.get(base)
        hops = 0
        while model is not None and model.base_definition and hops < 10:
            allowed.add(str(model.base_definition).rsplit("/", 1)[-1])
            model = walker.models.get(str(model.base_definition))
            hops += 1
    if allowed & {"Resource", "DomainResource"} and not set(bases) - {"Resource", "DomainResource"}:
        return
    for term in _union_terms(expression):
        name = _resource_name(walker, term)
        if name is not None and name not in allowed:
            types = ", ".join(f"http://hl7.org/fhir/StructureDefinition/{b}" for b in bases)
            walker.run.error(
                IssueType.INVALID,
                MessageId.SEARCHPARAMETER_EXPRESSION_ERROR,
                location,
                expression=expression,
                name=name,
                types=types,
            )
            return


def _canonical_expression(walker: Checker, expression: str, bases: list[str]) -> str:
    terms = []
    for term in _union_terms(expression):
        name = _resource_name(walker, term)
        if name is None or name in bases:
            terms.append(term)
    return " | ".join(sorted(terms))


# CapabilityStatement ---------------------------------------------------------------------------------------------
def _capability_statement(walker: Checker, statement: dict, path: str) -> None:
    for rest_index, rest in enumerate(statement.get("rest") or []):
        if not isinstance(rest, dict):
            continue
        for resource_index, resource in enumerate(rest.get("resource") or []):
            if not isinstance(resource, dict):
                continue
            for param_index, param in enumerate(resource.get("searchParam") or []):
                if not isinstance(param, dict):
                    continue
                definition_url, kind = param.get("definition"), param.get("type")
                if not isinstance(definition_url, str) or not isinstance(kind, str):
                    continue
                definition = walker.validator.definitions.resolve(definition_url)
                if not isinstance(definition, dict) or definition.get("resourceType") != "SearchParameter":
                    continue
                if definition.get("type") != kind:
                    label = (
                        definition_url
                        if "|" in definition_url or not definition.get("version")
                        else (f"{definition_url}|{definition['version']}")
                    )
                    walker.run.error(
                        IssueType.BUSINESS_RULE,
                        MessageId.CAPABILITYSTATEMENTIMPL_SP_TYPE_MISMATCH,
                        f"{path}.rest[{rest_index}].resource[{resource_index}].searchParam[{param_index}]",
                        label=label,
                        expected_type=definition.get("type"),
                        kind=kind,
                    )
