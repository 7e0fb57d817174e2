"""The two patch formats of the FHIR R4 `patch` interaction (https://hl7.org/fhir/R4/http.html#patch): reading a
patch document and applying it to a resource. Authorization, versioning, validation and storage are the
interaction's (`dermfhir.server.interactions.patch`).

- JSON Patch (RFC 6902, `application/json-patch+json`): applied by the `jsonpatch` library.
- FHIRPath Patch (https://hl7.org/fhir/R4/fhirpatch.html, a Parameters resource sent as `application/fhir+json`):
  operations add, insert, delete, replace and move. The FHIRPath engine (`dermfhir.fhirpath`) cannot say *where* in
  the resource an element it returns lives (it returns values), and a patch must change the element in place, so
  the path is navigated here, step by step, keeping each element's location: steps are element names (choice
  elements by their FHIRPath name, `Observation.value`), `[n]` indexers, and the functions `where(criteria)`,
  `first()`, `last()` and `ofType(Type)`; `where` criteria are evaluated by the FHIRPath engine on each candidate.
  Other functions (including `resolve()`, which the specification forbids across resources) answer 400.
  Complex values given as `part`s are assembled using the element definitions (a repeating element becomes a list).
In a Bundle entry the patch is the entry's resource: a Binary whose `contentType` is `application/json-patch+json`
(its `data` the patch, base64) or a Parameters resource.

A patch that cannot be read is a 400; one that does not apply to this resource (a missing path, a failed `test`,
an index out of range) is a 422. Limits: `MAX_OPERATIONS` operations, and the patched resource may not grow past
`MAX_RESULT_BYTES` (a JSON Patch `copy` can double a resource at each operation).
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Any

import jsonpatch
import jsonpointer
import orjson

from dermfhir import fhirjson
from dermfhir.definitions import Definitions
from dermfhir.fhirpath import FhirPathError, evaluate, truthy
from dermfhir.fhirpath.types import CHOICE_TYPES
from dermfhir.server.errors import BadRequest, PayloadTooLarge, Unprocessable, UnsupportedMediaType
from dermfhir.server.http import check_depth

JSON_PATCH = "application/json-patch+json"
_FHIR_TYPES = frozenset({"application/fhir+json", "application/json", "application/json+fhir"})
#: Operations one patch may hold.
MAX_OPERATIONS = 1000
#: Largest patched resource, in bytes of JSON.
MAX_RESULT_BYTES = 16 * 1024 * 1024
_JSON_OPS = frozenset({"add", "remove", "replace", "move", "copy", "test"})
_FHIRPATH_OPS = frozenset({"add", "insert", "delete", "replace", "move"})


@dataclass(frozen=True)
class Patch:
    """A parsed patch document: `kind` is "json" (RFC 6902 operations) or "fhirpath" (operation parameters)."""

    kind: str
    operations: list[dict]


# -- reading ------------------------------------------------------------------------------------------------------
def read_patch(body: bytes | None, content_type: str | None, resource: dict | None) -> Patch:
    """The patch of an HTTP request (`body` of `content_type`) or of a Bundle entry (`resource`)."""
    if resource is not None:
        if resource.get("resourceType") == "Parameters":
            return _fhirpath_patch(resource)
        if resource.get("resourceType") == "Binary":
            return _binary_patch(resource)
        raise BadRequest("A PATCH entry's resource is a Binary holding a JSON Patch or a Parameters FHIRPath Patch")
    media = (content_type or "").split(";")[0].strip().lower()
    if not body:
        raise BadRequest("The PATCH request has no body", code="required")
    if media == JSON_PATCH:
        return _json_patch(_parse(body))
    if media in _FHIR_TYPES:
        parsed = _parse(body)
        if not isinstance(parsed, dict) or parsed.get("resourceType") != "Parameters":
            raise BadRequest("A FHIRPath Patch is a Parameters resource", code="structure")
        return _fhirpath_patch(parsed)
    raise UnsupportedMediaType(
        f"Content-Type {media or 'none'!r} is not a patch format; send {JSON_PATCH} or application/fhir+json"
    )


def _parse(body: bytes) -> Any:
    try:
        parsed = fhirjson.loads(body)
    except (orjson.JSONDecodeError, ValueError, RecursionError):
        raise BadRequest("The patch is not valid JSON", code="structure") from None
    check_depth(parsed)
    return parsed


def _binary_patch(resource: dict) -> Patch:
    media = str(resource.get("contentType", "")).split(";")[0].strip().lower()
    if media != JSON_PATCH:
        raise BadRequest(f"A PATCH entry's Binary must have contentType {JSON_PATCH}", code="not-supported")
    data = resource.get("data")
    if not isinstance(data, str):
        raise BadRequest("A PATCH entry's Binary has no data", code="required")
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise BadRequest("A PATCH entry's Binary.data is not base64", code="structure") from None
    return _json_patch(_parse(raw))


def _json_patch(parsed: Any) -> Patch:
    if not isinstance(parsed, list):
        raise BadRequest("A JSON Patch is an array of operations", code="structure")
    if len(parsed) > MAX_OPERATIONS:
        raise BadRequest(f"A patch may hold at most {MAX_OPERATIONS} operations", code="too-costly")
    for index, operation in enumerate(parsed):
        where = f"patch operation {index}"
        if not isinstance(operation, dict) or operation.get("op") not in _JSON_OPS:
            raise BadRequest(f"{where}: op must be one of {', '.join(sorted(_JSON_OPS))}", code="structure")
        for key in ("path", *(("from",) if operation["op"] in ("move", "copy") else ())):
            if not isinstance(operation.get(key), str):
                raise BadRequest(f"{where}: {key} must be a JSON Pointer string", code="structure")
        if operation["op"] in ("add", "replace", "test") and "value" not in operation:
            raise BadRequest(f"{where}: {operation['op']} needs a value", code="required")
    return Patch("json", parsed)


def _fhirpath_patch(parameters: dict) -> Patch:
    found = parameters.get("parameter") or []
    if not isinstance(found, list) or not found:
        raise BadRequest("A FHIRPath Patch needs at least one operation parameter", code="required")
    if len(found) > MAX_OPERATIONS:
        raise BadRequest(f"A patch may hold at most {MAX_OPERATIONS} operations", code="too-costly")
    operations = []
    for index, parameter in enumerate(found):
        where = f"Parameters.parameter[{index}]"
        if not isinstance(parameter, dict) or parameter.get("name") != "operation":
            raise BadRequest(f"{where}: every parameter of a FHIRPath Patch is named 'operation'", code="structure")
        parts = parameter.get("part")
        if not isinstance(parts, list):
            raise BadRequest(f"{where} has no parts", code="required")
        operation: dict[str, Any] = {}
        for part in parts:
            if not isinstance(part, dict) or not isinstance(part.get("name"), str):
                raise BadRequest(f"{where}: every part has a name", code="structure")
            name = part["name"]
            if name in operation:
                raise BadRequest(f"{where}: part {name[:40]!r} is repeated", code="structure")
            if name == "value":
                operation["value"] = part
            elif name in ("type", "path", "name"):
                operation[name] = _primitive(part, str, where)
            elif name in ("index", "source", "destination"):
                operation[name] = _primitive(part, int, where)
            else:
                raise BadRequest(f"{where}: unknown part {name[:40]!r}", code="structure")
        kind = operation.get("type")
        if kind not in _FHIRPATH_OPS:
            raise BadRequest(f"{where}: type must be one of {', '.join(sorted(_FHIRPATH_OPS))}", code="value")
        needed = {
            "add": ("path", "name", "value"),
            "insert": ("path", "value", "index"),
            "delete": ("path",),
            "replace": ("path", "value"),
            "move": ("path", "source", "destination"),
        }[kind]
        missing = [name for name in needed if name not in operation]
        if missing:
            raise BadRequest(f"{where}: {kind} needs {', '.join(missing)}", code="required")
        operations.append(operation)
    return Patch("fhirpath", operations)


def _primitive(part: dict, kind: type, where: str) -> Any:
    values = [value for key, value in part.items() if key.startswith("value")]
    if len(values) != 1 or not isinstance(values[0], kind) or isinstance(values[0], bool):
        raise BadRequest(f"{where}: part {part['name']!r} needs one {kind.__name__} value", code="value")
    return values[0]


# -- applying -----------------------------------------------------------------------------------------------------
def apply_patch(patch: Patch, resource: dict, definitions: Definitions) -> dict:
    """The patched copy of `resource` (which is left as it was)."""
    if patch.kind == "json":
        result = _apply_json(patch.operations, resource)
    else:
        result = fhirjson.loads(fhirjson.dumps(resource))
        for index, operation in enumerate(patch.operations):
            try:
                _FhirPathPatcher(result, definitions).apply(operation)
            except _Refused as error:
                raise Unprocessable(f"Patch operation {index} ({operation['type']}): {error}") from None
            except FhirPathError as error:
                raise BadRequest(f"Patch operation {index}: the path does not evaluate: {error}") from None
    if not isinstance(result, dict):
        raise Unprocessable("The patch does not leave a resource")
    check_depth(result)
    if len(fhirjson.dumps(result)) > MAX_RESULT_BYTES:
        raise PayloadTooLarge(f"The patched resource would exceed {MAX_RESULT_BYTES} bytes")
    return result


def _apply_json(operations: list[dict], resource: dict) -> Any:
    document: Any = fhirjson.loads(fhirjson.dumps(resource))
    for index, operation in enumerate(operations):
        try:
            document = jsonpatch.JsonPatch([operation]).apply(document, in_place=True)
        except jsonpatch.InvalidJsonPatch as error:
            raise BadRequest(f"Patch operation {index}: {error}", code="structure") from None
        except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException) as error:
            raise Unprocessable(f"Patch operation {index} ({operation['op']}): {error}") from None
        except (TypeError, KeyError, IndexError, ValueError, AttributeError) as error:
            raise Unprocessable(f"Patch operation {index} ({operation['op']}) does not apply: {error}") from None
        if operation["op"] == "copy" and len(fhirjson.dumps(document)) > MAX_RESULT_BYTES:
            raise PayloadTooLarge(f"The patched resource would exceed {MAX_RESULT_BYTES} bytes")
    return document


class _Refused(Exception):
    """A FHIRPath Patch operation that does not apply to this resource."""


#: Where an element lives: its container (a dict, or the list of a repeating element), its key or index, and the
#: element names from the resource root to it (no indexes; for finding its definition).
@dataclass
class _Located:
    container: Any
    key: str | int
    names: tuple[str, ...]

    @property
    def value(self) -> Any:
        return self.container[self.key]


_STEP = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(\[(\d+)\])?$")
_FUNCTION = re.compile(r"^(where|first|last|ofType)\((.*)\)(\[(\d+)\])?$", re.DOTALL)
_TYPE_NAME = re.compile(r"^(FHIR\.)?([A-Za-z]+)$")


class _FhirPathPatcher:
    def __init__(self, resource: dict, definitions: Definitions) -> None:
        self.resource = resource
        self.definitions = definitions

    # -- operations ------------------------------------------------------------------------------------------------
    def apply(self, operation: dict) -> None:
        kind = operation["type"]
        path = operation["path"]
        if kind == "add":
            target = self._one(self.locate(path), path)
            if not isinstance(target.value, dict):
                raise _Refused(f"{path} is not an element that can hold {operation['name']!r}")
            self._add(target.value, target.names, operation["name"], operation["value"])
        elif kind == "insert":
            holder, names, name = self._collection(path)
            element = self._definition((*names, name))
            if element is None or (element.max is not None and element.max <= 1):
                raise _Refused(f"{path} is not a repeating element")
            items = holder.setdefault(name, [])
            if not isinstance(items, list):
                raise _Refused(f"{path} holds a value that is not a list")
            index = operation["index"]
            if not 0 <= index <= len(items):
                raise _Refused(f"index {index} is outside 0..{len(items)}")
            items.insert(index, self._value(operation["value"], (*names, name)))
            _shift_extensions(holder, name, index, insert=True)
        elif kind == "delete":
            found = self.locate(path)
            if not found:
                return  # "Path of the element to delete (if found)"
            target = self._one(found, path)
            if target.key == "" or (target.container is self.resource and target.key in ("resourceType", "id")):
                raise _Refused(f"{path} cannot be deleted")
            self._delete(target)
        elif kind == "replace":
            target = self._one(self.locate(path), path)
            if target.key == "" or (target.container is self.resource and target.key == "resourceType"):
                raise _Refused(f"{path} cannot be replaced")
            target.container[target.key] = self._value(operation["value"], target.names)
        else:  # move
            holder, _, name = self._collection(path)
            items = holder.get(name)
            source, destination = operation["source"], operation["destination"]
            if not isinstance(items, list) or not (0 <= source < len(items) and 0 <= destination < len(items)):
                raise _Refused(f"source {source} and destination {destination} must both be indexes of {path}")
            items.insert(destination, items.pop(source))

    def _add(self, holder: dict, names: tuple[str, ...], name: str, value: dict) -> None:
        if not re.match(r"^[A-Za-z][A-Za-z0-9]*$", name):
            raise _Refused(f"{name[:64]!r} is not an element name")
        element = self._definition((*names, name))
        if element is None:
            raise _Refused(f"{'.'.join((*names, name))} is not an element of {self.resource['resourceType']}")
        built = self._value(value, (*names, name))
        if element.max is None or element.max > 1:
            existing = holder.setdefault(name, [])
            if not isinstance(existing, list):
                raise _Refused(f"{name} holds a value that is not a list")
            existing.append(built)
        elif name in holder:
            raise _Refused(f"{name} already has a value (use replace)")
        else:
            holder[name] = built

    def _delete(self, target: _Located) -> None:
        container, key = target.container, target.key
        if isinstance(container, list):
            del container[key]  # type: ignore[arg-type]
            return
        del container[key]
        container.pop(f"_{key}", None)

    def _collection(self, path: str) -> tuple[dict, tuple[str, ...], str]:
        """The element holding the list a path names, its names, and the list's name (`Patient.identifier`)."""
        head, _, last = _split_last(path)
        if not _STEP.match(last) or "[" in last:
            raise _Refused(f"{path} does not name a repeating element (end it with the element's name)")
        holder = self._one(self.locate(head), head) if head else _Located({"": self.resource}, "", ())
        if not isinstance(holder.value, dict):
            raise _Refused(f"{head} is not an element")
        return holder.value, holder.names, last

    @staticmethod
    def _one(found: list[_Located], path: str) -> _Located:
        if len(found) != 1:
            raise _Refused(f"{path} must identify exactly one element; it identifies {len(found)}")
        return found[0]

    # -- navigation ------------------------------------------------------------------------------------------------
    def locate(self, path: str) -> list[_Located]:
        steps = _split(path)
        if not steps:
            raise BadRequest("A patch path is empty")
        root = _Located({"": self.resource}, "", ())
        current = [root]
        if steps[0] == self.resource["resourceType"]:
            steps = steps[1:]
        for step in steps:
            current = self._step(current, step, path)
        return current

    def _step(self, nodes: list[_Located], step: str, path: str) -> list[_Located]:
        if match := _STEP.match(step):
            found = [child for node in nodes for child in _children(node, match.group(1))]
            return _index(found, match.group(3))
        match = _FUNCTION.match(step)
        if match is None:
            raise BadRequest(f"The patch path {path[:200]!r} uses {step[:60]!r}, which patches do not support")
        function, argument = match.group(1), match.group(2).strip()
        if function == "first":
            found = nodes[:1]
        elif function == "last":
            found = nodes[-1:]
        elif function == "ofType":
            wanted = _TYPE_NAME.match(argument)
            if wanted is None:
                raise BadRequest(f"ofType({argument[:60]}) names no type")
            found = [
                node
                for node in nodes
                if isinstance(node.key, str) and node.key.endswith(wanted.group(2)) and node.key != wanted.group(2)
            ] or [node for node in nodes if isinstance(node.value, dict) and node.value.get("resourceType") == argument]
        else:
            if not argument:
                raise BadRequest("where() needs criteria")
            found = [
                node
                for node in nodes
                if truthy(evaluate(node.value, argument, resource=self.resource, root_resource=self.resource))
            ]
        return _index(found, match.group(4))

    # -- values ----------------------------------------------------------------------------------------------------
    def _value(self, part: dict, names: tuple[str, ...]) -> Any:
        """The value of a `value` part: its value[x], or the element its parts build."""
        values = [value for key, value in part.items() if key.startswith("value")]
        if values:
            if len(values) > 1:
                raise _Refused("a value part has more than one value[x]")
            return values[0]
        parts = part.get("part")
        if isinstance(parts, list) and parts:
            return self._built(parts, names)
        raise _Refused("the value part has neither a value[x] nor parts")

    def _built(self, parts: list, names: tuple[str, ...]) -> dict:
        built: dict[str, Any] = {}
        for part in parts:
            if not isinstance(part, dict) or not isinstance(part.get("name"), str):
                raise _Refused("every part of a value has a name")
            name = part["name"]
            element = self._definition((*names, name))
            if element is None:
                raise _Refused(f"{'.'.join((*names, name))} is not an element")
            item = self._value(part, (*names, name))
            if element.max is None or element.max > 1:
                built.setdefault(name, []).append(item)
            elif name in built:
                raise _Refused(f"{name} is given twice but holds one value")
            else:
                built[name] = item
        return built

    def _definition(self, names: tuple[str, ...]) -> Any:
        """The ElementDefinition of the element at `names` (from the resource's type), or None."""
        return element_definition(self.definitions, self.resource["resourceType"], names)


