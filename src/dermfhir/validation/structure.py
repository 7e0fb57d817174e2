"""The walk of an instance against a compiled element tree.

Checked here: R4 JSON rules (resourceType, arrays vs single values, nulls, empty strings/objects/arrays, `_name`
primitive siblings, unknown properties, choice names), types, cardinality (min/max, including `value[x]`),
fixed[x]/pattern[x], minValue/maxValue, maxLength, resource ids, contained resources (dom-2 … dom-5) and the nesting
depth limit; slicing, extensions, bindings, references, invariants and the rules on conformance resources
(StructureDefinition, SearchParameter, CapabilityStatement) are delegated to their modules. Not checked:
mustSupport (it is not a rule on instances), the XML-only rules of R4.
"""

from __future__ import annotations

import re
from typing import Any

import orjson
from markdown_it import MarkdownIt

from dermfhir.fhirpath.compare import compare_quantities, compare_temporal
from dermfhir.validation import bindings, conformance_resources, extensions, invariants, references, slicing
from dermfhir.validation.context import Frame, Run
from dermfhir.validation.memo import Memo
from dermfhir.validation.messages import MessageId, primitive_id
from dermfhir.validation.model import Models, Node, StructureModel
from dermfhir.validation.outcome import IssueType
from dermfhir.validation.primitives import (
    MAX_STRING,
    PRIMITIVE_TYPES,
    check_primitive,
    id_problem,
    xhtml_names_allowed,
)

RESOURCE_TYPES_ABSTRACT = ("Resource", "DomainResource")
#: primitive types whose only lexical rules are "not empty" and the 1 MB limit (see primitive())
_PLAIN_STRINGS = frozenset({"string", "markdown"})
#: the types whose `#id` values refer to a contained resource (dom-3: `reference`, canonical, uri and url)
_LOCAL_REFERENCE_TYPES = frozenset({"canonical", "uri", "url"})


