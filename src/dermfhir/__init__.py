"""dermfhir: the Python reference implementation of the Dermatology Image Annotation FHIR IG (R4)."""

__version__ = "0.1.0"
__all__ = ["__version__"]
