"""Writing results atomically: transaction Bundles (one JSON file, or several when the import is large) or NDJSON
(one file per resource type in a folder). Everything is written to a temporary name next to the target and renamed
at the end with the user's umask, so a failed import leaves nothing behind; a file error (unwritable folder, disk
full) is an OutputError with a one-line message.

Transaction Bundles follow R4: every entry has an absolute `fullUrl`, a `urn:uuid:` derived from the resource's
type and id (UUID v5, so rerunning an import gives the same Bundle), and every reference to another entry of the
same Bundle is rewritten to that fullUrl; the request is `PUT Type/id`, so a server keeps the deterministic ids.

Not handled: writing to a server (see dermfhir.store).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import tempfile
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import orjson

#: Namespace of the fullUrl UUIDs (UUID v5 of `Type/id`): a fixed random UUID, so that fullUrls are stable.
NAMESPACE = uuid.UUID("6f1d2c1e-3b0a-4c55-9a57-0d3c8e4b7a21")
_NAMESPACE_BYTES = NAMESPACE.bytes
#: Entries per Bundle file when an import is split (the server accepts 20,000; the validator's limit is in bytes);
#: also the unit of validation of a streamed import: small enough that the last one does not leave a core idle long
BUNDLE_ENTRIES = 2_500


class OutputError(Exception):
    """An output file or folder cannot be written; the message is one line naming the path."""


def _failed(path: Path, error: OSError) -> OutputError:
    return OutputError(f"{path}: cannot write ({error.strerror or error})")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def full_url(resource_type: str, id: str) -> str:
    """The deterministic `urn:uuid:` fullUrl of `Type/id`.

    UUID v5 (RFC 4122 section 4.3) computed directly: `uuid.uuid5` builds a UUID object per call, 3x slower.

    >>> full_url("Patient", "p1") == f"urn:uuid:{uuid.uuid5(NAMESPACE, 'Patient/p1')}"
    True
    """
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + f"{resource_type}/{id}".encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest.hex()
    return f"urn:uuid:{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _rewrite(node: Any, urls: dict[str, str]) -> Any:
    """A copy of `node` with every `reference` found in `urls` replaced."""
    if isinstance(node, dict):
        copy = {}
        for key, value in node.items():
            if key == "reference" and isinstance(value, str) and value in urls:
                copy[key] = urls[value]
            else:
                copy[key] = _rewrite(value, urls) if isinstance(value, dict | list) else value
        return copy
    if isinstance(node, list):
        return [_rewrite(item, urls) if isinstance(item, dict | list) else item for item in node]
    return node


_REFERENCE = re.compile(rb'"reference":"([A-Za-z]+/[A-Za-z0-9\-.]{1,64})"')


def transaction(resources: Iterable[dict]) -> dict:
    """A transaction Bundle: urn:uuid fullUrls, references between entries rewritten, PUT `Type/id` (the parsed
    `transaction_bytes`)."""
    return orjson.loads(transaction_bytes(resources))


def transaction_bytes(resources: Iterable[dict]) -> bytes:
    """A transaction Bundle, serialised, each resource on one line (what an import writes and validates):
    urn:uuid fullUrls, references between entries rewritten, PUT `Type/id`.

    Each resource is serialised once, its references to other entries rewritten in the text (orjson writes
    `"reference":"Type/id"` with no blanks and no escaped slash), and embedded in the Bundle as it is
    (`orjson.Fragment`): no tree is copied or parsed again.

    >>> bundle = orjson.loads(transaction_bytes([
    ...     {"resourceType": "Patient", "id": "p"},
    ...     {"resourceType": "BodyStructure", "id": "b", "patient": {"reference": "Patient/p"}}]))
    >>> bundle["entry"][1]["resource"]["patient"]["reference"] == bundle["entry"][0]["fullUrl"]
    True
    >>> bundle["entry"][0]["fullUrl"].startswith("urn:uuid:"), bundle["entry"][1]["request"]["url"]
    (True, 'BodyStructure/b')
    """
    items = list(resources)
    urls = {f"{r['resourceType']}/{r['id']}": full_url(r["resourceType"], r["id"]) for r in items}
    encoded = {key.encode(): f'"reference":"{url}"'.encode() for key, url in urls.items()}

    def swap(match: re.Match[bytes]) -> bytes:
        return encoded.get(match.group(1), match.group(0))

    entries = []
    for resource in items:
        key = f"{resource['resourceType']}/{resource['id']}"
        entries.append(
            {
                "fullUrl": urls[key],
                "resource": orjson.Fragment(_REFERENCE.sub(swap, orjson.dumps(resource))),
                "request": {"method": "PUT", "url": key},
            }
        )
    return orjson.dumps({"resourceType": "Bundle", "type": "transaction", "entry": entries}, option=orjson.OPT_INDENT_2)


def resolved(bundle: dict) -> list[dict]:
    """The resources of a Bundle with references to other entries' fullUrls turned back into `Type/id`."""
    entries = [e for e in bundle.get("entry") or [] if isinstance(e, dict) and isinstance(e.get("resource"), dict)]
    urls = {
        e["fullUrl"]: f"{e['resource'].get('resourceType')}/{e['resource'].get('id')}"
        for e in entries
        if isinstance(e.get("fullUrl"), str) and e["resource"].get("id") and not e["fullUrl"].startswith("http")
    }
    return [_rewrite(e["resource"], urls) if urls else e["resource"] for e in entries]