class Walker:
    """Validates one resource (and everything inside it) into a Run."""

    def __init__(self, validator: Any, run: Run) -> None:
        self.validator = validator
        self.models: Models = validator.models
        self.terminology = validator.terminology
        self.run = run
        self.depth = 0
        self.max_depth: int = validator.options.max_depth
        self.fatal = False
        self.entry_full_url: str | None = None
        self.invariants_done: dict[tuple[int, str, str], bool] = {}
        #: (holder, value, location, context) of the children walks that reported nothing (see `element`)
        self.clean: set[tuple[int, int, str, tuple[str, str | None]]] = set()
        #: (element path, type) of the element whose children are being walked: the context of its extensions
        self.context: tuple[str, str | None] = ("", None)
        #: the index that resolves the references of `bundle_root` when its entries are validated chunk by chunk
        self.bundle_index: Any = None
        self.bundle_root: Any = None
        #: walks remembered by content across runs (see `memo`); None when the validator keeps none
        self.memo: Memo | None = validator.memo
        #: how many times a check looked beyond the element it was given (see `taint`)
        self.taints = 0
        #: how many times a target or slice was checked against a profile (a probe, or a check deferred to the end)
        self.profile_checks = 0
        #: the Bundle entries whose walk found no error without checking anything against a profile (see `resource`
        #: and `walked_clean`): (resource, container, Bundle index, fullUrl) identities → (resource, profiles walked)
        self.clean_entries: dict[tuple[int, int, int, str | None], tuple[dict, frozenset[str]]] = {}

    def taint(self) -> None:
        """Say that the walk in progress depends on more than the value and its definition: it is not remembered."""
        self.taints += 1

    def resolve(self, reference: str, frame: Frame) -> dict | None:
        return references.resolve(self, reference, frame)

    def conforms(self, profile: str, value: Any, frame: Frame) -> bool:
        return slicing.conforms(self, profile, value, frame)

    def probe(self) -> Walker:
        """A walk of the same validator at the same depth into a fresh Run (see `checker.Checker`)."""
        probe = Walker(self.validator, Run(self.run.options))
        probe.depth = self.depth
        probe.clean_entries = self.clean_entries
        return probe

    def walked_clean(
        self, profile: str, value: dict, container: Frame | None, bundle: Any, full_url: str | None
    ) -> bool:
        """Whether this run has already walked `value`, a Bundle entry, against `profile` (its own or one it
        declares) in the same Bundle, with no error and no profile check of anything outside it, so that a probe of
        it (`slicing.conforms`) would find no error either: the same walk of the same content from the same frame.
        The probe would start deeper: it must not reach the depth limit where the entry's walk did not."""
        found = self.clean_entries.get((id(value), id(container), id(bundle), full_url))
        if found is None or found[0] is not value or profile not in found[1]:
            return False
        return self.depth + _object_depth(value) <= self.max_depth

    # resources ---------------------------------------------------------------------------------------------------
    def resource(
        self,
        value: Any,
        path: str,
        profiles: tuple[str, ...] = (),
        container: Frame | None = None,
        bundle: Any = None,
        full_url: str | None = None,
        contained: bool = False,
        explicit: bool = False,
    ) -> None:
        self.taints += 1  # a resource: its own frame, references, contained resources, Bundle entries
        if not isinstance(value, dict):
            self.run.error(IssueType.STRUCTURE, MessageId.RESOURCE_NOT_OBJECT, path, kind=_kind(value))
            return
        resource_type = value.get("resourceType")
        if not isinstance(resource_type, str):
            self.run.error(IssueType.INVALID, MessageId.UNABLE_TO_FIND_RESOURCETYPE, path)
            return
        model = self.models.get(resource_type)
        if model is None or model.kind != "resource" or model.root is None or model.derivation == "constraint":
            self.run.error(IssueType.INVALID, MessageId.UNKNOWN_RESOURCE_TYPE, path, resource_type=resource_type)
            return
        if model.abstract:
            self.run.error(IssueType.INVALID, MessageId.RESOURCE_ABSTRACT, path, resource_type=resource_type)
            return
        if not path:
            path = resource_type
        if full_url is None and not contained:
            full_url, self.entry_full_url = self.entry_full_url, None
        frame = Frame(value, path, container, bundle, full_url, is_contained=contained)
        if resource_type == "Bundle":
            from dermfhir.validation.bundle import BundleIndex

            frame.bundle = self.bundle_index if value is self.bundle_root else BundleIndex(value)
        # A Bundle entry walked with no error and no profile check of another resource conforms to its profiles:
        # `walked_clean` answers a later probe of it from there (only while the memo is on, which the differential
        # tests of `memo` compare with a validator without both).
        entry = None
        if self.memo is not None and not contained and not profiles and container is not None and bundle is not None:
            entry = (id(value), id(container), id(bundle), full_url)
            errors, checks = self.run.error_attempts, self.profile_checks
        if "id" in value:
            problem = id_problem(value["id"])
            if problem:
                self.run.error(IssueType.INVALID, problem[0], f"{path}.id", **problem[1])
        self.element(model.root, value, path, resource_type, frame, model)
        if resource_type == "Bundle":
            from dermfhir.validation import bundle as bundle_checks

            bundle_checks.check(self, value, path, frame)
        if resource_type == "QuestionnaireResponse":
            from dermfhir.validation import questionnaire

            questionnaire.check(self, value, path, frame)
        if resource_type == "Questionnaire":
            from dermfhir.validation import questionnaire

            questionnaire.check_enable_when_targets(self, value, path)
        if resource_type in conformance_resources.CHECKED:
            conformance_resources.check(self, value, path)
        self._contained(value, path, frame)
        _element_ids(self.run, value, path)
        walked = self._profiles(value, profiles, path, explicit)
        for profile in walked:
            self.element(profile.root, value, path, resource_type, frame, profile)  # type: ignore[arg-type]
        if entry is not None and self.run.error_attempts == errors and self.profile_checks == checks and not self.fatal:
            self.clean_entries[entry] = (value, frozenset([model.url, *(p.url for p in walked)]))

    def _profiles(self, value: dict, profiles: tuple[str, ...], path: str, explicit: bool) -> list[StructureModel]:
        found: list[StructureModel] = []
        meta = value.get("meta")
        listed = meta.get("profile") if isinstance(meta, dict) else None
        declared = [p for p in listed if isinstance(p, str)] if isinstance(listed, list) else []
        resource_type = value.get("resourceType")
        in_force = self.models.global_profiles(resource_type) if isinstance(resource_type, str) else ()
        for url in [*profiles, *declared, *in_force]:
            model = self.models.get(url)
            if model is None or model.root is None:
                if url in profiles and explicit:
                    self.run.error(IssueType.NOT_FOUND, MessageId.VALIDATION_VAL_PROFILE_UNKNOWN, path, url=url)
                else:
                    self.run.warning(
                        IssueType.NOT_FOUND,
                        MessageId.VALIDATION_VAL_PROFILE_UNKNOWN_NOT_POLICY,
                        f"{path}.meta.profile" if url in declared else path,
                        url=url,
                    )
                continue
            if model.type != resource_type:
                self.run.error(
                    IssueType.STRUCTURE,
                    MessageId.VALIDATION_VAL_PROFILE_WRONGTYPE_RESOURCE,
                    path,
                    url=model.url,
                    type=model.type,
                    resource_type=resource_type,
                )
                continue
            if model.url in (m.url for m in found) or (
                model.url.endswith("/" + str(resource_type)) and model.derivation != "constraint"
            ):
                continue
            found.append(model)
        return found

    def _contained(self, value: dict, path: str, frame: Frame) -> None:
        contained = value.get("contained")
        if not isinstance(contained, list):
            return
        ids: set[str] = set()
        root = frame.root
        walked = self.validator.options.validate_contains != "IGNORE"
        for index, item in enumerate(contained):
            if not isinstance(item, dict):
                continue
            location = f"{path}.contained[{index}]"
            contained_id = item.get("id")
            if isinstance(contained_id, str):
                # contained resources share their container's id space: `#id` must name one resource
                if contained_id in ids:
                    self.run.error(
                        IssueType.INVALID, MessageId.CONTAINED_RES_DUPLICATE_ID, location, contained_id=contained_id
                    )
                ids.add(contained_id)
            if isinstance(item.get("contained"), list) and item["contained"]:
                self.run.error(IssueType.INVARIANT, MessageId.DOM_2, path)
            meta = item.get("meta")
            if isinstance(meta, dict):
                if "versionId" in meta or "lastUpdated" in meta:
                    self.run.error(IssueType.INVARIANT, MessageId.DOM_4, path)
                if "security" in meta:
                    self.run.error(IssueType.INVARIANT, MessageId.DOM_5, path)
            if frame.is_contained:
                continue  # a nested contained resource is already wrong (dom-2)
            if not isinstance(contained_id, str):
                # nothing can refer to it: it must refer to the container (dom-3's words; its FHIRPath reads
                # `'#' + id`, empty here)
                if id(item) not in root.referring_to_container and (walked or not _refers_to(item, "#")):
                    self.run.error(IssueType.INVALID, MessageId.CONTAINED_ORPHAN_NO_ID, location)
                continue
            # dom-3: `#id` is a Reference.reference, canonical, uri or url value anywhere in the resource (noted
            # during the walk), or the contained resource refers to the container with `#`
            referenced = f"#{contained_id}" in root.local_references or id(item) in root.referring_to_container
            if not referenced and not walked:
                # contained resources are not walked: their references are read without their types
                referenced = any(f"#{contained_id}" in _local_references(other) for other in contained) or (
                    _refers_to(item, "#")
                )
            if not referenced:
                self.run.error(IssueType.INVALID, MessageId.CONTAINED_ORPHAN_DOM3, location, item_id=contained_id)

    # elements ----------------------------------------------------------------------------------------------------
    def element(
        self,
        node: Node,
        value: Any,
        path: str,
        type_code: str | None,
        frame: Frame,
        model: StructureModel,
        context_path: str | None = None,
    ) -> None:
        """Validate a complex value (object) against `node` (its children come from the node or its type)."""
        if not isinstance(value, dict):
            self.run.error(IssueType.STRUCTURE, MessageId.JSON_OBJECT, path, path=path, kind=_kind(value))
            return
        if self.depth >= self.max_depth:
            self.taints += 1
            if not self.fatal:
                self.fatal = True
                self.run.add(
                    "fatal", IssueType.TOO_COSTLY, MessageId.TOO_DEEP, path, max_depth=self.validator.options.max_depth
                )
            return
        holder = node if node.children else self.models.children(node, type_code)
        if holder is None:
            return
        if not value:
            self.run.error(IssueType.INVALID, MessageId.OBJECT_MUST_HAVE_SOME_CONTENT, path)
            return
        self.depth += 1
        saved = self.context
        self.context = (context_path or node.path, type_code)
        try:
            # The base definition and then each profile walk the resource. Below the profile's own elements they
            # share the data types' trees (same Node objects), and a walk of the children depends only on the
            # holder, the value, its location and the extension context (the model only names itself in
            # messages). A subtree that reported nothing once (not even a duplicate) reports nothing again: it is
            # not walked a second time.
            seen = (id(holder), id(value), path, self.context)
            if seen not in self.clean:
                before = self.run.attempted
                self._children(node, holder, value, path, type_code, frame, model)
                if self.run.attempted == before:
                    self.clean.add(seen)
        finally:
            self.depth -= 1
            self.context = saved
        if self.models.invariants.get((node, holder)) != ():  # () once known to have nothing to evaluate
            invariants.check(self, node, holder, value, path, type_code, frame)

    def _children(
        self,
        node: Node,
        holder: Node,
        value: dict,
        path: str,
        type_code: str | None,
        frame: Frame,
        model: StructureModel,
    ) -> None:
        key_map = holder.key_map()
        counts: dict[str, int] = {}
        groups: list[tuple[Node, str, str | None, list]] = []
        for key, item in value.items():
            if key.startswith("_"):
                self._primitive_extension(key, item, value, key_map, path, frame, model, counts)
                continue
            found = key_map.get(key)
            if found is None:
                if key == "resourceType" and (
                    holder.path == holder.model.type and holder is holder.model.root and holder.model.kind == "resource"
                ):
                    continue
                if key == "fhir_comments":
                    # R4 removed comments from the JSON format (DSTU2 had them as `fhir_comments`)
                    self.run.error(IssueType.STRUCTURE, MessageId.JSON_COMMENTS_NOT_ALLOWED, f"{path}.fhir_comments")
                    continue
                choice = self._wrong_choice(holder, key)
                if choice is not None:
                    counts[choice[0].key] = counts.get(choice[0].key, 0) + 1
                    self.run.error(
                        IssueType.STRUCTURE,
                        MessageId.VALIDATION_VAL_PROFILE_WRONGTYPE,
                        f"{path}.{key}",
                        profile=model.label,
                        types=", ".join(choice[0].type_codes),
                        code=choice[1],
                    )
                    continue
                self.run.error(IssueType.STRUCTURE, MessageId.UNRECOGNIZED_PROPERTY, path, key=key)
                continue
            child, choice_type = found
            items = self._items(child, key, item, path, value)
            counts[child.key] = counts.get(child.key, 0) + len(items)
            groups.append((child, key, choice_type, items))
        for child, key, choice_type, items in groups:
            if child.key == "resource" and holder.path == "Bundle.entry":
                full_url = value.get("fullUrl")
                self.entry_full_url = full_url if isinstance(full_url, str) else None
            self._group(child, key, choice_type, items, path, frame, model, holder)
        if _cardinality_ok(holder, counts):
            return
        for child in holder.children.values():
            count = counts.get(child.key, 0)
            if count < child.min:
                self.run.error(
                    IssueType.STRUCTURE,
                    MessageId.VALIDATION_VAL_PROFILE_MINIMUM,
                    path,
                    label=_display_path(child, type_code),
                    min=child.min,
                    count=count,
                    profile=model.label,
                )
            if child.max is not None and count > child.max:
                self.run.error(
                    IssueType.STRUCTURE,
                    MessageId.VALIDATION_VAL_PROFILE_MAXIMUM,
                    path,
                    label=_display_path(child, type_code),
                    max=child.max,
                    count=count,
                    profile=model.label,
                )
            if child.slices and count == 0:
                slicing.check_counts(self, child, [], path, model)

    def _wrong_choice(self, holder: Node, key: str) -> tuple[Node, str] | None:
        """(choice element, type) when `key` is a choice element's name with a type the element does not allow."""
        for child in holder.children.values():
            if child.is_choice and key.startswith(child.key) and key[len(child.key) : len(child.key) + 1].isupper():
                suffix = key[len(child.key) :]
                for candidate in (suffix, suffix[:1].lower() + suffix[1:]):
                    type_model = self.models.get(candidate)
                    if type_model is not None and type_model.kind in ("primitive-type", "complex-type"):
                        return child, candidate
        return None

    def _items(self, child: Node, key: str, item: Any, path: str, parent: dict) -> list[tuple[Any, str, Any]]:
        """(value, location, primitive-extension partner) for each JSON item of one property."""
        if isinstance(item, list):
            if not child.is_array:
                self.run.error(
                    IssueType.STRUCTURE, MessageId.JSON_PROPERTY_NO_ARRAY_OBJECT, f"{path}.{key}", key=key, path=path
                )
            if not item:
                self.run.error(IssueType.INVALID, MessageId.ARRAY_CANNOT_BE_EMPTY, f"{path}.{key}")
                return []
            partners = parent.get("_" + key)
            partners = partners if isinstance(partners, list) else []
            result = []
            for index, entry in enumerate(item):
                partner = partners[index] if index < len(partners) else None
                location = f"{path}.{key}[{index}]"
                if entry is None:
                    if partner is None:
                        self.run.error(IssueType.INVALID, MessageId.JSON_NULL_ARRAY, location)
                    result.append((None, location, partner))
                    continue
                result.append((entry, location, partner))
            return result
        if child.is_array:
            self.run.error(
                IssueType.INVALID,
                MessageId.JSON_PROPERTY_NOT_ARRAY,
                f"{path}.{key}",
                key=key,
                kind=_kind(item, article=True),
                path=path,
            )
            location = f"{path}.{key}[0]"
        else:
            location = f"{path}.{key}"
        if item is None:
            self.run.error(IssueType.INVALID, MessageId.JSON_NULL, location, key=key)
            return []
        return [(item, location, None)]  # the partner of a single value is checked by _primitive_extension

    def _group(
        self,
        child: Node,
        key: str,
        choice_type: str | None,
        items: list[tuple[Any, str, Any]],
        path: str,
        frame: Frame,
        model: StructureModel,
        holder: Node,
    ) -> None:
        if not child.slices:
            for item, location, partner in items:
                if item is not None:
                    self.value(child, item, location, choice_type, frame, model, partner, holder)
            return
        assigned = slicing.assign(self, child, items, choice_type, path, frame, model, holder)
        for (item, location, partner), target in zip(items, assigned, strict=False):
            if item is None:
                continue
            self.value(target or child, item, location, choice_type, frame, model, partner, holder)

    def _primitive_extension(
        self,
        key: str,
        item: Any,
        parent: dict,
        key_map: dict,
        path: str,
        frame: Frame,
        model: StructureModel,
        counts: dict,
    ) -> None:
        base = key[1:]
        found = key_map.get(base)
        location = f"{path}.{base}"
        if found is None:
            self.run.error(IssueType.STRUCTURE, MessageId.UNRECOGNIZED_PROPERTY, path, key=key)
            return
        child, choice_type = found
        code = choice_type or (child.types[0].code if len(child.types) == 1 else None)
        if code not in PRIMITIVE_TYPES and not (code or "").startswith("http://hl7.org/fhirpath"):
            self.run.error(IssueType.STRUCTURE, MessageId.UNRECOGNIZED_PROPERTY_NOT_PRIMITIVE, path, key=key, base=base)
            return
        if base not in parent:
            entries = item if isinstance(item, list) else [item]
            counts[child.key] = counts.get(child.key, 0) + sum(1 for entry in entries if entry is not None)
        type_root = self.models.type_root(code or "string")
        if type_root is None:
            return
        entries = item if isinstance(item, list) else [item]
        if isinstance(item, list) != child.is_array and isinstance(item, list):
            self.run.error(IssueType.STRUCTURE, MessageId.JSON_PROPERTY_NO_ARRAY, location, key=key)
        for index, entry in enumerate(entries):
            if entry is None:
                continue
            entry_location = f"{location}[{index}]" if child.is_array else location
            if not isinstance(entry, dict):
                self.run.error(IssueType.STRUCTURE, MessageId.JSON_OBJECT_ENTRY, entry_location, key=key)
                continue
            if "value" in entry:
                self.run.error(IssueType.INVALID, MessageId.UNRECOGNIZED_PROPERTY_VALUE, entry_location)
                entry = {k: v for k, v in entry.items() if k != "value"}
                if not entry:
                    continue
            # id and extension only; extension slices of a profile apply to the primitive's element
            source = child if child.children else type_root
            self.element(
                source, entry, entry_location, code, frame, model if child.children else type_root.model, child.path
            )

    # values ------------------------------------------------------------------------------------------------------
    def value(
        self,
        node: Node,
        item: Any,
        location: str,
        choice_type: str | None,
        frame: Frame,
        model: StructureModel,
        partner: Any = None,
        holder: Node | None = None,
    ) -> None:
        code = choice_type
        types = node.types
        if code is None:
            if len(types) == 1:
                code = types[0].code
            elif types:
                code = types[0].code if all(t.code == types[0].code for t in types) else None
        elif node.is_choice and node.slices and choice_type:
            for item_slice in node.slices:
                if any(t.code == choice_type for t in item_slice.types) and len(item_slice.types) == 1:
                    node = item_slice
                    break
        if choice_type is not None and code not in node.type_codes:
            self.run.error(
                IssueType.STRUCTURE,
                MessageId.VALIDATION_VAL_PROFILE_WRONGTYPE,
                location,
                profile=model.label,
                types=", ".join(node.type_codes),
                code=code,
            )
            return
        # primitives first: the most common values (no primitive type name starts with a capital, as resources do)
        if code in PRIMITIVE_TYPES:
            self.primitive(node, item, location, code, frame, model, holder)
            return
        if code in RESOURCE_TYPES_ABSTRACT or (code and code[:1].isupper() and self.models.is_resource_type(code)):
            profiles = tuple(p for t in node.types for p in t.profiles)
            if len(profiles) > 1:
                matching = [p for p in profiles if self.conforms(p, item, frame)]
                profiles = (matching[0],) if matching else profiles[:1]
            contained = node.key == "contained"
            if contained and self.validator.options.validate_contains == "IGNORE":
                return
            self.resource(
                item,
                location,
                profiles,
                container=frame,
                bundle=frame.bundle,
                contained=contained,
            )
            if code not in RESOURCE_TYPES_ABSTRACT and isinstance(item, dict) and item.get("resourceType") != code:
                self.run.error(
                    IssueType.STRUCTURE,
                    MessageId.RESOURCE_WRONG_TYPE,
                    location,
                    code=code,
                    resource_type=item.get("resourceType"),
                )
            return
        if code is None and not node.children and not node.content_ref:
            return
        if not isinstance(item, dict):
            self.run.error(
                IssueType.STRUCTURE, MessageId.JSON_OBJECT, location, path=location.rsplit(".", 1)[-1], kind=_kind(item)
            )
            return
        kind: Any = code
        if code == "Extension" and node.key in ("extension", "modifierExtension"):
            # an extension's checks depend on where it is too (its context of use): the element holding it and
            # the walk's extension context are part of its key
            kind = (code, id(holder), self.context)
        memo = self.memo
        key = None
        if memo is not None and not self.fatal and "resourceType" not in item:
            key = memo.key(node, model, kind, self.depth, item)
        if key is None:
            self._complex(node, item, location, code, frame, model, holder)
            return
        found = memo.get(key)  # type: ignore[union-attr]
        if found is not None:
            memo.replay(self.run, found, location)  # type: ignore[union-attr]
            return
        run = self.run
        outer = run.trail
        trail: list = [] if outer is None else outer
        run.trail = trail
        start = len(trail)
        taints = self.taints
        try:
            self._complex(node, item, location, code, frame, model, holder)
        finally:
            run.trail = outer
        if self.taints == taints:
            memo.store(key, trail[start:], location)  # type: ignore[union-attr]
        else:
            memo.refuse(key)  # type: ignore[union-attr]

    def _complex(
        self, node: Node, item: dict, location: str, code: str | None, frame: Frame, model: Any, holder: Node | None
    ) -> None:
        """The checks of a complex value: its element walk, fixed and pattern values, bindings, references …"""
        if code == "Extension" and node.key in ("extension", "modifierExtension"):
            extensions.check(self, node, item, location, frame, model, holder)
            return
        self.element(node, item, location, code, frame, model)
        if node.fixed is not None:
            _fixed(self, node.fixed[1], item, location, model, exact=True)
        if node.pattern is not None:
            _fixed(self, node.pattern[1], item, location, model, exact=False)
        if code in ("Coding", "CodeableConcept", "Quantity"):
            bindings.check(self, node, item, location, code, frame, model)
        if code == "Reference":
            references.check(self, node, item, location, frame, model)
        if code == "Attachment":
            _attachment(self, item, location)
        if node.min_value is not None or node.max_value is not None:
            _quantity_range(self, node, item, location)

    def primitive(
        self, node: Node, item: Any, location: str, code: str, frame: Frame, model: StructureModel, holder: Node | None
    ) -> None:
        if type(item) is str and code in _PLAIN_STRINGS and item and len(item) <= MAX_STRING:
            problem = None  # the most common primitive: string and markdown have no other lexical rule to check
        else:
            if isinstance(item, dict | list):
                self.run.error(
                    IssueType.INVALID,
                    MessageId.JSON_PRIMITIVE,
                    location,
                    path=location.rsplit(".", 1)[-1],
                    code=code,
                    kind=_kind(item),
                )
                return
            is_resource_id = (
                holder is not None
                and node.path.endswith(".id")
                and node.path.count(".") == 1
                and holder.model.kind == "resource"
            )
            problem = None if is_resource_id else check_primitive(code, item)
            if is_resource_id and not isinstance(item, str):
                problem = check_primitive("string", item)
        if problem:
            self.run.error(IssueType.INVALID, problem[0], location, reported_id=primitive_id(code), **problem[1])
            if code == "xhtml":
                _narrative_names(self, node, item, location)
            return
        if type(item) is str and item.startswith("#") and code in _LOCAL_REFERENCE_TYPES:
            self.taint()  # dom-3 reads the references of the whole resource
            frame.local_reference(item, code)
        if code == "canonical" and type(item) is str:
            references.check_canonical(self, node, item, location, frame)
        if type(item) is str and "<" in item and code in ("string", "markdown"):
            _embedded_html(self, item, location, code)
        if code in ("string", "markdown") and isinstance(item, str) and item.strip() != item:
            self.run.info(IssueType.INVALID, MessageId.TYPE_SPECIFIC_CHECKS_DT_STRING_WS, location)
        if node.fixed is not None and node.fixed[1] != item:
            self.run.error(
                IssueType.VALUE,
                MessageId.PROFILE_VAL_NOTALLOWED,
                location,
                item=item,
                fixed=node.fixed[1],
                url=model.url,
            )
        if node.pattern is not None and node.pattern[1] != item:
            self.run.error(
                IssueType.VALUE, MessageId.PROFILE_VAL_NOTALLOWED_VALUE, location, value=item, expected=node.pattern[1]
            )
        if node.max_length is not None and isinstance(item, str) and len(item) > node.max_length:
            self.run.error(
                IssueType.INVALID, MessageId.TYPE_SPECIFIC_CHECKS_DT_STRING_LENGTH, location, max_length=node.max_length
            )
        if node.min_value is not None or node.max_value is not None:
            _primitive_range(self, node, item, location, code)
        if node.binding and code in ("code", "string", "uri"):
            bindings.check(self, node, item, location, code, frame, model)


