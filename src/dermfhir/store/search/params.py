"""Parsing search query parameters into a typed `Query`, checking every name, modifier and control value.

Supported: every parameter of the types token, string, reference, date, number, quantity, uri and composite
found in the definitions; `_id`, `_lastUpdated`, `_tag`, `_profile`, `_security`, `_source`; modifiers `:missing`
(all), `:exact` `:contains` (string), `:not` `:text` (token), `:above` `:below` (uri), `:identifier` and `:Type`
(reference); chains (`subject:Patient.name=`, any depth), `_has` (nested), `_include` / `_revinclude` (with
`:iterate`, `Type:*`), `_sort`, `_count`, `_offset`, `_total`, `_summary`, `_elements`, `_type` (system search).
Comma-separated values are OR-ed, repeated parameters AND-ed; an empty value is ignored, as FHIR asks.
`_format` and `_pretty` are accepted and left to the HTTP layer.
Not supported (InvalidSearch): `_text`, `_content`, `_query`, `_list`, `_filter`, `_contained`(other than false),
special parameters (`near`), token `:above`/`:below`/`:in`/`:not-in`/`:of-type`, `:missing` inside composite
values; system-wide search accepts only the `Resource`-level parameters.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from dermfhir.store.errors import InvalidSearch
from dermfhir.store.search.registry import SearchParam, SearchRegistry

#: Results per page when `_count` is absent, and the most a page may hold.
DEFAULT_COUNT = 20
MAX_COUNT = 1000
#: Rounds of `:iterate` includes at most.
MAX_ITERATE = 8
#: Bounds on the work one search may ask for (each refused with InvalidSearch, a 400): criteria in all, repeats of
#: one parameter, links of a chain, nested `_has`.
MAX_CRITERIA = 64
MAX_REPEATS = 16
MAX_CHAIN_DEPTH = 4
MAX_HAS_DEPTH = 3

_MODIFIERS = {
    "token": {"not", "text", "missing"},
    "string": {"exact", "contains", "missing"},
    "uri": {"above", "below", "missing"},
    "reference": {"identifier", "missing"},
    "date": {"missing"},
    "number": {"missing"},
    "quantity": {"missing"},
    "composite": set(),
}
_IGNORED = frozenset({"_format", "_pretty"})
_UNSUPPORTED = frozenset({"_text", "_content", "_query", "_list", "_filter", "_containedType", "_at", "_since"})
_SUMMARY = frozenset({"true", "false", "text", "data", "count"})
_TOTAL = frozenset({"none", "estimate", "accurate"})
_SPLIT_COMMA = re.compile(r"(?<!\\),")


class Filter:
    """A search criterion; filters of a query are AND-ed."""


@dataclass
class ParamFilter(Filter):
    """A parameter with its modifier and OR-ed values."""

    param: SearchParam
    modifier: str | None
    values: list[str]
    type_modifier: str | None = None


@dataclass
class ChainFilter(Filter):
    """`ref.param=` / `ref:Type.param=`: resources whose reference points at a target matching `inner`."""

    param: SearchParam
    inner: dict[str, Filter]  # per target type


@dataclass
class HasFilter(Filter):
    """`_has:Source:ref:param=`: resources that some Source references through `ref` and that matches `inner`."""

    target_type: str
    source_type: str
    param: SearchParam
    inner: Filter


@dataclass
class AllOf(Filter):
    """Every one of `filters` (an inner criterion with the caller's restriction added); none at all matches nothing."""

    filters: list[Filter]


#: Which criteria keep a search of a type to what the caller may see; None: it may see nothing of that type.
Restrict = Callable[[str], "list[tuple[str, str]] | None"]


@dataclass(frozen=True)
class Include:
    """`_include` / `_revinclude` = source:param[:target]; `params` empty means every reference parameter."""

    source_type: str
    params: tuple[SearchParam, ...]
    target_type: str | None
    iterate: bool


@dataclass(frozen=True)
class SortKey:
    code: str  # `_id`, `_lastUpdated` or a parameter code
    param: SearchParam | None
    descending: bool


@dataclass
class Query:
    """A parsed search."""

    resource_type: str | None
    types: tuple[str, ...] = ()
    filters: list[Filter] = field(default_factory=list)
    sort: list[SortKey] = field(default_factory=list)
    count: int = DEFAULT_COUNT
    offset: int = 0
    includes: list[Include] = field(default_factory=list)
    revincludes: list[Include] = field(default_factory=list)
    summary: str | None = None
    elements: list[str] | None = None
    total: str = "accurate"


Params = str | Mapping[str, str | Sequence[str]] | Iterable[tuple[str, str]] | None


def pairs(params: Params) -> list[tuple[str, str]]:
    """Query parameters as (name, value) pairs from a query string, a mapping or pairs."""
    if params is None:
        return []
    if isinstance(params, str):
        return parse_qsl(params.lstrip("?"), keep_blank_values=True)
    if isinstance(params, Mapping):
        found: list[tuple[str, str]] = []
        for name, value in params.items():
            if isinstance(value, str):
                found.append((name, value))
            else:
                found.extend((name, str(item)) for item in value)
        return found
    return [(str(name), str(value)) for name, value in params]


def parse(
    registry: SearchRegistry,
    resource_type: str | None,
    params: Params,
    default_count: int = DEFAULT_COUNT,
    restrict: Restrict | None = None,
) -> Query:
    """Parse and check a search; raises InvalidSearch naming the offending parameter. `restrict` narrows the
    resources that chains and `_has` look at (the searched type itself is narrowed by the caller)."""
    if resource_type is not None and resource_type not in registry.resource_types:
        raise InvalidSearch("_type", f"unknown resource type '{resource_type}'")
    query = Query(resource_type, count=default_count)
    found_pairs = pairs(params)
    if len(found_pairs) > MAX_CRITERIA * 2:
        raise InvalidSearch(found_pairs[0][0], f"more than {MAX_CRITERIA * 2} query parameters")
    repeats: dict[str, int] = {}
    for name, value in found_pairs:
        if "\x00" in name or "\x00" in value:
            raise InvalidSearch(name.replace("\x00", ""), "contains a NUL character")
        if name in _IGNORED:
            continue
        repeats[name] = repeats.get(name, 0) + 1
        if repeats[name] > MAX_REPEATS:
            raise InvalidSearch(name, f"repeated more than {MAX_REPEATS} times")
        if name.startswith("_") and _control(registry, query, name, value):
            continue
        found = parse_filter(registry, resource_type, name, value, restrict)
        if found is not None:
            query.filters.append(found)
            if len(query.filters) > MAX_CRITERIA:
                raise InvalidSearch(name, f"more than {MAX_CRITERIA} search criteria")
    return query


def is_costly(query: Query, default_count: int = DEFAULT_COUNT) -> bool:
    """Whether a search's work grows with the stored data rather than with its page: a chain or `_has` (every
    target that matches), a `:contains` or `:text` match (every value of the parameter), `_sort` (every match),
    `_include` / `_revinclude`, or a page larger than the default. The server runs fewer of these at once."""
    return bool(
        query.sort
        or query.includes
        or query.revincludes
        or query.count > default_count
        or any(_costly_filter(item) for item in query.filters)
    )


def _costly_filter(item: Filter) -> bool:
    if isinstance(item, ChainFilter | HasFilter):
        return True
    if isinstance(item, AllOf):
        return any(_costly_filter(nested) for nested in item.filters)
    return isinstance(item, ParamFilter) and item.modifier in ("contains", "text")


def _control(registry: SearchRegistry, query: Query, name: str, value: str) -> bool:
    """Handle a result/control parameter; False when `name` is a search parameter instead."""
    base, _, modifier = name.partition(":")
    if base in _UNSUPPORTED:
        raise InvalidSearch(name, "not supported by this store")
    if base == "_count":
        query.count = _integer(name, value, MAX_COUNT)
    elif base in ("_offset", "_getpagesoffset"):
        query.offset = _integer(name, value, None)
    elif base == "_sort":
        query.sort = [_sort_key(registry, query.resource_type, name, item) for item in value.split(",") if item]
    elif base in ("_include", "_revinclude"):
        if modifier not in ("", "iterate", "recurse"):
            raise InvalidSearch(name, f"unknown modifier ':{modifier}'")
        include = _include(registry, name, value, bool(modifier))
        (query.includes if base == "_include" else query.revincludes).append(include)
    elif base == "_summary":
        if value not in _SUMMARY:
            raise InvalidSearch(name, f"'{value}' is not one of {', '.join(sorted(_SUMMARY))}")
        query.summary = None if value == "false" else value
    elif base == "_elements":
        query.elements = [item.strip() for item in value.split(",") if item.strip()]
    elif base == "_total":
        if value not in _TOTAL:
            raise InvalidSearch(name, f"'{value}' is not one of {', '.join(sorted(_TOTAL))}")
        query.total = value
    elif base == "_contained":
        if value != "false":
            raise InvalidSearch(name, "searching contained resources is not supported")
    elif base == "_type":
        if query.resource_type is not None:
            raise InvalidSearch(name, "only allowed in a search across all types")
        types = tuple(item for item in value.split(",") if item)
        for item in types:
            if item not in registry.resource_types:
                raise InvalidSearch(name, f"unknown resource type '{item}'")
        query.types = tuple(dict.fromkeys(query.types + types))
    else:
        return False
    return True


def _integer(name: str, value: str, maximum: int | None) -> int:
    if not (value.isascii() and value.isdigit()) or len(value) > 9:
        raise InvalidSearch(name, f"'{value}' is not a non-negative integer")
    number = int(value)
    return min(number, maximum) if maximum is not None else number


def _sort_key(registry: SearchRegistry, resource_type: str | None, name: str, item: str) -> SortKey:
    descending = item.startswith("-")
    code = item.lstrip("-")
    if code in ("_id", "_lastUpdated"):
        return SortKey(code, None, descending)
    param = registry.param(resource_type, code)
    if param is None or not param.supported or param.type == "composite":
        raise InvalidSearch(name, f"cannot sort by '{code}' (unknown or not sortable here)")
    return SortKey(code, param, descending)


def _include(registry: SearchRegistry, name: str, value: str, iterate: bool) -> Include:
    parts = value.split(":")
    if value == "*":
        return Include("*", (), None, iterate)
    if len(parts) not in (2, 3) or parts[0] not in registry.resource_types:
        raise InvalidSearch(name, f"'{value}' is not SourceType:parameter[:TargetType]")
    source, code = parts[0], parts[1]
    target = parts[2] if len(parts) == 3 else None
    if target is not None and target not in registry.resource_types:
        raise InvalidSearch(name, f"unknown target type '{target}'")
    if code == "*":
        params = tuple(p for p in registry.params(source).values() if p.type == "reference" and p.supported)
        return Include(source, params, target, iterate)
    param = registry.param(source, code)
    if param is None or param.type != "reference" or not param.supported:
        raise InvalidSearch(name, f"'{code}' is not a reference parameter of {source}")
    return Include(source, (param,), target, iterate)


def split_values(value: str) -> list[str]:
    """Comma-separated alternatives, `\\,` being a literal comma."""
    return [item.replace("\\,", ",") for item in _SPLIT_COMMA.split(value)]


def parse_filter(
    registry: SearchRegistry,
    resource_type: str | None,
    name: str,
    value: str,
    restrict: Restrict | None = None,
    depth: int = 0,
) -> Filter | None:
    """One `name=value` criterion on `resource_type`; None when the value is empty (ignored)."""
    if name.startswith("_has:"):
        if depth >= MAX_HAS_DEPTH or name.count("_has:") > MAX_HAS_DEPTH:
            raise InvalidSearch(name[:200], f"_has nested more than {MAX_HAS_DEPTH} deep")
        return _has(registry, resource_type, name, value, restrict, depth)
    head, dot, tail = name.partition(".")
    if dot and (depth >= MAX_CHAIN_DEPTH or name.count(".") > MAX_CHAIN_DEPTH):
        raise InvalidSearch(name[:200], f"a chain of more than {MAX_CHAIN_DEPTH} links")
    code, _, modifier_text = head.partition(":")
    modifier = modifier_text or None
    param = registry.param(resource_type, code)
    if param is None:
        where = resource_type or "a search across all types"
        raise InvalidSearch(name, f"unknown search parameter '{code}' for {where}")
    if not param.supported:
        raise InvalidSearch(name, f"'{code}' ({param.type}) is not supported by this store")
    if dot:
        return _chain(registry, resource_type, name, param, modifier, tail, value, restrict, depth)
    values = [item for item in split_values(value) if item != ""]
    if not values:
        return None
    type_modifier = None
    if modifier is not None:
        allowed = _MODIFIERS.get(param.type, set())
        if code == "_id":
            allowed = {"not"}
        elif code == "_lastUpdated":
            allowed = set()
        if param.type == "reference" and modifier in registry.resource_types:
            if param.targets and modifier not in param.targets:
                raise InvalidSearch(name, f"{modifier} is not a target of '{code}'")
            type_modifier, modifier = modifier, None
        elif modifier not in allowed:
            raise InvalidSearch(name, f"modifier ':{modifier}' is not supported on a {param.type} parameter")
    if modifier == "missing" and any(item not in ("true", "false") for item in values):
        raise InvalidSearch(name, "':missing' takes true or false")
    if len(values) > 100:
        raise InvalidSearch(name, "more than 100 alternative values")
    return ParamFilter(param, modifier, values, type_modifier)


def _chain(
    registry: SearchRegistry,
    resource_type: str | None,
    name: str,
    param: SearchParam,
    modifier: str | None,
    tail: str,
    value: str,
    restrict: Restrict | None = None,
    depth: int = 0,
) -> Filter | None:
    if param.type != "reference":
        raise InvalidSearch(name, f"'{param.code}' is not a reference parameter and cannot be chained")
    if modifier is not None and modifier not in registry.resource_types:
        raise InvalidSearch(name, f"a chain takes a resource type modifier, not ':{modifier}'")
    targets = [modifier] if modifier else list(param.targets or sorted(registry.resource_types))
    inner: dict[str, Filter] = {}
    errors: list[InvalidSearch] = []
    for target in targets:
        try:
            found = parse_filter(registry, target, tail, value, restrict, depth + 1)
        except InvalidSearch as error:
            errors.append(error)
            continue
        if found is None:
            return None
        inner[target] = found
    if not inner:
        detail = str(errors[0]) if len(targets) == 1 and errors else f"no target type of '{param.code}' has it"
        raise InvalidSearch(name, f"cannot chain '{tail}': {detail}")
    if restrict is not None:
        inner = {
            target: restricted
            for target, found in inner.items()
            if (restricted := _narrow(registry, target, found, restrict))
        }
        if not inner:
            return AllOf([])
    return ChainFilter(param, inner)


def _narrow(registry: SearchRegistry, resource_type: str, found: Filter, restrict: Restrict) -> Filter | None:
    """`found` with the caller's criteria on `resource_type` added; None when the caller may see none of the type."""
    criteria = restrict(resource_type)
    if criteria is None:
        return None
    extra = [parse_filter(registry, resource_type, name, value) for name, value in criteria]
    filters = [item for item in extra if item is not None]
    return AllOf([found, *filters]) if filters else found


def _has(
    registry: SearchRegistry,
    resource_type: str | None,
    name: str,
    value: str,
    restrict: Restrict | None = None,
    depth: int = 0,
) -> Filter | None:
    parts = name.split(":", 3)
    if resource_type is None:
        raise InvalidSearch(name, "_has needs a resource type")
    if len(parts) != 4 or not parts[3]:
        raise InvalidSearch(name, "expected _has:SourceType:reference:parameter")
    _, source, code, rest = parts
    if source not in registry.resource_types:
        raise InvalidSearch(name, f"unknown resource type '{source}'")
    param = registry.param(source, code)
    if param is None or param.type != "reference" or not param.supported:
        raise InvalidSearch(name, f"'{code}' is not a reference parameter of {source}")
    if param.targets and resource_type not in param.targets:
        raise InvalidSearch(name, f"{source}.{code} never points at {resource_type}")
    inner = parse_filter(registry, source, rest, value, restrict, depth + 1)
    if inner is None:
        return None
    if restrict is not None:
        narrowed = _narrow(registry, source, inner, restrict)
        if narrowed is None:
            return AllOf([])
        inner = narrowed
    return HasFilter(resource_type, source, param, inner)
