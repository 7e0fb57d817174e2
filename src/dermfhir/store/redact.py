"""Database URLs fit for logs and banners."""

from __future__ import annotations

import re


def redact(url: str) -> str:
    """A database URL fit for logs: its password (in the user part or a `password=` parameter) replaced by `***`."""
    url = re.sub(r"(?i)(password=)[^&\s]*", r"\1***", url)
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    user, colon, _password = credentials.partition(":")
    return f"{scheme}://{user}{':***' if colon else ''}@{host}"