def _narrative_names(walker: Walker, node: Node, value: str, location: str) -> None:
    """txt-1 on a narrative whose xhtml broke a rule: the invariant (R4 Narrative.div: only the basic HTML elements
    and attributes) fails too when an element or attribute name is not allowed, and is reported beside the xhtml
    problem, as the two are separate rules of R4 (the xhtml type's content rules, narrative.html, and the
    invariant). A valid narrative passes txt-1 by construction, so it is not checked again."""
    constraint = next((c for c in node.constraints if c.key == "txt-1"), None)
    if constraint is not None and xhtml_names_allowed(value) is False:
        invariants.report(walker, constraint, location)


def _fixed(walker: Walker, expected: Any, actual: Any, location: str, model: StructureModel, exact: bool) -> None:
    """fixed[x] (exact) and pattern[x] (contained) comparison, reporting the first differing element."""
    if slicing.matches_pattern(expected, actual, exact):
        return  # the usual case: no need to build the locations and messages of `_compare`
    problems: list[tuple[str, MessageId, dict[str, Any]]] = []
    _compare(expected, actual, location, exact, problems)
    for where, message_id, values in problems:
        walker.run.error(IssueType.VALUE, message_id, where, **values)


def _compare(
    expected: Any, actual: Any, location: str, exact: bool, problems: list[tuple[str, MessageId, dict[str, Any]]]
) -> None:
    """The differences of `actual` from a fixed value (`exact`) or a pattern: (location, message, values)."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            not_object = (
                MessageId.PROFILE_VAL_NOTALLOWED_NOT_OBJECT
                if exact
                else MessageId.PROFILE_VAL_MISSINGELEMENT_NOT_OBJECT
            )
            problems.append((location, not_object, {}))
            return
        for key, value in expected.items():
            if key not in actual:
                missing = MessageId.PROFILE_VAL_NOTALLOWED_MISSING if exact else MessageId.PROFILE_VAL_MISSINGELEMENT
                problems.append((location, missing, {"key": key}))
                continue
            _compare(value, actual[key], f"{location}.{key}", exact, problems)
        if exact:
            for key in actual:
                if key not in expected and not key.startswith("_") and key not in ("id", "extension"):
                    problems.append((f"{location}.{key}", MessageId.PROFILE_VAL_NOTALLOWED_ELEMENT, {"key": key}))
        return
    if isinstance(expected, list):
        actual_list = actual if isinstance(actual, list) else [actual]
        if exact and len(actual_list) != len(expected):
            counts = {"expected": len(expected), "found": len(actual_list)}
            problems.append((location, MessageId.PROFILE_VAL_NOTALLOWED_COUNT, counts))
            return
        for index, wanted in enumerate(expected):
            if exact:
                _compare(wanted, actual_list[index], f"{location}[{index}]", exact, problems)
            elif not any(slicing.matches_pattern(wanted, candidate) for candidate in actual_list):
                problems.append((location, MessageId.PROFILE_VAL_MISSINGELEMENT_NO_MATCH, {"pattern": _short(wanted)}))
        return
    if expected != actual:
        different = MessageId.PROFILE_VAL_NOTALLOWED_VALUE if exact else MessageId.PROFILE_VAL_MISSINGELEMENT_VALUE
        problems.append((location, different, {"value": actual, "expected": expected}))


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) < 120 else text[:117] + "..."


def _primitive_range(walker: Walker, node: Node, item: Any, location: str, code: str) -> None:
    for bound, is_min in ((node.min_value, True), (node.max_value, False)):
        if bound is None:
            continue
        limit = bound[1]
        if bound[0] in ("Quantity", "Duration", "Age"):
            continue  # minValueDuration … are relative to today; checked in _duration_range
        if code in ("date", "dateTime", "instant", "time") and isinstance(item, str) and isinstance(limit, str):
            order = compare_temporal(item, limit)  # partial dates: only a certain breach is reported
            bad = order is not None and order == (-1 if is_min else 1)
        else:
            try:
                bad = item < limit if is_min else item > limit
            except TypeError:
                continue
        if bad:
            walker.run.error(
                IssueType.INVALID,
                MessageId.TYPE_SPECIFIC_CHECKS_DT_RANGE if is_min else MessageId.TYPE_SPECIFIC_CHECKS_DT_RANGE_MAX,
                location,
                limit=limit,
            )
    _duration_range(walker, node, item, location, code)


def _duration_range(walker: Walker, node: Node, item: Any, location: str, code: str) -> None:
    import datetime

    if code not in ("date", "dateTime", "instant") or not isinstance(item, str) or len(item) < 4:
        return
    try:
        year = int(item[0:4])
        month = int(item[5:7]) if len(item) >= 7 else 1
        day = int(item[8:10]) if len(item) >= 10 else 1
        value = datetime.date(year, month, day)
    except ValueError:
        return
    walker.taint()  # the bound is relative to today
    today = datetime.date.today()
    for bound, is_min in ((node.min_value, True), (node.max_value, False)):
        if bound is None or bound[0] not in ("Quantity", "Duration", "Age") or not isinstance(bound[1], dict):
            continue
        amount = bound[1].get("value")
        unit = bound[1].get("code") or bound[1].get("unit")
        days = {"a": 365.25, "mo": 30.4375, "wk": 7, "d": 1, "h": 1 / 24}.get(str(unit))
        if not isinstance(amount, int | float) or days is None:
            continue
        offset = datetime.timedelta(days=amount * days)
        # a duration bound is relative to today: minValue → not earlier than today - amount, maxValue → not later
        limit = today - offset if is_min else today + offset
        if (is_min and value < limit) or (not is_min and value > limit):
            walker.run.error(
                IssueType.INVALID,
                (
                    MessageId.TYPE_SPECIFIC_CHECKS_DT_RANGE_FROM_TODAY
                    if is_min
                    else MessageId.TYPE_SPECIFIC_CHECKS_DT_RANGE_FROM_TODAY_MAX
                ),
                location,
                item=item,
                amount=amount,
                unit=unit,
            )


def _quantity_range(walker: Walker, node: Node, item: dict, location: str) -> None:
    value = item.get("value")
    if not isinstance(value, int | float) or isinstance(value, bool):
        return
    for bound, is_min in ((node.min_value, True), (node.max_value, False)):
        if bound is None or not isinstance(bound[1], dict):
            continue
        limit = bound[1].get("value")
        if not isinstance(limit, int | float):
            continue
        if any(key in bound[1] for key in ("code", "unit", "system")):
            order = compare_quantities(item, bound[1])  # UCUM units converted (2 cm against a maximum of 10 mm)
            if order is None:
                walker.run.warning(
                    IssueType.BUSINESS_RULE,
                    (
                        MessageId.TYPE_SPECIFIC_CHECKS_DT_QUANTITY_UNITS
                        if is_min
                        else MessageId.TYPE_SPECIFIC_CHECKS_DT_QUANTITY_UNITS_MAX
                    ),
                    location,
                    limit=limit,
                    unit=bound[1].get("code") or bound[1].get("unit") or "",
                )
                continue
        else:
            order = (value > limit) - (value < limit)
        if order == (-1 if is_min else 1):
            walker.run.error(
                IssueType.INVALID,
                MessageId.TYPE_SPECIFIC_CHECKS_DT_RANGE if is_min else MessageId.TYPE_SPECIFIC_CHECKS_DT_RANGE_MAX,
                location,
                limit=limit,
            )


def _attachment(walker: Walker, item: dict, location: str) -> None:
    import base64
    import binascii

    data = item.get("data")
    size = item.get("size")
    if isinstance(data, str) and isinstance(size, int) and not isinstance(size, bool):
        try:
            actual = len(base64.b64decode(data, validate=False))
        except (binascii.Error, ValueError):
            return
        if actual != size:
            walker.run.error(
                IssueType.STRUCTURE,
                MessageId.TYPE_SPECIFIC_CHECKS_DT_ATT_SIZE_CORRECT,
                location,
                size=size,
                actual=actual,
            )


def _object_depth(value: Any) -> int:
    """How many JSON objects are nested in `value` at most (itself included)."""
    if isinstance(value, dict):
        return 1 + max((_object_depth(item) for item in value.values()), default=0)
    if isinstance(value, list):
        return max((_object_depth(item) for item in value), default=0)
    return 0


def _cardinality_ok(holder: Node, counts: dict[str, int]) -> bool:
    """True when the cardinality loop of `_children` would report nothing. It looks only at the children present and
    at those that are required (min > 0, or with a required slice) instead of every child of the definition; the
    loop itself, which reports in the definition's order, runs only when this is False."""
    for child in holder.required_children():
        count = counts.get(child.key, 0)
        if count < child.min or (child.slices and count == 0):
            return False
    children = holder.children
    for key, count in counts.items():
        node = children.get(key)
        if node is None or count < node.min or (node.max is not None and count > node.max):
            return False
    return True


