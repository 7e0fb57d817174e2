"""String search parameters: values normalised (accents stripped, case folded) plus the exact text.

Indexed: plain strings, HumanName (text, family, given, prefix, suffix), Address (text, line, city, district,
state, postalCode, country), and the string leaves of any other element. Query: default starts-with on the
normalised form, `:exact` (whole exact text), `:contains` (substring of the normalised form).
Not supported: phonetic matching (the `phonetic` parameter matches like `name`).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any

#: Indexed text is clipped to this many characters (database indexes limit key sizes).
MAX_INDEXED = 512
#: The highest code point: `prefix + TOP` bounds a starts-with range in binary collation.
TOP = "\U0010ffff"

_HUMAN_NAME = ("text", "family", "given", "prefix", "suffix")
_ADDRESS = ("text", "line", "city", "district", "state", "postalCode", "country")
_SKIP = frozenset({"system", "use", "url", "reference", "id", "extension", "type"})


def clip(text: str) -> str:
    """Text as indexed: at most MAX_INDEXED characters, without NUL (which PostgreSQL text cannot hold)."""
    return text[:MAX_INDEXED].replace("\x00", "")


@lru_cache(maxsize=65536)
def normalize(text: str) -> str:
    """Case-folded text without accents and with single spaces: `Müller ` → `muller`."""
    if text.isascii():  # nothing to decompose
        return clip(" ".join(text.lower().split()))
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return clip(" ".join(stripped.casefold().split()))


def extract(value: Any) -> list[tuple[str, str]]:
    """(normalised, exact) rows for one value."""
    texts: list[str] = []
    if isinstance(value, str):
        texts.append(value)
    elif isinstance(value, dict):
        keys: tuple[str, ...] | None = _HUMAN_NAME if ("family" in value or "given" in value) else None
        if keys is None and any(key in value for key in ("line", "city", "postalCode", "country", "state")):
            keys = _ADDRESS
        if keys is not None:
            for key in keys:
                texts.extend(_strings(value.get(key)))
        else:
            texts.extend(_leaves(value))
    return [(normalize(text), clip(text)) for text in texts if text and text.strip()]


def predicate(value: str, modifier: str | None, column: str = "") -> tuple[str, list[Any]]:
    """SQL condition on the string index columns (`norm`, `exact`) for one search value."""
    norm = normalize(value)
    if modifier == "exact":
        return f"({column}norm = ? AND {column}exact = ?)", [norm, clip(value)]
    if modifier == "contains":
        return f"{column}norm LIKE ? ESCAPE '\\'", ["%" + like_escape(norm) + "%"]
    return f"({column}norm >= ? AND {column}norm < ?)", [norm, norm + TOP]


def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def _leaves(value: Any, depth: int = 0) -> list[str]:
    if depth > 4:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item, depth + 1)]
    if isinstance(value, dict):
        return [leaf for key, item in value.items() if key not in _SKIP for leaf in _leaves(item, depth + 1)]
    return []
