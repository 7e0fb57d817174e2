"""Validation of files of any size with flat memory: NDJSON line by line, large Bundles entry by entry.

A Bundle file larger than `STREAM_THRESHOLD` is read three times with ijson and never held whole:
1. a survey keeps the Bundle's own elements, its first entry (a document's Composition, a message's MessageHeader)
   and, for every entry, a compact index line (fullUrl, type, id, versionId, meta.profile); it reports duplicate
   JSON property names and the Bundle rules that need every entry at once (bdl-7, fullUrl uniqueness);
2. the entries are validated in chunks, each inside a copy of the Bundle's own elements with the first entry put
   back in front (so `entry.first()` rules and the document's references see what they would see in the whole
   Bundle), references resolved against the index of all entries; locations name the entry's real position;
3. references whose target lies in another chunk and must conform to a target profile are checked against that
   entry in a last read of the file.
Issues are gathered into one `Run` per file, so the listing is capped but errors are always counted (see `Run`).
Not done in streaming mode: slicing whose discriminator resolves a reference into another chunk and checks its
profile (`resolve().conformsTo()`); positions (line, column) of issues inside streamed Bundles.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dermfhir.validation.bundle import _ABSOLUTE, _RESTFUL, BundleIndex
from dermfhir.validation.context import Run
from dermfhir.validation.jsonsource import load, locate
from dermfhir.validation.messages import MessageId
from dermfhir.validation.outcome import Issue, IssueType

#: JSON files larger than this (bytes) are read by streaming; a Bundle's entries are then validated chunk by chunk.
STREAM_THRESHOLD = 16 * 1024 * 1024
CHUNK = 200


@dataclass
class Result:
    """The validation of one resource (or of one whole streamed Bundle) found in a file."""

    file: str
    #: 1-based line of an NDJSON file, None for a file holding one resource
    line: int | None
    resource_type: str | None
    resource_id: str | None
    issues: list[Issue]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        return self.counts.get("error", 0) + self.counts.get("fatal", 0)

    @property
    def warnings(self) -> int:
        return self.counts.get("warning", 0)

    @property
    def label(self) -> str:
        return self.file if self.line is None else f"{self.file}, line {self.line}"


def _result(file: str, line: int | None, resource: Any, run: Run) -> Result:
    kind = resource.get("resourceType") if isinstance(resource, dict) else None
    ident = resource.get("id") if isinstance(resource, dict) else None
    return Result(
        file,
        line,
        kind if isinstance(kind, str) else None,
        ident if isinstance(ident, str) else None,
        run.report(),
        dict(run.counts),
    )


def validate_file(validator: Any, path: Path, profiles: list[str] | None = None) -> Iterator[Result]:
    """Results for every resource of a JSON, NDJSON or XML file; problems of the file itself become fatal issues."""
    name = str(path)
    suffix = path.suffix.lower()
    try:
        size = path.stat().st_size
        if suffix == ".ndjson":
            yield from _ndjson(validator, path, profiles)
            return
        with path.open("rb") as handle:
            head = handle.read(64).lstrip()
        if suffix == ".xml" or head[:1] == b"<":
            yield _xml(validator, path, profiles)
            return
        if size > STREAM_THRESHOLD:
            yield from _large_json(validator, path, profiles)
            return
        data = path.read_bytes()
    except OSError as error:
        run = Run(validator.options)
        run.add("fatal", IssueType.EXCEPTION, MessageId.FILE_UNREADABLE, "", name=name, error=error.strerror or error)
        yield _result(name, None, None, run)
        return
    yield validate_text(validator, data, name, profiles)


def validate_text(validator: Any, data: bytes | str, name: str, profiles: list[str] | None = None) -> Result:
    """The Result for one JSON text (a resource or a Bundle held in memory)."""
    resource, problems = load(data)
    run = Run(validator.options)
    for issue in problems:
        run.add_issue(issue)
    if not _unparsed(problems):  # `null`, `[]`, `"x"` parse: the validator says they are not resources
        for issue in validator.run(resource, profiles).report():
            run.add_issue(issue)
    issues = run.report()
    if issues and any(not issue.line for issue in issues):
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
        issues = locate(text, issues)
    result = _result(name, None, resource, run)
    result.issues = issues
    return result


def _unparsed(problems: list[Issue]) -> bool:
    """Whether the text could not be read as JSON at all (a fatal problem: nothing to validate)."""
    return any(issue.severity == "fatal" for issue in problems)


def _xml(validator: Any, path: Path, profiles: list[str] | None) -> Result:
    from dermfhir.validation.xml import XmlError, parse_xml

    run = Run(validator.options)
    resource = None
    try:
        resource = parse_xml(path.read_bytes(), validator.models)
    except XmlError as error:
        run.add("fatal", IssueType.INVALID, error.message_id, "", **error.values)
    if resource is not None:
        for issue in validator.run(resource, profiles).report():
            run.add_issue(issue)
    return _result(str(path), None, resource, run)


def _ndjson(validator: Any, path: Path, profiles: list[str] | None) -> Iterator[Result]:
    """One Result per non-blank line, read one line at a time."""
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            resource, problems = load(line)
            if _unparsed(problems):
                issues = [dataclasses.replace(issue, line=number) for issue in problems]
                run = Run(validator.options)
                for issue in issues:
                    run.add_issue(issue)
                yield _result(str(path), number, None, run)
                continue
            run = validator.run(resource, profiles)
            for issue in problems:
                run.add_issue(issue)
            result = _result(str(path), number, resource, run)
            if result.issues:  # the column within the line, the line within the file
                located = locate(line.decode("utf-8", "replace"), result.issues)
                result.issues = [dataclasses.replace(issue, line=number) for issue in located]
            yield result


# --- large JSON files ---------------------------------------------------------------------------------------------
@dataclass
class _Survey:
    top: dict = field(default_factory=dict)
    first_entry: Any = None
    entries: int = 0
    #: per entry: (fullUrl, resourceType, id, meta.versionId, meta.profile)
    lines: list[tuple[str | None, str | None, str | None, str | None, tuple[str, ...]]] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)


def _survey(path: Path) -> _Survey:
    """One pass of ijson events: the Bundle's own elements, its first entry, an index line per entry and the
    duplicate property names (with their location)."""
    import ijson

    survey = _Survey()
    builder: Any = None
    building_key: str | None = None
    build_depth = 0
    depth = 0
    #: per open container: [names seen (object) or None (array), index of the current item, current name]
    stack: list[list[Any]] = []
    line: list[Any] = []
    with path.open("rb") as handle:
        for prefix, event, value in ijson.parse(handle, use_float=True):
            if builder is not None:
                builder.event(event, value)
            if event == "map_key":
                names = stack[-1][0]
                if value in names:
                    survey.duplicates.append((value, _stack_location(stack)))
                names.add(value)
                stack[-1][2] = value
                if depth == 1 and value != "entry":
                    builder, building_key, build_depth = ijson.ObjectBuilder(), value, depth
                elif depth == 1:
                    builder = None
            elif event in ("start_map", "start_array"):
                if stack and stack[-1][0] is None:
                    stack[-1][1] += 1
                stack.append([set() if event == "start_map" else None, -1, None])
                depth += 1
                if prefix == "entry.item" and event == "start_map":
                    line = [None, None, None, None, []]
                    if survey.entries == 0:
                        builder, building_key, build_depth = ijson.ObjectBuilder(), None, depth - 1
                        builder.event(event, value)
            elif event in ("end_map", "end_array"):
                stack.pop()
                depth -= 1
                if prefix == "entry.item" and event == "end_map":
                    survey.lines.append((line[0], line[1], line[2], line[3], tuple(line[4])))
                    if survey.entries == 0 and builder is not None:
                        survey.first_entry = builder.value
                        builder = None
                    survey.entries += 1
            else:
                if stack and stack[-1][0] is None:
                    stack[-1][1] += 1
                if prefix.startswith("entry.item.") and isinstance(value, str):
                    _index_line(prefix, value, line)
            if builder is not None and depth == build_depth and event not in ("map_key",):
                if building_key is not None:
                    survey.top[building_key] = builder.value
                    builder, building_key = None, None
                elif event == "end_map":
                    builder = None
    return survey


def _index_line(prefix: str, value: str, line: list[Any]) -> None:
    if prefix == "entry.item.fullUrl":
        line[0] = value
    elif prefix == "entry.item.resource.resourceType":
        line[1] = value
    elif prefix == "entry.item.resource.id":
        line[2] = value
    elif prefix == "entry.item.resource.meta.versionId":
        line[3] = value
    elif prefix == "entry.item.resource.meta.profile.item":
        line[4].append(value)


def _stack_location(stack: list[list[Any]]) -> str:
    location = "Bundle"
    for names, index, name in stack[:-1]:
        location += f"[{index}]" if names is None else f".{name}"
    if len(stack) > 1 and stack[-2][0] is None:
        pass
    return location


def _large_json(validator: Any, path: Path, profiles: list[str] | None) -> Iterator[Result]:
    import ijson

    name = str(path)
    try:
        survey = _survey(path)
    except (ijson.JSONError, ijson.IncompleteJSONError, ValueError) as error:
        run = Run(validator.options)
        run.add("fatal", IssueType.INVALID, MessageId.ERROR_PARSING_JSON, "", error=error)
        yield _result(name, None, None, run)
        return
    if survey.top.get("resourceType") != "Bundle" or survey.entries == 0:
        # one large resource, or a Bundle whose `entry` is not an array of entries: held whole and validated as is
        yield validate_text(validator, path.read_bytes(), name, profiles)
        return
    run = Run(validator.options)
    for property_name, location in survey.duplicates:
        run.add("error", IssueType.INVALID, MessageId.DUPLICATE_JSON_PROPERTY, location, property_name=property_name)
    index = StreamIndex(survey.lines)
    _unique_full_urls(validator, survey, run)
    top = {key: item for key, item in survey.top.items() if key != "entry"}
    chunk: list[Any] = []
    offset = 0
    with path.open("rb") as handle:
        for entry in ijson.items(handle, "entry.item", use_float=True):
            chunk.append(entry)
            if len(chunk) == CHUNK:
                _chunk(validator, top, survey.first_entry, chunk, offset, index, profiles, run)
                offset += len(chunk)
                chunk = []
    if chunk:
        _chunk(validator, top, survey.first_entry, chunk, offset, index, profiles, run)
    if index.deferred:
        _deferred(validator, path, top, index, run)
    yield _result(name, None, survey.top, run)


def _unique_full_urls(validator: Any, survey: _Survey, run: Run) -> None:
    """bdl-7 over every entry (a chunk sees only its own)."""
    if survey.top.get("type") == "history":
        return
    seen: set[str] = set()
    for full_url, _kind, _id, version, _profiles in survey.lines:
        if full_url is None:
            continue
        key = full_url + "|" + (version or "")
        if key in seen:
            constraint = _constraint(validator, "bdl-7")
            run.add("error", IssueType.INVARIANT, MessageId.BDL_7, "Bundle", constraint=constraint)
            return
        seen.add(key)


def _constraint(validator: Any, key: str) -> str:
    model = validator.models.get("Bundle")
    for constraint in getattr(getattr(model, "root", None), "constraints", ()) or ():
        if constraint.key == key:
            return str(constraint.human)
    return key


_ENTRY = re.compile(r"^Bundle\.entry\[(\d+)\]")


def _chunk(
    validator: Any,
    top: dict,
    first: Any,
    chunk: list[Any],
    offset: int,
    index: StreamIndex,
    profiles: list[str] | None,
    run: Run,
) -> None:
    """Validate `chunk` (entries offset … offset+len-1) inside the Bundle's own elements."""
    entries = chunk if offset == 0 else [first, *chunk]
    shift = offset if offset == 0 else offset - 1
    shell = {**top, "entry": entries}
    positions = [offset + number for number in range(len(chunk))]
    index.enter([entry for entry in chunk], positions)

    def remap(location: str) -> str | None:
        match = _ENTRY.match(location)
        if match is None:
            return location
        local = int(match.group(1))
        if offset and local == 0:
            return None  # the first entry, put back for context: validated with the first chunk
        return f"Bundle.entry[{local + shift}]" + location[match.end() :]

    index.remap = remap
    try:
        for issue in validator.run(shell, profiles, bundle_index=index).report():
            where = remap(issue.location)
            if where is not None:
                run.add_issue(dataclasses.replace(issue, location=where))
    finally:
        index.leave()


