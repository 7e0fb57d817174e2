"""Terminology bindings and code validity.

Checked: required bindings (error when the code is not in the value set), extensible (warning), preferred/example
(nothing); a Coding.system that names a value set (an error); codes of code systems known here (unknown code →
error, wrong display → error) whatever the binding; value sets or systems that cannot be expanded offline (SNOMED CT,
LOINC, UCUM …) give an information issue, never an error. Not checked: binding `additional` extensions, max value
sets, concept properties such as inactive status.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from dermfhir.validation.context import Frame
from dermfhir.validation.messages import MessageId
from dermfhir.validation.model import Node, StructureModel
from dermfhir.validation.outcome import IssueType

if TYPE_CHECKING:
    from dermfhir.validation.checker import Checker


def check(
    walker: Checker, node: Node, item: Any, location: str, code: str, frame: Frame, model: StructureModel
) -> None:
    codings = _codings(item, code)
    if code in ("Coding", "CodeableConcept"):
        for system, value, display, index in codings:
            if system and value:
                _system_check(walker, system, value, display, location, index)
    binding = node.binding or {}
    strength = binding.get("strength")
    value_set = binding.get("valueSet")
    if strength not in ("required", "extensible") or not isinstance(value_set, str) or not codings:
        return
    if strength == "extensible" and node.path == "ElementDefinition.type.code" and item in FHIRPATH_SYSTEM_TYPES:
        return
    if code == "Quantity" and not any(c[1] for c in codings):
        return
    results = []
    for system, value, display, _ in codings:
        if not isinstance(value, str):
            continue
        try:
            results.append(in_value_set(walker, value_set, system, value, display))
        except Exception as error:  # a terminology failure is never a validation error
            walker.run.info(IssueType.INFORMATIONAL, MessageId.TX_GENERAL, location, value_set=value_set, error=error)
            return
    if not results:
        return
    if any(r.result == "valid" for r in results):
        return
    if all(r.result == "unknown" for r in results) or (
        code == "CodeableConcept" and any(r.result == "unknown" for r in results)
    ):
        reasons = "; ".join(dict.fromkeys(str(r.reason) for r in results if r.result == "unknown" and r.reason))
        message_id = MessageId.TX_NOT_EXPANDABLE_BECAUSE if reasons else MessageId.TX_NOT_EXPANDABLE
        if any(r.result == "unknown" and r.system_known for r in results):  # a dated copy lacks the code: say so
            walker.run.warning(IssueType.CODE_INVALID, message_id, location, value_set=value_set, reasons=reasons)
        else:
            walker.run.info(IssueType.INFORMATIONAL, message_id, location, value_set=value_set, reasons=reasons)
        return
    label = _value_set_label(walker, value_set)
    shown = ", ".join(f"{s}#{v}" if s else str(v) for s, v, _, _ in codings if v)
    severity = "error" if strength == "required" else "warning"
    if code == "CodeableConcept":
        message_id = MessageId.TERMINOLOGY_TX_NOVALID_1_CC
    else:
        message_id = MessageId.TERMINOLOGY_TX_NOVALID_17
        if code == "code" and severity == "error" and not _code_in_any_system(walker, value_set, str(item)):
            walker.run.error(
                IssueType.NOT_FOUND, MessageId.TERMINOLOGY_TX_SYSTEM_NOTKNOWN, location, item=item, label=label
            )
    walker.run.add(severity, IssueType.CODE_INVALID, message_id, location, label=label, strength=strength, shown=shown)


#: The FHIRPath system types (R4 fhirpath.html, "Types and Reflection"): the type of the `value` of each primitive
#: type in R4's own snapshots (with the structuredefinition-fhir-type extension naming the FHIR type), so
#: ElementDefinition.type.code takes them beside the FHIRDefinedType codes of its extensible binding.
FHIRPATH_SYSTEM_TYPES = frozenset(
    "http://hl7.org/fhirpath/System." + name
    for name in ("Boolean", "String", "Integer", "Decimal", "Date", "DateTime", "Time", "Quantity")
)


def _codings(item: Any, code: str) -> list[tuple[str | None, Any, str | None, int | None]]:
    """(system, code, display, index in CodeableConcept.coding or None) of each coding of a value."""
    if code in ("code", "string", "uri"):
        return [(None, item, None, None)] if isinstance(item, str) else []
    if not isinstance(item, dict):
        return []
    if code == "CodeableConcept":
        found: list[tuple[str | None, Any, str | None, int | None]] = []
        codings = item.get("coding")
        for index, coding in enumerate(codings if isinstance(codings, list) else []):
            if isinstance(coding, dict):
                found.append((_str(coding.get("system")), coding.get("code"), _str(coding.get("display")), index))
        return found
    return [(_str(item.get("system")), item.get("code"), _str(item.get("display")), None)]


#: A URI with a scheme (`http:`, `urn:` …): code systems are never named by relative references.
_ABSOLUTE_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _system_check(
    walker: Checker, system: str, value: Any, display: str | None, location: str, index: int | None
) -> None:
    """The code (and display) of a coding against its code system; `index` is the coding's place in a
    CodeableConcept, joined to `location` only when something is reported."""
    if not isinstance(value, str):
        return
    if not _ABSOLUTE_URI.match(system):
        walker.run.error(
            IssueType.INVALID, MessageId.TERMINOLOGY_TX_SYSTEM_RELATIVE, _at(location, index) + ".system", system=system
        )
        return
    if _names_a_value_set(walker, system):
        where = _at(location, index) + ".system"
        walker.run.error(IssueType.INVALID, MessageId.TERMINOLOGY_TX_SYSTEM_VALUESET2, where, system=system)
        return
    if walker.terminology.supplement(system) is not None:
        # a supplement adds designations and properties to the concepts of another code system (R4 CodeSystem.content
        # `supplement`, CodeSystem.supplements): codes are always of that code system, never of the supplement
        walker.run.error(
            IssueType.BUSINESS_RULE,
            MessageId.CODESYSTEM_CS_SUPPLEMENT_AS_SYSTEM,
            _at(location, index),
            system=system,
            code=value,
        )
        return
    try:
        result = _in_code_system(walker, system, value, display)
    except Exception:
        return
    if result is None:
        return
    if result.result == "invalid":
        walker.run.error(
            IssueType.CODE_INVALID,
            MessageId.TERMINOLOGY_TX_CODE_NOTVALID,
            _at(location, index) + ".code",
            value=value,
            system=system,
        )
    elif result.result == "unknown" and result.system_known:  # a dated copy of an external code system
        url, _, version = system.partition("|")
        dated = walker.terminology.code_system_for(url, version or None)
        walker.run.warning(
            IssueType.CODE_INVALID,
            MessageId.TERMINOLOGY_TX_CODE_NOTVALID_DATED_COPY,
            _at(location, index) + ".code",
            code=value,
            version=dated.version if dated is not None else None,
            system=dated.url if dated is not None else url,
        )
    elif result.display_ok is False:
        walker.run.error(
            IssueType.INVALID,
            MessageId.DISPLAY_NAME_FOR_SHOULD_BE_ONE_OF_INSTEAD_OF,
            _at(location, index) + ".display",
            display=display,
            system=system,
            value=value,
            expected_display=result.expected_display,
        )


def _names_a_value_set(walker: Checker, system: str) -> bool:
    """Whether a Coding.system is the URL of a loaded ValueSet and of no loaded CodeSystem: Coding.system is "the
    identification of the code system that defines the meaning of the symbol" (R4 datatypes.html#Coding), and a value
    set defines no codes, it selects them from code systems (R4 valueset.html)."""
    url, _, version = system.partition("|")
    found = walker.validator.definitions.locate(url)
    if found is None or found[1].get("resourceType") != "ValueSet":
        return False
    return walker.terminology.code_system_for(url, version or None) is None


def _at(location: str, index: int | None) -> str:
    return location if index is None else f"{location}.coding[{index}]"


#: How many answers of each kind a validator keeps (the oldest go first when full).
CACHE_SIZE = 8192


def in_value_set(walker: Checker, value_set: str, system: str | None, code: str, display: str | None = None) -> Any:
    """`terminology.validate_code`, remembered per validator: the terminology never changes, and the same codings
    come back in every resource (and in the base and profile walks of one resource)."""
    if not isinstance(system, str | None):  # malformed input (a system that is not a string): not remembered
        return walker.terminology.validate_code(value_set, system, code, display)
    cache = walker.validator.binding_checks
    key = (value_set, system, code, display)
    result = cache.get(key)
    if result is None:
        result = walker.terminology.validate_code(value_set, system, code, display)
        _remember(cache, key, result)
    return result


def _in_code_system(walker: Checker, system: str, code: str, display: str | None) -> Any:
    """`terminology.validate_coding_in_system`, or None when the system is not loaded; remembered per validator."""
    cache = walker.validator.code_checks
    key = (system, code, display)
    if key in cache:
        return cache[key]
    terminology = walker.terminology
    result = terminology.validate_coding_in_system(system, code, display) if terminology.knows_system(system) else None
    _remember(cache, key, result)
    return result


def _remember(cache: dict, key: tuple, result: Any) -> None:
    if len(cache) >= CACHE_SIZE:
        del cache[next(iter(cache))]
    cache[key] = result


def _code_in_any_system(walker: Checker, value_set: str, value: str) -> bool:
    resource = walker.validator.definitions.resolve(value_set)
    if not isinstance(resource, dict):
        return True
    for include in (resource.get("compose") or {}).get("include") or []:
        system = include.get("system")
        if isinstance(system, str):
            try:
                if walker.terminology.lookup(system, value) is not None:
                    return True
            except Exception:
                return True
    return False


def _value_set_label(walker: Checker, value_set: str) -> str:
    resource = walker.validator.definitions.resolve(value_set)
    if isinstance(resource, dict):
        version = resource.get("version")
        name = resource.get("title") or resource.get("name") or value_set
        return f"'{name}' ({resource.get('url')}{'|' + version if version else ''})"
    return f"'{value_set}'"