def _display_path(child: Node, type_code: str | None) -> str:
    return child.path if child.path else child.name


def _kind(value: Any, article: bool = False) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an Array"
    return "an Object"


def _local_references(resource: dict) -> set[str]:
    """Every `#…` reference or canonical anywhere in a resource (outside its contained resources' own ids)."""
    found: set[str] = set()
    stack: list[Any] = [resource]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            for value in current.values():
                if isinstance(value, str):
                    if value.startswith("#"):
                        found.add(value)
                else:
                    stack.append(value)
        elif isinstance(current, list):
            stack.extend(current)
    return found


def _element_ids(run: Run, resource: dict, path: str) -> None:
    """Element ids are unique within a resource (R4 Element.id: "unique id for the element within a resource (for
    internal references)"). A resource inside it (contained, a Bundle entry, a Parameters value) has ids of its own,
    and so does each element list of a StructureDefinition: its snapshot and differential give the same element the
    same id (R4 ElementDefinition.id)."""
    scopes: list[tuple[Any, str]] = [(resource, path)]
    if resource.get("resourceType") == "StructureDefinition":
        for part in ("snapshot", "differential"):
            if isinstance(resource.get(part), dict):
                scopes.append((resource[part], f"{path}.{part}"))
    if not _repeats_an_id(resource):
        return
    for scope, where in scopes:
        seen: set[str] = set()
        pending: list[tuple[Any, str]] = [(scope, where)]
        while pending:
            value, location = pending.pop()
            if isinstance(value, list):
                pending.extend((item, f"{location}[{index}]") for index, item in reversed(list(enumerate(value))))
                continue
            if not isinstance(value, dict):
                continue
            element_id = value.get("id")
            if value is not scope and isinstance(element_id, str):
                if element_id in seen:
                    run.error(IssueType.BUSINESS_RULE, MessageId.DUPLICATE_ID, location, element_id=element_id)
                seen.add(element_id)
            children = []
            for key, child in value.items():
                if not isinstance(child, dict | list) or key == "contained":
                    continue
                if isinstance(child, dict) and "resourceType" in child:
                    continue  # a resource of its own
                if value is resource and key in ("snapshot", "differential") and len(scopes) > 1:
                    continue
                children.append((child, f"{location}.{key[1:] if key.startswith('_') else key}"))
            pending.extend(reversed(children))


