"""Walks of elements remembered by content, so that a value seen before is not walked again.

Imported resources repeat most of their elements: the same codings, categories, units, identifier systems and
component codes recur in every row. The walk of an element's subtree (its children, their types, cardinalities,
bindings, slicing, invariants) gives the same issues for the same content at the same element definition, as long
as nothing in the walk looked outside the subtree. So the issues of such a walk are kept, keyed by the element
definition and the value's exact JSON text, and replayed (with the element's own location in front) when the same
content comes again; replayed issues go through the same `Run.add_issue` as found ones (duplicates and suppression
behave the same).

An extension's walk is kept too, with the element holding it and the walk's extension context in its key (its
context of use is checked against them).

The outcome of an invariant is kept the same way, keyed by the expression, the focus's type and the JSON text of the
elements of the focus the expression reads (`component.where(…).all(…)` reads `component` only; expressions that read
the focus as a whole, `%resource` or references are not kept), so a resource's own invariants are not evaluated
again on elements seen before.

Content that never repeats (identifiers, request URLs, whole resources read by `bdl-5`) would only fill the memo
and cost its JSON text: an element definition (or an invariant on a type) whose last `UNIQUE` keys all missed is keyed
only once in `RETRY` times after that, until one of its keys hits again.

A walk is kept only when it is certain to be context-free. Every check that reads anything beyond the value and its
definition (references and `resolve()`, `%resource` / `%rootResource` in invariants, extension contexts given as
FHIRPath or extension URLs, `conformsTo`, contained and Bundle resources, bounds relative to today, the depth limit,
work skipped because it was done earlier in the same run) calls `Checker.taint()`, and a tainted walk is not kept.
A kept issue must be located inside the element (its location starts with the element's) and must not quote the
element's location in its text, so that the replayed issue is exactly the one a new walk would give.

`tests/validation/test_memo.py` validates the HL7 test cases, the guide's examples, the test fixtures and imported
resources with and without the memo and requires identical issue lists. No library offers this: it is a cache of
this validator's own results.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

import orjson

from dermfhir.fhirjson import Decimal
from dermfhir.validation.outcome import Issue

#: values whose JSON text is longer are not remembered (large values rarely repeat; the key would cost memory)
MAX_TEXT = 4_096
#: entries kept (of each kind), and bytes of JSON text in all keys, before the memo is emptied: bounded memory on
#: inputs of any size
MAX_ENTRIES = 50_000
MAX_BYTES = 24 * 2**20
#: an element definition (or an invariant on a type) whose last UNIQUE keys all missed holds unique content (ids,
#: identifiers, request URLs, whole resources): its values are then keyed only once in RETRY times, so that their
#: JSON text is not made for nothing and does not push the useful entries out
UNIQUE = 64
RETRY = 256
#: a property name no JSON text can hold, marking a Decimal (a number that keeps its text) in the key
_DECIMAL = "\x00decimal-" + uuid.uuid4().hex


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {_DECIMAL: value.text}
    raise TypeError


Key = tuple[int, int, Any, int, bytes]


class Memo:
    """Issues (located relative to the element) of context-free element walks, by definition and content."""

    __slots__ = ("bytes", "entries", "hits", "invariants", "missed", "misses", "reads", "refused", "slices")

    def __init__(self) -> None:
        self.entries: dict[Key, tuple[tuple[Issue, str], ...]] = {}
        #: (expression, focus type, JSON text of the focus's elements it reads) → outcome (see `invariants._run`)
        self.invariants: dict[tuple[str, str | None, bytes], str] = {}
        #: (sliced element, JSON text of an item) → the index of the slice it matches, -1 for none (see `slicing`)
        self.slices: dict[tuple[int, bytes], int] = {}
        #: element definitions whose walks were tainted → how many times; from 8, they are not tried again
        self.refused: dict[int, int] = {}
        #: (property names of a value, the elements an expression reads) → the properties in an invariant's key
        self.reads: dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[str, ...]] = {}
        #: element definitions and (expression, type) of invariants → how many keys missed since the last hit
        self.missed: dict[Any, int] = {}
        self.hits = 0
        self.misses = 0
        #: JSON text held in the keys
        self.bytes = 0

    def _room(self, table: dict, text: bytes) -> None:
        """Empty everything when `table` or the keys' text would grow past their bounds."""
        self.bytes += len(text)
        if len(table) >= MAX_ENTRIES or self.bytes > MAX_BYTES:
            self.entries.clear()
            self.invariants.clear()
            self.slices.clear()
            self.bytes = len(text)

    def _unique(self, kind: Any) -> bool:
        """Whether the keys of `kind` have missed so often in a row that this one is not tried (see UNIQUE)."""
        missed = self.missed.get(kind, 0)
        if missed < UNIQUE:
            return False
        self.missed[kind] = missed + 1
        return (missed - UNIQUE) % RETRY != RETRY - 1

    def _count(self, kind: Any, hit: bool) -> None:
        if hit:
            if kind in self.missed:
                del self.missed[kind]
        else:
            self.missed[kind] = self.missed.get(kind, 0) + 1

    def key(self, node: Any, model: Any, type_code: Any, depth: int, value: Any) -> Key | None:
        """The key of a walk of `value`, or None when it is not worth trying (too large, often tainted, unique
        content, not JSON)."""
        if self.refused.get(id(node), 0) >= 8 or self._unique(id(node)):
            return None
        try:
            text = orjson.dumps(value, default=_default)
        except (orjson.JSONEncodeError, TypeError):
            return None
        if len(text) > MAX_TEXT:
            return None
        return (id(node), id(model), type_code, depth, text)

    def invariant_key(
        self, expression: str, type_name: str | None, value: dict, roots: tuple[str, ...]
    ) -> tuple[str, str | None, bytes] | None:
        """The key of an invariant's evaluation on `value`: the elements it reads (`fhirpath.fast.roots`), with
        their `_name` siblings and choice forms (`value` → `valueQuantity` …); None when they are too large or
        unique content."""
        if self._unique((expression, type_name)):
            return None
        names = tuple(value)
        chosen = self.reads.get((names, roots))
        if chosen is None:
            if len(self.reads) >= MAX_ENTRIES:
                self.reads.clear()
            chosen = self.reads[names, roots] = tuple(key for key in names if key.lstrip("_").startswith(roots))
        subset = {key: value[key] for key in chosen}
        try:
            text = orjson.dumps(subset, default=_default)
        except (orjson.JSONEncodeError, TypeError):
            return None
        if len(text) > 4 * MAX_TEXT:
            return None
        return (expression, type_name, text)

    def invariant(self, key: tuple[str, str | None, bytes]) -> str | None:
        """The outcome kept for an invariant's key, or None."""
        found = self.invariants.get(key)
        self._count(key[:2], found is not None)
        return found

    def keep_invariant(self, key: tuple[str, str | None, bytes], outcome: str) -> None:
        self._room(self.invariants, key[2])
        self.invariants[key] = outcome

    def slice_key(self, node: Any, item: Any) -> tuple[int, bytes] | None:
        try:
            text = orjson.dumps(item, default=_default)
        except (orjson.JSONEncodeError, TypeError):
            return None
        return None if len(text) > MAX_TEXT else (id(node), text)

    def keep_slice(self, key: tuple[int, bytes], index: int) -> None:
        self._room(self.slices, key[1])
        self.slices[key] = index

    def get(self, key: Key) -> tuple[tuple[Issue, str], ...] | None:
        found = self.entries.get(key)
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
        self._count(key[0], found is not None)
        return found

    def store(self, key: Key, issues: list[Issue], location: str) -> None:
        """Keep the issues of a clean (untainted) walk at `location`, when each can be moved to another location."""
        kept = []
        for issue in issues:
            where = issue.location
            if where != location and not where.startswith((location + ".", location + "[")):
                return
            if location in issue.message or issue.line or issue.column:
                return
            kept.append((issue, where[len(location) :]))
        self._room(self.entries, key[4])
        self.entries[key] = tuple(kept)
        self.refused.pop(key[0], None)

    def refuse(self, key: Key) -> None:
        self.refused[key[0]] = self.refused.get(key[0], 0) + 1

    @staticmethod
    def replay(run: Any, found: tuple[tuple[Issue, str], ...], location: str) -> None:
        for issue, suffix in found:
            run.add_issue(
                dataclasses.replace(issue, location=location + suffix, line=0, column=0)
                if suffix or issue.location != location
                else issue
            )