def _deferred(validator: Any, path: Path, top: dict, index: StreamIndex, run: Run) -> None:
    """Targets in another chunk that must conform to a target profile: checked now, one entry at a time."""
    import ijson

    from dermfhir.validation.context import Frame
    from dermfhir.validation.slicing import conforms

    with path.open("rb") as handle:
        for position, entry in enumerate(ijson.items(handle, "entry.item", use_float=True)):
            wanted = index.deferred.get(position)
            if not wanted or not isinstance(entry, dict) or not isinstance(entry.get("resource"), dict):
                continue
            resource = entry["resource"]
            index.enter([entry], [position])
            try:
                shell = {**top, "entry": [entry]}
                container = Frame(shell, "Bundle", None, index, None)
                full_url = entry.get("fullUrl") if isinstance(entry.get("fullUrl"), str) else None
                frame = Frame(resource, str(resource.get("resourceType")), container, index, full_url)
                walker = validator.checker(Run(validator.options))
                for candidates, where, reference in wanted:
                    if not any(conforms(walker, url, resource, frame) for url in candidates):
                        run.error(
                            IssueType.STRUCTURE,
                            MessageId.REFERENCE_REF_CANTMATCHCHOICE,
                            where,
                            reference=reference,
                            candidates=", ".join(candidates),
                        )
            finally:
                index.leave()


