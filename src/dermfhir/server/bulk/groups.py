"""A Group per imported dataset (e.g. "HAM10000"), so that a researcher can `Group/[id]/$export` one dataset.

`dermfhir load --group NAME` builds it from the Patients of the files it loads; importers (or any tool) can call
`dataset_group()` themselves. The id is derived from the name, so loading again replaces the Group.
Not handled: members other than Patients, characteristics (the membership is the list itself: `actual` true).
"""

from __future__ import annotations

from collections.abc import Iterable

from dermfhir.builders import stable_id

DATASET = "urn:dermfhir:dataset"


def group_id(name: str) -> str:
    return stable_id("dataset", name)


def dataset_group(name: str, patient_ids: Iterable[str]) -> dict:
    """The Group of the Patients of dataset `name` (each id once, in first-seen order)."""
    if not name.strip():
        raise ValueError("A dataset Group needs a name")
    members = list(dict.fromkeys(patient_ids))
    group: dict = {
        "resourceType": "Group",
        "id": group_id(name),
        "identifier": [{"system": DATASET, "value": name}],
        "active": True,
        "type": "person",
        "actual": True,
        "name": name,
        "quantity": len(members),
    }
    if members:
        group["member"] = [{"entity": {"reference": f"Patient/{id}"}} for id in members]
    return group