def _repeats_an_id(resource: dict) -> bool:
    """Whether an `"id": "…"` pair occurs twice in `resource`'s JSON text (its own id and nested resources'
    included): the quick look, in C, before `_element_ids` places the repeats, which is rarely needed. A quote inside
    a string is escaped in the text, so only properties match."""
    try:
        text = orjson.dumps(resource, default=str)
    except (orjson.JSONEncodeError, TypeError):
        return True
    values = _ID_PAIR.findall(text)
    return len(values) != len(set(values))


_ID_PAIR = re.compile(rb'"id":"((?:[^"\\]|\\.)*)"')


def _refers_to(resource: dict, target: str) -> bool:
    return target in _local_references(resource)


#: HTML elements (HTML 4/5 names) whose tags in a plain string or a markdown value would be markup, not text.
_HTML_TAG = re.compile(
    r"</?(a|abbr|address|area|article|aside|audio|b|base|bdi|bdo|blockquote|body|br|button|canvas|caption|cite|"
    r"code|col|colgroup|dd|del|details|dfn|dialog|div|dl|dt|em|embed|fieldset|figure|font|footer|form|frame|frameset|"
    r"h[1-6]|head|header|hr|html|i|iframe|img|input|ins|kbd|label|legend|li|link|main|map|mark|meta|nav|noscript|"
    r"object|ol|optgroup|option|p|param|pre|q|s|samp|script|section|select|small|source|span|strong|style|sub|"
    r"summary|sup|svg|table|tbody|td|template|textarea|tfoot|th|thead|title|tr|tt|u|ul|var|video)(\s[^<>]*)?/?>",
    re.IGNORECASE,
)


