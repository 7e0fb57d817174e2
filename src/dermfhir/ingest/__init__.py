"""Importers from dermatology sources to FHIR resources of the guide. `layouts` declares the published layouts
(ISIC 2016-2025 challenge files, the ISIC Archive CSV, BCN20000, PAD-UFES-20, Fitzpatrick17k, HAM10000, Derm7pt,
DDI) with their columns and row mappers; `tabular` reads files by layout (detected from the header, forced, or
through a YAML column mapping) into the records of `records`, which builds the resources. HAM10000, Derm7pt, DDI,
ISIC Archive JSON, classifier outputs (predictions), segmentation masks and COCO have their own readers. Each
returns an ImportResult (resources + report); `run_import()` / `run_layouts()` validate and write atomically.

Not handled: the image files themselves (only read for pixel sizes and masks).
"""

from dermfhir.ingest import layouts, tabular
from dermfhir.ingest._common import Options
from dermfhir.ingest._result import ImportResult, Rejected, Report
from dermfhir.ingest._source import Mapping, SourceError
from dermfhir.ingest.pipeline import FORMATS, ImportFailed, run_import, run_layouts

__all__ = [
    "FORMATS",
    "ImportFailed",
    "ImportResult",
    "Mapping",
    "Options",
    "Rejected",
    "Report",
    "SourceError",
    "layouts",
    "run_import",
    "run_layouts",
    "tabular",
]
