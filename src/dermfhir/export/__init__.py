"""Exporters from FHIR back to ML formats: ISIC-challenge CSV (ground truth + metadata, HAM10000 layout), challenge
submission CSV (AI class probabilities), COCO JSON and FHIR NDJSON. Sources are Bundles, resources or NDJSON files.

Not handled: reading from a server or store directly (export it to NDJSON first).
"""

from dermfhir.export._read import ExportError, Index, read_resources

__all__ = ["ExportError", "Index", "read_resources"]
