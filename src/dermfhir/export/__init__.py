"""Exporters from FHIR back to ML formats: ISIC-challenge CSV (ground truth + metadata, HAM10000 layout) and FHIR
NDJSON. Sources are Bundles, resources or NDJSON files.

Not handled (yet): COCO JSON export.
"""

from dermfhir.export._read import ExportError, Index, read_resources

__all__ = ["ExportError", "Index", "read_resources"]
