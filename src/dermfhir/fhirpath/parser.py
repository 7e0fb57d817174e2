"""FHIRPath parsing: fhirpathpy's generated ANTLR lexer and parser and its tree builder, used strictly, with the
syntax trees kept on disk between runs.

Why not fhirpathpy's own `parse`: it lets ANTLR recover from syntax errors without a word and stops reading at the end
of the first complete expression, so `name.where(` or `name) or x` would compile to something else. `parse_strict`
raises FhirPathError on any syntax error or text left over.

Why a disk cache: ANTLR's Python runtime takes about 20 ms an expression, so the dozen invariants of a one-file
validation would cost a quarter of its start-up. `parse` keeps each tree in `cache_folder()` (one JSON file per
expression, keyed by the expression, the fhirpathpy version and `_TREES`) and reads it back in later processes; a
cache that cannot be read or written is simply not used.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from functools import cache
from pathlib import Path
from typing import Any, cast

import orjson
from antlr4 import CommonTokenStream, InputStream, Token
from antlr4.error.ErrorListener import ErrorListener
from antlr4.tree.Tree import ParseTreeWalker
from fhirpathpy.parser.ASTPathListener import ASTPathListener
from fhirpathpy.parser.generated.FHIRPathLexer import FHIRPathLexer
from fhirpathpy.parser.generated.FHIRPathParser import FHIRPathParser


class FhirPathError(Exception):
    """An expression that cannot be parsed or evaluated."""


#: the version of how this module makes syntax trees (2: strict parsing), part of the cache folder's name
_TREES = 2


class _RaiseOnError(ErrorListener):
    def syntaxError(self, recognizer: Any, offendingSymbol: Any, line: int, column: int, msg: str, e: Any) -> None:
        raise FhirPathError(f"syntax error at column {column + 1}: {msg}")


def parse_strict(expression: str) -> dict:
    """fhirpathpy's syntax tree of `expression`; raises FhirPathError on any syntax error or text left over."""
    lexer = FHIRPathLexer(InputStream(expression))
    lexer.removeErrorListeners()
    lexer.addErrorListener(_RaiseOnError())
    tokens = CommonTokenStream(lexer)
    parser = FHIRPathParser(tokens)
    parser.removeErrorListeners()
    parser.addErrorListener(_RaiseOnError())
    tree = parser.expression()
    if tokens.LA(1) != Token.EOF:
        extra = tokens.LT(1)
        raise FhirPathError(f"syntax error at column {extra.column + 1}: unexpected {extra.text!r}")
    listener = ASTPathListener()
    ParseTreeWalker().walk(listener, tree)
    return cast(dict, listener.parentStack[0])


@cache
def cache_folder() -> Path | None:
    """Where syntax trees are kept: $XDG_CACHE_HOME/dermfhir/fhirpath-<fhirpathpy version>-<`_TREES`> (or
    ~/.cache/…); a new parser or a change of how trees are made starts a new cache. None when there is no home
    folder to put it in."""
    from importlib.metadata import version

    try:
        root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    except RuntimeError:  # no HOME and no password entry
        return None
    return root / "dermfhir" / f"fhirpath-{version('fhirpathpy')}-{_TREES}"


def parse(expression: str) -> dict:
    """fhirpathpy's syntax tree of `expression`, from the disk cache when there; raises FhirPathError on bad syntax."""
    folder = cache_folder()
    if folder is None:
        return parse_strict(expression)
    path = folder / (hashlib.sha256(expression.encode("utf-8")).hexdigest()[:40] + ".json")
    try:
        stored = orjson.loads(path.read_bytes())
        if isinstance(stored, dict) and stored.get("expression") == expression and isinstance(stored.get("tree"), dict):
            return cast(dict, stored["tree"])
    except (OSError, orjson.JSONDecodeError):
        pass
    tree = parse_strict(expression)
    _keep(path, orjson.dumps({"expression": expression, "tree": tree}))
    return tree


def _keep(path: Path, content: bytes) -> None:
    """Write `content` to `path` atomically (a concurrent reader sees all of it or nothing); on any failure, nothing
    is left behind and the cache is just not used."""
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "wb") as file:
            file.write(content)
        os.replace(temporary, path)
    except OSError:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