_MARKDOWN = MarkdownIt("commonmark")


def markdown_raw_html(text: str) -> str | None:
    """The start of the first raw HTML in a markdown value (CommonMark 6.6 and 4.6: any open or closing tag, comment,
    processing instruction, declaration or CDATA section outside code spans and code blocks; an autolink or an
    escaped `\\<` is not HTML), or None."""
    for token in _MARKDOWN.parse(text):
        found = [token] if token.type == "html_block" else [t for t in token.children or [] if t.type == "html_inline"]
        if found:
            return found[0].content.strip().split("\n", 1)[0][:40]
    return None


def _embedded_html(walker: Walker, item: str, location: str, code: str) -> None:
    """HTML tags in a string (a security risk where it is rendered: an error with `security_checks`, information
    otherwise) or raw HTML in markdown (`html_in_markdown`: FHIR's markdown is rendered, and HTML in it is either
    shown as text or a risk)."""
    options = walker.validator.options
    if code == "markdown":
        if options.html_in_markdown == "none":
            return
        raw = markdown_raw_html(item)
        if raw is not None:
            walker.run.add(options.html_in_markdown, IssueType.INVALID, MessageId.MARKDOWN_HTML, location, start=raw)
        return
    if _HTML_TAG.search(item) is None:
        return
    if options.security_checks:
        walker.run.error(IssueType.SECURITY, MessageId.SECURITY_STRING_CONTENT_ERROR, location)
    else:
        walker.run.info(IssueType.SECURITY, MessageId.SECURITY_STRING_CONTENT_WARNING, location)
