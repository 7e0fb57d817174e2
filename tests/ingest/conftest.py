"""What the importer tests share: the validation of everything an import produced."""

from __future__ import annotations


def errors_of(resources: list[dict]) -> dict[str, list[str]]:
    """`Type/id` → error messages, for every resource that does not validate."""
    from dermfhir.ingest.validate import describe, validate_all

    found = {}
    for resource, issues in zip(resources, validate_all(resources), strict=True):
        if issues:
            found[f"{resource['resourceType']}/{resource['id']}"] = [describe(i) for i in issues]
    return found


def warnings_of(resources: list[dict]) -> dict[str, list[str]]:
    """`Type/id` → warning messages, for every resource the validator warns about."""
    from dermfhir.ingest.validate import default_validator

    found = {}
    for resource in resources:
        issues = default_validator().validate(resource).get("issue", [])
        texts = [issue["details"]["text"] for issue in issues if issue.get("severity") == "warning"]
        if texts:
            found[f"{resource['resourceType']}/{resource['id']}"] = texts
    return found
