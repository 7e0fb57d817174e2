"""A conservative UCUM syntax check: it rejects what cannot be a UCUM expression, it does not know the atoms.

`ucum_syntax_error("mg/dL")` is None; `ucum_syntax_error("mg / dL")` explains the spaces. A unit that passes may
still be no UCUM unit (`foo` passes); only a full UCUM parser with the essence tables could tell.
"""

from __future__ import annotations

UCUM_SYSTEM = "http://unitsofmeasure.org"

_PAIRS = {"[": "]", "{": "}"}


def ucum_syntax_error(unit: str) -> str | None:
    """Why `unit` cannot be a UCUM expression, or None when it is plausible."""
    if not unit:
        return "a UCUM unit cannot be empty"
    for character in unit:
        if not 33 <= ord(character) <= 126:
            return f"UCUM unit '{unit}' contains {character!r}, which UCUM does not allow"
    depth = 0
    closing: str | None = None
    component = ""
    components: list[str] = []
    for character in unit:
        if closing is not None:  # inside [..] or {..}: anything up to the closing bracket
            if character == closing:
                closing = None
            elif character in _PAIRS:
                return f"UCUM unit '{unit}' nests brackets"
            component += character
            continue
        if character in _PAIRS:
            closing = _PAIRS[character]
            component += character
        elif character in "]}":
            return f"UCUM unit '{unit}' closes a bracket it never opened"
        elif character == "(":
            depth += 1
        elif character == ")":
            depth -= 1
            if depth < 0:
                return f"UCUM unit '{unit}' closes a parenthesis it never opened"
        elif character in "./":
            components.append(component)
            component = ""
        else:
            component += character
    components.append(component)
    if closing is not None or depth:
        return f"UCUM unit '{unit}' leaves a bracket or parenthesis open"
    if unit.startswith("/"):
        components = components[1:]  # a leading division is allowed: "/min"
    if any(not item for item in components):
        return f"UCUM unit '{unit}' has an empty term around '.' or '/'"
    return None
