"""FHIR search for the store: parameters from the definitions, index extraction, query parsing.

Supported
  * parameter types: token, string, reference, date, number, quantity, uri, composite (from the definitions)
  * `_id`, `_lastUpdated`, `_tag`, `_profile`, `_security`, `_source`; `_type` in a search across all types
  * prefixes eq ne gt lt ge le sa eb ap on date, number and quantity, with FHIR's range semantics
  * modifiers: `:missing` (all), `:exact` `:contains` (string), `:not` `:text` (token), `:above` `:below` (uri),
    `:identifier` and `:Type` (reference)
  * chains of any depth (`subject:Patient.organization.name=`), `_has` (nested), `_include` / `_revinclude` with
    `:iterate` and `Type:*`, `_sort` (several keys, `-` for descending), `_count` + `_offset` paging with total and
    next-page flag, `_total`, `_summary=count`, `_elements` / `_summary` helpers (`elements.py`)
  * comma-separated values OR-ed, repeated parameters AND-ed
Not supported (InvalidSearch names the parameter)
  * `_text`, `_content`, `_query`, `_list`, `_filter`, `_contained=true`, special parameters (`near`)
  * token `:above`/`:below` (code hierarchies), `:in`/`:not-in` (value sets), `:of-type`; reference
    `:above`/`:below`; UCUM unit conversion for quantities; `_revinclude=*`; cursor paging (offset only)
"""