class Stub(dict):
    """What the index knows of an entry outside the chunk being validated: type, id, versionId, profiles."""

    position: int = -1


class StreamIndex(BundleIndex):
    """A BundleIndex over compact index lines: the entries of the current chunk resolve to themselves, the others
    to a `Stub`."""

    def __init__(self, lines: list[tuple[str | None, str | None, str | None, str | None, tuple[str, ...]]]) -> None:
        self.lines = lines
        self.current: dict[int, dict] = {}
        self._chunk_urls: dict[int, str | None] = {}
        self._by_url = {}
        self._by_type_id = {}
        #: entry position → [(target profiles, location, reference)] to check against that entry at the end
        self.deferred: dict[int, list[tuple[list[str], str, str]]] = {}
        self.remap: Any = None
        for position, (full_url, kind, ident, _version, _profiles) in enumerate(lines):
            if full_url is None:
                if kind is not None and ident is not None:
                    self._by_type_id.setdefault((kind, ident), []).append(position)
                continue
            self._by_url.setdefault(full_url, []).append(position)
            unversioned = full_url.partition("/_history/")[0]
            if unversioned != full_url:
                self._by_url.setdefault(unversioned, []).append(position)

    def enter(self, entries: list[Any], positions: list[int]) -> None:
        for entry, position in zip(entries, positions, strict=True):
            if isinstance(entry, dict) and isinstance(entry.get("resource"), dict):
                self.current[position] = entry["resource"]
                self._chunk_urls[id(entry["resource"])] = self.lines[position][0]

    def leave(self) -> None:
        self.current = {}
        self._chunk_urls = {}
        self.remap = None

    def full_url_of(self, resource: dict) -> str | None:
        return self._chunk_urls.get(id(resource))

    def _resource(self, position: int) -> dict:
        found = self.current.get(position)
        if found is not None:
            return found
        _full_url, kind, ident, version, profiles = self.lines[position]
        stub = Stub(resourceType=kind, id=ident)
        meta: dict[str, Any] = {}
        if version is not None:
            meta["versionId"] = version
        if profiles:
            meta["profile"] = list(profiles)
        if meta:
            stub["meta"] = meta
        stub.position = position
        return stub

    def find(self, reference: str, from_full_url: str | None) -> list[dict]:
        base_reference, _, version = reference.partition("/_history/")
        candidates: list[str] = [base_reference]
        if not _ABSOLUTE.match(base_reference) and from_full_url:
            match = _RESTFUL.match(from_full_url)
            if match and match.group(1):
                candidates.append(match.group(1) + base_reference)
        positions = sorted({position for candidate in candidates for position in self._by_url.get(candidate, ())})
        found = []
        for position in positions:
            if version and self.lines[position][3] != version:
                continue
            found.append(self._resource(position))
        if not found and not _ABSOLUTE.match(base_reference):
            parts = base_reference.split("/")
            if len(parts) == 2:
                found = [self._resource(position) for position in self._by_type_id.get((parts[0], parts[1]), ())]
        return found

    def defer(self, target: Stub, candidates: list[str], where: str, reference: str) -> None:
        location = self.remap(where) if self.remap is not None else where
        if location is not None:
            self.deferred.setdefault(target.position, []).append((candidates, location, reference))