class AtomicFile:
    """A file written under a temporary name in the target's folder and renamed over the target by `commit()`."""

    def __init__(self, path: Path, shown: Path | None = None) -> None:
        self.path = path
        self.shown = shown or path  # the path named in error messages
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        except OSError as error:
            raise _failed(self.shown, error) from None
        self.temporary = Path(temporary)
        self.stream: BinaryIO = os.fdopen(handle, "wb")

    def write(self, data: bytes) -> None:
        try:
            self.stream.write(data)
        except OSError as error:
            self.abort()
            raise _failed(self.shown, error) from None

    def commit(self) -> None:
        try:
            self.stream.close()
            os.chmod(self.temporary, 0o666 & ~_umask())
            os.replace(self.temporary, self.path)
        except OSError as error:
            self.abort()
            raise _failed(self.shown, error) from None

    def abort(self) -> None:
        with contextlib.suppress(OSError):
            self.stream.close()
        self.temporary.unlink(missing_ok=True)


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder and a rename (OutputError on failure)."""
    target = AtomicFile(path)
    try:
        target.write(data)
        target.commit()
    except BaseException:
        target.abort()
        raise


def ndjson_files(resources: Iterable[dict]) -> dict[str, bytes]:
    """`{Type}.ndjson` content per resource type."""
    lines: dict[str, list[bytes]] = defaultdict(list)
    for resource in resources:
        lines[resource["resourceType"]].append(orjson.dumps(resource))
    return {f"{kind}.ndjson": b"\n".join(items) + b"\n" for kind, items in sorted(lines.items())}


class NdjsonWriter:
    """NDJSON files, one per resource type, staged in a temporary folder next to `folder` and moved in by
    `commit()` (NDJSON files already in `folder` are replaced); resources may be added chunk by chunk."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        try:
            if folder.exists() and not folder.is_dir():
                raise NotADirectoryError(20, "not a folder")
            folder.parent.mkdir(parents=True, exist_ok=True)
            self.staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
        except OSError as error:
            raise _failed(folder, error) from None
        self.streams: dict[str, BinaryIO] = {}

    def add(self, resources: Iterable[dict], lines: Iterable[bytes] | None = None) -> None:
        """Append `resources` (with `lines`, their serialised form, when it is at hand)."""
        resources = list(resources)
        texts = lines if lines is not None else (orjson.dumps(resource) for resource in resources)
        try:
            for resource, text in zip(resources, texts, strict=True):
                kind = resource["resourceType"]
                stream = self.streams.get(kind)
                if stream is None:
                    stream = self.streams[kind] = (self.staging / f"{kind}.ndjson").open("wb")
                stream.write(text + b"\n")
        except OSError as error:
            self.abort()
            raise _failed(self.folder, error) from None

    def commit(self) -> list[Path]:
        names = sorted(f"{kind}.ndjson" for kind in self.streams)
        try:
            mode = 0o666 & ~_umask()
            for stream in self.streams.values():
                stream.close()
            for name in names:
                os.chmod(self.staging / name, mode)
            if self.folder.exists():
                for old in self.folder.glob("*.ndjson"):
                    old.unlink()
                for name in names:
                    os.replace(self.staging / name, self.folder / name)
                self.staging.rmdir()
            else:
                os.chmod(self.staging, 0o777 & ~_umask())
                os.replace(self.staging, self.folder)
        except OSError as error:
            self.abort()
            raise _failed(self.folder, error) from None
        return [self.folder / name for name in names]

    def abort(self) -> None:
        for stream in self.streams.values():
            with contextlib.suppress(OSError):
                stream.close()
        shutil.rmtree(self.staging, ignore_errors=True)


def write_ndjson(folder: Path, resources: Iterable[dict]) -> list[Path]:
    """Write one NDJSON file per resource type into `folder` (created, or its NDJSON files replaced) atomically."""
    writer = NdjsonWriter(folder)
    try:
        writer.add(resources)
        return writer.commit()
    except BaseException:
        writer.abort()
        raise


def bundle_paths(path: Path, count: int) -> list[Path]:
    """The files of an import split into `count` Bundles: PATH itself for one, else PATH-0001.json, PATH-0002.json…"""
    if count <= 1:
        return [path]
    stem, suffix = (path.stem, path.suffix) if path.suffix else (path.name, ".json")
    return [path.with_name(f"{stem}-{n:04d}{suffix}") for n in range(1, count + 1)]


def chunks(resources: list[dict], size: int = BUNDLE_ENTRIES) -> Iterator[list[dict]]:
    for start in range(0, len(resources), size):
        yield resources[start : start + size]


def write_bundles(path: Path, bundles: list[dict]) -> list[Path]:
    """Write the Bundles (already built) to PATH, or to PATH-NNNN.json when there are several; all or none."""
    paths = bundle_paths(path, len(bundles))
    pending = []
    try:
        for target, bundle in zip(paths, bundles, strict=True):
            file = AtomicFile(target)
            pending.append(file)
            file.write(orjson.dumps(bundle, option=orjson.OPT_INDENT_2))
            file.stream.close()
        for file in pending:
            file.commit()
    except BaseException:
        for file in pending:
            file.abort()
        raise
    return paths


def write_result(path: Path, resources: list[dict], ndjson: bool) -> list[Path]:
    if ndjson:
        return write_ndjson(path, resources)
    return write_bundles(path, [transaction(chunk) for chunk in chunks(resources)] or [transaction([])])
