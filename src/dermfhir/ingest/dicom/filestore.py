"""A folder of DICOM instances next to the database, for instances too large for a FHIR Binary (the validator, as
FHIR's, holds a base64 value to 1 MB) or when the database should not carry pixels:
`{root}/{study}/{series}/{instance}.dcm`, every path component a DICOM UID (digits and dots), so no name can
leave the folder. Files are written through a temporary name and a rename.

Not handled: deleting instances, sharing one folder between machines (put it on shared storage).
"""

from __future__ import annotations

import re
from pathlib import Path

from dermfhir.ingest.output import write_atomic

_UID = re.compile(r"^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$")
#: largest instance stored as a Binary: its base64 must stay within the 1 MB a FHIR value may hold
BINARY_LIMIT = (1024 * 1024 // 4) * 3


def path_of(root: Path, study: str, series: str, instance: str) -> Path:
    """Where an instance lives; ValueError for anything but UIDs."""
    for uid in (study, series, instance):
        if len(uid) > 64 or not _UID.match(uid):
            raise ValueError(f"not a DICOM UID: {uid[:80]!r}")
    return root / study / series / f"{instance}.dcm"


def put(root: Path, study: str, series: str, instance: str, data: bytes) -> Path:
    path = path_of(root, study, series, instance)
    write_atomic(path, data)
    return path


def get(root: Path, study: str, series: str, instance: str) -> bytes | None:
    try:
        return path_of(root, study, series, instance).read_bytes()
    except (OSError, ValueError):
        return None