def element_definition(definitions: Definitions, resource_type: str, names: tuple[str, ...]) -> Any:
    """Follow element names from a type's root through backbone elements, data types and content references."""
    structure = definitions.structure_definition(resource_type)
    if structure is None:
        return None
    element_id = structure.root.id
    element = None
    for name in names:
        element = None
        for child in structure.children(element_id):
            last = child.path.rsplit(".", 1)[-1]
            if last == name:
                element, type_code = child, (child.types[0].code if child.types else "")
                break
            if last.endswith("[x]") and name.startswith(last[:-3]):
                wanted = name[len(last) - 3 :]
                codes = {t.code[:1].upper() + t.code[1:]: t.code for t in child.types}
                if wanted in codes:
                    element, type_code = child, codes[wanted]
                    break
        if element is None:
            return None
        reference = element.json.get("contentReference")
        if isinstance(reference, str):
            element_id = reference.split("#", 1)[-1]
        elif structure.children(element.id):
            element_id = element.id
        else:
            found = definitions.structure_definition(type_code) if type_code else None
            if found is None:
                return element if name == names[-1] else None
            structure, element_id = found, found.root.id
    return element


def _children(node: _Located, name: str) -> list[_Located]:
    value = node.value
    if not isinstance(value, dict):
        return []
    names = node.names
    key = name
    if name not in value:  # a choice element by its FHIRPath name: value → valueQuantity
        key = next((k for k in value if k.startswith(name) and k[len(name) :] in CHOICE_TYPES), name)
        if key not in value:
            return []
    child = value[key]
    if isinstance(child, list):
        return [_Located(child, index, (*names, key)) for index in range(len(child))]
    return [_Located(value, key, (*names, key))]


def _index(found: list[_Located], index: str | None) -> list[_Located]:
    if index is None:
        return found
    position = int(index)
    return found[position : position + 1]


def _split(path: str) -> list[str]:
    """Top-level steps of a path: `A.b.where(c.d = 'e.f').g` → A, b, where(c.d = 'e.f'), g."""
    steps, depth, quote, start = [], 0, "", 0
    for position, char in enumerate(path):
        if quote:
            if char == quote:
                quote = ""
        elif char in "'`":
            quote = char
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "." and depth == 0:
            steps.append(path[start:position].strip())
            start = position + 1
    steps.append(path[start:].strip())
    if any(not step for step in steps) or depth or quote:
        raise BadRequest(f"The patch path {path[:200]!r} is not a valid path")
    return steps


def _split_last(path: str) -> tuple[str, str, str]:
    steps = _split(path)
    return ".".join(steps[:-1]), ".", steps[-1]


def _shift_extensions(holder: dict, name: str, index: int, insert: bool) -> None:
    """Keep a primitive list's `_name` extensions aligned after inserting at `index`."""
    extensions = holder.get(f"_{name}")
    if isinstance(extensions, list) and insert:
        extensions.insert(index, None)
