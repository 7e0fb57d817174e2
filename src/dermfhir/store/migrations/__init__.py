"""Numbered schema migrations, one folder per dialect: `<dialect>/NNNN_name.sql`, applied in order on open.

The `schema_version` table records each applied step. A step's statements are separated by lines ending in `;`.
Add a step by adding the next-numbered file to both folders; never edit a step that has shipped.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

#: Created before anything else, in every dialect.
BOOTSTRAP = ("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",)

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@lru_cache(maxsize=4)
def steps(dialect: str) -> list[tuple[int, list[str]]]:
    """(version, statements) for every migration of `dialect` ("sqlite" or "postgres"), by version."""
    found = []
    for entry in resources.files(__package__).joinpath(dialect).iterdir():
        match = _NAME.match(entry.name)
        if match is None:
            continue
        text = entry.read_text(encoding="utf-8")
        statements = [s.strip() for s in re.split(r";\s*\n", text + "\n") if _code(s)]
        found.append((int(match.group(1)), statements))
    found.sort()
    return found


def _code(statement: str) -> bool:
    return any(line.strip() and not line.strip().startswith("--") for line in statement.splitlines())
