"""Counts over imported FHIR data: images by dataset, split and skin tone; annotations and predictions by diagnosis,
body site, method and author (AI or human). Read from Bundles / NDJSON (`read_resources`) or a FHIR server's
search API (`fetch`).

The dataset of an image is the namespace of its identifier (`urn:dermfhir:<dataset>:image`) or else of its id;
AI means an Observation or RiskAssessment labelled AIAST (HL7 v3 ObservationValue) or made by ai-inference.

Not handled: servers that need authentication (give a token with --token), more than `limit` resources per type.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from dermfhir.builders._vocabulary import canonical

SKIN_TONE = canonical("StructureDefinition", "skin-tone")
SPLIT = canonical("StructureDefinition", "dataset-split")
AIAST = "AIAST"
TYPES = ("DocumentReference", "Observation", "RiskAssessment", "BodyStructure", "Patient")


@dataclass
class Stats:
    resources: Counter[str] = field(default_factory=Counter)
    datasets: Counter[str] = field(default_factory=Counter)
    diagnoses: Counter[str] = field(default_factory=Counter)
    sites: Counter[str] = field(default_factory=Counter)
    methods: Counter[str] = field(default_factory=Counter)
    authors: Counter[str] = field(default_factory=Counter)
    skin_tones: Counter[str] = field(default_factory=Counter)
    splits: Counter[str] = field(default_factory=Counter)

    def tables(self) -> dict[str, Counter[str]]:
        return {
            "resources by type": self.resources,
            "images by dataset": self.datasets,
            "images by split": self.splits,
            "images by skin tone": self.skin_tones,
            "findings by diagnosis": self.diagnoses,
            "lesions by site": self.sites,
            "annotations by method": self.methods,
            "annotations by author": self.authors,
        }


def _label(concept: dict | None) -> str:
    """The text people read for a concept: its text, else the first display or code."""
    if not concept:
        return "(none)"
    if concept.get("text"):
        return str(concept["text"])
    for item in concept.get("coding", []):
        return str(item.get("display") or item.get("code"))
    return "(none)"


def _dataset(image: dict) -> str:
    for identifier in image.get("identifier", []):
        parts = str(identifier.get("system", "")).split(":")
        if len(parts) >= 4 and parts[:2] == ["urn", "dermfhir"]:
            return parts[2]
    return str(image.get("id", "")).split("-", 1)[0] or "(unknown)"


def _extension(resource: dict, url: str) -> dict | None:
    return next((e for e in resource.get("extension", []) if e.get("url") == url), None)


def _inner(extension: dict, name: str) -> Any:
    for item in extension.get("extension", []):
        if item.get("url") == name:
            return next((v for k, v in item.items() if k.startswith("value")), None)
    return None


def _tone(value: Any) -> str:
    if isinstance(value, dict) and "low" in value:
        return f"{value['low'].get('value')}-{value['high'].get('value')}"
    return str(value)


def _is_ai(resource: dict) -> bool:
    labels = resource.get("meta", {}).get("security", [])
    if any(item.get("code") == AIAST for item in labels):
        return True
    method = resource.get("method") or {}
    return any(item.get("code") == "ai-inference" for item in method.get("coding", []))


def compute(resources: Iterable[dict]) -> Stats:
    stats = Stats()
    for resource in resources:
        kind = resource.get("resourceType", "")
        stats.resources[kind] += 1
        if kind == "DocumentReference" and resource.get("context", {}).get("event"):
            stats.datasets[_dataset(resource)] += 1
            tone = _extension(resource, SKIN_TONE)
            stats.skin_tones[
                f"{_inner(tone, 'scale')} {_tone(_inner(tone, 'value'))}" if tone else "(not recorded)"
            ] += 1
            split = _extension(resource, SPLIT)
            stats.splits[
                f"{_inner(split, 'dataset') or ''} {_inner(split, 'split')}".strip() if split else "(none)"
            ] += 1
        elif kind == "BodyStructure":
            stats.sites[_label(resource.get("location"))] += 1
        elif kind == "Observation" and resource.get("component"):
            stats.authors["AI" if _is_ai(resource) else "human"] += 1
            stats.methods[_label(resource.get("method"))] += 1
            finding = next(
                (c for c in resource["component"] if "valueCodeableConcept" in c),
                None,
            )
            stats.diagnoses[_label(finding.get("valueCodeableConcept") if finding else None)] += 1
        elif kind == "RiskAssessment":
            stats.authors["AI" if _is_ai(resource) else "human"] += 1
            stats.methods[_label(resource.get("method"))] += 1
    return stats


def fetch(base: str, token: str | None = None, limit: int = 1_000_000) -> Iterator[dict]:
    """The resources of the counted types from a FHIR server's search API, page by page (`next` links)."""
    import httpx

    headers = {"Accept": "application/fhir+json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    with httpx.Client(headers=headers, timeout=60, follow_redirects=True) as client:
        for kind in TYPES:
            url: str | None = f"{base.rstrip('/')}/{kind}?_count=500"
            seen = 0
            while url and seen < limit:
                response = client.get(url)
                if response.status_code >= 400:
                    raise ValueError(f"{url}: HTTP {response.status_code}")
                bundle = response.json()
                for entry in bundle.get("entry", []):
                    if isinstance(entry.get("resource"), dict):
                        seen += 1
                        yield entry["resource"]
                url = next((link.get("url") for link in bundle.get("link", []) if link.get("relation") == "next"), None)
