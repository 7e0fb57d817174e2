"""Importers from dermatology sources to FHIR resources of the guide: HAM10000, ISIC challenge ground truth, ISIC
Archive image records, Derm7pt, DDI, classifier outputs (predictions), segmentation masks and COCO. Each `read()`
returns an ImportResult (resources + report); `run_import()` validates and writes atomically.

Not handled: the image files themselves (only read for pixel sizes and masks), dataset splits.
"""

from dermfhir.ingest._common import Options
from dermfhir.ingest._result import ImportResult, Rejected, Report
from dermfhir.ingest._source import Mapping, SourceError
from dermfhir.ingest.pipeline import FORMATS, ImportFailed, run_import

__all__ = [
    "FORMATS",
    "ImportFailed",
    "ImportResult",
    "Mapping",
    "Options",
    "Rejected",
    "Report",
    "SourceError",
    "run_import",
]
